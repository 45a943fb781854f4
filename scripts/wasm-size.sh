#!/usr/bin/env bash
# Reports the app's own WASM size raw, gzip and brotli (the Voice SDK is not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=target/site/pkg/warm-transfer.wasm
[ -f "$wasm" ] || { echo "no $wasm: run cargo leptos build --release first" >&2; exit 1; }
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
# Node ships brotli in zlib; quality 11 as a CDN would serve it.
br=$(node -e 'const z=require("zlib"),fs=require("fs");const b=fs.readFileSync(process.argv[1]);console.log(z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$wasm")
printf 'wasm: raw %s KB, gzip %s KB, brotli %s KB\n' "$((raw / 1024))" "$((gz / 1024))" "$((br / 1024))"
# Reported, not asserted: speed and size are measured, and the budget is a target.
if [ "$gz" -gt $((250 * 1024)) ]; then echo "note: over the 250 KB gzip budget" >&2; fi
