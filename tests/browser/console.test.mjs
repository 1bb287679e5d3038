// The console end to end: real headless Chromium, real proxy in demo mode,
// release build; driven by label and role as a person would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startProxy, startBrowser, openPage } from './harness.mjs';

const SERVICES = {
  testplan: 'CodeArts TestPlan',
  codecheck: 'CodeArts Check',
  metastudio: 'MetaStudio',
  dsc: 'Data Security Center',
  hss: 'Host Security Service',
};
// The demo tenant's ids (proxy/src/demo.rs).
const DEMO_PROJECT_ID = '0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25';
const DEMO_CODEARTS_PROJECT_ID = '5d2f8a1b9c4e4f7a8b3c6e0d1a2f4b97';
const SHOTS = join(ROOT, 'target/screenshots');
let proxy, chrome;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  proxy = await startProxy();
  chrome = await startBrowser();
});
after(async () => {
  await chrome?.close();
  await proxy?.stop();
});

const panel = (page, key) => page.locator(`section.panel[data-service=${key}]`);

async function inspect(page, token = 'demo') {
  await page.getByLabel('IAM token').fill(token);
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
}

async function allReady(page) {
  for (const key of Object.keys(SERVICES)) {
    await panel(page, key).locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  }
}

test('a pasted token fills the form from IAM', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  const line = page.locator('.discovery');
  await line.filter({ hasText: 'Token of demo-operator in account northwind-demo' }).waitFor();
  assert.match(await line.textContent(), /project cn-north-4\. Token valid for \d+ h \d\d min\.$/);
  assert.equal(await page.getByLabel('Project ID').inputValue(), DEMO_PROJECT_ID);
  assert.equal(await page.getByLabel('CodeArts project').inputValue(), DEMO_CODEARTS_PROJECT_ID);
  assert.equal(await page.getByLabel('Region').inputValue(), 'cn-north-4');
  // The account's projects are offered, and the field stays editable.
  const choices = await page.locator('#project-choices option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(choices.length >= 3 && choices.includes(DEMO_PROJECT_ID), choices.join());
  await page.getByLabel('Project ID').fill('typed-by-hand');
  assert.equal(await page.getByLabel('Project ID').inputValue(), 'typed-by-hand');
  assert.deepEqual(problems, []);
});

test('the demo token shows the overview and all five services', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  const pages = { hss: [], metastudio: [] };
  page.on('request', (r) => {
    const m = r.url().match(/\/api\/(hss|metastudio)\/.*[?&]offset=(\d+)/);
    if (m) pages[m[1]].push(Number(m[2]));
  });
  await inspect(page);
  await page.locator('.session-line[data-state=ready]').waitFor();
  assert.match(await page.textContent('.session-line'), /demo-operator @ northwind-demo/);
  assert.match(await page.textContent('.token-life'), /^Token valid for \d+ h \d\d min\.$/);
  await allReady(page);
  for (const [key, title] of Object.entries(SERVICES)) {
    assert.equal(await panel(page, key).locator('h2').textContent(), title);
    assert.ok(await panel(page, key).locator('li.card').count() > 0, `${title} shows no cards`);
  }
  // Paged services are read to the end, every page once; long lists are
  // drawn a window at a time.
  assert.equal(await panel(page, 'hss').locator('.count').textContent(), '420 packages');
  assert.deepEqual(pages.hss.sort((a, b) => a - b), [0, 200, 400]);
  assert.equal(await panel(page, 'metastudio').locator('.count').textContent(), '160 packages');
  assert.deepEqual(pages.metastudio.sort((a, b) => a - b), [0, 100]);
  const hssCards = panel(page, 'hss').locator('li.card');
  assert.equal(await hssCards.count(), 60);
  await panel(page, 'hss').getByRole('button', { name: 'Show 60 more' }).click();
  assert.equal(await hssCards.count(), 120);
  assert.equal(await page.locator('.notice-warn').count(), 0, 'nothing is reported incomplete');

  // The overview counts every package once, by urgency and by status.
  const overview = page.getByRole('region', { name: 'Overview' });
  const figures = await overview.locator('.figure').evaluateAll((fs) =>
    Object.fromEntries(fs.map((f) => [f.dataset.urgency, Number(f.querySelector('.figure-n').textContent)])));
  const counts = await page.locator('.count').allTextContents();
  const total = counts.reduce((sum, t) => sum + Number(t.match(/^(\d+)/)[1]), 0);
  assert.equal(Object.values(figures).reduce((a, b) => a + b, 0), total);
  for (const u of ['expired', 'critical', 'warning', 'ok', 'never']) assert.ok(figures[u] > 0, `no ${u}: ${JSON.stringify(figures)}`);
  // Warnings: expired first, then by date, each with words.
  const urgencies = await overview.locator('table.warnings tbody tr td:first-child').allTextContents();
  assert.ok(urgencies.length > 0);
  assert.equal(urgencies[0], 'Expired');
  const order = ['Expired', 'Expires within 7 days', 'Expires within 30 days'];
  const ranks = urgencies.map((u) => order.indexOf(u));
  assert.ok(ranks.every((r, i) => r >= 0 && (i === 0 || r >= ranks[i - 1])), urgencies.join(' | '));
  assert.match(await overview.locator('table.warnings').textContent(), /expired \d+ days? ago|expired today/);
  assert.match(await overview.locator('table.warnings').textContent(), /expires in \d+ days?/);
  // Charts are images with words, and tables beside them.
  const donut = panel(page, 'hss').getByRole('img', { name: /^Quotas in use: In use \d+, Idle \d+$/ });
  assert.equal(await donut.count(), 1);
  assert.ok(await panel(page, 'metastudio').getByRole('img', { name: /^Usage by resource type: / }).count() === 1);
  assert.ok(await page.getByRole('img', { name: /packages expire in the next 90 days/ }).count() === 1);

  await page.screenshot({ path: join(SHOTS, 'console-demo.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'console-phone.png') });

  // The token is nowhere but in memory.
  assert.ok(!page.url().includes('demo'), 'token in the URL');
  assert.ok(!(await page.title()).includes('demo'), 'token in the title');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('"demo"'), `token in storage: ${stored}`);
  assert.deepEqual(problems, []);
});

test('search, filters and sort narrow the lists and live in the URL hash', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await inspect(page);
  await allReady(page);
  await page.getByLabel('Urgency', { exact: true }).selectOption({ label: 'Expired' });
  const hss = panel(page, 'hss');
  const urgencies = await hss.locator('li.card').evaluateAll((cs) => cs.map((c) => c.dataset.urgency));
  assert.ok(urgencies.length > 0 && urgencies.every((u) => u === 'expired'), urgencies.join());
  assert.match(page.url(), /#urgency=expired$/);

  await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Host Security Service' });
  assert.equal(await page.locator('section.panel').count(), 1, 'the other panels are hidden');
  await page.getByLabel('Sort by').selectOption({ label: 'Name' });
  await page.getByLabel('Search').fill('premium');
  const names = await hss.locator('.card-name').allTextContents();
  assert.ok(names.length > 0 && names.every((n) => /premium/i.test(n)), names.join());
  assert.match(page.url(), /#q=premium&service=hss&urgency=expired&sort=name$/);
  await page.screenshot({ path: join(SHOTS, 'console-filtered.png'), fullPage: true });

  // A bookmark of the view opens it again (the token is asked for anew).
  const { page: again } = await openPage(chrome.browser, page.url());
  assert.equal(await again.getByLabel('Search').inputValue(), 'premium');
  assert.equal(await again.getByLabel('Urgency', { exact: true }).inputValue(), 'expired');
  assert.equal(await again.getByLabel('Sort by').inputValue(), 'name');
  await inspect(again);
  await panel(again, 'hss').locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  assert.equal(await again.locator('section.panel').count(), 1);

  await page.getByRole('button', { name: 'Clear filters' }).click();
  assert.match(page.url(), /#sort=name$/);
  assert.equal(await page.locator('section.panel').count(), 5);
});

test('several tenants open as tabs, each on its own', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await inspect(page);
  await page.locator('.session-line[data-state=ready]').waitFor();
  // A second connection: the same account, a project typed by hand that the
  // demo answers too.
  await page.getByLabel('Project ID').fill('3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03');
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  const tabs = page.getByRole('tab');
  await page.waitForFunction(() => document.querySelectorAll('[role=tab]').length === 2);
  assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');
  await allReady(page);
  assert.match(await page.textContent('.session-line'), /3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03/);
  assert.match(page.url(), /#tab=2$/);
  // The overview adds up both tabs and names the tenant of each warning.
  assert.match(await page.getByRole('region', { name: 'Overview' }).locator('table.warnings').textContent(), / · northwind-demo/);
  await page.screenshot({ path: join(SHOTS, 'console-tabs.png'), fullPage: true });

  await tabs.nth(0).click();
  assert.match(await page.textContent('.session-line'), new RegExp(DEMO_PROJECT_ID));
  await page.getByRole('button', { name: /^Close / }).nth(1).click();
  assert.equal(await tabs.count(), 1);
});

test('a wrong token gets a clear error and loses nothing typed', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await inspect(page, 'MIInot-a-real-token');
  const card = page.locator('.error-card');
  await card.waitFor();
  const text = await card.textContent();
  assert.match(text, /401/);
  assert.match(text, /APIG\.0301/);
  assert.match(text, /get a new project-scoped token/);
  assert.equal(await page.inputValue('#token'), 'MIInot-a-real-token');
  await page.screenshot({ path: join(SHOTS, 'console-bad-token.png'), fullPage: true });
});

test('a token with whitespace is refused before any request', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  let apiCalls = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) apiCalls += 1; });
  await inspect(page, 'MII abc');
  await page.locator('.form-problem').waitFor();
  assert.match(await page.textContent('.form-problem'), /spaces, line breaks or control characters/);
  assert.equal(apiCalls, 0);
});

test('settings: theme, thresholds and a bad proxy URL', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await page.getByText('Settings', { exact: true }).click();
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByLabel('Theme').selectOption('light');
  const light = await bg();
  await page.getByLabel('Theme').selectOption('dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.notEqual(await bg(), light);
  await page.screenshot({ path: join(SHOTS, 'console-settings-dark.png') });

  await page.getByLabel('Critical within (days)').fill('40');
  await page.getByLabel('Critical within (days)').blur();
  assert.match(await page.locator('.settings .form-problem').textContent(), /below the warning threshold/);
  assert.equal(await page.getByLabel('Critical within (days)').inputValue(), '40', 'the typed value is kept');
  await page.getByLabel('Proxy URL').fill('proxy.example.com');
  await page.getByLabel('Proxy URL').blur();
  assert.match(await page.locator('.settings .form-problem').textContent(), /https:\/\/proxy\.example\.com\/api/);
  // Settings persist, the token never.
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => localStorage.getItem('tenantscope.proxy')), '/api');
});

test('remember in this tab keeps the connection in sessionStorage only', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  await inspect(page);
  await page.getByLabel(/Remember in this tab/).check();
  await page.locator('.session-line[data-state=ready]').waitFor();
  assert.ok(await page.evaluate(() => sessionStorage.getItem('tenantscope.session')?.startsWith('demo\t')));
  await page.reload();
  await page.locator('.session-line[data-state=ready]').waitFor();
  await panel(page, 'dsc').locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  assert.ok(!(await page.evaluate(() => JSON.stringify({ ...localStorage }))).includes('demo'));
  // Forget clears it everywhere.
  await page.getByRole('button', { name: 'Forget token' }).click();
  assert.equal(await page.inputValue('#token'), '');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tenantscope.session')), null);
  assert.equal(await page.locator('section.panel').count(), 0);
  await page.locator('.session-line[data-state=idle]').waitFor();
  assert.deepEqual(problems, []);
});
