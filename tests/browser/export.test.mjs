// The three exports, downloaded from the real console in headless Chromium
// and read back: the JSON schema, the CSV rows, the calendar events (what
// renews by itself without a reminder), and no token in any of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startProxy, startBrowser, openPage, ROOT } from './harness.mjs';

let proxy, chrome, page;

before(async () => {
  proxy = await startProxy();
  chrome = await startBrowser();
  ({ page } = await openPage(chrome.browser, proxy.url));
  await page.fill('#token', 'demo');
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  }
  // Billing's word is in the files once it is read (no note left).
  await page.waitForFunction(() => {
    const note = document.querySelector('.tenant .billing-note');
    return !note || note.dataset.billing === 'failed';
  }, null, { timeout: 20_000 });
});
after(async () => {
  await chrome?.close();
  await proxy?.stop();
});

async function download(label) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
  const text = readFileSync(await file.path(), 'utf8');
  return { name: file.suggestedFilename(), text };
}

// The records of a CSV (RFC 4180: quoted cells may hold commas, quotes and line breaks).
function readCsv(text) {
  const records = [];
  let record = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++; }
    else field += c;
  }
  return records;
}

// Every panel's count line ("480 packages"), added up.
const rowCount = async () => (await page.locator('.count').allTextContents())
  .reduce((sum, t) => sum + Number(t.match(/^(\d+) package/)[1]), 0);

const V1 = ['service', 'id', 'name', 'status', 'raw_status', 'used', 'total', 'unit', 'in_use', 'starts_at', 'expires_at', 'urgency'];
const V2 = ['label', 'category', 'enterprise_project', 'host', 'host_id', 'billing_mode', 'lifecycle', 'next_action',
  'next_action_at', 'period', 'source', 'owner_tenant', 'cross_tenant', 'has_license', 'quantity', 'run_time', 'used_unit',
  'shared_quota', 'tags', 'parent', 'renew_url', 'attention'];
const V3 = ['days_left', 'region', 'account'];
const V4 = ['renewal', 'expires_from', 'billing_status', 'seen_in'];
// v5: the forecast from this browser's history.
const V5 = ['runs_out_at', 'pace_per_day'];

test('Export JSON downloads the documented v5 document', async () => {
  const { name, text } = await download('Export JSON');
  assert.match(name, /^tenantscope-\d{8}-\d{6}Z\.json$/);
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc), ['schema', 'generated_at', 'tenant', 'thresholds_days', 'packages', 'attention', 'errors', 'scope', 'billing', 'since']);
  // The first look at this account in this browser: nothing to compare with.
  assert.equal(doc.since, null);
  assert.equal(doc.schema, 'tenantscope.export.v5');
  assert.deepEqual(doc.billing, { read: true, error: null });
  assert.deepEqual(doc.scope, { what: 'everything', filters: null });
  assert.match(doc.generated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(doc.tenant), ['domain', 'user', 'region', 'project_id', 'codearts_project_id']);
  assert.equal(doc.tenant.region, 'cn-north-4');
  assert.deepEqual(doc.thresholds_days, { critical: 7, warning: 30 });
  assert.equal(doc.packages.length, await rowCount());
  const byService = {};
  for (const p of doc.packages) {
    assert.deepEqual(Object.keys(p), [...V1, ...V2, ...V3, ...V4, ...V5]);
    // One reading so far: no pace yet.
    assert.equal(p.runs_out_at, null);
    assert.equal(p.pace_per_day, null);
    assert.equal(p.region, 'cn-north-4');
    // One tab's export names no tabs.
    assert.equal(p.seen_in, null);
    assert.ok([null, 'service', 'billing'].includes(p.expires_from), p.expires_from);
    if (!p.expires_at) assert.equal(p.expires_from, null);
    if (p.expires_at) assert.equal(typeof p.days_left, 'number');
    byService[p.service] = (byService[p.service] ?? 0) + 1;
  }
  assert.equal(byService.hss, 480);
  assert.equal(byService.metastudio, 160);
  assert.deepEqual(Object.keys(byService).sort(), ['codecheck', 'dsc', 'hss', 'metastudio', 'testplan']);
  assert.deepEqual(doc.errors, []);
  // The enterprise projects, the Check countdown and the warnings as the page shows them.
  assert.deepEqual([...new Set(doc.packages.filter((p) => p.service === 'hss').map((p) => p.enterprise_project))].sort(), ['default', 'finance']);
  const combo = doc.packages.find((p) => p.name === 'codearts.china.enterprise');
  assert.equal(combo.next_action, 'pay_per_use');
  assert.equal(combo.label, 'CodeArts Enterprise');
  assert.ok(doc.attention.length > 0 && doc.attention.every((w) => w.service && w.urgency));
  // v4: what billing says: some packages renew by themselves, some HSS
  // quotas are dated by billing alone, MetaStudio's are not billing's.
  assert.ok(doc.packages.some((p) => p.renewal === 'auto_renew'), 'nothing renews automatically');
  assert.ok(doc.packages.some((p) => p.renewal && p.renewal !== 'auto_renew'), 'nothing lapses by billing\'s word');
  assert.ok(doc.packages.some((p) => p.service === 'hss' && p.expires_from === 'billing'));
  assert.ok(doc.packages.some((p) => p.billing_status === 'in_use'));
  assert.ok(doc.packages.filter((p) => p.service === 'metastudio').every((p) => p.renewal === null && p.billing_status === null));
  assert.ok(!text.includes('"demo"'), 'the token is in the export');
  await page.getByRole('status').filter({ hasText: 'Exported' }).waitFor();
});

test('Export CSV has readable headers, dates a spreadsheet reads, and one row per package', async () => {
  const { name, text } = await download('Export CSV');
  assert.match(name, /\.csv$/);
  // A byte-order mark first, so that Excel reads UTF-8 (Chinese names).
  assert.ok(text.startsWith('\uFEFF'), 'no byte-order mark');
  const lines = text.slice(1).split('\r\n');
  const headers = lines[0].split(',');
  assert.equal(headers.length, V1.length + V2.length + V3.length + V4.length + V5.length);
  // What people read first; the codes and IDs last (export::CSV_COLUMNS).
  assert.deepEqual(headers.slice(0, 12), ['Service', 'Name', 'Region', 'Account', 'Status', 'Urgency', 'Expires (UTC)',
    'Days left', 'Renewal', 'Used', 'Total', 'Unit']);
  assert.deepEqual(headers.slice(-4), ['Resource ID', 'Name (code)', 'Status as reported', 'Host ID']);
  assert.ok(['Expiry from', 'Billing status', 'Seen in', 'Lifecycle stage', 'Next action'].every((h) => headers.includes(h)), lines[0]);
  assert.equal(new Set(headers).size, headers.length, 'a header twice');
  assert.ok(lines.some((l) => l.startsWith('Host Security Service,')), 'the service by name');
  // Keys in the page's English words (the JSON keeps the keys); every row named.
  const rows = readCsv(text.slice(1)).slice(1);
  const column = (h) => rows.map((r) => r[headers.indexOf(h)]);
  for (const u of column('Urgency')) assert.match(u, /^(Expired|Expires (within|after) \d+ days?|Never expires|No expiry date given)$/);
  for (const s of column('Status')) assert.ok(['Active', 'Frozen', 'Closed', 'Expired', 'Status not reported'].includes(s), s);
  assert.ok(column('Name').every((n) => n !== ''), 'a row with no name');
  assert.ok(column('Renewal').includes('renews automatically') && !column('Renewal').includes('auto_renew'));
  assert.ok(column('Billing status').includes('in use') && !column('Billing status').includes('in_use'));
  assert.match(text, /,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,/);
  assert.equal(lines.at(-1), '', 'the last record ends in CRLF');
  assert.equal(lines.length - 2, await rowCount());
  assert.ok(!lines.some((l) => l.split(',').includes('demo')), 'the token is in the export');
});

test('Export calendar has one event per service, day and what happens, a reminder at each threshold for what lapses only', async () => {
  const { name, text } = await download('Export calendar');
  assert.match(name, /\.ics$/);
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n'));
  const events = text.match(/BEGIN:VEVENT/g)?.length ?? 0;
  assert.ok(events > 5, `only ${events} events`);
  // What billing renews automatically says so, with no reminder; every
  // other event has one at each threshold.
  const unfolded = text.replaceAll('\r\n ', '');
  const blocks = unfolded.split('BEGIN:VEVENT').slice(1);
  const renewing = blocks.filter((b) => /\r\nSUMMARY:[^\r]* renews? automatically/.test(b));
  assert.ok(renewing.length > 0, 'no event of what renews automatically');
  for (const b of blocks) {
    const alarms = renewing.includes(b) ? 0 : 2;
    assert.equal(b.match(/BEGIN:VALARM/g)?.length ?? 0, alarms, b);
    assert.equal(b.match(/TRIGGER:-P7D/g)?.length ?? 0, alarms / 2, b);
    assert.equal(b.match(/TRIGGER:-P30D/g)?.length ?? 0, alarms / 2, b);
  }
  assert.equal(text.match(/BEGIN:VALARM/g)?.length, 2 * (events - renewing.length));
  // Future days only, and no two events for one service, day and what happens.
  // (A day of slack: the event's day is the browser's, the clock UTC.)
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const uids = [...unfolded.matchAll(/\r\nUID:([^\r]+)/g)].map((m) => m[1]);
  assert.equal(uids.length, events);
  assert.equal(new Set(uids).size, events);
  assert.ok(uids.every((u) => /^[a-z]+-\d{8}-/.test(u)), uids.join());
  assert.ok([...unfolded.matchAll(/DTSTART;VALUE=DATE:(\d{8})/g)].every((m) => m[1] >= yesterday), 'an event for a day already past');
  assert.match(text, /DTSTART;VALUE=DATE:\d{8}\r\n/);
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
});

test('the command line writes the same JSON as the browser, package for package', async () => {
  const browser = JSON.parse((await download('Export JSON')).text);
  // The demo tenant read by `tenantscope check --demo` (in process, the
  // same demo as the proxy's) a moment later: the same day's packages.
  const cli = spawnSync(join(ROOT, 'target/server/tenantscope'), ['check', '--demo', '--format', 'json'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(cli.status, 1, `exit 1: the demo has packages lapsing within 30 days\n${cli.stderr}`);
  const doc = JSON.parse(cli.stdout);
  assert.equal(doc.schema, browser.schema);
  assert.equal(doc.packages.length, browser.packages.length);
  const key = (p) => `${p.service} ${p.id} ${p.name}`;
  const byKey = new Map(browser.packages.map((p) => [key(p), p]));
  for (const p of doc.packages) assert.deepEqual(p, byKey.get(key(p)), key(p));
  assert.deepEqual(doc.packages.map(key), browser.packages.map(key), 'in the same order');
  for (const field of ['tenant', 'thresholds_days', 'attention', 'billing', 'errors', 'scope']) assert.deepEqual(doc[field], browser[field], field);
});

test('with a filter set, the export can hold what the filters show', async () => {
  await page.getByLabel('Service', { exact: true }).selectOption('dsc');
  await page.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await page.locator('#export-scope').inputValue(), 'shown');
  const shown = await download('Export JSON');
  const doc = JSON.parse(shown.text);
  assert.deepEqual(doc.scope, { what: 'shown', filters: 'service=dsc' });
  assert.ok(doc.packages.length > 0 && doc.packages.every((p) => p.service === 'dsc'), doc.packages.map((p) => p.service).join());
  await page.locator('#export-scope').selectOption('everything');
  const all = JSON.parse((await download('Export JSON')).text);
  assert.equal(all.scope.what, 'everything');
  assert.ok(all.packages.length > doc.packages.length);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  assert.equal(await page.locator('#export-scope').count(), 0, 'no choice without a filter');
});
