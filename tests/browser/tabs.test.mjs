// Several tenants as tabs, and "Remember in this tab": each tab loads and
// fails on its own, the overview spans them, closing one drops it, and the
// token is kept in sessionStorage only when asked (never localStorage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, editSignIn, fullShot } from './harness.mjs';

const demo = useDemo();
const ready = (page, key) => page.locator(`section.panel[data-service=${key}] [data-state=ready]`);

test('two tenants in two tabs load, switch, span the overview and close on their own', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  await ready(page, 'hss').waitFor({ timeout: 15_000 });
  // One tab: no tab bar.
  assert.equal(await page.getByRole('tablist').count(), 0);
  const single = Number((await page.locator('.overview > p.muted').textContent()).match(/^(\d+) packages/)[1]);

  // A second token beside it: pasting with a tab open only looks it up.
  await editSignIn(page);
  await page.getByLabel('IAM token').fill('demo-faults');
  await page.locator('.discovery', { hasText: 'Token of demo-operator' }).waitFor();
  assert.equal(await page.getByRole('tab').count(), 0, 'a paste opened a tab');
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  // The tenants' tabs ("All tenants" comes first).
  const tabs = page.locator('[role=tab]:not(#tab-all)');
  await page.getByRole('tablist', { name: 'Open tenants' }).waitFor();
  assert.equal(await tabs.count(), 2);
  assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');
  // Named by who and where once the session is known.
  await page.getByRole('tab', { name: /^2\. northwind-demo · cn-north-4$/ }).waitFor();
  // The new tab shows its own failures; the first tab's data is untouched.
  await page.locator('section.panel[data-service=dsc] .error-card').waitFor({ timeout: 15_000 });
  await ready(page, 'hss').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '280 of 480 shown');
  assert.match(page.url(), /#tab=2$/);
  // Each tab has its own overview: the second tab's counts only its own.
  const overviewTotal = () => page.locator('.overview > p.muted').textContent().then((t) => Number(t.match(/^(\d+)/)[1]));
  const second = await overviewTotal();
  assert.ok(second < 2 * single, `the overview sums both tabs: ${second}`);
  // "All tenants": the overview spans both tabs and says whose each warning
  // is. Both tokens are of one account (northwind-demo): every package of
  // tab 2 is one of tab 1's, counted once and naming both tabs.
  const both = '1. northwind-demo · cn-north-4, 2. northwind-demo · cn-north-4';
  await page.getByRole('tab', { name: 'All tenants' }).click();
  await page.waitForFunction((n) => Number(document.querySelector('.overview > p.muted')?.textContent.match(/^(\d+)/)?.[1]) > n, second);
  assert.equal(await overviewTotal(), single, 'a package both tabs read is counted once');
  assert.match(page.url(), /#tab=all$/);
  const places = await page.locator('table.warnings tbody tr').allTextContents();
  assert.ok(places.some((r) => r.includes('1. northwind-demo') && !r.includes('2. northwind-demo')), 'no warning from tab 1 alone');
  assert.ok(places.some((r) => r.includes(both)), 'no warning naming both tabs');
  // Its panels span the tabs: one table per service, the tabs in its first
  // column (tab 2's 280 HSS quotas are 280 of tab 1's 480: one row each,
  // naming both tabs), and the tabs left out (tab 2's DSC failed, its HSS
  // in part) named above it.
  assert.equal(await page.locator('.tenant').count(), 0, "a tab's own panels under All tenants");
  const hss = page.locator('.panels-across section.panel[data-service=hss]');
  assert.equal(await hss.locator('.count').textContent(), '480 packages across the tabs');
  assert.equal(await hss.locator('table.rows').getAttribute('aria-rowcount'), String(480 + 1));
  assert.equal(await hss.locator('thead th').first().textContent(), 'Tenant');
  assert.match(await hss.locator('[data-state=left-out]').textContent(), /2\. northwind-demo · cn-north-4 \(incomplete\)/);
  assert.match(await page.locator('.panels-across [data-service=dsc] [data-state=left-out]').textContent(), /2\. northwind-demo · cn-north-4 \(failed/);
  // The Tenant header sorts by tab, either way: tab 1's alone, then those
  // tabs 1 and 2 both read; the other way round, those first.
  await hss.getByRole('button', { name: 'Tenant' }).click();
  await hss.getByRole('button', { name: 'Tenant' }).click();
  await page.waitForFunction(() => document.querySelector('.panels-across [data-service=hss] th.c-tenant')?.getAttribute('aria-sort') === 'descending');
  assert.equal(await hss.locator('tr.row td.c-tenant .tenant-full').first().textContent(), both);
  await fullShot(page, join(ROOT, 'target/screenshots/tabs-two-tenants.png'));
  // The tenant filter narrows the overview and the tables to one tab, and is in the hash.
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: '2. northwind-demo · cn-north-4' });
  await page.waitForFunction((n) => Number(document.querySelector('.overview > p.muted')?.textContent.match(/^(\d+)/)?.[1]) === n, second);
  assert.match(page.url(), /#tab=all&tenant=2$/);
  assert.equal(await hss.locator('table.rows').getAttribute('aria-rowcount'), '281');
  assert.deepEqual([...new Set(await hss.locator('tr.row td.c-tenant .tenant-full').allTextContents())], [both], 'every quota of tab 2 is one of tab 1\'s');
  // A warning row shows its package in the table across tabs, narrowed to its tab.
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'All' });
  const row = page.locator('table.warnings tbody tr', { hasText: '1. northwind-demo' }).filter({ hasText: 'Host Security Service' }).filter({ hasNotText: '2. northwind-demo' }).first();
  await row.locator('button[data-filter=package]').click();
  await page.waitForFunction(() => /tab=all&tenant=1&/.test(location.hash) && /service=hss/.test(location.hash));
  await hss.locator('tr.row').first().waitFor();
  const owners = await hss.locator('tr.row td.c-tenant .tenant-full').allTextContents();
  assert.ok(owners.every((o) => o.startsWith('1. northwind-demo · cn-north-4')), `a row of tab 2 alone after a warning of tab 1: ${owners}`);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  assert.match(page.url(), /#tab=all$/, 'clearing the filters keeps All tenants');
  await page.getByRole('tab', { name: /^2\. northwind-demo/ }).click();

  // Back to the first: its panels, loaded once, with nothing asked again.
  await billingSettled(page);
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) calls.push(r.url()); });
  await tabs.nth(0).click();
  assert.equal(await tabs.nth(0).getAttribute('aria-selected'), 'true');
  await ready(page, 'dsc').waitFor();
  assert.equal(await page.locator('section.panel .error-card').count(), 0);
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '480 packages');
  assert.deepEqual(calls, []);

  // Closing the first (Delete on its tab; the × is the mouse's) leaves the
  // second, now first and open.
  assert.equal(await page.locator('.tab-close[title="Close 1. northwind-demo · cn-north-4"]').count(), 1);
  await page.getByRole('tab', { name: '1. northwind-demo · cn-north-4' }).press('Delete');
  assert.equal(await page.getByRole('tab').count(), 0, 'one tab left: no tab bar');
  await page.locator('section.panel[data-service=dsc] .error-card').waitFor();
  const after = Number((await page.locator('.overview > p.muted').textContent()).match(/^(\d+) packages/)[1]);
  assert.ok(after < single + 220, `the closed tab still counts: ${after}`);
  assert.ok(!page.url().includes('tab='), page.url());
  // Forget closes everything.
  await editSignIn(page);
  await page.getByRole('button', { name: 'Forget token' }).click();
  await page.locator('.welcome[data-state=idle]').waitFor();
  assert.equal(await page.locator('section.panel').count(), 0);
  assert.deepEqual(problems.filter((p) => !/40[34]|429/.test(p)), []);
});

test('Inspect again with the same connection loads the tab again in place; another replaces it', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) await ready(page, key).waitFor({ timeout: 15_000 });
  await billingSettled(page);
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) calls.push(new URL(r.url()).pathname); });
  // The form shows what the session found: Inspect loads the same again,
  // as Refresh does (a press always has a result), in the same tab.
  await editSignIn(page);
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('section.panel [data-state=ready]').length === 5, null, { timeout: 15_000 });
  await page.waitForTimeout(300);
  assert.ok(calls.some((c) => c.includes('/hss/')), calls.join());
  assert.ok(!calls.some((c) => c.includes('/auth/tokens')), 'the session was started anew');
  assert.equal(await page.getByRole('tab').count(), 0);
  assert.equal(await page.locator('#token').isVisible(), false, 'the form stays open');
  // Another project: the tab is replaced (no second tab).
  await editSignIn(page);
  await page.getByLabel('Project ID').fill('another-project');
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.locator('.session-line', { hasText: 'another-project' }).waitFor();
  assert.equal(await page.getByRole('tab').count(), 0);
});

test('"Remember in this tab" keeps the tabs over a reload, in sessionStorage only', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  await ready(page, 'dsc').waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'kept without being asked');
  await editSignIn(page);
  await page.getByLabel(/Remember in this tab/).check();
  await page.waitForFunction(() => sessionStorage.getItem('tenantscope.session') !== null);
  await page.reload();
  await ready(page, 'dsc').waitFor({ timeout: 15_000 });
  assert.match(await page.textContent('.session-line'), /demo-operator @ northwind-demo/);
  assert.equal(await page.getByLabel(/Remember in this tab/).isChecked(), true);
  // Never in localStorage, the URL or the title.
  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!local.includes('demo'), local);
  assert.ok(!page.url().includes('demo') && !(await page.title()).includes('demo'));
  // Unticked, it is gone at once.
  await editSignIn(page);
  await page.getByLabel(/Remember in this tab/).uncheck();
  await page.waitForFunction(() => sessionStorage.getItem('tenantscope.session') === null);
  await page.reload();
  await page.locator('.welcome[data-state=idle]').waitFor();
  assert.deepEqual(problems, []);
});
