#!/usr/bin/env node
// Size budget: everything the first page load transfers (dist/: the page, its
// script, wasm and CSS) must stay under 150 KiB brotli. Exits 1 when over.
//   node scripts/budget.mjs [dist]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const BUDGET = 150 * 1024;
const dir = process.argv[2] ?? 'dist';
const files = readdirSync(dir).filter((f) => /\.(html|js|wasm|css)$/.test(f) && statSync(join(dir, f)).isFile());
if (!files.some((f) => f.endsWith('.wasm'))) {
  console.error(`budget: no .wasm in ${dir}: build the site first (scripts/build)`);
  process.exit(1);
}
let total = 0;
for (const f of files) {
  const raw = readFileSync(join(dir, f));
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total += br;
  console.log(`budget: ${f.padEnd(44)} ${String(raw.length).padStart(8)} B raw ${String(br).padStart(8)} B brotli`);
}
const kib = (n) => (n / 1024).toFixed(1);
console.log(`budget: first load ${kib(total)} KiB brotli of ${kib(BUDGET)} KiB`);
if (total > BUDGET) {
  console.error('budget: over the first-load budget');
  process.exit(1);
}
