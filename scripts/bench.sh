#!/usr/bin/env bash
# Benchmarks the release server's Twilio webhooks with wrk, against a local stand-in for
# Twilio's REST API (examples/twilio_stand_in.rs), on 127.0.0.1 only.
#
#   scripts/bench.sh [--no-build] [--duration SECS] [--connections "16 64"] [--threads N]
#                    [--calls N] [--routes "baseline wait join voice center transfer"] [--consoles N]
#                    [--rounds N] [--floors N] [--pg postgres://…/db] [--keep]
#
# Routes: wait = POST /conference/wait (the caller's place in the queue), join = POST
# /conference/{id}/connect/agent1?leg=1 (agent1 made available and offered one call first; the
# repeats are Twilio asking again), voice = POST /conference/connect/client (the caller queued:
# one durable decision per request, group-committed; --calls unique CallSids per run, default
# 200000; agent1 is on the set-up call, so every caller queues), baseline = the same form POSTed
# to the stand-in's bare axum 204: what this machine and wrk allow at all. center = latencies
# from examples/center_bench.rs against a fresh server of its own: an agent becoming available →
# the REST request that rings them; a status callback → every one of --consoles (default 500)
# console streams and of --floors (default 50) supervisors' floors (/api/floor/stream; 0 for a
# build without the floor), with 1000 callers waiting;
# GET /metrics with them all; the server's memory with them; and with --pg, two instances on that
# PostgreSQL database (emptied first): a change on one → a console streaming from the other.
# --rounds (default 40) status callbacks and cross-instance changes are measured; with 200 the
# cross-instance rounds outlast a heartbeat (every 10 s, renewing every console's lease).
# Every request carries a valid X-Twilio-Signature (pre-computed by scripts/bench/bench.py, since
# wrk cannot compute HMACs); verification stays on. PUBLIC_BASE_URL is an https URL without a
# port, as in production, so each check computes the same two HMACs it does there.
#
# After each voice run the effects outbox is drained; then the SQLite file is checked: a queued
# call for every 2xx answer wrk counted (by CallSid) and the row count compared with wrk's 2xx
# count (wrk stops without reading the answers in flight, at most one per connection, which the
# server may still have committed: such extra rows are matched against the CallSids wrk sent
# but got no answer for), and no effect left undone.
# Reports req/s, p50/p99, errors, peak RSS (VmHWM) and CPU per run; the report is printed and
# saved to target/bench/report.md (with the raw wrk outputs). Targets are reported, not asserted.
# Environment: BENCH_RUST_LOG (default warn); BENCH_SERVER_ENV, extra VAR=value words for the
# server (e.g. "TOKIO_WORKER_THREADS=1"); BENCH_STAND_IN_THREADS (default 2); BENCH_SERVER_BIN
# (another server build to measure, with --no-build); BENCH_HOURS (a schedule's file, set with
# `warm-transfer hours set` before the server starts); CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"

duration=10
connections="16 64"
threads=2
calls=200000
build=1
keep=0
routes="baseline wait join voice center transfer"
consoles=500
rounds=40
floors=50
pg_url=""
rust_log=${BENCH_RUST_LOG:-warn}
server_env=${BENCH_SERVER_ENV:-}
stand_in_threads=${BENCH_STAND_IN_THREADS:-2}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --calls) calls=$2; shift ;;
    --routes) routes=$2; shift ;;
    --consoles) consoles=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --floors) floors=$2; shift ;;
    --pg) pg_url=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir=$repo/$target_dir ;; esac
report_dir=$target_dir/bench
helper=$repo/scripts/bench/bench.py
lua=$repo/scripts/bench/requests.lua
server_bin=${BENCH_SERVER_BIN:-$target_dir/release/warm-transfer}
stand_in_bin=$target_dir/release/examples/twilio_stand_in
center_bin=$target_dir/release/examples/center_bench
transfer_bin=$target_dir/release/examples/transfer_bench

step() { printf '\n=== %s ===\n' "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

# ---- processes we start, and their clean-up -------------------------------------------------
work=$(mktemp -d -t warm-transfer-bench.XXXXXX)
pids=()
cleanup() {
  local status=$? pid i
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$keep" = 1 ]; then echo "bench: kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "bench: command failed at line $LINENO" >&2' ERR

# ---- tools and builds -------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if ! command -v wrk >/dev/null; then
  step "installing wrk"
  [ "$(id -u)" = 0 ] || die "wrk is missing: apt-get install wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

if [ "$build" = 1 ]; then
  step "release build (server, then the Twilio stand-in)"
  cargo build --release --no-default-features --features ssr --bin warm-transfer
  cargo build --release --features ssr --example twilio_stand_in --example center_bench --example transfer_bench
fi
[ -x "$server_bin" ] || die "no $server_bin (run without --no-build)"
[ -x "$stand_in_bin" ] || die "no $stand_in_bin (run without --no-build)"

# ---- settings -----------------------------------------------------------------------------------
read -r port stand_in_port < <(python3 "$helper" free-ports 2)
server=http://127.0.0.1:$port
public_base=https://support.bench.example
auth_token=bench-auth-token-$RANDOM$RANDOM
db=$work/bench.db
setup_sid=CAfeedfeedfeedfeedfeedfeedfeedfeed
agent_password=bench-agent-password

# ---- requests, signed ahead of time (before anything is running) -------------------------------
step "signing requests"
python3 "$helper" gen --route baseline --out "$work/baseline" --base "$public_base" --token "$auth_token" \
  --count 256 --offset $((3 << 40)) --threads "$threads"
python3 "$helper" gen --route wait --out "$work/wait" --base "$public_base" --token "$auth_token" \
  --count 256 --offset $((1 << 40)) --threads "$threads"
python3 "$helper" gen --route join --out "$work/join" --base "$public_base" --token "$auth_token" \
  --count 256 --offset $((2 << 40)) --threads "$threads" --conference "$setup_sid" --agent agent1
n=0
for c in $connections; do
  n=$((n + 1))
  case " $routes " in *" voice "*)
    python3 "$helper" gen --route voice --out "$work/voice-$c" --base "$public_base" --token "$auth_token" \
      --count "$calls" --offset $(((n + 3) << 40)) --threads "$threads" ;;
  esac
done
echo "in $work"

# ---- the stand-in and the server ---------------------------------------------------------------
step "starting the Twilio stand-in and the server"
STAND_IN_THREADS=$stand_in_threads "$stand_in_bin" "$stand_in_port" >"$work/stand-in.log" 2>&1 &
stand_in_pid=$!
pids+=("$stand_in_pid")
for i in $(seq 100); do grep -q '^listening' "$work/stand-in.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening' "$work/stand-in.log" || { cat "$work/stand-in.log" >&2; die "the stand-in did not start"; }

# agent1's account, made with the server's own CLI before it starts.
printf '%s\n' "$agent_password" | DATABASE_URL="sqlite://$db?mode=rwc" "$server_bin" agent add agent1 >/dev/null
# Opening hours asked at every call (BENCH_HOURS: a schedule's file; for a build that has them).
if [ -n "${BENCH_HOURS:-}" ]; then
  DATABASE_URL="sqlite://$db?mode=rwc" "$server_bin" hours set "$BENCH_HOURS" >/dev/null
fi

# A clean environment, and the work dir as cwd so that no .env is picked up.
(cd "$work" && exec env -i PATH=/usr/bin:/bin HOME="$HOME" \
  TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
  TWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
  TWILIO_API_SECRET=bench-api-secret \
  TWILIO_AUTH_TOKEN="$auth_token" \
  TWILIO_NUMBER=+15005550006 \
  TWILIO_API_BASE_URL="http://127.0.0.1:$stand_in_port" \
  PUBLIC_BASE_URL="$public_base" \
  DATABASE_URL="sqlite://$db?mode=rwc" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$target_dir/site" \
  VOICE_SDK_PATH="$repo/node_modules/@twilio/voice-sdk/dist/twilio.min.js" \
  RUST_LOG="$rust_log" TWILIO_CHECK_AT_START=false \
  TWILIO_CALLS_PER_SECOND=0 \
  $server_env \
  "$server_bin") >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
for i in $(seq 300); do
  curl -sf -o /dev/null "$server/healthz" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "the server exited"; }
  sleep 0.1
done
curl -sf -o /dev/null "$server/healthz" || { cat "$work/server.log" >&2; die "the server did not become healthy"; }
echo "server pid $server_pid on $server, stand-in on 127.0.0.1:$stand_in_port, database $db"

python3 "$helper" sample --out "$work/samples.txt" --pid "$server_pid" --pid "$stand_in_pid" &
pids+=($!)

# agent1 is available and offered the set-up call (the join runs answer it); every later caller
# queues behind it.
python3 "$helper" available --server "$server" --agent agent1 --password "$agent_password"
python3 "$helper" send-voice --server "$server" --base "$public_base" --token "$auth_token" --sid "$setup_sid"
python3 "$helper" drain --db "$db" --timeout 30 >/dev/null

# ---- the runs ---------------------------------------------------------------------------------
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
ctxt() { { cat /proc/"$server_pid"/task/*/status 2>/dev/null || true; } | awk '/ctxt_switches:/ { n += $2 } END { print n + 0 }'; }
runs=$work/runs.tsv
: >"$runs"
voice_runs=()

run() { # kind name label url connections data-prefix [ok-prefix]
  local kind=$1 name=$2 label=$3 url=$4 c=$5 data=$6 ok=${7:-} out load t_end notes="" ctx0 ctx1 wrk_cpu
  out=$work/wrk-$name-$c.txt
  load="$(cut -d' ' -f1-3 /proc/loadavg), $(sed -n 's/^some avg10=\([0-9.]*\).*/\1%/p' /proc/pressure/cpu 2>/dev/null)"
  kill -0 "$server_pid" 2>/dev/null || die "the server died (log: $work/server.log)"
  printf '%s, %s connections, %ss ... ' "$label" "$c" "$duration"
  ctx0=$(ctxt)
  if ! /usr/bin/time -f '%U %S' -o "$work/time-$name-$c" timeout --kill-after=5 $((duration + 90)) \
      wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 2s --latency -s "$lua" "$url" -- "$data" $ok >"$out" 2>&1; then
    notes="wrk failed or timed out"
  fi
  wrk_cpu=$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ { print $1 + $2 }' "$work/time-$name-$c")
  t_end=$(date +%s.%N)
  ctx1=$(ctxt)
  grep -q '^BENCH ' "$out" || { cat "$out" >&2; die "no result from wrk ($label, $c)"; }
  echo "$(sed -n 's/^Requests\/sec: *//p' "$out") req/s"
  if [ "$kind" = voice ]; then
    local drained pending total secs
    drained=$(python3 "$helper" drain --db "$db" --timeout 300)
    if read -r pending total secs <<<"$drained" && [ -n "$secs" ]; then
      notes="${notes:+$notes; }$pending of $total dials still pending when wrk stopped, sent ${secs}s later"
      echo "  dial outbox: $pending of $total dials pending when wrk stopped; all sent ${secs}s later"
    else
      notes="${notes:+$notes; }outbox not drained: $drained"
      echo "  dial outbox NOT drained: $drained"
    fi
    voice_runs+=(--run "$data" "$ok" "$out")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$c" "$out" "$t_end" "$(vm VmHWM)" "$(vm VmRSS)" \
    "$load" "$notes" "$((ctx1 - ctx0))" "$(vm Threads)" "${wrk_cpu:-0}" "$kind" >>"$runs"
  sleep 1
}

step "runs (wrk -t$threads, ${duration}s each)"
for route in $routes; do
  for c in $connections; do
    case "$route" in
      baseline) run baseline baseline "baseline: bare axum 204 (stand-in)" "http://127.0.0.1:$stand_in_port" "$c" "$work/baseline" ;;
      wait) run twiml wait "wait route" "$server" "$c" "$work/wait" ;;
      join) run twiml join "agent-join route" "$server" "$c" "$work/join" ;;
      voice) run voice voice "voice webhook" "$server" "$c" "$work/voice-$c" "$work/ok-$c" ;;
      center | transfer) ;;
      *) die "unknown route $route" ;;
    esac
  done
done

# ---- durability ---------------------------------------------------------------------------------
check=""
if [ "${#voice_runs[@]}" -gt 0 ]; then
  step "durability check"
  check=$work/check.json
  python3 "$helper" check --db "$db" "${voice_runs[@]}" --setup-sid "$setup_sid" --out "$check"
fi
final_hwm=$(vm VmHWM)

# ---- the contact center's latencies, against a fresh server of its own ----------------------------
center_md=""
start_center_server() { # port database-url log
  (cd "$work" && exec env -i PATH=/usr/bin:/bin HOME="$HOME" \
    TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa TWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
    TWILIO_API_SECRET=bench-api-secret TWILIO_AUTH_TOKEN="$auth_token" TWILIO_NUMBER=+15005550006 \
    TWILIO_API_BASE_URL="http://127.0.0.1:$center_port" PUBLIC_BASE_URL="$public_base" \
    DATABASE_URL="$2" LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT="$target_dir/site" RUST_LOG="$rust_log" \
    RING_TIMEOUT_SECS=600 METRICS_TOKEN=bench-metrics-token TWILIO_CHECK_AT_START=false TWILIO_CALLS_PER_SECOND=0 CALLBACK_AFTER_SECS=0 \
    $server_env "$server_bin") >"$3" 2>&1 &
  pids+=($!)
  center_pid=$!
}
if [[ " $routes " == *" center "* ]]; then
  step "contact-center latencies ($consoles consoles)"
  read -r center_port c_port1 c_port2 < <(python3 "$helper" free-ports 3)
  center_db="sqlite://$work/center.db?mode=rwc"
  # The harness is the server's Twilio: it listens first, then the server(s) start.
  # Not in a subshell ($(…)): the servers it starts must be in `pids`, to be stopped at the end.
  run_center() { # database-url output [second-server-port]
    local db_url=$1 md=$2 second=${3:-} out=$work/center-$RANDOM.txt
    "$center_bin" --port "$center_port" --server "http://127.0.0.1:$c_port1" ${second:+--server2 "http://127.0.0.1:$second"} \
      --public-base "$public_base" --auth-token "$auth_token" --db "$db_url" --agents "$consoles" --rounds "$rounds" --floors "$floors" \
      --server-pid-file "$work/center.pid" >"$out" 2>&1 &
    local harness=$!
    pids+=("$harness")
    for i in $(seq 100); do grep -q '^listening' "$out" 2>/dev/null && break; sleep 0.1; done
    start_center_server "$c_port1" "$db_url" "$work/center-server-1${second:+-pg}.log"
    local first_server=$center_pid
    echo "$center_pid" >"$work/center.pid"
    [ -n "$second" ] && start_center_server "$second" "$db_url" "$work/center-server-2-pg.log"
    wait "$harness" || { cat "$out" >&2; tail -n 15 "$work"/center-server-1*.log >&2; die "center_bench failed"; }
    sed -n '/^| measurement/,$p' "$out" >"$md"
    # Its servers are done: stop them now (the next run may use the same ports).
    kill -TERM "$first_server" ${second:+"$center_pid"} 2>/dev/null || true
    wait "$first_server" ${second:+"$center_pid"} 2>/dev/null || true
  }
  run_center "$center_db" "$work/center.md"
  center_md=$(cat "$work/center.md")
  echo "$center_md"
  if [ -n "$pg_url" ]; then
    step "two instances on PostgreSQL"
    psql "$pg_url" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
    run_center "$pg_url" "$work/center-pg.md" "$c_port2"
    pg_md=$(cat "$work/center-pg.md")
    echo "$pg_md"
    center_md="$center_md"$'\n\n'"PostgreSQL, two instances:"$'\n'"$pg_md"
  fi
fi

# ---- transfers: a callback deciding a transfer → the REST request that moves the customer ---------
if [[ " $routes " == *" transfer "* ]]; then
  step "transfer latencies"
  read -r center_port t_port < <(python3 "$helper" free-ports 2)
  t_out=$work/transfer.txt
  "$transfer_bin" --port "$center_port" --server "http://127.0.0.1:$t_port" --public-base "$public_base" \
    --auth-token "$auth_token" --db "sqlite://$work/transfer.db?mode=rwc" >"$t_out" 2>&1 &
  t_harness=$!
  pids+=("$t_harness")
  for i in $(seq 100); do grep -q '^listening' "$t_out" 2>/dev/null && break; sleep 0.1; done
  start_center_server "$t_port" "sqlite://$work/transfer.db?mode=rwc" "$work/transfer-server.log"
  t_server=$center_pid
  wait "$t_harness" || { cat "$t_out" >&2; die "transfer_bench failed"; }
  transfer_md=$(sed -n '/^| measurement/,$p' "$t_out")
  echo "$transfer_md"
  kill -TERM "$t_server" 2>/dev/null || true
  wait "$t_server" 2>/dev/null || true
  center_md="${center_md:+$center_md$'\n\n'}Transfers (SQLite):"$'\n'"$transfer_md"
fi

# ---- report ------------------------------------------------------------------------------------
step "report"
mkdir -p "$report_dir"
rm -f "$report_dir"/wrk-*.txt
if [ ! -s "$runs" ]; then
  # Only the contact-center latencies were measured (--routes center, transfer): no wrk table.
  printf '# Benchmark report\n\n%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$report_dir/report.md"
else
  cp "$work"/wrk-*.txt "$report_dir"/
  sed -i "s#\t$work/wrk-#\t$report_dir/wrk-#" "$runs"
  python3 "$helper" report --runs "$runs" --samples "$work/samples.txt" --server-log "$work/server.log" \
    ${check:+--check "$check"} --final-hwm "$final_hwm" --out "$report_dir/report.md" \
    --when "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    --machine "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))" \
    --threads "$threads" --duration "$duration" --rust-log "$rust_log" --server-env "$server_env${BENCH_SERVER_BIN:+ (server binary $server_bin)}"
fi
if [ -n "$center_md" ]; then
  printf '\n## Contact-center latencies\n\n%s\n' "$center_md" >>"$report_dir/report.md"
fi
echo "saved $report_dir/report.md"
