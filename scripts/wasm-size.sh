#!/usr/bin/env bash
# Reports the app's own WASM sizes raw, gzip and brotli (the Voice SDK is not counted): the main
# module, each module split off (`cargo leptos build --split`: the console's panels, its rarely
# used parts, the simulator's pages), and what a signed-in console downloads as it starts.
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
// What a signed-in console downloads as it starts: the main module, then its panels' module
// and the chunks that one needs (wasm-split's manifest lists them). Modules fetched only when
// used (the audio settings, a sound) are not counted; they are listed above.
const manifest = JSON.parse(fs.readFileSync(path.join(pkg, "__wasm_split_manifest.json"), "utf8"));
const panels = Object.keys(manifest).find((k) => k.startsWith("draw_panels_"));
const start = { ...m };
for (const f of panels ? manifest[panels] : []) {
  const s = size(path.join(pkg, f + ".wasm"));
  for (const k of Object.keys(start)) start[k] += s[k];
}
line("wasm (agent console at start: main + panels + their chunks)", start);
// Reported, not asserted: speed and size are measured, and the budget is a target.
if (start.gzip > 250 * 1024) console.error("note: the console's WASM at start is over the 250 KB gzip budget");
JS
