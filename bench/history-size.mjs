// What 400 days of the demo tenant's history take in a browser's IndexedDB
// (issue 29), and how long importing them takes. Not a test: it prints a
// table and exits 0 once it has measured (1 when something did not run).
//
//   node bench/history-size.mjs                      (scripts/build first: the proxy and dist/)
//   node bench/history-size.mjs --build-only         (the file and its figures only, no browser)
//   BENCH_HISTORY_OUT=target/bench/history.json node bench/history-size.mjs   (keep the file)
//   BENCH_HISTORY_HOURLY_DAYS=30 BENCH_HISTORY_DAILY_DAYS=370 node bench/history-size.mjs
//   TENANTSCOPE_PROXY_BIN=… TENANTSCOPE_CLI_BIN=… CHROMIUM_BIN=… node bench/history-size.mjs
//
// 1. Reads the demo tenant from `tenantscope check --demo --format json`
//    (target/server/tenantscope, or TENANTSCOPE_CLI_BIN).
// 2. Builds a history file (`tenantscope.history.v1`) of what the app's
//    thinning keeps of 400 days: one snapshot an hour for the last 30 days,
//    one a day for the 370 before, each of every package of the export,
//    `used` growing linearly from half of today's to today's. A snapshot
//    record is {"at": ms, "account", "place", "services", "points":
//    [[service, id, name, used, total, unit, expires_ms, status, renewal], …]}
//    (tests/browser/history-fixtures.mjs).
// 3. In headless Chromium against the proxy (--demo), opens Settings,
//    imports the file through `#history-import`, and reads
//    `navigator.storage.estimate()` before and after, the snapshot count
//    and size Settings shows (`[data-history-size]`), and the time from
//    choosing the file to the status line's word (`.history-status`).
//
// The app keeps at most 96 MiB of history, dropping the oldest first: the
// table says what remains, and what a cap on the records' compact JSON
// would keep, for comparison.
import { statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startProxy, startBrowser } from '../tests/browser/harness.mjs';
import {
  DAY, checkHistoryShape, demoExport, historyFile, keptTimes, openHistorySettings, scratch,
} from '../tests/browser/history-fixtures.mjs';

const BUILD_ONLY = process.argv.includes('--build-only');
const HOURLY_DAYS = Number(process.env.BENCH_HISTORY_HOURLY_DAYS ?? 30);
const DAILY_DAYS = Number(process.env.BENCH_HISTORY_DAILY_DAYS ?? 370);
const TIMEOUT_MS = Number(process.env.BENCH_HISTORY_TIMEOUT_MS ?? 600_000);
const CAP = 96 * 1024 * 1024;

const mib = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : `${(n / 1048576).toFixed(2)} MiB`);
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const rows = [];
const row = (what, value) => rows.push([what, String(value)]);

function table() {
  const w = Math.max(...rows.map(([a]) => a.length), 4);
  console.log(`| ${'what'.padEnd(w)} | value |\n|${'-'.repeat(w + 2)}|-------|`);
  for (const [a, b] of rows) console.log(`| ${a.padEnd(w)} | ${b} |`);
}

// 1–2. The file.
const t0 = performance.now();
const doc = demoExport();
const times = keptTimes(Date.parse(doc.generated_at), { hourlyDays: HOURLY_DAYS, dailyDays: DAILY_DAYS });
const file = historyFile(doc, times);
checkHistoryShape(file);
const records = file.snapshots.map((s) => Buffer.byteLength(JSON.stringify(s)));
const text = JSON.stringify(file);
const files = scratch();
const out = process.env.BENCH_HISTORY_OUT ? resolve(process.env.BENCH_HISTORY_OUT) : null;
if (out) mkdirSync(dirname(out), { recursive: true });
const path = out ?? files.write('tenantscope-history-bench.json', '');
writeFileSync(path, text);
const built = performance.now() - t0;

// What a 96 MiB cap on the records' JSON keeps: the newest, back until it is full.
let kept = 0, keptBytes = 0;
for (let i = records.length - 1; i >= 0 && keptBytes + records[i] <= CAP; i--) { kept++; keptBytes += records[i]; }
const oldestKept = file.snapshots[file.snapshots.length - kept]?.at;

row('packages per snapshot', doc.packages.length);
row('snapshots in the file', `${file.snapshots.length} (${times.length - HOURLY_DAYS * 24} daily from ${day(times[0])}, ${HOURLY_DAYS * 24} hourly)`);
row('file size', `${statSync(path).size} B (${mib(statSync(path).size)})`);
row('a record, compact JSON', `${Math.round(records.reduce((a, b) => a + b, 0) / records.length)} B on average`);
row('records\' JSON in all', mib(records.reduce((a, b) => a + b, 0)));
row('96 MiB of records\' JSON keeps', kept ? `${kept} snapshots, the oldest ${day(oldestKept)} (${((times.at(-1) - oldestKept) / DAY).toFixed(1)} days)` : 'none');
row('built in', `${built.toFixed(0)} ms`);

if (BUILD_ONLY) {
  table();
  console.log(`\nthe file: ${path}${out ? '' : ' (removed on exit; BENCH_HISTORY_OUT keeps it)'}`);
  if (!out) rmSync(files.dir, { recursive: true, force: true });
  process.exit(0);
}

// 3. The browser.
let proxy, chrome, failed = null;
try {
  proxy = await startProxy();
  chrome = await startBrowser();
  const context = await chrome.browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(proxy.url);
  await page.waitForSelector('form.session button[type=submit]');
  const estimate = () => page.evaluate(async () => {
    const e = await navigator.storage.estimate();
    return { usage: e.usage, quota: e.quota, indexedDB: e.usageDetails?.indexedDB ?? null };
  });
  await openHistorySettings(page, 30_000);
  const before = await estimate();
  const status = page.locator('.history-status');
  const startedAt = performance.now();
  await page.locator('#history-import').setInputFiles(path);
  await page.locator('.history-status[data-state=imported], .history-status[data-state=refused]').waitFor({ timeout: TIMEOUT_MS });
  // The count as it settles (the drop of what is beyond the cap may follow the word).
  await page.waitForFunction(() => Number(document.querySelector('[data-history-size]')?.dataset.historyCount) > 0, null, { timeout: TIMEOUT_MS }).catch(() => {});
  const importMs = performance.now() - startedAt;
  await page.waitForTimeout(1000);
  const after = await estimate();
  const shown = page.locator('[data-history-size]');
  const count = Number(await shown.getAttribute('data-history-count'));
  const bytes = Number(await shown.getAttribute('data-history-size'));
  const shownText = (await shown.textContent()).trim();
  // The status line goes with the page: read before the reload.
  const said = `${await status.getAttribute('data-state')}: ${(await status.textContent()).trim()}`;
  // Read back: the page loaded afresh, Settings' figures from IndexedDB.
  const reopenedAt = performance.now();
  await page.reload();
  await page.waitForSelector('form.session button[type=submit]');
  await openHistorySettings(page, TIMEOUT_MS);
  await page.waitForFunction(() => document.querySelector('[data-history-size]')?.hasAttribute('data-history-count'), null, { timeout: TIMEOUT_MS });
  const reopenMs = performance.now() - reopenedAt;
  const reread = Number(await page.locator('[data-history-size]').getAttribute('data-history-count'));

  row('import: status', said);
  row('import: time to the status line', `${importMs.toFixed(0)} ms`);
  row('storage.estimate() usage before', `${before.usage} B (${mib(before.usage)}; IndexedDB ${mib(before.indexedDB)})`);
  row('storage.estimate() usage after', `${after.usage} B (${mib(after.usage)}; IndexedDB ${mib(after.indexedDB)})`);
  row('usage added', mib(after.usage - before.usage));
  row('snapshots kept (Settings)', `${count} of ${file.snapshots.length}`);
  row('history size (Settings)', `${bytes} B (${mib(bytes)}): "${shownText}"`);
  if (count > 0 && count <= file.snapshots.length) {
    const oldest = file.snapshots[file.snapshots.length - count].at;
    row('what remains, if the oldest went', `from ${day(oldest)}: ${((times.at(-1) - oldest) / DAY).toFixed(1)} days`);
  }
  row('reload until Settings shows the count', `${reopenMs.toFixed(0)} ms (${reread} snapshots)`);
  row('page problems', problems.length ? problems.slice(0, 3).join(' | ') : 'none');
  await context.close();
} catch (e) {
  failed = e;
} finally {
  await chrome?.close();
  await proxy?.stop();
  if (!out) rmSync(files.dir, { recursive: true, force: true });
}
table();
if (failed) {
  console.error(`\nnot measured: ${failed.message.split('\n')[0]}`);
  process.exit(1);
}
