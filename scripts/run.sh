#!/usr/bin/env bash
# Sets up what is missing, builds the release app and serves it (settings: README, or .env).
# --demo: simulator mode with agent and caller bots at work beside you (DEMO_AGENTS,
# DEMO_CALLERS_PER_MIN, DEMO_SEED tune it; see src/bots/demo.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  if [[ "$arg" == "--demo" ]]; then
    export DEMO=1 TWILIO_MODE=simulator
  else
    args+=("$arg")
  fi
done
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
cargo leptos build --release --split
export LEPTOS_SITE_ROOT=target/site
exec target/release/warm-transfer "${args[@]+"${args[@]}"}"
