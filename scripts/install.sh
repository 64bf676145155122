#!/usr/bin/env bash
# Install k3py and the system packages it needs on Debian bookworm, as root:
#
#     bash scripts/install.sh && k3py server
#
# k3py goes into its own virtualenv at /opt/k3py/venv (installed from this checkout, not
# editable) and /usr/local/bin/k3py points at it. Safe to run again: it upgrades in place.
# Starts nothing itself. For a PostgreSQL datastore add the driver with
# K3PY_INSTALL_EXTRAS=postgres (psycopg has no wheels for 32-bit ARM, so it is not the default).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/k3py
VENV="$PREFIX/venv"
# Debian's python3: the one python3-venv and python3-pip belong to (not a pyenv or other shim).
PYTHON="${PYTHON:-/usr/bin/python3}"
EXTRAS="${K3PY_INSTALL_EXTRAS:-}"
# containerd, runc, CNI plugins and iptables are for the kubelet and service networking, which
# arrive in later issues; installing them now keeps this the one command for a new board.
PACKAGES=(
    python3 python3-venv python3-pip ca-certificates
    containerd runc containernetworking-plugins iptables
    sqlite3
)

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install.sh: must run as root (sudo bash scripts/install.sh)" >&2
    exit 1
fi

echo "==> apt-get install ${PACKAGES[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${PACKAGES[@]}"

echo "==> virtualenv $VENV"
mkdir -p "$PREFIX"
"$PYTHON" -m venv "$VENV"

echo "==> pip install $REPO"
# Build from a clean copy: pip builds in the source tree, and setuptools would package stale
# modules left in an old build/ directory.
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
tar -C "$REPO" -cf - --exclude=./.git --exclude=./.venv --exclude=./build --exclude='*.egg-info' \
    --exclude=__pycache__ --exclude=.mypy_cache --exclude=.pytest_cache --exclude=.ruff_cache . |
    tar -C "$STAGE" -xf -
"$VENV/bin/pip" install --disable-pip-version-check --no-input "$STAGE${EXTRAS:+[$EXTRAS]}"

ln -sfn "$VENV/bin/k3py" /usr/local/bin/k3py
echo "==> installed: $(/usr/local/bin/k3py --version) at /usr/local/bin/k3py; start it with: k3py server"
