#!/usr/bin/env node
/**
 * First-load budget of the console: the gzip size of the entry chunk and every chunk it imports statically
 * (what the browser must fetch before the first render), read from the Vite manifest of `npm run build:web`.
 * Fails above WEB_BUDGET_KB (default 250) or when the pages are not split into chunks of their own.
 */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const dir = path.join(__dirname, '..', 'dist', 'web');
const manifestPath = path.join(dir, '.vite', 'manifest.json');
if (!fs.existsSync(manifestPath)) {
  process.stderr.write('bench:web: no dist/web/.vite/manifest.json; run npm run build:web\n');
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const budgetKb = Number(process.env.WEB_BUDGET_KB ?? 250);

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length !== 1) throw new Error(`expected one entry chunk, found ${entries.length}`);

const firstLoad = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || firstLoad.has(chunk.file)) return;
  firstLoad.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(entries[0][0]);

const gzipKb = (file) => zlib.gzipSync(fs.readFileSync(path.join(dir, file)), { level: 9 }).length / 1024;
const rows = [...firstLoad].map((file) => ({
  file,
  rawKb: fs.statSync(path.join(dir, file)).size / 1024,
  gzipKb: gzipKb(file),
}));
const total = rows.reduce((sum, row) => sum + row.gzipKb, 0);
const lazy = Object.values(manifest).filter((chunk) => chunk.isDynamicEntry);
const pageChunks = lazy.filter((chunk) => /Page-/.test(chunk.file));
const css = [...new Set(entries[0][1].css ?? [])];
const cssKb = css.reduce((sum, file) => sum + gzipKb(file), 0);

for (const row of rows) {
  process.stdout.write(`  ${row.file}  ${row.rawKb.toFixed(1)} KB raw, ${row.gzipKb.toFixed(1)} KB gzip\n`);
}
process.stdout.write(`  (CSS, not counted: ${cssKb.toFixed(1)} KB gzip; lazily loaded chunks: ${lazy.length})\n`);
process.stdout.write(
  `bench:web: first-load JavaScript ${total.toFixed(1)} KB gzip (budget ${budgetKb} KB) in ${rows.length} file(s); ${pageChunks.length} page chunks\n`,
);
let ok = true;
if (total > budgetKb) {
  process.stderr.write(`bench:web: over budget by ${(total - budgetKb).toFixed(1)} KB\n`);
  ok = false;
}
if (pageChunks.length < 8) {
  process.stderr.write('bench:web: the pages are not split into lazily loaded chunks\n');
  ok = false;
}
process.exit(ok ? 0 : 1);
