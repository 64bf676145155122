#!/usr/bin/env bash
# Install the test dependencies and run every check CI runs, stopping at the first failure:
#
#     bash scripts/test.sh [pytest arguments]
#
# System packages (root needed) are installed only when one is missing, and the dev virtualenv
# (.venv) is reinstalled only when pyproject.toml changed since the last install, so reruns
# start testing at once. PostgreSQL is needed by the store tests, etcd-server and wrk by the benchmarks
# (anchors, load), mosquitto by the fleet tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Debian's python3 on a fresh machine; set PYTHON to create .venv with another one.
PYTHON="${PYTHON:-/usr/bin/python3}"
PACKAGES=(python3 python3-venv python3-pip postgresql etcd-server mosquitto sqlite3 util-linux wrk)
STAMP=.venv/.k3py-dev-installed

step() { printf '\n==> %s\n' "$*"; }

missing=()
for pkg in "${PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    step "apt-get install ${missing[*]}"
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "test.sh: installing ${missing[*]} needs root (sudo bash scripts/test.sh)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
fi

if [[ ! -x .venv/bin/python ]]; then
    step "virtualenv .venv"
    "$PYTHON" -m venv .venv
fi
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
    step "pip install -e '.[dev]'"
    .venv/bin/pip install --disable-pip-version-check --no-input --quiet -e '.[dev]'
    touch "$STAMP"
fi

step "ruff check"
.venv/bin/ruff check k3py tests
step "ruff format --check"
.venv/bin/ruff format --check k3py tests
step "lint-imports"
.venv/bin/lint-imports
step "mypy"
.venv/bin/mypy
step "pytest $*"
.venv/bin/pytest "$@"
step "all checks passed"
