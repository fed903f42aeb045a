#!/usr/bin/env bash
# Set up everything nas_kit needs, on a fresh machine or again (it skips what is already there):
#   system packages: Graphviz's `dot` (and Chromium for the browser test, with EXTRAS=test),
#   a virtual environment .venv with PyTorch and the kit installed in it.
# Settings (environment variables):
#   TORCH_SPEC   what pip installs for PyTorch (default torch==2.13.0, the CPU build where a wheel lies on disk;
#                GPU users: TORCH_SPEC="torch" or e.g. "torch --index-url https://download.pytorch.org/whl/cu124")
#   EXTRAS       pip extras of the kit: "lab" (default) or "test"
#   PYTHON       the Python that creates the venv (default python3, 3.10 or newer)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
EXTRAS=${EXTRAS:-lab}
VENV=.venv

say() { printf '[setup] %s\n' "$*"; }

# 1. System packages, through apt-get when we are root (or have sudo without a password).
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if [[ "$EXTRAS" == *test* ]] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    say "installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "WARNING: ${missing[*]} missing and I cannot install system packages here: install them yourself" \
        "(Debian/Ubuntu: sudo apt-get install ${missing[*]}; macOS: brew install ${missing[*]}; conda: conda install -c conda-forge graphviz)."
  fi
fi

# 2. The virtual environment, PyTorch first (so pip never swaps in another build), then the kit.
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
  say "installing PyTorch: $TORCH_SPEC"
  # shellcheck disable=SC2086
  "${PIP[@]}" install $TORCH_SPEC
fi
stamp="$VENV/.nas_kit-installed-$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing nas_kit[$EXTRAS] in $VENV"
  "${PIP[@]}" install -e ".[$EXTRAS]"
  touch "$stamp"
fi
say "ready: $("$VENV/bin/python" -c 'import torch, nas_kit; print("torch", torch.__version__, "| cuda:", torch.cuda.is_available())')"
