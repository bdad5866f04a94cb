#!/usr/bin/env bash
# Fuzzes the validator and both renderers for a bounded time (default 300 s):
#   scripts/fuzz.sh [seconds]
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain pass them, and
# `--sanitizer none` skips AddressSanitizer, which the code (no unsafe) does not need.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none render -- -max_total_time="${1:-300}" -max_len=4096
