#!/usr/bin/env node
// Size budget: everything the first page load transfers (dist/: the page, its
// script, the first-load wasm and the CSS) must stay under 150 KiB brotli.
// The chunks split off by scripts/build-wasm (pkg/split_*.wasm) and the
// console's styles (console.css) are fetched only once a token is being
// entered; they are listed and totalled apart.
// A language other than English adds its page's texts (lang/{lang}.json,
// fetched before the page is drawn) to the first load: the budget holds for
// the largest. Its console's texts (lang/{lang}.console.json) come with the
// console's code, on demand.
// Exits 1 when over.
//   node scripts/budget.mjs [dist]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const BUDGET = 150 * 1024;
const dir = process.argv[2] ?? 'dist';
const walk = (d) => readdirSync(d, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
const files = walk(dir).filter((f) => /\.(html|js|wasm|css)$/.test(f) || /(^|\/)lang\/[^/]*\.json$/.test(f));
function onDemand(f) { return /(^|\/)split_[^/]*\.wasm$/.test(f) || /(^|\/)console\.css$/.test(f) || /(^|\/)lang\/[^/]*\.console\.json$/.test(f); }
function perLanguage(f) { return /(^|\/)lang\/[^/]*\.json$/.test(f) && !onDemand(f); }
if (!files.some((f) => f.endsWith('.wasm') && !onDemand(f))) {
  console.error(`budget: no first-load .wasm in ${dir}: build the site first (scripts/build)`);
  process.exit(1);
}
const kib = (n) => (n / 1024).toFixed(1);
let first = 0;
let later = 0;
let language = 0;
let consoleTexts = 0;
for (const f of files.sort()) {
  const raw = readFileSync(f);
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (onDemand(f) && f.endsWith('.json')) consoleTexts = Math.max(consoleTexts, br);
  else if (onDemand(f)) later += br; else if (perLanguage(f)) language = Math.max(language, br); else first += br;
  const name = relative(dir, f) + (onDemand(f) ? ' (on demand)' : perLanguage(f) ? ' (in that language)' : '');
  console.log(`budget: ${name.padEnd(56)} ${String(raw.length).padStart(8)} B raw ${String(br).padStart(8)} B brotli`);
}
console.log(`budget: on demand ${kib(later)} KiB brotli (once a token is being entered: on focus or lookup), and ${kib(consoleTexts)} KiB of the largest language's console texts`);
console.log(`budget: first load ${kib(first)} KiB brotli in English, ${kib(first + language)} KiB with the largest language file, of ${kib(BUDGET)} KiB`);
if (first + language > BUDGET) {
  console.error('budget: over the first-load budget');
  process.exit(1);
}
