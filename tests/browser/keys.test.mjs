// Access keys (issue 17): the sign-in beside the token, every call signed in
// the browser and verified by the demo tenant as Huawei Cloud's gateway
// verifies it; every project of the account opened as a tab, All regions
// across them (Region column, filter, export); the errors of a wrong secret,
// an unknown key and a key ID that is a secret; a clock off by minutes; and
// the secret key in no request, storage, console output, export or page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, editSignIn } from './harness.mjs';

const demo = useDemo();
const KEY_ID = 'DEMOACCESSKEYID00000';
const SECRET = 'demo-secret-access-key';
const SERVICES = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
// The demo account's projects, in IAM's order, and the services not offered
// in each region (the catalogue's offered_in).
const PROJECTS = [
  ['cn-north-4', []],
  ['cn-east-3', []],
  ['ap-southeast-3', ['metastudio']],
  ['ap-southeast-1', ['testplan', 'codecheck', 'metastudio']],
  ['cn-north-4', []], // cn-north-4_finance, a subproject
];
// The tabs' names: a subproject by its own.
const LABELS = ['1. cn-north-4', '2. cn-east-3', '3. ap-southeast-3', '4. ap-southeast-1', '5. cn-north-4_finance'];

/** A page that records every request (URL, headers, body) and console line. */
async function keysPage({ clockOffsetMs = 0 } = {}) {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  if (clockOffsetMs) {
    // The browser's clock off by minutes; the page loads again under it.
    await page.addInitScript((offset) => {
      const RealDate = Date;
      const now = () => RealDate.now() + offset;
      globalThis.Date = class extends RealDate {
        constructor(...args) { super(...(args.length ? args : [now()])); }
        static now() { return now(); }
      };
    }, clockOffsetMs);
    await page.reload();
    await page.waitForSelector('form.session button[type=submit]');
  }
  const sent = [];
  page.on('request', (r) => sent.push(`${r.method()} ${r.url()}\n${JSON.stringify(r.headers())}\n${r.postData() ?? ''}`));
  // Signed calls in flight at once, at most (core/src/api.rs SIGNED_IN_FLIGHT).
  const flight = { now: 0, max: 0 };
  const signedCall = (r) => /\/api\/(iam|testplan|codecheck|metastudio|dsc|hss)\//.test(r.url());
  page.on('request', (r) => { if (signedCall(r)) flight.max = Math.max(flight.max, ++flight.now); });
  for (const done of ['requestfinished', 'requestfailed']) page.on(done, (r) => { if (signedCall(r)) flight.now--; });
  const said = [];
  page.on('console', (m) => said.push(m.text()));
  return { page, problems, sent, said, flight };
}

async function signIn(page, keyId, secret, token = '') {
  await page.getByRole('button', { name: 'Access keys' }).click();
  await page.getByLabel('Access key ID').fill(keyId);
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByLabel('Security token (temporary keys only)').fill(token);
  await page.getByRole('button', { name: 'Inspect all regions' }).click();
}

const status = (page) => page.locator('#keys-status');
// A recorded request's method and URL, without its headers.
const firstLine = (call) => call.split('\n')[0];

test('demo keys open every project of the account, each panel in every region, and All regions across them', async () => {
  const { page, problems, sent, said, flight } = await keysPage();
  await page.getByLabel('Remember in this tab (kept in sessionStorage until the tab closes)').check();
  await signIn(page, KEY_ID, SECRET);
  await page.waitForFunction(() => /Signed in/.test(document.querySelector('#keys-status')?.textContent));
  assert.equal(await status(page).textContent(), `Signed in with ${KEY_ID}: 5 projects opened, one tab each.`);
  // The secret is not kept in the form once in use.
  assert.equal(await page.getByLabel('Secret access key').inputValue(), '');
  assert.equal(await page.getByLabel('Secret access key').getAttribute('type'), 'password');

  // One tab per project, the view across them named All regions.
  await page.getByRole('tab', { name: 'All regions' }).waitFor();
  assert.match(page.url(), /#tab=all$/);
  const tabs = page.locator('[role=tab]:not(#tab-all)');
  assert.equal(await tabs.count(), PROJECTS.length);
  for (const label of LABELS) await page.getByRole('tab', { name: label, exact: true }).waitFor();

  // Each tab: every service offered in its region is read (signed), the
  // others are said not offered, without a request.
  const perTab = PROJECTS.map(() => Object.fromEntries(SERVICES.map((s) => [s, 0])));
  for (const [i, [region, absent]] of PROJECTS.entries()) {
    await tabs.nth(i).click();
    for (const key of SERVICES) {
      const panel = page.locator(`.tenant section.panel[data-service=${key}]`);
      if (absent.includes(key)) {
        assert.equal(await panel.locator('[data-state=not-offered]').textContent({ timeout: 15_000 }), `Not offered in ${region}.`);
      } else {
        await panel.locator('[data-state=ready]').waitFor({ timeout: 20_000 });
        assert.equal(await panel.locator('.error-card').count(), 0, `${region} ${key} failed`);
        perTab[i][key] = Number((await panel.locator('.count').textContent()).match(/^(\d+)/)[1]);
      }
    }
  }
  // Regions where a service is not offered were never asked.
  for (const [region, absent] of PROJECTS) {
    for (const key of absent) {
      assert.ok(!sent.some((r) => r.includes(`/api/${key}/${region}/`)), `${key} asked in ${region}`);
    }
  }

  // Across the tabs each package counts once (one account: the keys'):
  // TestPlan and Check answer per account, so every tab that reads them
  // reads the same packages; the subproject cn-north-4_finance reads
  // cn-north-4's (the demo answers a project of the region as the region's).
  const counts = {};
  for (const key of SERVICES) {
    const read = perTab.map((t) => t[key]);
    if (key === 'testplan' || key === 'codecheck') {
      assert.ok(read.every((n) => n === 0 || n === read[0]), `${key}: ${read}`);
      counts[key] = read[0];
    } else {
      assert.equal(read[4], read[0], `${key}: the subproject reads its region's`);
      counts[key] = read.slice(0, 4).reduce((a, b) => a + b, 0);
    }
  }

  // All regions: every tab's packages in one table per service, with the
  // tab and its region, and the services not offered named above.
  await page.getByRole('tab', { name: 'All regions' }).click();
  const hss = page.locator('.panels-across section.panel[data-service=hss]');
  await page.waitForFunction((n) => document.querySelector('.panels-across [data-service=hss] .count')?.textContent === `${n} packages across the tabs`, counts.hss);
  for (const key of SERVICES) {
    assert.equal(await page.locator(`.panels-across [data-service=${key}] .count`).textContent(), `${counts[key]} packages across the tabs`, key);
  }
  assert.deepEqual((await hss.locator('thead th').allTextContents()).slice(0, 2), ['Tenant', 'Region']);
  const regionsShown = new Set(await hss.locator('tbody td.c-region').allTextContents());
  assert.ok(regionsShown.has('ap-southeast-1') && regionsShown.has('cn-east-3'), [...regionsShown].join());
  assert.match(await page.locator('.panels-across [data-service=testplan] [data-state=left-out]').textContent(), /4\. ap-southeast-1 \(not offered in ap-southeast-1\)/);
  await page.screenshot({ path: join(ROOT, 'target/screenshots/keys-all-regions.png') });
  await hss.screenshot({ path: join(ROOT, 'target/screenshots/keys-hss-across.png') });

  // The Region filter narrows every table and the overview to one region.
  await page.locator('#filter-region').selectOption('ap-southeast-1');
  assert.match(page.url(), /region=ap-southeast-1/);
  await page.locator('.panels-across [data-service=testplan] [data-emptied]').waitFor();
  const onlySingapore = new Set(await hss.locator('tbody td.c-region').allTextContents());
  assert.deepEqual([...onlySingapore], ['ap-southeast-1']);
  await page.screenshot({ path: join(ROOT, 'target/screenshots/keys-region-filter.png') });

  // The export across the tabs names each package's region.
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('.all-tenants-note + .export-bar').getByRole('button', { name: 'Export JSON' }).click()]);
  const doc = JSON.parse(readFileSync(await file.path(), 'utf8'));
  assert.equal(doc.scope.filters, 'tab=all&region=ap-southeast-1');
  assert.ok(doc.packages.length > 0 && doc.packages.every((p) => p.region === 'ap-southeast-1'));
  assert.ok(doc.packages.every((p) => p.seen_in.length === 1 && p.seen_in[0] === '4. ap-southeast-1'), 'named by its tab');
  await page.locator('#filter-region').selectOption('');
  await page.locator('.all-tenants-note + .export-bar #export-scope').waitFor({ state: 'detached' });
  const [all] = await Promise.all([page.waitForEvent('download'), page.locator('.all-tenants-note + .export-bar').getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await all.path(), 'utf8');
  const total = SERVICES.reduce((n, s) => n + counts[s], 0);
  assert.equal(csv.trim().split('\r\n').length, total + 1, 'every package of every region');
  for (const region of ['cn-north-4', 'cn-east-3', 'ap-southeast-3', 'ap-southeast-1']) assert.ok(csv.includes(`,${region},`), region);
  // A TestPlan package is one row naming the four tabs that read it.
  const testplan = csv.split('\r\n').filter((l) => l.startsWith('CodeArts TestPlan,'));
  assert.equal(testplan.length, counts.testplan);
  assert.ok(testplan.every((l) => l.includes(',1. cn-north-4; 2. cn-east-3; 3. ap-southeast-3; 5. cn-north-4_finance,')), testplan[0]);
  // The key ID identifies the sign-in in memory only.
  assert.ok(!csv.includes(KEY_ID) && !JSON.stringify(doc).includes(KEY_ID), 'the access key ID in an export');

  // The account's projects are the choices: one of them, with the keys
  // held (no secret typed again), then all again.
  await editSignIn(page);
  const projects = page.locator('#keys-project');
  assert.deepEqual(await projects.locator('option').allTextContents(), ['All regions (5 projects)', 'CN North-Beijing4 (cn-north-4)',
    'CN East-Shanghai1 (cn-east-3)', 'AP-Singapore (ap-southeast-3)', 'CN-Hong Kong (ap-southeast-1)', 'cn-north-4_finance']);
  await projects.selectOption({ label: 'CN-Hong Kong (ap-southeast-1)' });
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('[role=tab]').length === 0);
  assert.equal(await status(page).textContent(), `Signed in with ${KEY_ID}: ap-southeast-1 opened.`);
  await page.locator('.tenant section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('.tenant section.panel[data-service=testplan] [data-state=not-offered]').count(), 1);
  await editSignIn(page);
  await projects.selectOption('');
  await page.getByRole('button', { name: 'Inspect all regions' }).click();
  await page.getByRole('tab', { name: 'All regions' }).waitFor();
  assert.equal(await tabs.count(), PROJECTS.length);

  // The regions load in parallel, under one cap for the sign-in.
  assert.ok(flight.max > 1 && flight.max <= 12, `signed calls in flight at once: ${flight.max}`);

  // The secret key went nowhere: not in a request, storage, the console,
  // an export or the page.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  const html = await page.content();
  for (const [where, text] of [['a request', sent.join('\n')], ['storage', stored], ['the console', said.join('\n')],
    ['an export', JSON.stringify(doc) + csv], ['the page', html], ['the URL', page.url()]]) {
    assert.ok(!text.includes(SECRET), `the secret key in ${where}`);
  }
  // Keys are not remembered, not even with "Remember in this tab".
  assert.ok(!stored.includes(KEY_ID), 'the access key ID stored');
  // Every call to the services was signed, none with a token.
  // (The proxy's own /api/about and /api/offered take no credentials.)
  const calls = sent.filter((r) => /\/api\/(iam|testplan|codecheck|metastudio|dsc|hss)\//.test(r));
  assert.ok(calls.length > 10 && calls.some((r) => r.includes('/api/iam/')), calls.length);
  // A failure names the call by its first line only: no signed header in a
  // test's output.
  for (const call of calls) {
    assert.ok(/"authorization":"SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000, SignedHeaders=(x-project-id;)?x-sdk-date, Signature=[0-9a-f]{64}"/.test(call), firstLine(call));
    assert.ok(!call.includes('x-auth-token'), firstLine(call));
  }
  // Billing of a region outside China asks the international site first,
  // which does not know the demo account (401), then the mainland's.
  assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);

  // Forget keys closes every tab signed with them and empties the form.
  await editSignIn(page);
  await page.getByRole('button', { name: 'Forget keys' }).click();
  assert.equal(await page.locator('[role=tab]').count(), 0);
  assert.equal(await page.getByLabel('Access key ID').inputValue(), '');
});

test('temporary keys sign with their security token; a wrong secret, an unknown key and a secret as key ID are refused, saying what to do', async () => {
  const { page, sent } = await keysPage();
  // A wrong secret: the gateway's 0303, the hint names the secret and the
  // clock; nothing opens and what was typed stays.
  await signIn(page, KEY_ID, 'not-the-secret');
  await page.locator('#keys-status[data-failed]').waitFor();
  assert.match(await status(page).textContent(),
    /^The access keys could not sign in: HTTP 401 APIGW\.0303: .*The signature was refused: check that the secret access key belongs to this key ID, and that this computer's clock is right\.$/);
  assert.equal(await page.locator('[role=tab]').count(), 0);
  assert.equal(await page.getByLabel('Access key ID').inputValue(), KEY_ID);
  await page.screenshot({ path: join(ROOT, 'target/screenshots/keys-wrong-secret.png') });

  // A key the gateway does not know.
  await signIn(page, 'UNKNOWNKEYID00000000', SECRET);
  await page.waitForFunction(() => /APIGW\.0301/.test(document.querySelector('#keys-status')?.textContent));
  assert.match(await status(page).textContent(), /The access key ID is not known \(or was deleted\)/);

  // A secret pasted as the key ID is not sent anywhere.
  const before = sent.length;
  await signIn(page, 'Fq1ahMsgAeCjeNwsmtJZmYIPk8wkeZzoKjhYdR2J', SECRET);
  assert.match(await page.locator('.session-keys .form-problem').textContent(), /That looks like a secret access key/);
  assert.equal(sent.length, before, 'a request was made');

  // Temporary keys: the security token is signed and sent (never stored).
  // One region's HSS failing (a 503 from its gateway) blanks no other.
  await page.route('**/api/hss/cn-east-3/**', (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error_code: 'APIGW.0503', error_msg: 'Service unavailable', request_id: 'r-east' }) }));
  await signIn(page, 'DEMOTEMPACCESSKEY000', 'demo-temporary-secret', 'demo-security-token');
  await page.waitForFunction(() => /Signed in/.test(document.querySelector('#keys-status')?.textContent));
  await page.locator('.panels-across section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => /2\. cn-east-3 \(failed/.test(document.querySelector('.panels-across [data-service=hss] [data-state=left-out]')?.textContent));
  const regions = new Set(await page.locator('.panels-across [data-service=hss] tbody td.c-region').allTextContents());
  assert.ok(!regions.has('cn-east-3') && regions.has('cn-north-4') && regions.has('ap-southeast-1'), [...regions].join());
  assert.match(await page.locator('.overview [data-state=left-out]').textContent(), /cn-east-3 \(failed/);
  await page.getByRole('tab', { name: '2. cn-east-3', exact: true }).click();
  await page.locator('.tenant section.panel[data-service=hss] .error-card').waitFor();
  await page.locator('.tenant section.panel[data-service=dsc] [data-state=ready]').waitFor();
  const signed = sent.filter((r) => r.includes('/api/hss/'));
  assert.ok(signed.length > 0 && signed.every((r) => r.includes('SignedHeaders=x-project-id;x-sdk-date;x-security-token')), firstLine(signed[0] ?? ''));
  assert.equal(await page.getByLabel('Security token (temporary keys only)').inputValue(), '');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('demo-security-token') && !stored.includes('demo-temporary-secret'));
});

test("a clock 20 minutes ahead is corrected from the proxy's Date, and said", async () => {
  const { page, problems } = await keysPage({ clockOffsetMs: 20 * 60_000 });
  await signIn(page, KEY_ID, SECRET);
  await page.waitForFunction(() => /Signed in/.test(document.querySelector('#keys-status')?.textContent));
  assert.match(await status(page).textContent(),
    /This computer's clock is 20 min ahead: calls are signed with the corrected time, but set the clock right\.$/);
  // Every region's calls are signed with the corrected time.
  await page.locator('.panels-across section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('.error-card').count(), 0);
  // The first call was refused (its date 20 minutes off) and signed again;
  // the browser logs that one 401.
  assert.ok(problems.every((p) => /status of 401/.test(p)), problems.join('\n'));
  await page.screenshot({ path: join(ROOT, 'target/screenshots/keys-clock.png') });
});
