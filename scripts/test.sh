#!/usr/bin/env bash
# The whole test suite on a machine with Rust, the Terraform CLI and the hashicorp/aws provider
# mirror: installs the pinned tools the tests drive (checkov, check-jsonschema, moto) into
# target/ from PyPI unless TFSYNTH_CHECKOV, TFSYNTH_CHECK_JSONSCHEMA or TFSYNTH_MOTO_PYTHON
# point at them, builds the schema-serving test provider, then runs the unit, integration,
# doc and test-provider tests and the emulated apply of every stack.
#   scripts/test.sh            # everything
#   scripts/test.sh --quick    # without the emulated apply (minutes shorter)
set -euo pipefail
cd "$(dirname "$0")/.."

# A tool from PyPI, pinned, in a venv of its own under target/: `venv NAME PACKAGE CHECK`.
venv() {
  local dir="target/$1-venv"
  if ! "$dir/bin/python" -c "$3" 2>/dev/null; then
    # What they print goes to standard error: standard output is the folder's name.
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$2" >&2
  fi
  echo "$PWD/$dir"
}

# Terraform and the providers are Go programs, and most of the suite's CPU is theirs: a garbage
# collector that runs a quarter as often takes about a quarter off it (terraform's CPU in the
# integration tests 286 → 214 s; BENCHMARKS.md), for about a third more memory per process.
export GOGC="${GOGC:-400}"

if ! "${TFSYNTH_TERRAFORM:-terraform}" version >/dev/null; then
  echo "error: terraform is not on PATH (set TFSYNTH_TERRAFORM)" >&2
  exit 1
fi
if [ -z "${TFSYNTH_CHECKOV:-}" ]; then
  export TFSYNTH_CHECKOV="$(venv checkov checkov==3.3.30 'import checkov')/bin/checkov"
fi
if [ -z "${TFSYNTH_CHECK_JSONSCHEMA:-}" ]; then
  export TFSYNTH_CHECK_JSONSCHEMA="$(venv jsonschema check-jsonschema==0.29.4 'import check_jsonschema')/bin/check-jsonschema"
fi
# The moto version the emulator gap table was made with.
if [ -z "${TFSYNTH_MOTO_PYTHON:-}" ]; then
  export TFSYNTH_MOTO_PYTHON="$(venv moto 'moto[server]==5.2.5' 'import moto.server')/bin/python"
fi
"$TFSYNTH_CHECKOV" --version
"$TFSYNTH_CHECK_JSONSCHEMA" --version
"$TFSYNTH_MOTO_PYTHON" -c "import moto; print('moto', moto.__version__)"

# Each phase's wall time, printed at the end (BENCHMARKS.md records them).
timings=()
phase() {
  local start=$SECONDS
  "$@"
  timings+=("$(printf '%5d s  %s' $((SECONDS - start)) "$*")")
}

# The schema-serving test provider the terraform tests install (README).
phase cargo build -p tfsynth-test-provider
phase cargo test -p tfsynth-test-provider
if [ "${1:-}" = "--quick" ]; then
  # The engine's unit and doc tests, the integration tests and the matrix.
  phase cargo test
else
  phase cargo test --no-run
  phase cargo test -p tfsynth-stacks --test apply --no-run
  # Every stack applied against the emulator, planned again and destroyed (minutes). Much of
  # it is the provider polling the emulator, so it runs beside the rest, in a process group of
  # its own (stopped with its emulators if the rest fails), its output shown when it ends.
  log=target/apply-test.log
  start=$SECONDS
  setsid cargo test -p tfsynth-stacks --test apply >"$log" 2>&1 &
  apply=$!
  trap 'kill -- "-$apply" 2>/dev/null || true' EXIT
  # The engine's unit and doc tests, the integration tests and the matrix.
  phase cargo test
  status=0
  wait "$apply" || status=$?
  trap - EXIT
  cat "$log"
  timings+=("$(printf '%5d s  %s' $((SECONDS - start)) "cargo test -p tfsynth-stacks --test apply (beside cargo test)")")
  if [ "$status" -ne 0 ]; then
    echo "error: the emulated apply failed (its output is above, and in $log)" >&2
    exit "$status"
  fi
fi
printf '%s\n' "test.sh phases:" "${timings[@]}" "$(printf '%5d s  in all' "$SECONDS")"
