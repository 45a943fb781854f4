#!/usr/bin/env bash
# Reports the app's own WASM size raw, gzip and brotli (the Voice SDK is not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=target/site/pkg/warm-transfer.wasm
[ -f "$wasm" ] || { echo "no $wasm: run cargo leptos build --release first" >&2; exit 1; }
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
br=$(python3 -c 'import sys
try:
    import brotli
    print(len(brotli.compress(open(sys.argv[1],"rb").read(), quality=11)))
except ImportError:
    print("n/a")' "$wasm" 2>/dev/null || echo n/a)
if [ "$br" = "n/a" ] && command -v brotli >/dev/null; then br=$(brotli -c -q 11 "$wasm" | wc -c); fi
printf 'wasm: raw %s KB, gzip %s KB, brotli %s\n' "$((raw / 1024))" "$((gz / 1024))" "$([ "$br" = n/a ] && echo n/a || echo "$((br / 1024)) KB")"
# Reported, not asserted: speed and size are measured, and the budget is a target.
if [ "$gz" -gt $((250 * 1024)) ]; then echo "note: over the 250 KB gzip budget" >&2; fi
