#!/usr/bin/env bash
#
# The db-clean component (a one-off ECS task EventBridge Scheduler starts, command ["db", "clean"]): entrypoint.sh
# runs this script through the official /entrypoint once the database URL is built and the database answers.
#   1. Open a psql session to the metadata database (host, port, name, user and password from the same injected
#      parts as the URL, TLS required) and take a session-level advisory lock with pg_try_advisory_lock. When another
#      run holds it, say so and exit 0: runs never overlap. The session stays open for the whole run, so the lock
#      ends with it (also when the task is killed: PostgreSQL drops a dead session's locks).
#   2. archive "last-run": `airflow db drop-archived --yes` drops the previous run's archive tables first.
#   3. `airflow db clean --clean-before-timestamp <now - AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS days, UTC>
#      --batch-size N --verbose --yes`, with --skip-archive for archive "none"; no --tables, so Airflow cleans every
#      table it may clean (it keeps the last DAG run of each DAG). Cut off after AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES.
# Exit status: 0 cleaned, or skipped because another run holds the lock; 64 configuration error; 69 the lock
# session could not be opened; otherwise airflow's status (124 when the timeout cut the run off). A non-zero exit
# notifies the environment's topic (the services stack's db-clean failure rule).
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=connections.sh
. "${script_dir}/connections.sh"

# The advisory lock's key: the ASCII bytes of "dbclean" as one bigint (any constant works; every run uses this one).
readonly DB_CLEAN_LOCK_KEY=28254564376084846

# ecs_positive_integer NAME MAX: prints the whole number in NAME, failing unless it is 1..MAX.
ecs_positive_integer() {
    local value=${!1:-}
    if ! [[ ${value} =~ ^[0-9]{1,9}$ ]] || ((10#${value} < 1 || 10#${value} > $2)); then
        ecs_error "$1 = \"${value}\" is not a whole number from 1 to $2"
        return 64
    fi
    printf '%s' "$((10#${value}))"
}

check_command() {
    if (($# > 0)) && [[ $1 == airflow ]]; then
        shift
    fi
    if [[ $* != "db clean" ]]; then
        ecs_error "the db-clean component runs \"db clean\" (the task definition sets its options); got the command: $*"
        return 64
    fi
}

# open_lock_session: starts psql in the background on two FIFOs (its requests and answers stay open on this shell's
# descriptors, so the session lives as long as this script) and takes the advisory lock in it. Returns 0 when the
# lock is held, 1 when another session holds it, 69 when no session could be opened.
open_lock_session() {
    local port variable fifos answer=""
    ecs_port port AIRFLOW_ECS_DB_PORT 5432 || return
    ecs_require_host AIRFLOW_ECS_DB_HOST db-clean "the lock session" || return
    for variable in AIRFLOW_ECS_DB_NAME AIRFLOW_ECS_DB_USER AIRFLOW_ECS_DB_PASSWORD; do
        ecs_require "${variable}" db-clean "the lock session" || return
    done
    fifos=$(mktemp -d "${TMPDIR:-/tmp}/db-clean-lock.XXXXXX")
    mkfifo "${fifos}/requests" "${fifos}/answers"
    # libpq reads the connection from PG* variables, so the password never appears in a command line.
    PGHOST=${AIRFLOW_ECS_DB_HOST} PGPORT=${port} PGDATABASE=${AIRFLOW_ECS_DB_NAME} PGUSER=${AIRFLOW_ECS_DB_USER} \
        PGPASSWORD=${AIRFLOW_ECS_DB_PASSWORD} PGSSLMODE=require PGCONNECT_TIMEOUT=30 PGAPPNAME=airflow-ecs-db-clean \
        psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 <"${fifos}/requests" >"${fifos}/answers" 2>&1 &
    # Opened in the order psql opens them (a FIFO's open waits for the other end), then unlinked: the descriptors
    # keep the pipes.
    exec {lock_requests}>"${fifos}/requests" {lock_answers}<"${fifos}/answers"
    rm -r "${fifos}"
    # A psql that already exited must not kill this shell with SIGPIPE: its error is read below instead.
    trap '' PIPE
    printf 'SELECT pg_try_advisory_lock(%s);\n' "${DB_CLEAN_LOCK_KEY}" 1>&"${lock_requests}" 2>/dev/null || true
    trap - PIPE
    IFS= read -r -t 60 answer <&"${lock_answers}" || true
    case ${answer} in
        t) return 0 ;;
        f) return 1 ;;
    esac
    ecs_error "could not open the lock session to the metadata database at ${AIRFLOW_ECS_DB_HOST}:${port}: ${answer:-no answer within 60 s}"
    return 69
}

clean_before_timestamp() {
    date -u -d "-$1 days" '+%Y-%m-%dT%H:%M:%S+00:00'
}

run_clean() {
    local days batch minutes archive=${AIRFLOW_ECS_DB_CLEAN_ARCHIVE:-none} before status=0
    days=$(ecs_positive_integer AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS 3650) || return
    batch=$(ecs_positive_integer AIRFLOW_ECS_DB_CLEAN_BATCH_SIZE 1000000) || return
    minutes=$(ecs_positive_integer AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES 720) || return
    local -a archive_options
    case ${archive} in
        none) archive_options=(--skip-archive) ;;
        last-run) archive_options=() ;;
        *)
            ecs_error "AIRFLOW_ECS_DB_CLEAN_ARCHIVE = \"${archive}\" is not one of: none last-run"
            return 64
            ;;
    esac

    open_lock_session || status=$?
    case ${status} in
        0) ecs_log "holding the db-clean lock" ;;
        1)
            ecs_log "another db clean run holds the lock: not cleaning (this run ends successfully)"
            return 0
            ;;
        *) return "${status}" ;;
    esac

    if [[ ${archive} == last-run ]]; then
        ecs_log "dropping the previous run's archive tables"
        if ! airflow db drop-archived --yes; then
            ecs_error "\"airflow db drop-archived\" failed; nothing was cleaned"
            return 70
        fi
    fi
    before=$(clean_before_timestamp "${days}")
    local -a command=(airflow db clean --clean-before-timestamp "${before}" "${archive_options[@]}" --batch-size "${batch}" --verbose --yes)
    ecs_log "cleaning rows older than ${days} days (before ${before}), at most ${minutes} minutes: ${command[*]}"
    timeout --kill-after=60 "${minutes}m" "${command[@]}" || status=$?
    if ((status == 124)); then
        ecs_error "\"airflow db clean\" did not finish within ${minutes} minutes (AIRFLOW_ECS_DB_CLEAN_TIMEOUT_MINUTES) and was stopped; the next run continues"
        return 124
    fi
    if ((status != 0)); then
        ecs_error "\"airflow db clean\" failed with exit status ${status}"
        return "${status}"
    fi
    ecs_log "metadata database cleaned"
}

check_command "$@" || exit
run_clean || exit
