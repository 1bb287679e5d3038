// The three exports, downloaded from the real console in headless Chromium
// and read back: the JSON schema, the CSV rows, the calendar events, and no
// token in any of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startProxy, startBrowser, openPage } from './harness.mjs';

let proxy, chrome, page;

before(async () => {
  proxy = await startProxy();
  chrome = await startBrowser();
  ({ page } = await openPage(chrome.browser, proxy.url));
  await page.fill('#token', 'demo');
  await page.click('button[type=submit]');
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  }
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

// Every panel's count line ("480 packages"), added up.
const rowCount = async () => (await page.locator('.count').allTextContents())
  .reduce((sum, t) => sum + Number(t.match(/^(\d+) package/)[1]), 0);

const V1 = ['service', 'id', 'name', 'status', 'raw_status', 'used', 'total', 'unit', 'in_use', 'starts_at', 'expires_at', 'urgency'];
const V2 = ['label', 'category', 'enterprise_project', 'host', 'host_id', 'billing_mode', 'lifecycle', 'next_action',
  'next_action_at', 'period', 'source', 'owner_tenant', 'cross_tenant', 'has_license', 'quantity', 'run_time', 'used_unit',
  'shared_quota', 'tags', 'parent', 'renew_url', 'attention'];

test('Export JSON downloads the documented v2 document', async () => {
  const { name, text } = await download('Export JSON');
  assert.match(name, /^tenantscope-\d{8}-\d{6}Z\.json$/);
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc), ['schema', 'generated_at', 'tenant', 'thresholds_days', 'packages', 'attention', 'errors']);
  assert.equal(doc.schema, 'tenantscope.export.v2');
  assert.match(doc.generated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(doc.tenant), ['domain', 'user', 'region', 'project_id', 'codearts_project_id']);
  assert.equal(doc.tenant.region, 'cn-north-4');
  assert.deepEqual(doc.thresholds_days, { critical: 7, warning: 30 });
  assert.equal(doc.packages.length, await rowCount());
  const byService = {};
  for (const p of doc.packages) {
    assert.deepEqual(Object.keys(p), [...V1, ...V2]);
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
  assert.ok(!text.includes('"demo"'), 'the token is in the export');
  await page.getByRole('status').filter({ hasText: 'Exported' }).waitFor();
});

test('Export CSV has a header and one row per package', async () => {
  const { name, text } = await download('Export CSV');
  assert.match(name, /\.csv$/);
  const lines = text.split('\r\n');
  assert.equal(lines[0], [...V1, ...V2].join(','));
  assert.equal(lines.at(-1), '', 'the last record ends in CRLF');
  assert.equal(lines.length - 2, await rowCount());
  assert.ok(!text.includes('demo,') && !text.includes(',demo'), 'the token is in the export');
});

test('Export calendar has an all-day event with a reminder per dated package', async () => {
  const { name, text } = await download('Export calendar');
  assert.match(name, /\.ics$/);
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n'));
  const events = text.match(/BEGIN:VEVENT/g)?.length ?? 0;
  assert.ok(events > 100, `only ${events} events`);
  assert.equal(text.match(/BEGIN:VALARM/g)?.length, events);
  assert.match(text, /DTSTART;VALUE=DATE:\d{8}\r\n/);
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
});
