#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, unit and integration
# (SQLite and PostgreSQL, one test binary), the REST contract against Prism, the release build,
# the deployment recipe behind nginx, a small scale-out run with one instance killed
# (scripts/load.sh --small), and the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

step() { printf '\n=== %s ===\n' "$*"; }

step "format, layers and lints (cargo fmt --check; scripts/layers.py; cargo clippy -D warnings)"
cargo fmt --check
# Data flows one way: no module of src/ imports one that imports it back.
python3 scripts/layers.py
cargo clippy --all-targets -- -D warnings
cargo clippy --features ssr --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

step "unit + integration tests (cargo test --features ssr)"
# PostgreSQL is exercised for real: setup.sh made sure one answers on 127.0.0.1:5432.
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo test --features ssr -- --test-threads 4

step "release build (cargo leptos build --release --split)"
cargo leptos build --release --split 2>&1 | tail -n 3

step "behind a proxy (nginx with TLS in front of the release binary: scripts/proxy-test.sh)"
bash scripts/proxy-test.sh

step "scale-out (scripts/load.sh --small: two instances on PostgreSQL behind nginx, bots, one killed)"
bash scripts/load.sh --small

step "WASM size"
bash scripts/wasm-size.sh

# Every project of the config, the real Voice SDK's (`real-sdk`, the test playing Twilio) among them.
step "browser tests (Playwright + Debian chromium)"
npx playwright test -c end2end/playwright.config.ts
