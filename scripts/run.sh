#!/usr/bin/env bash
# Sets up what is missing, builds the release app and serves it (settings: README, or .env).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
cargo leptos build --release --split
export LEPTOS_SITE_ROOT=target/site
exec target/release/warm-transfer "$@"
