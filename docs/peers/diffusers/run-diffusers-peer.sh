#!/bin/bash
# Wrapper: runs the diffusers UNet peer benchmark on Debian's PyTorch 1.13 (/usr/bin/python3).
# Usage: run-diffusers-peer.sh [diffusers_train_step.py args...]   e.g. --mode train --threads 2
# OMP_NUM_THREADS is set from --threads (default 1) unless already set. Prefix with `nice -n 19`
# when the machine is shared.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
threads=1
prev=""
for a in "$@"; do
  if [ "$prev" = "--threads" ]; then threads="$a"; fi
  case "$a" in --threads=*) threads="${a#--threads=}";; esac
  prev="$a"
done
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads}"
export PYTHONPATH="$here/stubs:${DIFFUSERS_SRC:-$here/diffusers-src/src}"   # diffusers source tree (its src/ folder), not committed
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$here/diffusers_train_step.py" "$@"
