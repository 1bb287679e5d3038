// What the history's tests (history.test.mjs) and bench/history-size.mjs
// build their files from: the demo tenant's JSON export from the command
// line, earlier copies of it dated back with less used, a history file
// (`tenantscope.history.v1`) of many snapshots, and the page's moves on
// Settings' history part (issue 29's UI contract).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, openPage } from './harness.mjs';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const SERVICES = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
export const HISTORY_SCHEMA = 'tenantscope.history.v1';
const CLI = process.env.TENANTSCOPE_CLI_BIN ?? join(ROOT, 'target/server/tenantscope');

/**
 * The demo tenant as `tenantscope check --demo --format json` exports it
 * (exit 1: the demo has packages lapsing within 30 days).
 */
export function demoExport() {
  const cli = spawnSync(CLI, ['check', '--demo', '--format', 'json'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (cli.status !== 0 && cli.status !== 1) throw new Error(`${CLI} check --demo exited ${cli.status}:\n${cli.stderr}`);
  const doc = JSON.parse(cli.stdout);
  if (!/^tenantscope\.export\.v\d+$/.test(doc.schema) || !Array.isArray(doc.packages)) throw new Error(`not an export: ${doc.schema}`);
  return doc;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const round = (x) => Math.round(x * 1000) / 1000;
const copy = (x) => structuredClone(x);
const hasUsage = (p) => typeof p.used === 'number' && typeof p.total === 'number' && p.total > 0;
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** What a line or a card calls a package: its readable name, else its code. */
export const nameOf = (p) => p.label ?? p.name;
/** The account a history is kept under (never a key). */
export const accountOf = (doc) => doc.tenant.domain ?? `project:${doc.tenant.project_id}`;

/** Whole days from `now` (ms) to `iso`, fractional. */
const daysTo = (at, now) => (Date.parse(at) - now) / DAY;

/**
 * The export as it was 1 and 2 days before it, with less used, built so that
 * each kind of "since your last look" line and one forecast must show:
 *
 * - target: a MetaStudio package (else any) with a usage, active, expiring in
 *   14 days or more, using at least 40 % of its total; it uses `d` a day,
 *   d = (total − used) / 3, so at that pace it runs out in 3 days, well
 *   before it expires (and within the critical 7 days: Act now).
 * - every other package with a usage uses 0.2 % of its total a day (never
 *   below 0), so that most have a slow pace and nothing else is contrived.
 * - removed (the DSC Professional Edition, a name no other package has) is
 *   left out of the −1 d export: an `added` line.
 * - ghost, a MetaStudio package that does not exist, is in the −1 d export
 *   only: a `gone` line.
 * - renewed (an HSS quota, active, expiring in 60 days or more) expired 30
 *   days earlier in the −1 d export: a `renewed` line.
 * - frozen (an HSS quota frozen now, with a future expiry) was active in the
 *   −1 d export: an `attention` line.
 * - jumped (a MetaStudio package using at least half of its total, not the
 *   target) used 25 % then 30 % of its present use: 0.05 u a day as its
 *   usual pace, then 0.7 u in a day: a `jumped` line.
 *
 * Returns { now, older, last, target, d, removed, ghost, renewed, frozen, jumped }
 * (packages as in `doc`; `now` the export's time in ms).
 */
export function earlierExports(doc) {
  const now = Date.parse(doc.generated_at);
  const live = doc.packages.filter((p) => hasUsage(p) && p.status === 'active' && p.expires_at && p.used < p.total);
  const candidates = live.filter((p) => daysTo(p.expires_at, now) >= 14 && p.used >= 0.4 * p.total && p.used > 0).sort(byId);
  const target = candidates.find((p) => p.service === 'metastudio' && !p.parent) ?? candidates[0];
  if (!target) throw new Error('no package in the demo can run out before it expires');
  const d = (target.total - target.used) / 3;
  const removed = doc.packages.find((p) => p.service === 'dsc' && p.name === 'base_professional')
    ?? doc.packages.filter((p) => p !== target && doc.packages.filter((q) => nameOf(q) === nameOf(p)).length === 1).sort(byId)[0];
  const renewed = doc.packages.filter((p) => p.service === 'hss' && p.status === 'active' && p.expires_at && daysTo(p.expires_at, now) >= 60).sort(byId)[0];
  const frozen = doc.packages.filter((p) => p.service === 'hss' && p.status === 'frozen' && p.expires_at && daysTo(p.expires_at, now) >= 30).sort(byId)[0];
  const jumped = live.filter((p) => p.service === 'metastudio' && p !== target && p.used >= 0.5 * p.total).sort(byId)[0];
  if (!removed || !renewed || !frozen || !jumped) throw new Error('the demo lacks a package this fixture needs');
  const ghost = {
    ...copy(target),
    id: 'history-test-ghost-0000000000000001',
    name: 'history.test.ghost',
    label: 'History test ghost package',
    used: 1,
    total: 10,
    parent: null,
  };

  /** The export `days` days earlier (1 or 2). */
  const back = (days) => {
    const at = now - days * DAY;
    const earlier = copy(doc);
    earlier.generated_at = iso(at);
    for (const p of earlier.packages) {
      if (!hasUsage(p)) continue;
      if (p.id === target.id) p.used = round(Math.max(0, p.used - days * d));
      else if (p.id === jumped.id) p.used = round(p.used * (days === 2 ? 0.25 : 0.3));
      else p.used = round(Math.max(0, p.used - days * 0.002 * p.total));
    }
    if (days === 1) {
      earlier.packages = earlier.packages.filter((p) => p.id !== removed.id);
      earlier.packages.push(copy(ghost));
      const r = earlier.packages.find((p) => p.id === renewed.id);
      r.expires_at = iso(Date.parse(r.expires_at) - 30 * DAY);
      const f = earlier.packages.find((p) => p.id === frozen.id);
      f.status = 'active';
      f.raw_status = 'normal';
      f.attention = null;
    }
    return earlier;
  };
  return { now, older: back(2), last: back(1), target, d, removed, ghost, renewed, frozen, jumped };
}

/**
 * One stored snapshot record of `doc`'s packages at `at` (ms), with `used`
 * given by `usedAt(package)` (defaults to the package's own):
 * `{at, account, place, services, points: [[service, id, name, used, total,
 * unit, expires_ms, status, renewal], …]}`, null for what is absent.
 */
export function snapshotRecord(doc, at, usedAt = (p) => p.used) {
  return {
    at,
    account: accountOf(doc),
    place: doc.tenant.region,
    services: SERVICES,
    points: doc.packages.map((p) => [
      p.service, p.id, nameOf(p), p.used === null ? null : usedAt(p), p.total ?? null, p.unit ?? null,
      p.expires_at ? Date.parse(p.expires_at) : null, p.status ?? null, p.renewal ?? null,
    ]),
  };
}

/**
 * The times (ms, oldest first) the app's thinning keeps of 400 days ending
 * at `now`: one an hour for the last 30 days, one a day for the 370 before.
 */
export function keptTimes(now, { hourlyDays = 30, dailyDays = 370 } = {}) {
  const times = [];
  const lastHour = Math.floor(now / HOUR) * HOUR;
  const hourlyFrom = lastHour - hourlyDays * DAY;
  for (let i = dailyDays; i >= 1; i--) times.push(hourlyFrom - i * DAY);
  for (let t = hourlyFrom + HOUR; t <= lastHour; t += HOUR) times.push(t);
  return times;
}

/**
 * A history file of `doc` at `times`: each package with a usage uses from
 * half of its present use (the oldest) up to it (now), linearly.
 */
export function historyFile(doc, times) {
  const now = times.at(-1);
  const span = Math.max(1, now - times[0]);
  const snapshots = times.map((at) => {
    const share = 0.5 + 0.5 * (1 - (now - at) / span);
    return snapshotRecord(doc, at, (p) => round(p.used * share));
  });
  return { schema: HISTORY_SCHEMA, generated_at: iso(now), snapshots };
}

/** Checks a history file's shape; throws what is wrong. */
export function checkHistoryShape(file, { account, place } = {}) {
  const fail = (why) => { throw new Error(`history file: ${why}`); };
  if (file.schema !== HISTORY_SCHEMA) fail(`schema ${file.schema}`);
  if (!Array.isArray(file.snapshots)) fail('no snapshots array');
  for (const s of file.snapshots) {
    if (!Number.isInteger(s.at)) fail(`at ${s.at}`);
    if (typeof s.account !== 'string' || (account && s.account !== account)) fail(`account ${s.account}`);
    if (typeof s.place !== 'string' || (place && s.place !== place)) fail(`place ${s.place}`);
    if (!Array.isArray(s.services) || !s.services.every((k) => SERVICES.includes(k))) fail(`services ${s.services}`);
    for (const p of s.points) {
      if (!Array.isArray(p) || p.length !== 9) fail(`a point of ${p?.length} fields`);
      const [service, id, name, used, total, unit, expires, status, renewal] = p;
      if (!SERVICES.includes(service) || typeof id !== 'string' || typeof name !== 'string') fail(`point ${JSON.stringify(p)}`);
      for (const n of [used, total, expires]) if (n !== null && typeof n !== 'number') fail(`number ${JSON.stringify(p)}`);
      for (const t of [unit, status, renewal]) if (t !== null && typeof t !== 'string') fail(`text ${JSON.stringify(p)}`);
    }
  }
}

/** A fresh directory for the files of one run; `write(name, value)` gives a path. */
export function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'tenantscope-history-'));
  return {
    dir,
    write: (name, value) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
      return path;
    },
  };
}

// ---- the page ----

/** Opens Settings (which loads the console's code) and waits for its history part. */
export async function openHistorySettings(page, timeout = 15_000) {
  const settings = page.locator('details.settings');
  if (!(await settings.evaluate((d) => d.open))) await settings.locator('summary').first().click();
  await page.locator('.history-settings [data-history-size]').waitFor({ state: 'attached', timeout });
}

/** Closes Settings (open, it lies over the page's top and takes its clicks). */
export async function closeSettings(page) {
  const settings = page.locator('details.settings');
  if (await settings.evaluate((d) => d.open)) await settings.locator('summary').first().click();
  await page.waitForFunction(() => !document.querySelector('details.settings')?.open);
}

/** The snapshot count Settings shows, once read (it says "Reading…" first, without a count). */
export async function historyCount(page, timeout = 15_000) {
  await page.locator('[data-history-size][data-history-count]').waitFor({ state: 'attached', timeout });
  return Number(await page.locator('[data-history-size]').getAttribute('data-history-count'));
}

/**
 * Waits until Settings shows a snapshot count within `{ min, max }` (either
 * may be left out) and returns it.
 */
export async function waitForCount(page, { min = 0, max = Infinity } = {}, timeout = 15_000) {
  await page.waitForFunction(([min, max]) => {
    const el = document.querySelector('[data-history-size]');
    const n = Number(el?.dataset.historyCount ?? NaN);
    return n >= min && n <= (max ?? Infinity);
  }, [min, Number.isFinite(max) ? max : null], { timeout });
  return historyCount(page);
}

/** Signs in to the demo and waits for every panel and for billing. */
export async function signIn(page) {
  await page.getByLabel('IAM token').fill('demo');
  for (const key of SERVICES) {
    await page.locator(`section.panel[data-service=${key}]`).locator('[data-state=ready], [data-state=error]').first().waitFor({ timeout: 20_000 });
  }
  await page.waitForFunction(() => ['read', 'failed'].includes(document.querySelector('section.overview')?.dataset.billing), null, { timeout: 20_000 });
}

/**
 * A page whose IndexedDB is refused before any script runs: `how` is
 * 'getter' (reading `window.indexedDB` throws, as in some private modes)
 * or 'open' (`indexedDB.open` throws).
 */
export async function openRefusedPage(browser, url, how) {
  return openPage(browser, url, {
    arg: how,
    init: (how) => {
      if (how === 'getter') {
        Object.defineProperty(window, 'indexedDB', { configurable: true, get() { throw new DOMException('refused', 'SecurityError'); } });
      } else {
        IDBFactory.prototype.open = function open() { throw new DOMException('refused', 'SecurityError'); };
      }
    },
  });
}
