// Languages: the console in English, 简体中文 and Português (Brasil), switched
// from the settings without losing anything loaded; dates and numbers follow
// the language; the choice is kept, and the browser's language is the first
// guess. The token appears in no console output along the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, billingSettled } from './harness.mjs';

const demo = useDemo();

async function open(locale) {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 }, locale });
  const page = await context.newPage();
  const said = [];
  page.on('console', (m) => said.push(m.text()));
  page.on('pageerror', (e) => said.push(`pageerror: ${e.message}`));
  await page.goto(demo.proxy.url);
  await page.waitForSelector('form.session button[type=submit]');
  return { page, said };
}

const readyAll = async (page) => {
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  }
  await billingSettled(page);
};

test('switching language redraws every text, date and number, and loads nothing again', async () => {
  const { page, said } = await open('en-US');
  await page.getByLabel('IAM token').fill('demo');
  await readyAll(page);
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) calls.push(r.url()); });
  const firstDate = () => page.locator('table.warnings tbody tr td:nth-child(4)').first().textContent();
  assert.match(await firstDate(), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByRole('heading', { name: '概览' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  // The sign-in, folded into the session line, and its Edit.
  assert.equal(await page.locator('form.session button[type=submit]').textContent(), '查看');
  assert.equal(await page.getByRole('button', { name: '编辑', exact: true }).count(), 1);
  assert.equal(await page.getByLabel('搜索', { exact: true }).count(), 1);
  assert.match(await firstDate(), /^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC$/);
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '480 个套餐');
  assert.match(await page.locator('.token-life').textContent(), /小时/);
  assert.ok(await page.locator('[data-service=hss] tr.row').count() > 10, 'the rows are drawn again');
  assert.equal(await page.locator('[data-service=hss] th.c-expiry').textContent(), '到期时间▲');
  await page.screenshot({ path: join(ROOT, 'target/screenshots/console-zh.png') });

  await page.getByLabel('语言').selectOption('pt-BR');
  await page.getByRole('heading', { name: 'Visão geral' }).waitFor();
  assert.match(await firstDate(), /^\d\d\/\d\d\/\d{4} \d\d:\d\d UTC$/);
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '480 pacotes');
  assert.match(await page.locator('[data-service=testplan] li.card[data-status=active]').first().textContent(), /\d+\.\d{3} \/ \d+\.\d{3}|\d+ \/ \d+/);
  assert.equal(await page.getByRole('button', { name: 'Exportar JSON' }).count(), 1);
  await page.screenshot({ path: join(ROOT, 'target/screenshots/console-pt.png') });
  // Nothing was asked of the services again, and the choice is kept.
  assert.deepEqual(calls, []);
  assert.equal(await page.evaluate(() => localStorage.getItem('tenantscope.lang')), 'pt-BR');
  await page.reload();
  await page.getByRole('button', { name: 'Inspecionar', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Token IAM').count(), 1);

  const errors = said.filter((s) => /error|panic/i.test(s));
  assert.deepEqual(errors, []);
  assert.ok(!said.some((s) => s.includes('demo')), `the token in console output: ${said.join(' | ')}`);
});

test("the browser's language is the first guess; English otherwise", async () => {
  const zh = await open('zh-TW');
  assert.equal(await zh.page.getByRole('button', { name: '查看', exact: true }).count(), 1);
  const de = await open('de-DE');
  assert.equal(await de.page.getByRole('button', { name: 'Inspect', exact: true }).count(), 1);
  const pt = await open('pt-PT');
  assert.equal(await pt.page.getByRole('button', { name: 'Inspecionar', exact: true }).count(), 1);
});

test('only the language shown is fetched; a file that fails leaves the page in English, saying so', async () => {
  const fetched = async (locale, failing) => {
    const context = await demo.chrome.browser.newContext({ locale });
    const page = await context.newPage();
    const files = [];
    page.on('request', (r) => { if (r.url().includes('/lang/')) files.push(new URL(r.url()).pathname); });
    if (failing) await page.route('**/lang/*.json', (route) => route.fulfill({ status: 503, body: 'down' }));
    await page.goto(demo.proxy.url);
    await page.waitForSelector('form.session button[type=submit]');
    return { page, files };
  };
  const en = await fetched('en-GB');
  assert.deepEqual(en.files, [], 'English needs no file');
  const zh = await fetched('zh-CN');
  assert.deepEqual(zh.files, ['/lang/zh-CN.json']);

  const down = await fetched('pt-BR', true);
  assert.equal(await down.page.getByRole('button', { name: 'Inspect', exact: true }).count(), 1);
  assert.equal(await down.page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await down.page.locator('[data-state=texts-error]').textContent(),
    /The Português \(Brasil\) texts could not be fetched from this site \(HTTP 503\), so the page is in English/);
  // Nothing was stored as if chosen, and the page works in English.
  assert.equal(await down.page.evaluate(() => localStorage.getItem('tenantscope.lang')), null);
  await down.page.getByLabel('IAM token').fill('demo');
  await down.page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });

  // Switching to a language whose file fails keeps the page as it was.
  await zh.page.route('**/lang/pt-BR.json', (route) => route.abort());
  await zh.page.getByText('设置', { exact: true }).click();
  await zh.page.getByLabel('语言').selectOption('pt-BR');
  await zh.page.getByText('无法从本站获取该语言的文本。请检查网络连接后重试。').waitFor();
  assert.equal(await zh.page.getByRole('button', { name: '查看', exact: true }).count(), 1);
  assert.equal(await zh.page.evaluate(() => document.documentElement.lang), 'zh-CN');
});
