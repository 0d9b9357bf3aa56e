#!/usr/bin/env bash
#
# The migrate component (a one-off ECS task, command ["db", "migrate"]): entrypoint.sh runs this script through the
# official /entrypoint once the database URL is built and the database answers.
#   1. `airflow db migrate [options]`; a failure ends the task with Airflow's exit status. (The image's
#      _AIRFLOW_DB_MIGRATE switch runs `airflow db migrate || true` and would hide it.)
#   2. Record the Airflow version and image tag that migrated the database in the SSM parameter named by
#      AIRFLOW_ECS_MIGRATION_RECORD_PARAMETER (python -m airflow_ecs.migration_record); `npm run migrate` reads it
#      to decide whether the next migration needs a snapshot first. A failure to record only warns: the database
#      is migrated, and a missing record costs one extra snapshot next time.
#   3. Size `default_pool` to AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT (the slots of every worker pool at its
#      largest, derived by config/derived/capacity.ts). Airflow reads that option only when it first creates the
#      pool, so an existing pool is set with `airflow pools set default_pool <slots> "Default pool"` (the 3.1 CLI:
#      name, slots, description; it updates the pool in place). A failure ends the task non-zero.
#   4. With the FAB auth manager: create the first admin (AIRFLOW_ECS_ADMIN_USERNAME / _EMAIL / _PASSWORD) when no
#      user of that name exists; a failure to list or create users ends the task non-zero. The simple auth manager
#      has no user table, so step 4 is skipped there.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=connections.sh
. "${script_dir}/connections.sh"

# Reads `airflow users list --output json` on stdin; exits 0 when the user named $1 exists, 1 when it does not,
# 2 when the output holds no user list. Log lines before the JSON are skipped; "No data found" means no users.
readonly FIND_USER_PY='
import json
import sys

text, wanted = sys.stdin.read(), sys.argv[1]
decoder = json.JSONDecoder()
offset = 0
for line in text.splitlines(keepends=True):
    stripped = line.lstrip()
    if stripped.startswith("["):
        try:
            users, _ = decoder.raw_decode(text, offset + len(line) - len(stripped))
        except ValueError:
            users = None
        if isinstance(users, list) and all(isinstance(user, dict) for user in users):
            sys.exit(0 if any(user.get("username") == wanted for user in users) else 1)
    offset += len(line)
sys.exit(1 if "No data found" in text else 2)
'

run_migration() {
    if (($# == 0)); then
        set -- db migrate
    elif [[ $1 == airflow ]]; then
        shift
    fi
    if [[ ${1:-} != db || ${2:-} != migrate ]]; then
        ecs_error "the migrate component runs \"db migrate [options]\"; got the command: $*"
        return 64
    fi
    ecs_log "running: airflow $*"
    local status=0
    airflow "$@" || status=$?
    if ((status != 0)); then
        ecs_error "\"airflow $*\" failed with exit status ${status}; the metadata database was not migrated"
        return "${status}"
    fi
    ecs_log "metadata database migrated"
}

record_migration() {
    local config_dir="${AIRFLOW_HOME:-/opt/airflow}/config"
    if ! PYTHONPATH="${config_dir}${PYTHONPATH:+:${PYTHONPATH}}" python3 -m airflow_ecs.migration_record; then
        ecs_log "warning: the migration was not recorded (see above); the next \"npm run migrate\" snapshots the database before migrating"
    fi
}

size_default_pool() {
    local slots=${AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT:-}
    if [[ -z ${slots} ]]; then
        ecs_log "AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT is not set: leaving default_pool as it is"
        return 0
    fi
    if ! [[ ${slots} =~ ^[1-9][0-9]{0,5}$ ]]; then
        ecs_error "AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT = \"${slots}\" is not a number of slots (1-999999)"
        return 64
    fi
    ecs_log "setting default_pool to ${slots} slots"
    if ! airflow pools set default_pool "${slots}" "Default pool"; then
        ecs_error "\"airflow pools set default_pool ${slots}\" failed; default_pool keeps its old size"
        return 70
    fi
}

ensure_admin() {
    if [[ ${AIRFLOW__CORE__AUTH_MANAGER:-} != *FabAuthManager* ]]; then
        ecs_log "the auth manager is not FAB (AIRFLOW__CORE__AUTH_MANAGER=${AIRFLOW__CORE__AUTH_MANAGER:-<default>}): no admin user to create"
        return 0
    fi
    local variable
    for variable in AIRFLOW_ECS_ADMIN_USERNAME AIRFLOW_ECS_ADMIN_EMAIL AIRFLOW_ECS_ADMIN_PASSWORD; do
        ecs_require "${variable}" migrate "the first admin user" || return
    done
    local username=${AIRFLOW_ECS_ADMIN_USERNAME} users status=0
    if ! users=$(airflow users list --output json); then
        ecs_error "\"airflow users list\" failed; cannot tell whether the admin user ${username} exists"
        return 70
    fi
    python3 -c "${FIND_USER_PY}" "${username}" <<<"${users}" || status=$?
    case ${status} in
        0)
            ecs_log "admin user ${username} exists; not creating it"
            return 0
            ;;
        1) ;;
        *)
            ecs_error "could not read the user list printed by \"airflow users list --output json\""
            return 70
            ;;
    esac
    ecs_log "creating the admin user ${username}"
    if ! airflow users create --username "${username}" --email "${AIRFLOW_ECS_ADMIN_EMAIL}" \
        --firstname Airflow --lastname Admin --role Admin --password "${AIRFLOW_ECS_ADMIN_PASSWORD}"; then
        ecs_error "\"airflow users create\" failed for the admin user ${username}"
        return 70
    fi
    ecs_log "admin user ${username} created"
}

run_migration "$@" || exit
record_migration
size_default_pool || exit
ensure_admin || exit
