#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 30) with cargo-fuzz on the nightly toolchain.
#   jute/fuzz/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")"
SECS="${1:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || { echo "cargo-fuzz needs a nightly toolchain (rustup toolchain install nightly)"; exit 1; }
for t in $(cargo +nightly fuzz list); do
  echo "fuzzing $t for ${SECS}s"
  cargo +nightly fuzz run "$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=65536
done
echo "fuzz: $(cargo +nightly fuzz list | wc -l) targets ran clean"
