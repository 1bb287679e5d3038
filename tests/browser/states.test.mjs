// The demo tenant's states that issue 13 reads right, on the page: HSS in
// two enterprise projects (and the default-only fallback), CodeArts Check's
// countdown in effect and in the grace period, the free edition, every
// other resource on its own, TestPlan "failed", DSC units and periods,
// MetaStudio sub-resources, frozen packages in the warnings, what the
// overview leaves out, and a refresh that fails keeping what was loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, editSignIn, fullShot } from './harness.mjs';

const demo = useDemo();
const panel = (page, key) => page.locator(`section.panel[data-service=${key}]`);
const ready = (page, key) => panel(page, key).locator('[data-state=ready]');
const shot = (page, name) => fullShot(page, join(ROOT, `target/screenshots/${name}.png`));
const MOBILE_APP = '9a4e2c7f0d1b48e6a5c3f7b2d0e8a146';
const OPS_BOARD = 'c0f7b3e9a25d4c18b6e4a0d9f3c7e251';

async function inspect(page, token) {
  await page.getByLabel('IAM token').fill(token);
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) {
    await panel(page, key).locator('[data-state=ready], [data-state=error]').first().waitFor({ timeout: 20_000 });
  }
}

test('the demo tenant: enterprise projects, the Check countdown, units, names and frozen packages', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await inspect(page, 'demo');
  // HSS: every enterprise project is read, and one can be picked.
  const hss = panel(page, 'hss');
  assert.equal(await hss.locator('.count').textContent(), '480 packages');
  assert.equal(await hss.locator('[data-scope=default-only]').count(), 0);
  await hss.locator('details.groups-drawer summary').click();
  assert.match(await hss.locator('table.groups').textContent(), /finance/);
  await page.getByLabel('Enterprise project').selectOption('finance');
  await page.waitForFunction(() => document.querySelector('[data-service=hss] .shown')?.textContent === '60 match the filters.');
  assert.match(page.url(), /ep=finance/);
  // A row opens its card, which names the enterprise project.
  await hss.locator('tr.row').first().click();
  assert.match(await hss.locator('.row-detail li.card').textContent(), /enterprise project finance/);
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // CodeArts Check in effect: the countdown is the expiry, and it turns pay-per-use.
  const check = panel(page, 'codecheck');
  const combo = check.locator('li.card', { hasText: 'CodeArts Enterprise' });
  // Check's countdown of 25 is a date, the end of that day in Beijing time;
  // as every date, a part of a day counts as a day.
  assert.match(await combo.textContent(), /Next: turns pay-per-use in 26 days/);
  assert.match(await combo.textContent(), /codearts\.china\.enterprise/, 'the code beneath the readable name');
  assert.match(await combo.textContent(), /Quantity bought: 20/);
  const renew = combo.getByRole('link', { name: 'Renew' });
  assert.equal(await renew.getAttribute('rel'), 'noopener noreferrer');
  assert.match(await renew.getAttribute('href'), /^https:\/\/account\.huawei\.com\//);
  // Two concurrency packs of one spec code stay two, each with its amount.
  const packs = check.locator('li.card', { hasText: 'Check concurrency extension' });
  assert.equal(await packs.count(), 2);
  assert.deepEqual((await packs.allTextContents()).map((t) => t.match(/Quantity bought: (\d+)/)[1]).sort(), ['2', '5']);

  // DSC: sizes with their units, periods, names.
  const dsc = panel(page, 'dsc');
  assert.match(await dsc.textContent(), /ordered for 1 year/);
  assert.match(await dsc.textContent(), /ordered for 6 months/);
  assert.match(await dsc.textContent(), /380\.50 \/ 1,024 GB/);
  assert.match(await dsc.textContent(), /DSC Database Expansion Package/);

  // MetaStudio: sub-resources are rows of their own; bars carry their unit.
  const meta = panel(page, 'metastudio');
  assert.match(await meta.locator('.charts').textContent(), /Flexus: voice cloning/);
  assert.match(await meta.locator('.charts').textContent(), /\(min\)/);

  // Frozen packages need attention whatever their date, counted apart.
  const frozen = page.locator('.figure[data-attention=frozen-or-closed] .figure-n');
  assert.ok(Number(await frozen.textContent()) > 0);
  assert.ok((await page.locator('table.warnings').allTextContents()).join(' ').includes('Frozen: cannot be used'));
  await shot(page, 'states-demo');
  assert.deepEqual(problems, []);
});

test('Check in its grace period and the free edition, by CodeArts project', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  await ready(page, 'codecheck').waitFor({ timeout: 15_000 });
  await editSignIn(page);
  await page.getByLabel('CodeArts project').fill(MOBILE_APP);
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  await page.getByRole('tablist', { name: 'Open tenants' }).waitFor();
  await ready(page, 'codecheck').waitFor({ timeout: 15_000 });
  // The new tab's card (until its view is drawn, the first tab's panels,
  // where CodeArts Enterprise is not in its grace period, may still show).
  const grace = panel(page, 'codecheck').locator('li.card', { hasText: 'CodeArts Enterprise' }).filter({ hasText: 'Grace period' });
  await grace.waitFor({ timeout: 15_000 });
  assert.equal(await grace.getAttribute('data-urgency'), 'expired', 'in the grace period it has expired already');
  assert.match(await grace.textContent(), /Grace period/);
  assert.match(await grace.textContent(), /Next: frozen in 13 days/);
  // Billing's date of a package in its grace period is its deletion.
  await grace.locator('.card-renewal').waitFor({ timeout: 15_000 });
  assert.match(await grace.textContent(), /Billing: is deleted on \d{4}-\d\d-\d\d/);
  await shot(page, 'states-check-grace');

  await editSignIn(page);
  await page.getByLabel('CodeArts project').fill(OPS_BOARD);
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  await page.getByRole('tab').nth(3).waitFor(); // "All tenants", then three tenants
  // One account and region in three tabs: their CodeArts project, by name
  // where the form knew it, tells them apart.
  await page.getByRole('tab', { name: /· ops-board$/ }).waitFor({ timeout: 15_000 });
  await page.getByRole('tab', { name: /· mobile-app$/ }).waitFor();
  const names = (await page.locator('[role=tab]:not(#tab-all)').allTextContents()).map((n) => n.replace(/^\d+\. /, ''));
  assert.equal(new Set(names).size, 3, names.join(' | '));
  await ready(page, 'codecheck').waitFor({ timeout: 15_000 });
  const free = panel(page, 'codecheck').locator('li.card', { hasText: 'CodeArts Free' });
  assert.match(await free.textContent(), /Check time this month: 135 \(the service names no unit\)/);
  assert.doesNotMatch(await free.textContent(), /%/);
  assert.match(await free.textContent(), /Next: deleted in 31 days/, 'a countdown of 30 to the end of that day in Beijing time');
  assert.deepEqual(problems, []);
});

test('demo-limited: HSS falls back to the default enterprise project and TestPlan "failed" is an error', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await inspect(page, 'demo-limited');
  const hss = panel(page, 'hss');
  assert.equal(await hss.locator('.count').textContent(), '420 packages');
  assert.match(await hss.locator('[data-scope=default-only]').textContent(), /Default enterprise project only: .*HTTP 403 HSS\.0004/);
  const testplan = panel(page, 'testplan').locator('.error-card');
  assert.match(await testplan.textContent(), /CodeArts TestPlan answered that the request failed/);
  assert.match(await testplan.locator('.error-body').textContent(), /"status": "failed"/);
  // The overview says what its figures leave out.
  const left = page.locator('.overview [data-state=left-out]');
  assert.match(await left.textContent(), /CodeArts TestPlan \(failed: /);
  assert.match(await left.textContent(), /Host Security Service \(default enterprise project only\)/);
  // So does the export: the other enterprise projects' quotas are not known.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const doc = JSON.parse(readFileSync(await file.path(), 'utf8'));
  const narrowed = doc.errors.filter((e) => e.service === 'hss');
  assert.deepEqual(narrowed.map((e) => [e.http_status, e.error_code]), [[403, 'HSS.0004']], JSON.stringify(doc.errors));
  assert.match(narrowed[0].error_msg, /^default enterprise project only: http 403 HSS\.0004 /);
  assert.equal(doc.packages.filter((p) => p.service === 'hss').length, 420);
  await shot(page, 'states-demo-limited');
  // The errors the page shows are the expected ones, nothing else.
  // The refusals the console explains: HSS's and billing's 403, and the
  // other billing site's 401.
  assert.deepEqual(problems.filter((p) => !p.includes('status of 403') && !p.includes('status of 401')), []);
});

test('a refresh that fails keeps what was loaded, marked with its age', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await inspect(page, 'demo');
  await billingSettled(page);
  const before = await page.locator('.overview > p.muted').textContent();
  // The proxy is gone: every call fails at the network.
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  await page.getByRole('button', { name: 'Refresh' }).click();
  for (const key of ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss']) {
    await panel(page, key).locator('[data-state=stale]').waitFor({ timeout: 20_000 });
  }
  assert.equal(await page.locator('section.panel .error-card').count(), 0, 'a failed refresh replaced data with errors');
  assert.equal(await panel(page, 'hss').locator('.count').textContent(), '480 packages');
  assert.match(await panel(page, 'hss').locator('[data-state=stale]').textContent(), /Not up to date\. As of .*: the refresh failed: The proxy at \/api could not be reached/);
  assert.equal(await page.locator('.overview > p.muted').textContent(), before, 'the overview lost packages');
  assert.match(await page.locator('.overview [data-state=left-out]').textContent(), /last good answers/);
  // Said once across the tab, with the time of what is shown; the token's life not green.
  assert.match(await page.locator('.stale-banner').textContent(), /^Not up to date: the last refresh failed \(.*\); showing what was loaded at \d\d:\d\d\. Retry$/);
  assert.equal(await page.locator('.token-life').getAttribute('data-state'), 'stale');
  // Billing, asked again once the services have answered, fails too: its
  // last reading stays laid over the packages, said to be out of date.
  await page.locator('.overview [data-state=left-out]', { hasText: 'Billing is not up to date' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('.overview > p.muted').textContent(), before, 'billing\'s dates were lost with its refresh');
  await shot(page, 'states-refresh-failed');
  // The next good refresh replaces them.
  await page.unroute('**/api/**');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-state=stale]').length === 0, null, { timeout: 20_000 });
  assert.equal(await page.locator('.stale-banner').count(), 0, 'a good refresh takes the banner away');
  assert.deepEqual(problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED') && !p.includes('Failed to load resource')), []);
});
