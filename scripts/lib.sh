# Shared set-up steps for run.sh, test.sh and the benchmarks. Each step is quick when
# nothing changed: installs are keyed on a hash of the file that lists the dependencies.
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

setup_backend() {
    local stamp="$VENV/.installed"
    if [ -x "$VENV/bin/python" ] && up_to_date "$BACKEND/pyproject.toml" "$stamp"; then
        return
    fi
    find_python
    say "installing the backend's Python environment"
    if ! "$PYTHON" -m venv --clear "$VENV" 2>/dev/null; then
        apt_install python3-venv
        "$PYTHON" -m venv --clear "$VENV" || die "could not create $VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q -e "$BACKEND[dev]" || die "pip install failed"
    mark_installed "$BACKEND/pyproject.toml" "$stamp"
}

setup_npm() {  # $1: a folder with package.json and package-lock.json
    local stamp="$1/node_modules/.installed"
    need_node
    if [ -d "$1/node_modules" ] && up_to_date "$1/package-lock.json" "$stamp"; then
        return
    fi
    # better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded.
    command -v make >/dev/null && command -v g++ >/dev/null || apt_install make g++
    say "installing npm packages in ${1#"$ROOT"/}"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $1"
    mark_installed "$1/package-lock.json" "$stamp"
}

new_secret() { "${PYTHON:-python3}" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
