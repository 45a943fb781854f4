#!/usr/bin/env bash
# Reports the app's own WASM sizes raw, gzip and brotli (the Voice SDK is not counted): the main
# module, which is all the agent console downloads, then each module split off for the
# simulator's pages (fetched only when such a page is opened; `cargo leptos build --split`).
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
main=$pkg/warm-transfer.wasm
[ -f "$main" ] || { echo "no $main: run cargo leptos build --release --split first" >&2; exit 1; }
# Node ships gzip and brotli in zlib: gzip -9, brotli quality 11, as a CDN would serve them.
node - "$main" "$pkg" <<'JS'
const fs = require("fs"), path = require("path"), z = require("zlib");
const [main, pkg] = process.argv.slice(2);
const kb = (n) => (n / 1024).toFixed(0) + " KB";
const size = (file) => {
  const b = fs.readFileSync(file);
  return {
    raw: b.length,
    gzip: z.gzipSync(b, { level: 9 }).length,
    brotli: z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const line = (label, s) => console.log(`${label}: raw ${kb(s.raw)}, gzip ${kb(s.gzip)}, brotli ${kb(s.brotli)}`);
const m = size(main);
line("wasm (agent console, main module)", m);
const total = { ...m };
for (const f of fs.readdirSync(pkg).filter((f) => f.endsWith(".wasm") && path.join(pkg, f) !== main).sort()) {
  const s = size(path.join(pkg, f));
  line(`  split module ${f}`, s);
  for (const k of Object.keys(total)) total[k] += s[k];
}
line("wasm (all modules)", total);
// Reported, not asserted: speed and size are measured, and the budget is a target.
if (m.gzip > 250 * 1024) console.error("note: the console's WASM is over the 250 KB gzip budget");
JS
