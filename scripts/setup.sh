#!/usr/bin/env bash
# Installs everything a fresh machine lacks to build, run and test warm-transfer.
# Idempotent: each step checks first, so a second run takes seconds.
# What installs offline here and what silently breaks is recorded in ../shared/BUILD-NOTES.md.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
BINARYEN_VERSION=132
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[setup] %s\n' "$*" >&2; }

# A cargo install from the registry's source tree, with one dependency held back:
# the published lockfiles pin crates that need a newer rustc or that the index lacks.
install_from_source() { # crate version hold-back-crate hold-back-version
  local crate=$1 version=$2 dep=$3 dep_version=$4
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # Fetches the source into the registry cache; the build itself is expected to fail.
    cargo install "$crate" --version "$version" --locked >/dev/null 2>&1 || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$crate-$version" | head -n1)
  fi
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/$crate"
  (cd "$work/$crate" && cargo update -p "$dep" --precise "$dep_version" &&
    # No LTO, parallel codegen, opt-level 1: these are build tools, their speed does not matter,
    # and the published fat-LTO profile costs 17-35 min on 2 cores.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      cargo install --locked --path .)
  rm -rf "$work"
}

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-bindgen >/dev/null || ! wasm-bindgen --version | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal the crate's version)"
  install_from_source wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

if ! command -v cargo-leptos >/dev/null || ! cargo-leptos --version | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION"
  install_from_source cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1
fi

# Debian's binaryen (v108) breaks hydration silently; npm's is current.
if ! command -v wasm-opt >/dev/null || ! wasm-opt --version | grep -q "version $BINARYEN_VERSION"; then
  log "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
  npm install -g "binaryen@$BINARYEN_VERSION" >/dev/null
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v wrk >/dev/null || need_apt+=(wrk)
# The deployment recipe's proxy, run in front of the release binary by scripts/proxy-test.sh.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL for the tests (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
# CI and dev machines run one; when nothing answers on 127.0.0.1:5432, Debian's server binaries
# start a throwaway cluster of our own: trust auth, listening on 127.0.0.1 only, data under /tmp.
# (Debian's own `main` cluster is not used: its pg_hba asks 127.0.0.1 for a password.)
PG_PORT=5432
PG_DATA=/tmp/warm-transfer-postgres
pg_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
as_pg_owner() { # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# The server binaries are needed even when a server answers: the database-outage test
# (tests/it/outage.rs) starts and stops a PostgreSQL server of its own.
if [ -z "$(pg_bin)" ]; then
  log "installing postgresql from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if [ -z "${TEST_POSTGRES_URL:-}" ] && ! pg_answers; then
  bin=$(pg_bin)
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "creating a throwaway PostgreSQL cluster in $PG_DATA"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DATA"
    as_pg_owner "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 >/dev/null
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DATA)"
  as_pg_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA" start >/dev/null
  pg_answers || { log "PostgreSQL did not start: see $PG_DATA/server.log"; exit 1; }
  psql_() { "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAq "$@"; }
  if [ -z "$(psql_ -c "select 1 from pg_database where datname = 'test'")" ]; then
    psql_ -c "create database test"
  fi
fi

# The Twilio Voice SDK, Playwright and Prism come from package-lock.json.
if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  log "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund >/dev/null
fi
log "ready"
