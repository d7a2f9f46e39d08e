#!/bin/bash
# Starts one sandboxed run process (lib/run/child.ts). The runner may execute only this file (--allow-run), so
# whatever calls it, paper-module code included, gets a child with these permissions and no others:
# read the project and the Debian data folders, write .cache, FFI to the BLAS/LAPACK files alone, a few
# environment variables, no subprocesses, no network. Usage: child.sh <memory limit in MB>.
set -euo pipefail
PATH=/usr/bin:/bin
mb="${1:-}"
[[ "$mb" =~ ^[0-9]+$ ]] && [ "$mb" -ge 64 ] || { echo "child.sh: expected a memory limit in MB, got '$mb'" >&2; exit 64; }
# The deno that started us (never one named by an argument or the environment, which a caller controls).
deno="$(readlink -f "/proc/$PPID/exe")"
[ "$(basename "$deno")" = deno ] || { echo "child.sh: must be started by deno, not $deno" >&2; exit 64; }
# Read-only data the loaders in datasets/ and lib/ use (Debian packages); keep in step with deno.json's test task.
DATA_DIRS=/usr/share/datasets,/usr/lib/python3/dist-packages/sklearn/datasets/data,/usr/share/doc/python3-networkx/examples
root="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
home="$(getent passwd "$(id -u)" | cut -d: -f6)"

# BLAS/LAPACK: the Debian files, or an override outside the project that is a real library (or absent: js fallback).
lib() {
  local p="$1"
  if [ ! -e "$p" ]; then echo "$p"; return; fi
  p="$(readlink -f "$p")"
  case "$p" in "$root"/*|/tmp/*|/dev/*|/proc/*) echo "child.sh: refusing library $p" >&2; exit 64 ;; esac
  echo "$p"
}
openblas="$(lib "${REPRO_OPENBLAS_PATH:-/usr/lib/x86_64-linux-gnu/libopenblas.so.0}")"
lapacke="$(lib "${REPRO_LAPACKE_PATH:-/usr/lib/x86_64-linux-gnu/liblapacke.so.3}")"
cache="${REPRO_CACHE_DIR:-$root/.cache}"
cache="$(readlink -m "$cache")"
case "$cache" in "$root"/*|/tmp/*) ;; *) cache="$root/.cache" ;; esac

pass=()
for v in OPENBLAS_CORETYPE REPRO_BLAS_THREADS; do [ -n "${!v:-}" ] && pass+=("$v=${!v}"); done
# The JS heap gets the limit; native allocations (typed arrays, BLAS, wasm) get it plus 2 GB, the headroom the
# runtime reserves for itself at start (V8 code range, jax-js wasm memory).
ulimit -d $(((mb + 2048) * 1024))
cd "$root"
# If the runner dies (kill -9 included), its run process must not outlive it: a watchdog polls the runner and kills
# this process (same pid after exec) once the runner is gone; it ends by itself when the run process ends.
runner=$PPID self=$$
( while kill -0 "$runner" 2>/dev/null && kill -0 "$self" 2>/dev/null; do sleep 1; done
  kill -0 "$runner" 2>/dev/null || kill -9 "$self" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
exec env -i PATH="$PATH" HOME="$home" REPRO_OPENBLAS_PATH="$openblas" REPRO_LAPACKE_PATH="$lapacke" \
  REPRO_CACHE_DIR="$cache" "${pass[@]}" \
  "$deno" run --quiet --no-prompt --config "$root/deno.json" --v8-flags=--max-old-space-size="$mb" \
  --allow-read="$root,$DATA_DIRS" \
  --allow-write="$cache" --allow-ffi="$openblas,$lapacke" \
  --allow-env=OPENBLAS_CORETYPE,REPRO_BLAS_THREADS,REPRO_OPENBLAS_PATH,REPRO_LAPACKE_PATH,REPRO_CACHE_DIR,REPRO_FASHION_MNIST_DIR,REPRO_SKLEARN_DATA_DIR \
  --allow-sys=cpus,osRelease,loadavg,hostname \
  "$root/lib/run/child.ts"
