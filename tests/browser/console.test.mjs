// The console end to end: real headless Chromium, real proxy, release build.
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

test('the demo token shows data from all five services', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  const pages = { hss: [], metastudio: [] };
  page.on('request', (r) => {
    const m = r.url().match(/\/api\/(hss|metastudio)\/.*[?&]offset=(\d+)/);
    if (m) pages[m[1]].push(Number(m[2]));
  });
  await page.fill('#token', 'demo');
  await page.click('button[type=submit]');

  await page.waitForSelector('.session-line[data-state=ready]');
  const session = await page.textContent('.session-line');
  assert.match(session, /cn-north-4/);

  for (const [key, title] of Object.entries(SERVICES)) {
    const panel = page.locator(`section.panel[data-service=${key}]`);
    await panel.locator('[data-state=ready]').waitFor({ timeout: 15_000 });
    assert.equal(await panel.locator('h2').textContent(), title);
    const rows = await panel.locator('li.row').count();
    assert.ok(rows > 0, `${title} shows no rows`);
  }
  // Paged services are read to the end: every page once, rows for all.
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '420 packages');
  assert.equal(await page.locator('[data-service=hss] li.row').count(), 420);
  assert.deepEqual(pages.hss.sort((a, b) => a - b), [0, 200, 400]);
  assert.equal(await page.locator('[data-service=metastudio] .count').textContent(), '160 packages');
  assert.equal(await page.locator('[data-service=metastudio] li.row').count(), 160);
  assert.deepEqual(pages.metastudio.sort((a, b) => a - b), [0, 100]);
  assert.equal(await page.locator('.notice-warn').count(), 0, 'nothing is reported incomplete');
  assert.equal(await page.locator('.progress').evaluateAll((els) => els.map((e) => e.textContent).join('')), '');

  await page.screenshot({ path: join(SHOTS, 'console-demo.png'), fullPage: true });

  // The token is nowhere but in memory.
  assert.ok(!page.url().includes('demo'), 'token in the URL');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('"demo"'), `token in storage: ${stored}`);
  assert.deepEqual(problems, []);
});

test('a wrong token gets a clear error and loses nothing typed', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await page.fill('#token', 'MIInot-a-real-token');
  await page.click('button[type=submit]');
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
  await page.fill('#token', 'MII abc');
  await page.click('button[type=submit]');
  await page.locator('.form-problem').waitFor();
  assert.match(await page.textContent('.form-problem'), /spaces, line breaks or control characters/);
  assert.equal(apiCalls, 0);
});

test('forget token clears the field and the panels', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  await page.fill('#token', 'demo');
  await page.click('button[type=submit]');
  await page.locator('[data-service=dsc] [data-state=ready]').waitFor();
  await page.click('text=Forget token');
  assert.equal(await page.inputValue('#token'), '');
  await page.locator('[data-service=dsc] [data-state=idle]').waitFor();
});
