#!/usr/bin/env bash
# Regenerates docs/screenshots/ (shown in the README) from the browser tests: e2e/tests/app-shell.test.mjs
# and e2e/tests/organize.test.mjs take them (tasks light and dark, on a phone, the account page, a list
# with subtasks) into artifacts/e2e/screenshots/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

setup_backend --dev
setup_npm "$FRONTEND"
build_frontend
setup_npm "$ROOT/e2e"
(cd "$ROOT/e2e" && node --test --test-concurrency=1 --test-reporter=spec tests/app-shell.test.mjs tests/organize.test.mjs)
mkdir -p "$ROOT/docs/screenshots"
cp "$ROOT"/artifacts/e2e/screenshots/*.png "$ROOT/docs/screenshots/"
say "docs/screenshots/ updated"
