# shellcheck shell=bash
#
# Library of the Airflow ECS image's entrypoint: sourced by entrypoint.sh and migrate.sh, and by the tests.
# Sourcing it only defines functions; nothing runs and no variable changes until a function is called.
#
# The task definitions never hold a URL with a password. They inject the parts (host, port, database name and,
# through ECS `secrets`, the user, password and broker token) and ecs_export_connections turns them into the
# URLs Airflow and Celery read, percent-encoding every part that can carry arbitrary characters.

readonly ecs_components="api-server scheduler dag-processor triggerer worker flower migrate db-clean"

ecs_log() {
    printf 'airflow-ecs-entrypoint: %s\n' "$*" >&2
}

ecs_error() {
    printf 'airflow-ecs-entrypoint: error: %s\n' "$*" >&2
}

# ecs_urlencode VAR VALUE: sets VAR to VALUE with every byte except the RFC 3986 unreserved characters
# (A-Z a-z 0-9 - . _ ~) percent-encoded, so any user, password or token survives in a URL (UTF-8 included).
# Byte by byte in bash itself (LC_ALL=C makes a character a byte; printf's "'c" argument is its code): the same
# output as python3's urllib.parse.quote(VALUE, safe="") (tested), without starting a process per value.
ecs_urlencode() {
    local LC_ALL=C
    local _ecs_value=$2 _ecs_encoded="" _ecs_char _ecs_i
    for ((_ecs_i = 0; _ecs_i < ${#_ecs_value}; _ecs_i++)); do
        _ecs_char=${_ecs_value:_ecs_i:1}
        case ${_ecs_char} in
            [A-Za-z0-9._~-]) _ecs_encoded+=${_ecs_char} ;;
            *)
                printf -v _ecs_char '%%%02X' "'${_ecs_char}"
                _ecs_encoded+=${_ecs_char}
                ;;
        esac
    done
    printf -v "$1" '%s' "${_ecs_encoded}"
}

# ecs_is_component NAME: succeeds when NAME is one of ecs_components.
ecs_is_component() {
    local candidate
    for candidate in ${ecs_components}; do
        [[ ${candidate} == "$1" ]] && return 0
    done
    return 1
}

# ecs_component_needs COMPONENT NEED: succeeds when COMPONENT needs NEED.
#   database      - AIRFLOW__DATABASE__SQL_ALCHEMY_CONN(_ASYNC)
#   database-wait - the wait for the database before starting (it serves the component's own work)
#   celery        - AIRFLOW__CELERY__BROKER_URL and AIRFLOW__CELERY__RESULT_BACKEND
# Airflow 3 Celery workers run tasks through the api-server's Execution API, yet every `airflow` process reads
# [database] sql_alchemy_conn: settings.initialize() builds its engines from it (sqlite under AIRFLOW_HOME when
# unset), the CLI's action log writes a row through the ORM when `airflow celery worker` starts, and the result
# backend defaults to it (apache/airflow#65420: 3.1 workers failing to start without it). Workers and Flower
# already hold the database credentials for the result backend, so they get the URL too, but do not wait for
# the database: they start without it, and a worker must not hold up a scale-out on a database check.
ecs_component_needs() {
    case $2 in
        database) [[ $1 =~ ^(api-server|scheduler|dag-processor|triggerer|worker|flower|migrate|db-clean)$ ]] ;;
        database-wait) [[ $1 =~ ^(api-server|scheduler|dag-processor|triggerer|migrate|db-clean)$ ]] ;;
        celery) [[ $1 =~ ^(scheduler|worker|flower)$ ]] ;;
        *) return 1 ;;
    esac
}

# ecs_require NAME COMPONENT TARGET: fails with a message naming NAME when it is unset or empty.
ecs_require() {
    if [[ -z ${!1:-} ]]; then
        ecs_error "$1 is not set or empty; the $2 component needs it to build $3"
        return 64
    fi
}

# ecs_require_host NAME COMPONENT TARGET: like ecs_require, and the value must be a plain host name or IPv4 address.
ecs_require_host() {
    ecs_require "$@" || return
    if ! [[ ${!1} =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
        ecs_error "$1 = \"${!1}\" is not a host name (letters, digits, dots and hyphens); the $2 component needs it to build $3"
        return 64
    fi
}

# ecs_port VAR NAME DEFAULT: sets VAR to the port in NAME (DEFAULT when unset or empty), failing on anything but
# 1-65535.
ecs_port() {
    local _ecs_value=${!2:-$3}
    if ! [[ ${_ecs_value} =~ ^[0-9]{1,5}$ ]] || ((10#${_ecs_value} < 1 || 10#${_ecs_value} > 65535)); then
        ecs_error "$2 = \"${_ecs_value}\" is not a TCP port (1-65535)"
        return 64
    fi
    printf -v "$1" '%s' "$((10#${_ecs_value}))"
}

# ecs_database_url VAR COMPONENT TARGET SCHEME TLS_QUERY: sets VAR to
# SCHEME://user:password@host:port/database?TLS_QUERY.
ecs_database_url() {
    local component=$2 target=$3 _ecs_port _ecs_user _ecs_password _ecs_name
    ecs_require_host AIRFLOW_ECS_DB_HOST "${component}" "${target}" || return
    ecs_require AIRFLOW_ECS_DB_NAME "${component}" "${target}" || return
    ecs_require AIRFLOW_ECS_DB_USER "${component}" "${target}" || return
    ecs_require AIRFLOW_ECS_DB_PASSWORD "${component}" "${target}" || return
    ecs_port _ecs_port AIRFLOW_ECS_DB_PORT 5432 || return
    ecs_urlencode _ecs_user "${AIRFLOW_ECS_DB_USER}"
    ecs_urlencode _ecs_password "${AIRFLOW_ECS_DB_PASSWORD}"
    ecs_urlencode _ecs_name "${AIRFLOW_ECS_DB_NAME}"
    printf -v "$1" '%s://%s:%s@%s:%s/%s?%s' "$4" "${_ecs_user}" "${_ecs_password}" "${AIRFLOW_ECS_DB_HOST}" "${_ecs_port}" "${_ecs_name}" "$5"
}

# ecs_broker_url VAR COMPONENT: sets VAR to rediss://:token@host:port/0?ssl_cert_reqs=required (ElastiCache, TLS,
# auth token).
ecs_broker_url() {
    local component=$2 target=AIRFLOW__CELERY__BROKER_URL _ecs_port _ecs_token
    ecs_require_host AIRFLOW_ECS_REDIS_HOST "${component}" "${target}" || return
    ecs_require AIRFLOW_ECS_REDIS_AUTH_TOKEN "${component}" "${target}" || return
    ecs_port _ecs_port AIRFLOW_ECS_REDIS_PORT 6379 || return
    ecs_urlencode _ecs_token "${AIRFLOW_ECS_REDIS_AUTH_TOKEN}"
    printf -v "$1" 'rediss://:%s@%s:%s/0?ssl_cert_reqs=required' "${_ecs_token}" "${AIRFLOW_ECS_REDIS_HOST}" "${_ecs_port}"
}

# ecs_preset NAME: succeeds when NAME, NAME_CMD or NAME_SECRET is already set, i.e. the option is configured
# another way; building NAME would silently override it (a plain variable wins over _CMD and _SECRET).
ecs_preset() {
    local name
    for name in "$1" "$1_CMD" "$1_SECRET"; do
        if [[ -n ${!name:-} ]]; then
            ecs_log "$1: keeping the value configured through ${name}"
            return 0
        fi
    done
    return 1
}

# ecs_export_connections COMPONENT: builds and exports the URLs COMPONENT needs (see ecs_component_needs).
ecs_export_connections() {
    local component=$1 url
    if ecs_component_needs "${component}" database && ! ecs_preset AIRFLOW__DATABASE__SQL_ALCHEMY_CONN; then
        ecs_database_url url "${component}" AIRFLOW__DATABASE__SQL_ALCHEMY_CONN postgresql+psycopg2 sslmode=require || return
        export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${url}"
        # Airflow derives the async URL by swapping the driver, but asyncpg rejects libpq's `sslmode` (it takes `ssl`).
        ecs_database_url url "${component}" AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC postgresql+asyncpg ssl=require || return
        export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC="${url}"
    fi
    if ecs_component_needs "${component}" celery; then
        if ! ecs_preset AIRFLOW__CELERY__RESULT_BACKEND; then
            ecs_database_url url "${component}" AIRFLOW__CELERY__RESULT_BACKEND db+postgresql sslmode=require || return
            export AIRFLOW__CELERY__RESULT_BACKEND="${url}"
        fi
        if ! ecs_preset AIRFLOW__CELERY__BROKER_URL; then
            ecs_broker_url url "${component}" || return
            export AIRFLOW__CELERY__BROKER_URL="${url}"
        fi
    fi
}

# ecs_last_error_line TEXT: the last non-empty line of TEXT that is not SQLAlchemy's "(Background on this error ...)".
ecs_last_error_line() {
    local line last=""
    while IFS= read -r line; do
        [[ -z ${line//[[:space:]]/} || ${line} == "(Background on this error"* ]] && continue
        last=${line}
    done <<<"$1"
    printf '%s' "${last}"
}

# ecs_wait_for_database: runs `airflow db check` until it succeeds, for at most AIRFLOW_ECS_DB_WAIT_SECONDS
# (0 = do not wait), pausing 2 s between attempts. Each attempt is cut off at the remaining time, so the whole
# wait is bounded.
ecs_wait_for_database() {
    local limit=${AIRFLOW_ECS_DB_WAIT_SECONDS:-120} start=${SECONDS} attempts=0 remaining output status where
    if ! [[ ${limit} =~ ^[0-9]+$ ]]; then
        ecs_error "AIRFLOW_ECS_DB_WAIT_SECONDS = \"${limit}\" is not a whole number of seconds"
        return 64
    fi
    limit=$((10#${limit}))
    where="${AIRFLOW_ECS_DB_HOST:-?}:${AIRFLOW_ECS_DB_PORT:-5432}"
    if ((limit == 0)); then
        ecs_log "AIRFLOW_ECS_DB_WAIT_SECONDS=0: not waiting for the metadata database"
        return 0
    fi
    while true; do
        attempts=$((attempts + 1))
        remaining=$((limit - (SECONDS - start)))
        ((remaining < 1)) && remaining=1
        status=0
        output=$(CONNECTION_CHECK_MAX_COUNT=0 timeout "${remaining}" airflow db check 2>&1) || status=$?
        if ((status == 0)); then
            ecs_log "metadata database ${where} is reachable (attempt ${attempts})"
            return 0
        fi
        if ((status == 124)); then
            output="'airflow db check' timed out after ${remaining} s"
        fi
        remaining=$((limit - (SECONDS - start)))
        if ((remaining <= 0)); then
            ecs_error "the metadata database at ${where} did not answer within ${limit} s (AIRFLOW_ECS_DB_WAIT_SECONDS); last 'airflow db check' output: $(ecs_last_error_line "${output}")"
            return 69
        fi
        sleep $((remaining < 2 ? remaining : 2))
    done
}
