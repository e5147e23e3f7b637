#!/usr/bin/env bash
# Installs what the tests need (idempotently) and runs every test: formatting, lints, unit and
# integration tests, a bounded fuzz smoke run (opt-in), and the compatibility suites against real
# ZooKeeper clients and the Java ZooKeeper server.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    cargo checks and tests only (no apt/pip, no compat suites)
#
# Environment: RZK_FUZZ_SECONDS=N runs each cargo-fuzz target for N seconds (default: skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

step() { printf '\n==> %s\n' "$*"; }

if [[ $QUICK == 0 ]]; then
  step "installing test dependencies"
  scripts/install-test-deps.sh
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets -- -D warnings

step "cargo build --release"
cargo build --release

step "cargo test"
cargo test --all --release

if [[ -n "${RZK_FUZZ_SECONDS:-}" ]]; then
  step "fuzz smoke run (${RZK_FUZZ_SECONDS}s per target)"
  jute/fuzz/run.sh "$RZK_FUZZ_SECONDS"
fi

if [[ $QUICK == 1 ]]; then
  exit 0
fi

FAILED=()
for suite in compat-tests/*/run.sh; do
  [[ -x "$suite" ]] || continue
  step "compat suite: $suite"
  if ! RZK_BIN="$ROOT/target/release/rzk" "$suite"; then
    FAILED+=("$suite")
  fi
done

if ((${#FAILED[@]})); then
  printf '\nFAILED suites: %s\n' "${FAILED[*]}"
  exit 1
fi
printf '\nall tests passed\n'
