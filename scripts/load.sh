#!/usr/bin/env bash
# Scale-out, measured: K instances of the release binary on one fresh PostgreSQL database behind
# Debian's nginx (round robin, no sticky sessions), one standalone simulated Twilio account
# (`warm-transfer simulator`), agent bots with live console streams and caller bots
# (`warm-transfer bots`), one instance killed with SIGKILL mid-run. Writes a report (report.md,
# report.json) and plots (latency.svg, queue.svg, agents.svg) to --out, and fails when an
# invariant breaks: a caller lost, an offer doubled, an agent on two calls, a console that did
# not resume.
#
#   scripts/load.sh                 the full run: 3 instances, 200 agents, 1,000 callers at 30/s
#   scripts/load.sh --small         CI's run: 2 instances, 20 agents, 100 callers, one kill
#   options: --instances K --agents N --callers N --rate R --cps X --kill-after SECS (0: none)
#            --seed S --out DIR --bin PATH --talk-secs S --patience-secs S
#            --ceiling / --no-ceiling: afterwards (the killed instance restarted), every agent
#            changes its presence as fast as it can for 10 s, through one instance, then through
#            all of them: the decisions a second the one `center` row carries (full run: on)
#   environment: LOAD_RUST_LOG (the instances' RUST_LOG, default warn), LOAD_KEEP_LOGS=1 (keep
#            every process's log in --out, and the run's database), LOAD_POSTGRES_ADMIN_URL
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

instances=3 agents=200 callers=1000 rate=30 cps=100 kill_after=20 seed=7 talk=6 patience=120
out=target/load bin=target/release/warm-transfer size=full ceiling=1
while [ $# -gt 0 ]; do
  case "$1" in
    --small) size=small instances=2 agents=20 callers=100 rate=10 kill_after=6 talk=4 patience=60 out=target/load-small ceiling=0; shift ;;
    --ceiling) ceiling=1; shift ;;
    --no-ceiling) ceiling=0; shift ;;
    --instances) instances=$2; shift 2 ;;
    --agents) agents=$2; shift 2 ;;
    --callers) callers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --cps) cps=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --talk-secs) talk=$2; shift 2 ;;
    --patience-secs) patience=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "load: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || cargo build --release --features ssr --bin warm-transfer
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "load: nginx missing (scripts/setup.sh installs it)" >&2; exit 1; }
psql_url=${LOAD_POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

work=$(mktemp -d)
mkdir -p "$out"
pids=()
db="load_$$_$(date +%s)"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # LOAD_KEEP_LOGS=1: the instances', the simulator's and the bots' logs stay beside the report.
  [ "${LOAD_KEEP_LOGS:-0}" = 1 ] && cp "$work"/*.log "$work"/*.out "$work"/*.txt "$out/" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  # LOAD_KEEP_LOGS=1 keeps the run's database too, to read its timeline afterwards.
  if [ "${LOAD_KEEP_LOGS:-0}" = 1 ]; then echo "load: kept database $db" >&2
  else psql "$psql_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "load: FAILED: $*" >&2
  for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 15 "$f" >&2; done
  exit 1
}

read -r lb_port sim_port ports < <(python3 -c "
import socket
ss=[socket.socket() for _ in range(2 + $instances)]
for s in ss: s.bind(('127.0.0.1',0))
p=[s.getsockname()[1] for s in ss]
print(p[0], p[1], ','.join(map(str,p[2:])))")
IFS=, read -r -a app_ports <<<"$ports"
psql "$psql_url" -qc "CREATE DATABASE $db" >/dev/null
password=load-bot-password-1

export TWILIO_MODE=twilio TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa TWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
  TWILIO_API_SECRET=load-api-secret TWILIO_AUTH_TOKEN=load-auth-token TWILIO_NUMBER=+15005550006 \
  TWILIO_API_BASE_URL="http://127.0.0.1:$sim_port" PUBLIC_BASE_URL="http://127.0.0.1:$lb_port" \
  DATABASE_URL="${psql_url%/*}/$db" LEPTOS_SITE_ROOT=target/site \
  TWILIO_CHECK_AT_START=false RUST_LOG="${LOAD_RUST_LOG:-warn}" TWILIO_CALLS_PER_SECOND="$cps" \
  WRAP_UP_SECS=2 RING_TIMEOUT_SECS=15 CALLBACK_AFTER_SECS=0 BOTS_PASSWORD="$password"

"$bin" simulator --port "$sim_port" --calls-per-second "$cps" >"$work/simulator.log" 2>&1 &
pids+=($!)
start_instance() { # index
  LEPTOS_SITE_ADDR="127.0.0.1:${app_ports[$1]}" "$bin" >"$work/app$1.log" 2>&1 &
  app_pids[$1]=$!
  pids+=($!)
}
wait_up() { # url
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
app_pids=()
start_instance 0
wait_up "http://127.0.0.1:${app_ports[0]}/healthz" || fail "instance 0 did not start"
echo "load: creating $agents agent accounts"
for n in $(seq 1 "$agents"); do echo "$password" | "$bin" agent add "bot$n" --name "Bot $n" >/dev/null; done
for i in $(seq 1 $((instances - 1))); do start_instance "$i"; done
for i in $(seq 1 $((instances - 1))); do wait_up "http://127.0.0.1:${app_ports[$i]}/healthz" || fail "instance $i did not start"; done

upstreams=""
for p in "${app_ports[@]}"; do upstreams+="    server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'; done
python3 - "$lb_port" "$upstreams" >"$work/site.conf" <<'PY'
import sys
t = open("scripts/deploy/nginx-balancer.conf.template").read()
print(t.replace("@PORT@", sys.argv[1]).replace("@UPSTREAMS@", sys.argv[2].rstrip("\n")))
PY
. scripts/nginx-main.sh
nginx_main_conf "$work" off 4096
"$nginx" -p "$work" -c "$work/nginx.conf" -g "daemon on;" || fail "nginx did not start"
wait_up "http://127.0.0.1:$lb_port/healthz" || fail "the balancer does not answer"

# The center's version, once a second: every decision on any instance bumps it.
(
  while true; do
    v=$(psql "${psql_url%/*}/$db" -Atc "SELECT version FROM center" 2>/dev/null || echo "")
    [ -n "$v" ] && echo "$(date +%s%3N) $v"
    sleep 1
  done
) >"$work/versions.txt" &
pids+=($!)

echo "load: $instances instances behind nginx :$lb_port, $agents agents, $callers callers at $rate/s, account pace $cps calls/s"
"$bin" bots --app "http://127.0.0.1:$lb_port" --sim "http://127.0.0.1:$sim_port" --agents "$agents" --prefix bot \
  --callers "$callers" --rate "$rate" --seed "$seed" --talk-secs "$talk" --patience-secs "$patience" \
  --report "$work/bots.json" >"$work/bots.out" 2>"$work/bots.log" &
bots_pid=$!
kill_at_ms=""
if [ "$kill_after" != 0 ]; then
  sleep "$kill_after"
  victim=$((instances - 1))
  kill_at_ms=$(date +%s%3N)
  kill -9 "${app_pids[$victim]}"
  echo "load: killed instance $victim (pid ${app_pids[$victim]}) with SIGKILL at ${kill_after}s"
fi
bots_status=0
wait "$bots_pid" || bots_status=$?
echo '{}' >"$work/storm1.json"; echo '{}' >"$work/storm-all.json"
if [ "$ceiling" = 1 ]; then
  if [ -n "$kill_at_ms" ]; then
    start_instance "$victim"
    wait_up "http://127.0.0.1:${app_ports[$victim]}/healthz" || fail "the killed instance did not restart"
  fi
  echo "load: decisions ceiling: presence changes as fast as $agents agents go, through one instance, then all $instances"
  "$bin" bots --app "http://127.0.0.1:${app_ports[0]}" --agents "$agents" --prefix bot --storm-secs 10 >"$work/storm1.json" 2>>"$work/bots.log" || true
  "$bin" bots --app "http://127.0.0.1:$lb_port" --agents "$agents" --prefix bot --storm-secs 10 >"$work/storm-all.json" 2>>"$work/bots.log" || true
fi
# The app's own records of the calls it created: decided when, taken to be sent when.
psql "${psql_url%/*}/$db" -At -c "SELECT e.created_at, e.taken_at, e.urgency, c.queued_at
  FROM effects e LEFT JOIN customer_calls c ON c.call_sid = e.call_sid
  WHERE e.urgency > 0 AND e.taken_at IS NOT NULL ORDER BY e.taken_at" >"$work/takes.txt" || fail "could not read the app's records"
python3 scripts/load/report.py --bots "$work/bots.json" --versions "$work/versions.txt" --kill-at "${kill_at_ms:-0}" \
  --out "$out" --size "$size" --instances "$instances" --cps "$cps" --rate "$rate" --takes "$work/takes.txt" \
  --storm1 "$work/storm1.json" --storm-all "$work/storm-all.json" || fail "the report found a broken invariant"
[ "$bots_status" = 0 ] || fail "the bots saw a broken invariant (exit $bots_status): see $out/report.md"
echo "load: report in $out/report.md"
