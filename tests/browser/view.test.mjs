// Search, filters and sort, kept in the URL hash; and the settings panel:
// thresholds, theme and auto-refresh, kept in localStorage (never a token).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, editSignIn, fullShot } from './harness.mjs';

const demo = useDemo();
const KEYS = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];

async function openDemo(hash = '') {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url + '/' + hash);
  await page.getByLabel('IAM token').fill('demo');
  // Every panel shown ready (a bookmarked service filter shows one: waiting
  // for the others cost a minute).
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll('section.panel')];
    return panels.length > 0 && panels.every((p) => p.querySelector('[data-state=ready]'));
  }, null, { timeout: 15_000 });
  await billingSettled(page);
  return { page, problems };
}

test('filters narrow the cards, live in the hash and come back from a bookmark', async () => {
  const { page, problems } = await openDemo();
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  const hss = page.locator('section.panel[data-service=hss]');

  // Urgency: only expired cards, in every panel.
  await page.getByLabel('Urgency', { exact: true }).selectOption('expired');
  await page.waitForFunction(() => [...document.querySelectorAll('li.card, tr.row')].every((c) => c.dataset.urgency === 'expired'));
  assert.ok(await page.locator('li.card, tr.row').count() > 0);
  assert.match(await hss.locator('.shown').textContent(), /^\d+ match the filters\.$/);
  assert.match(page.url(), /#urgency=expired$/);

  // Search by a resource ID finds that one card.
  await page.getByLabel('Urgency', { exact: true }).selectOption('');
  const id = await hss.locator('tr.row button[data-copy]').first().getAttribute('data-copy');
  await page.getByLabel('Search', { exact: true }).fill(id);
  await page.waitForFunction(() => document.querySelectorAll('[data-service=hss] li.card').length === 1);
  assert.equal(await hss.locator('.shown').textContent(), '1 match the filters.');
  assert.equal(await page.locator('[data-service=dsc] .shown').textContent(), 'No package matches the filters.');

  // Service: the other panels go.
  await page.getByLabel('Search', { exact: true }).fill('');
  await page.getByLabel('Service', { exact: true }).selectOption('metastudio');
  await page.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await page.locator('section.panel').getAttribute('data-service'), 'metastudio');

  // Sort by name: the rows in name order.
  const names = () => page.locator('[data-service=metastudio] .row-name').allTextContents();
  const byName = (list) => [...list].sort((a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
  assert.notDeepEqual(await names(), byName(await names()), 'already in name order: the test would prove nothing');
  await page.getByLabel('Sort by', { exact: true }).selectOption('name');
  await page.waitForFunction(() => {
    const n = [...document.querySelectorAll('[data-service=metastudio] .row-name')].map((e) => e.textContent.toLowerCase());
    return n.length > 1 && n.every((x, i) => i === 0 || n[i - 1] <= x);
  });
  assert.deepEqual(await names(), byName(await names()));
  assert.match(page.url(), /#service=metastudio&sort=name$/);
  await fullShot(page, join(ROOT, 'target/screenshots/view-filtered.png'));

  // "Clear filters" keeps the sort.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForFunction(() => document.querySelectorAll('section.panel').length === 5);
  assert.match(page.url(), /#sort=name$/);

  // A bookmark opens the same view; the token is never in it.
  const bookmarked = await openDemo('#service=hss&urgency=expired&q=');
  await bookmarked.page.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await bookmarked.page.getByLabel('Service', { exact: true }).inputValue(), 'hss');
  assert.equal(await bookmarked.page.getByLabel('Urgency', { exact: true }).inputValue(), 'expired');
  assert.ok(!bookmarked.page.url().includes('demo'));
  assert.deepEqual([...problems, ...bookmarked.problems], []);
});

test('settings: thresholds change the overview, the theme the page, and both are kept', async () => {
  const { page, problems } = await openDemo();
  await page.locator('.overview').waitFor();
  const figure = (u) => page.locator(`.figure[data-urgency=${u}] .figure-n`).textContent().then(Number);
  const [critical, warning] = [await figure('critical'), await figure('warning')];

  await page.getByText('Settings', { exact: true }).click();
  // Refused as typed, with what to do; nothing changes.
  await page.getByLabel('Critical within (days)').fill('40');
  await page.getByLabel('Critical within (days)').press('Tab');
  await page.locator('.settings .form-problem', { hasText: 'below the warning threshold' }).waitFor();
  assert.equal(await figure('critical'), critical);
  // Widened: more packages count as critical, none are lost.
  await page.getByLabel('Critical within (days)').fill('20');
  await page.getByLabel('Critical within (days)').press('Tab');
  await page.waitForFunction((c) => Number(document.querySelector('.figure[data-urgency=critical] .figure-n').textContent) > c, critical);
  assert.equal(await figure('critical') + await figure('warning'), critical + warning);
  assert.equal(await page.evaluate(() => localStorage.getItem('tenantscope.critical')), '20');

  // Theme: dark, kept over a reload; the page follows.
  await page.getByLabel('Theme').selectOption('dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.screenshot({ path: join(ROOT, 'target/screenshots/console-dark.png'), fullPage: false });
  await page.getByLabel('Auto-refresh').selectOption('15');
  await page.reload();
  await page.waitForSelector('form.session');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.getByText('Settings', { exact: true }).click();
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
  await page.getByLabel('Theme').selectOption('light');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
  assert.equal(await page.getByLabel('Auto-refresh').inputValue(), '15');
  assert.equal(await page.getByLabel('Critical within (days)').inputValue(), '20');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!stored.includes('demo'), stored);
  assert.deepEqual(problems, []);
});

/**
 * A page refreshing every five minutes, on a clock the test can move (five
 * minutes pass in an instant), with the demo's token pasted.
 */
async function autoRefreshing() {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(demo.proxy.url);
  await page.evaluate(() => localStorage.setItem('tenantscope.refresh', '5'));
  await page.reload();
  await page.getByLabel('IAM token').fill('demo');
  return { context, page };
}

test('auto-refresh loads the open tabs again when the interval has passed', async () => {
  const { context, page } = await autoRefreshing();
  for (const key of KEYS) await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  await billingSettled(page);
  const calls = [];
  page.on('request', (r) => { const m = r.url().match(/\/api\/(\w+)\//); if (m) calls.push(m[1]); });
  await page.clock.fastForward('04:00');
  await page.waitForTimeout(500);
  assert.deepEqual(calls, [], 'refreshed before the interval');
  await page.clock.fastForward('01:30');
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50 && !KEYS.every((k) => calls.includes(k)); i++) await page.waitForTimeout(100);
  for (const key of KEYS) assert.ok(calls.includes(key), `${key} not refreshed: ${calls}`);
  // Billing too, once the five have answered again.
  for (let i = 0; i < 50 && !calls.includes('bss'); i++) await page.waitForTimeout(100);
  assert.ok(calls.includes('bss'), `billing not asked again: ${calls}`);
  assert.ok(!calls.includes('iam'), 'the session is not opened again');
  await context.close();
});

test('under All tenants, auto-refresh redraws the rows, not the table: the open card and the keyboard\'s place stay', async () => {
  const { context, page } = await autoRefreshing();
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  await editSignIn(page);
  await page.getByLabel('IAM token').fill('demo-faults');
  await page.locator('.discovery', { hasText: 'Token of demo-operator' }).waitFor();
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 20_000 });
  await billingSettled(page);
  await page.getByRole('tab', { name: 'All tenants' }).click();
  const hss = page.locator('.panels-across section.panel[data-service=hss]');
  await hss.locator('table.rows').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const id = await hss.locator('.row-detail [data-copy]').getAttribute('data-copy');
  await page.evaluate(() => { document.querySelector('.panels-across [data-service=hss] table.rows').dataset.mark = 'drawn once'; });
  const calls = [];
  page.on('request', (r) => { const m = r.url().match(/\/api\/(\w+)\//); if (m) calls.push(m[1]); });
  await page.clock.fastForward('05:30');
  for (let i = 0; i < 100 && calls.filter((c) => c === 'bss').length < 2; i++) await page.waitForTimeout(100);
  assert.ok(calls.filter((c) => c === 'hss').length >= 2, `both tabs' HSS not refreshed: ${calls}`);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => document.querySelector('.panels-across [data-service=hss] table.rows')?.dataset.mark), 'drawn once', 'the table was drawn anew');
  assert.equal(await hss.locator('.row-detail [data-copy]').getAttribute('data-copy'), id, 'the open card was closed');
  assert.ok(await page.evaluate(() => document.activeElement?.matches('.panels-across [data-service=hss] table.rows')), 'the keyboard lost its place');
  await context.close();
});
