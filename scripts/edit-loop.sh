#!/usr/bin/env bash
# The contributor's edit loop, measured: edit one stack file (a comment appended to
# stacks/cvd/settings.rs), then `cargo run -- synth production`, as a developer does after
# every change. Prints each run's wall time and the median; restores the file.
#   scripts/edit-loop.sh [RUNS]     # default 7
# For comparison on the same machine and in the same minute, the same loop after an edit to
# an engine file (src/render/mod.rs) is timed too: it recompiles the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
out="$(mktemp -d)"
# The edited files are restored from copies (not from git: they may hold uncommitted work).
cp stacks/cvd/settings.rs "$out/settings.rs"
cp src/render/mod.rs "$out/render.rs"
trap 'cp "$out/settings.rs" stacks/cvd/settings.rs; cp "$out/render.rs" src/render/mod.rs; rm -rf "$out"' EXIT

cargo build -q
cargo run -q -- synth production --out "$out/out" -q

# `loop FILE`: the median wall time of RUNS edit + `cargo run -- synth production` cycles.
loop() {
  local file="$1" times=()
  for i in $(seq "$runs"); do
    echo "// edit $i" >>"$file"
    local start end
    start=$(date +%s.%N)
    cargo run -q -- synth production --out "$out/out" -q
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v f="$file" '{a[NR]=$1} END {printf "%s: median %.2f s (min %.2f, max %.2f, %d runs)\n", f, a[int((NR+1)/2)], a[1], a[NR], NR}'
}

loop stacks/cvd/settings.rs
loop src/render/mod.rs
