#!/usr/bin/env bash
#
# Entrypoint of the Airflow ECS image, run by dumb-init (PID 1):
#   ENTRYPOINT ["/usr/bin/dumb-init", "--", "/opt/airflow-ecs/scripts/entrypoint.sh"]
# The ECS `command` is the Airflow subcommand, e.g. ["scheduler"] or ["celery", "worker", "--queues", "default"].
#
# With AIRFLOW_ECS_COMPONENT set (one of api-server, scheduler, dag-processor, triggerer, worker, flower, migrate,
# db-clean):
#   1. build the database, result-backend and broker URLs the component needs from the injected parts;
#   2. wait (bounded by AIRFLOW_ECS_DB_WAIT_SECONDS) for the metadata database where the component uses it;
#   3. worker: start the scale-in protection loop;
#   4. exec the image's official /entrypoint with the command, so the Airflow process replaces this shell and
#      receives dumb-init's signals directly (warm shutdown). Its own database and broker waits are switched off
#      (CONNECTION_CHECK_MAX_COUNT=0): step 2 replaces them with a bounded one.
#   migrate: instead of 4, run migrate.sh (through /entrypoint) and exit with its status; db-clean: db-clean.sh.
# Without AIRFLOW_ECS_COMPONENT (e.g. `docker run <image> version`), the official entrypoint runs unchanged.
#
# Exit status: 64 configuration error (the message names the variable), 69 database unreachable in time,
# otherwise the status of the Airflow command.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=connections.sh
. "${script_dir}/connections.sh"

# The official image's entrypoint; overridable only so the tests can run this script without the image.
official_entrypoint=${_AIRFLOW_ECS_OFFICIAL_ENTRYPOINT:-/entrypoint}

# Starts the scale-in protection loop detached from this shell (reparented to dumb-init, which reaps it), so it
# neither receives the worker's SIGTERM nor lingers: it stops when the worker process (this PID, after exec) exits.
start_task_protection() {
    if [[ -z ${ECS_AGENT_URI:-} ]]; then
        ecs_log "ECS_AGENT_URI is not set (not an ECS task): scale-in protection is off"
        return 0
    fi
    local config_dir="${AIRFLOW_HOME:-/opt/airflow}/config"
    (
        PYTHONPATH="${config_dir}${PYTHONPATH:+:${PYTHONPATH}}" \
            exec python3 -m airflow_ecs.task_protection loop --watch-pid "$$" </dev/null &
    )
    ecs_log "scale-in protection loop started"
}

main() {
    local component=${AIRFLOW_ECS_COMPONENT:-}
    if [[ -z ${component} ]]; then
        ecs_log "AIRFLOW_ECS_COMPONENT is not set: running the official entrypoint unchanged"
        exec "${official_entrypoint}" "$@"
    fi
    if ! ecs_is_component "${component}"; then
        ecs_error "AIRFLOW_ECS_COMPONENT = \"${component}\" is not one of: ${ecs_components}"
        exit 64
    fi
    ecs_log "component ${component}${AIRFLOW_ECS_WORKER_POOL:+ (worker pool ${AIRFLOW_ECS_WORKER_POOL})}${AIRFLOW_ECS_ENVIRONMENT:+ in environment ${AIRFLOW_ECS_ENVIRONMENT}}"

    ecs_export_connections "${component}" || exit
    export CONNECTION_CHECK_MAX_COUNT=0
    if ecs_component_needs "${component}" database-wait; then
        ecs_wait_for_database || exit
    fi

    case ${component} in
        migrate | db-clean)
            exec "${official_entrypoint}" bash "${script_dir}/${component}.sh" "$@"
            ;;
        worker)
            start_task_protection
            ;;
    esac
    exec "${official_entrypoint}" "$@"
}

main "$@"
