#!/usr/bin/env bash
# Upgrades backend/uv.lock: the newest versions pyproject.toml's ranges allow. The next
# `make run` / `make test` installs them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

setup_uv
find_python
"$UV" lock --upgrade --project "$BACKEND" --python "$PYTHON"
