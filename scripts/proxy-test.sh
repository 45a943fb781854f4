#!/usr/bin/env bash
# The deployment recipe, tested: Debian's nginx with TLS in front of the release binary, with
# scripts/deploy/nginx.conf.template as the site. Checks that a webhook Twilio signed for the
# proxy's https URL verifies through it (and a badly signed one does not), and that a console
# stream through it arrives at once (nothing buffered), stays open and receives a change.
#   scripts/proxy-test.sh [path/to/warm-transfer]     (run by scripts/test.sh after the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/warm-transfer}
[ -x "$bin" ] || { echo "proxy-test: $bin not built" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "proxy-test: nginx missing (scripts/setup.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "proxy-test: FAILED: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done; exit 1; }

read -r app_port stand_port proxy_port < <(python3 -c '
import socket
ss=[socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1",0))
print(*[s.getsockname()[1] for s in ss])')
name=support.test
base="https://$name:$proxy_port"
token=proxy-test-auth-token
password=proxy-test-password-1

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
sed -e "s#@NAME@#$name#; s#@PORT@#$proxy_port#; s#@CERT@#$work/cert.pem#; s#@KEY@#$work/key.pem#; s#@APP@#127.0.0.1:$app_port#" \
  scripts/deploy/nginx.conf.template >"$work/site.conf"
. scripts/nginx-main.sh
nginx_main_conf "$work" "$work/nginx-access.log" 512

export TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa TWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
  TWILIO_API_SECRET=proxy-test-api-secret TWILIO_AUTH_TOKEN=$token TWILIO_NUMBER=+15005550006 \
  TWILIO_API_BASE_URL="http://127.0.0.1:$stand_port" PUBLIC_BASE_URL="$base" \
  DATABASE_URL="sqlite://$work/app.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$app_port" LEPTOS_SITE_ROOT=target/site \
  TWILIO_CHECK_AT_START=false RUST_LOG=warn TWILIO_CALLS_PER_SECOND=5 \
  CALLBACK_AFTER_SECS=0 # nobody is signed in here: without this the caller would be offered a callback

"$bin" stand-in --port "$stand_port" >"$work/stand-in.log" 2>&1 &
pids+=($!)
echo "$password" | "$bin" agent add agent1 --name "Agent 1" >/dev/null
"$bin" >"$work/app.log" 2>&1 &
pids+=($!)
"$nginx" -p "$work" -c "$work/nginx.conf" -g "daemon on;" || fail "nginx did not start"

c() { curl -sS --max-time 10 --resolve "$name:$proxy_port:127.0.0.1" --cacert "$work/cert.pem" "$@"; }
up=""
for _ in $(seq 100); do
  if c -o /dev/null "$base/healthz" 2>/dev/null; then up=1; break; fi
  sleep 0.1
done
[ -n "$up" ] || fail "the app did not answer through nginx"

# 1. A webhook signed (as Twilio signs) over the proxy's https URL verifies through it.
call=CA0123456789abcdef0123456789ab0001
sig=$(python3 - "$token" "$base/conference/connect/client" "CallSid=$call" "From=+15551230001" "To=+15005550006" <<'PY'
import base64, hashlib, hmac, sys
token, url, *pairs = sys.argv[1:]
data = url + "".join(k + v for k, v in sorted(p.split("=", 1) for p in pairs))
print(base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode())
PY
)
answer=$(c -w '\n%{http_code}' -H "X-Twilio-Signature: $sig" --data-urlencode "CallSid=$call" --data-urlencode "From=+15551230001" \
  --data-urlencode "To=+15005550006" "$base/conference/connect/client")
[ "$(tail -n1 <<<"$answer")" = 200 ] || fail "the signed webhook was refused through nginx: $answer"
grep -q "<Conference" <<<"$answer" || fail "no conference in the webhook's TwiML: $answer"
bad=$(c -o /dev/null -w '%{http_code}' -H "X-Twilio-Signature: AAAA$sig" --data-urlencode "CallSid=$call" "$base/conference/connect/client")
[ "$bad" = 403 ] || fail "a badly signed webhook answered $bad"

# 2. A console stream through nginx: its first view at once, then a change, and still open.
c -c "$work/cookies" -o /dev/null --data-urlencode identity=agent1 --data-urlencode "password=$password" "$base/api/sign_in" \
  || fail "sign-in through nginx"
curl -sS -N --max-time 60 --resolve "$name:$proxy_port:127.0.0.1" --cacert "$work/cert.pem" -b "$work/cookies" \
  "$base/api/stream" >"$work/stream.txt" 2>"$work/stream-err.log" &
stream=$!
pids+=("$stream")
first=""
for _ in $(seq 50); do grep -q '^data: {"me"' "$work/stream.txt" && { first=1; break; }; sleep 0.1; done
[ -n "$first" ] || fail "the console's first view did not come through nginx within 5 s (buffered?)"
c -o /dev/null -b "$work/cookies" --data-urlencode status=away "$base/api/presence" || fail "presence through nginx"
changed=""
for _ in $(seq 50); do grep -q '"state":"away"' "$work/stream.txt" && { changed=1; break; }; sleep 0.1; done
[ -n "$changed" ] || fail "the change did not reach the console stream through nginx within 5 s"
kill -0 "$stream" 2>/dev/null || fail "the console stream closed"
echo "proxy-test: ok: nginx with TLS in front of the app: a signed webhook verified over $base, a bad one got 403, a console stream got its view at once and the change after, and stays open"
