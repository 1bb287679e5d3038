// Paging through the real proxy to a stub upstream that misbehaves: one HSS
// page throttled once (429) and read after the back-off, one that always
// fails (reported, the other pages kept), and one service failing outright
// without blanking the others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startProxy, startBrowser, openPage, fullShot } from './harness.mjs';

const fixture = (name) => readFileSync(join(ROOT, 'tests/fixtures', name), 'utf8');
const HSS_TOTAL = 450;
const calls = [];
let upstream, proxy, chrome;

function quota(i) {
  return {
    charging_mode: 'packet_cycle', expire_time: Date.UTC(2027, 0, 1 + (i % 300)), host_id: `h-${i}`, host_name: `host-${i}`,
    quota_status: 'normal', resource_id: `quota-${String(i).padStart(4, '0')}`, shared_quota: 'shared', tags: [],
    used_status: i % 3 ? 'used' : 'idle', version: 'hss.version.enterprise',
  };
}

function answer(req, res) {
  const url = new URL(req.url, 'http://stub');
  const offset = Number(url.searchParams.get('offset') ?? 0);
  calls.push(`${url.pathname}@${offset}`);
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `stub-${calls.length}` });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const p = url.pathname;
  if (p === '/v3/auth/tokens') return json(200, fixture('iam.token.json'));
  if (p === '/v4/projects') return json(200, fixture('projectman.projects.json'));
  if (p.endsWith('/package/status')) return json(200, fixture('testplan.doc.json'));
  if (p.endsWith('/tenant-package-status')) return json(200, fixture('codecheck.doc.json'));
  if (p.endsWith('/tenants/resources')) return json(403, { error_code: 'MSS.00000403', error_msg: 'no permission' });
  if (p.includes('/period/product/specification')) return json(200, fixture('dsc.doc.json'));
  if (p.endsWith('/billing/quotas-detail')) {
    if (offset === 400) return json(500, { error_code: 'HSS.0001', error_msg: 'internal error' });
    if (offset === 200 && calls.filter((c) => c.endsWith('@200')).length === 1) {
      return json(429, { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached' });
    }
    const items = Array.from({ length: Math.max(0, Math.min(200, HSS_TOTAL - offset)) }, (_, k) => quota(offset + k));
    return json(200, { data_list: items, total_num: HSS_TOTAL, normal_num: HSS_TOTAL, expired_num: 0, freeze_num: 0,
      used_num: 300, idle_num: 150, packet_cycle_num: HSS_TOTAL, on_demand_num: 0, quota_statistics_list: [] });
  }
  return json(404, { error_code: 'STUB.404', error_msg: `no route ${p}` });
}

before(async () => {
  upstream = createServer(answer);
  await new Promise((ok) => upstream.listen(0, '127.0.0.1', ok));
  proxy = await startProxy(['--upstream-base', `http://127.0.0.1:${upstream.address().port}`], { demo: false });
  chrome = await startBrowser();
});
after(async () => {
  await chrome?.close();
  await proxy?.stop();
  await new Promise((ok) => upstream?.close(ok));
});

test('a throttled page is retried, a failing page is reported, the rest is kept', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await page.fill('#token', 'MIIstub-token');
  const hss = page.locator('section.panel[data-service=hss]');
  // While the throttled page waits out its back-off, the panel says how far it is.
  await hss.locator('.progress', { hasText: /Reading page \d of 3/ }).waitFor({ timeout: 10_000 });
  await hss.locator('[data-state=ready]').waitFor({ timeout: 20_000 }).catch(async (e) => {
    throw new Error(`${e.message}\ncalls: ${calls.join(' ')}\npanel: ${await hss.textContent()}`);
  });

  assert.equal(await hss.locator('.count').textContent(), '400 of 450 shown');
  // Long lists are a table of what was read, drawn a window at a time.
  assert.equal(await hss.locator('table.rows').getAttribute('aria-rowcount'), '401');
  assert.ok(await hss.locator('tr.row').count() < 60);
  const note = await hss.locator('.notice-warn').textContent();
  assert.match(note, /1 page could not be read \(first at offset 400: HTTP 500 HSS\.0001: internal error\)/);
  assert.equal(calls.filter((c) => c.endsWith('quotas-detail@400')).length, 2, 'a failing page is retried once');
  assert.equal(calls.filter((c) => c.endsWith('quotas-detail@200')).length, 2, 'a throttled page is retried after a back-off');
  assert.equal(await hss.locator('.progress').textContent(), '');

  // MetaStudio fails on its own; the others are there.
  const card = page.locator('section.panel[data-service=metastudio] .error-card');
  await card.waitFor({ timeout: 5_000 }).catch(async (e) => {
    throw new Error(`${e.message}\ncalls: ${calls.join(' ')}\npanel: ${await page.locator('section.panel[data-service=metastudio]').innerHTML()}`);
  });
  assert.match(await card.textContent(), /403/);
  for (const key of ['testplan', 'codecheck', 'dsc']) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor();
  }

  // The export says it is incomplete.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const doc = JSON.parse(readFileSync(await file.path(), 'utf8'));
  assert.deepEqual(doc.errors.map((e) => [e.service, e.http_status]), [['metastudio', 403], ['hss', 500]]);
  assert.match(doc.errors[1].error_msg, /^page at offset 400: /);
  assert.equal(doc.packages.filter((p) => p.service === 'hss').length, 400);
  assert.ok(!JSON.stringify(doc).includes('MIIstub-token'));
  await fullShot(page, join(ROOT, 'target/screenshots/paging-failures.png'));
});
