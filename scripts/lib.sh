# Shared set-up steps for run.sh, test.sh and the benchmarks. Each step is quick when
# nothing changed: installs are keyed on a hash of the files that pin the dependencies.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKEND="$ROOT/backend"
FRONTEND="$ROOT/frontend"
VENV="$BACKEND/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# True when $2 holds the hash of file $1 (the dependencies were installed from it).
up_to_date() { [ -f "$2" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$(cat "$2")" ]; }
mark_installed() { sha256sum "$1" | cut -d' ' -f1 >"$2"; }

apt_install() {
    [ "$(id -u)" = 0 ] || die "missing Debian packages ($*); install them: sudo apt-get install $*"
    say "installing Debian packages: $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
        die "apt-get install $* failed"
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            PYTHON=$(command -v "$candidate")
            return
        fi
    done
    die "Python 3.11 or newer is needed (found: $(python3 --version 2>&1 || echo none))"
}

need_node() {
    command -v node >/dev/null || die "Node.js 20 or newer is needed (none found)"
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 20 ] || die "Node.js 20 or newer is needed (found $(node --version))"
}

make_venv() {  # make_venv DIR: a fresh virtual environment of $PYTHON
    if ! "$PYTHON" -m venv --clear "$1" 2>/dev/null; then
        apt_install python3-venv
        "$PYTHON" -m venv --clear "$1" || die "could not create $1"
    fi
}

# uv installs the Python environments from backend/uv.lock. It lives in a virtual environment
# of its own, installed with pip at the version below. uv reads no pip configuration: it takes
# the packages from the index the lock names (PyPI) and, like pip here, trusts the system's
# certificates; it never downloads a Python of its own.
UV_VERSION=0.13.9
UV="$ROOT/.tools/bin/uv"
export UV_SYSTEM_CERTS=${UV_SYSTEM_CERTS:-1} UV_PYTHON_DOWNLOADS=never
[ -z "${PIP_DEFAULT_TIMEOUT:-}" ] || export UV_HTTP_TIMEOUT=${UV_HTTP_TIMEOUT:-$PIP_DEFAULT_TIMEOUT}

setup_uv() {
    [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" = "$UV_VERSION" ] && return
    find_python
    say "installing uv $UV_VERSION"
    make_venv "$ROOT/.tools"
    "$ROOT/.tools/bin/pip" install -q "uv==$UV_VERSION" || die "pip install uv failed"
}

# setup_backend [--dev]: backend/.venv exactly as backend/uv.lock says: the runtime, and with
# --dev the test tools too (`make test`, the benchmarks). `make run` installs the runtime alone.
setup_backend() {
    local groups=runtime stamp="$VENV/.installed" key installed options=(--no-dev)
    [ "${1:-}" = --dev ] && groups=dev options=()
    key=$(cat "$BACKEND/pyproject.toml" "$BACKEND/uv.lock" | sha256sum | cut -d' ' -f1)
    installed=$(cat "$stamp" 2>/dev/null || true)
    if [ -x "$VENV/bin/python" ] &&
        { [ "$installed" = "$key dev" ] || [ "$installed" = "$key $groups" ]; }; then
        return
    fi
    setup_uv
    find_python
    say "installing the backend's Python environment ($groups, from backend/uv.lock)"
    rm -f "$stamp"
    # --locked: refuses a lock that no longer matches pyproject.toml (run `make lock`).
    "$UV" sync --quiet --locked --project "$BACKEND" --python "$PYTHON" "${options[@]}" ||
        die "uv sync failed"
    echo "$key $groups" >"$stamp"
}

setup_npm() {  # $1: a folder with package.json and package-lock.json
    local stamp="$1/node_modules/.installed" kept
    need_node
    if [ -d "$1/node_modules" ] && up_to_date "$1/package-lock.json" "$stamp"; then
        return
    fi
    # better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded.
    command -v make >/dev/null && command -v g++ >/dev/null || apt_install make g++
    say "installing npm packages in ${1#"$ROOT"/}"
    kept=$(kept_binaries)
    (cd "$1" && npm_config_better_sqlite3_local_prebuilds="$kept" \
        npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $1"
    [ ! -d "$1/node_modules/better-sqlite3" ] || keep_sqlite_binary "$1/node_modules/better-sqlite3" "$kept" ||
        die "better-sqlite3 does not work in $1 (not even compiled again)"
    mark_installed "$1/package-lock.json" "$stamp"
}

# better-sqlite3's install script unpacks a prebuilt binary (prebuild-install), else compiles
# SQLite from source: two minutes of CPU on every fresh clone where GitHub, which serves the
# binaries, cannot be reached. So a clone that compiled it keeps the binary, packed as
# prebuild-install packs its own, in a folder outside the clone for this Node version and
# machine (the archive's name holds the module's version and Node's ABI, as prebuild-install
# asks); the next install unpacks it from there ("local prebuilds"). A binary is kept only
# once it loaded and ran SQL, and is kept again whenever a different one was installed (a
# damaged archive is not unpacked: the install script then compiles).
kept_binaries() {
    printf '%s/todo-app/native/node-%s-%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}" "$(node --version)" \
        "$(uname -m)"
}

sqlite_works() {  # sqlite_works MODULE_DIR: the module loads and answers a query
    node -e 'const Database = require(require("node:path").resolve(process.argv[1]));
        process.exit(new Database(":memory:").prepare("SELECT 40 + 2 AS x").get().x === 42 ? 0 : 1)' "$1"
}

keep_sqlite_binary() {  # keep_sqlite_binary MODULE_DIR KEPT_DIR
    local module=$1 binary="$1/build/Release/better_sqlite3.node" archive sum
    # The name prebuild-install looks for (glibc Linux, as here, adds nothing for the libc).
    archive="$2/$(node -p 'const { version } = require(require("node:path").resolve(process.argv[1], "package.json"));
        `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`' \
        "$module")"
    if ! sqlite_works "$module"; then
        say "better-sqlite3 does not load: compiling it from source"
        rm -f "$archive" "$archive.sha256"
        (cd "$module" && npm run --silent build-release) && sqlite_works "$module" || return 1
    fi
    sum=$(sha256sum "$binary" | cut -d' ' -f1)
    [ -f "$archive" ] && [ "$(cat "$archive.sha256" 2>/dev/null)" = "$sum" ] && return
    mkdir -p "$2" && tar -czf "$archive.$$" -C "$module" build/Release/better_sqlite3.node &&
        mv "$archive.$$" "$archive" && echo "$sum" >"$archive.sha256" ||
        say "could not keep better-sqlite3's binary in $2 (the next install compiles it again)"
}

new_secret() { "${PYTHON:-python3}" -c 'import secrets; print(secrets.token_urlsafe(32))'; }

port_taken() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# Values already in the environment win over .env; a missing secret is generated once
# into .env (mode 600, git-ignored), so every server shares it from then on.
load_env_file() {
    local line name
    if [ -z "${BETTER_AUTH_SECRET:-}" ] && ! grep -qs '^BETTER_AUTH_SECRET=' .env; then
        say "no BETTER_AUTH_SECRET: generating one into .env"
        (umask 077 && printf 'BETTER_AUTH_SECRET=%s\n' "$(new_secret)" >>.env)
    fi
    [ -f .env ] || return 0
    chmod 600 .env
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        name=${BASH_REMATCH[1]}
        [ -n "${!name+set}" ] || export "$name=${BASH_REMATCH[2]}"
    done <.env
}

# Next.js inlines NEXT_PUBLIC_* at build time: rebuild when they or the sources change. The
# API's URL is read at run time (lib/server/config.ts), so one build serves `make run` and
# `make cluster` alike. What the build, the type check and the app write themselves is no
# source: next-env.d.ts (which the first build creates), TypeScript's build state, the data.
frontend_build_key() {
    {
        env | grep '^NEXT_PUBLIC_' | grep -v '^NEXT_PUBLIC_API_URL=' | sort
        (cd "$ROOT" && find frontend \( -path frontend/node_modules -o -path frontend/.next \
            -o -path frontend/data -o -name next-env.d.ts -o -name '*.tsbuildinfo' \) -prune \
            -o -type f -print0 | sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -d' ' -f1
}

build_frontend() {  # `next build`, unless the last build had the same key
    local key
    key=$(frontend_build_key)
    [ "$key" = "$(cat "$FRONTEND/.next/.build-key" 2>/dev/null)" ] && return
    say "building the frontend"
    (cd "$FRONTEND" && npm run --silent build) || die "the frontend's build failed"
    echo "$key" >"$FRONTEND/.next/.build-key"
}

wait_until_up() {  # wait_until_up NAME URL PID
    local deadline=$((SECONDS + 90))
    until curl -fsS -o /dev/null "$2" 2>/dev/null; do
        kill -0 "$3" 2>/dev/null || die "the $1 stopped while starting (see its output above)"
        [ "$SECONDS" -lt "$deadline" ] || die "the $1 did not answer at $2 within 90 s"
        sleep 0.5
    done
}

apply_migrations() {  # the API's (Alembic) and Better-Auth's, in the database DATABASE_URL names
    if [[ ${DATABASE_URL:-} == postgres* ]]; then
        say "applying database migrations (PostgreSQL from DATABASE_URL)"
    else
        say "applying database migrations (embedded SQLite)"
    fi
    (cd "$BACKEND" && "$VENV/bin/python" -m app.migrations)
    (cd "$FRONTEND" && npm run --silent migrate)
}

# The servers of run.sh and cluster.sh: each started in the background after
# stop_servers_on_exit, in a process group of its own (set -m), so that stopping it stops
# its workers too. Ctrl-C is how both commands are meant to end: once every server has
# stopped, that is success. STOP_REMOVES: paths to delete once they have.
SERVER_PIDS=()
STOP_REMOVES=()
stop_servers() {
    # A second Ctrl-C while they stop would leave them, and the files, behind.
    trap '' INT TERM
    trap - EXIT
    local pid
    for pid in "${SERVER_PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null
    [ "${#STOP_REMOVES[@]}" -eq 0 ] || rm -rf "${STOP_REMOVES[@]}"
}
stop_servers_on_exit() {  # stop_servers_on_exit MESSAGE: said after Ctrl-C stopped them all
    # shellcheck disable=SC2064  # the message is fixed now
    trap "stop_servers; say '$1'; exit 0" INT TERM
    trap stop_servers EXIT
    set -m
}
