#!/usr/bin/env node
// Strips the page's comments, then writes .br and .gz beside every page,
// script, wasm and stylesheet of the built site, so that `tenantscope-proxy --static` (and any static host that
// serves precompressed variants) sends them compressed at no CPU cost.
//   node scripts/precompress.mjs [dist]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';

// The page first loses its comments and indentation: site/index.html's are
// for the people who read it, and every visitor would download them. Only
// whole-line `//` comments of its inline script go (none of its strings holds
// one); the proxy hashes the script as served, for its Content-Security-Policy.
const page = join(dir, 'index.html');
writeFileSync(page, readFileSync(page, 'utf8')
  .replace(/<!--[\s\S]*?-->\s*/g, '')
  .replace(/^\s*\/\/.*\n/gm, '')
  .replace(/^\s+/gm, ''));
const walk = (d) => readdirSync(d, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
let n = 0;
for (const path of walk(dir)) {
  if (!/\.(html|js|wasm|css|svg|json)$/.test(path) || !statSync(path).isFile()) continue;
  const raw = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
  n += 1;
}
console.log(`precompress: ${n} files in ${dir} (.br, .gz)`);
