// Billing (issue 26), and the Act now list it ranks (issue 27), on the
// page against the demo tenant: HSS's
// yearly/monthly quotas dated by billing, what renews by itself apart from
// what lapses, a host without protection first of all, the Billing column,
// the renewal filter and sort; a token billing refuses (what is missing and
// why, nothing blanked); access keys across every region, billing signed
// and read in each tab. Screenshots, desktop and phone, for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, holdBack } from './harness.mjs';

const demo = useDemo();
const panel = (page, key) => page.locator(`section.panel[data-service=${key}]`);
const shot = (page, name) => page.screenshot({ path: join(ROOT, `target/screenshots/${name}.png`), fullPage: false });
const SERVICES = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];

async function inspect(page, token) {
  await page.getByLabel('IAM token').fill(token);
  for (const key of SERVICES) {
    await panel(page, key).locator('[data-state=ready], [data-state=error]').first().waitFor({ timeout: 20_000 });
  }
}


test('billing dates the yearly/monthly HSS quotas, says what renews and what lapses, and a bare host comes first', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  const billingCalls = [];
  page.on('request', (r) => { if (r.url().includes('/api/bss/')) billingCalls.push(`${r.method()} ${r.url()}`); });
  await inspect(page, 'demo');
  await billingSettled(page);
  assert.equal(await page.locator('.billing-note').count(), 0, 'billing was read');
  // Asked once the services answered, by POST, at the account's site.
  assert.ok(billingCalls.length > 0 && billingCalls.every((c) => c.startsWith('POST ') && /\/api\/bss\/global\/v2\/orders\/suscriptions\/resources\/query$/.test(c)), billingCalls.join('\n'));

  // The host that lost its protection is the first thing in the warnings.
  const overview = page.locator('section.overview');
  const bare = overview.locator('table.warnings.unprotected');
  assert.match(await overview.locator('h4.alert').first().textContent(), /Hosts that lost their protection/);
  assert.match(await bare.textContent(), /still bound to host ecs-\w+-013/);
  assert.doesNotMatch(await bare.textContent(), /Frozen/, 'a frozen quota is listed as frozen, not here');
  // What renews by itself is counted and listed apart, quietly.
  const renewing = Number(await overview.locator('.figure.renewing .figure-n').textContent());
  assert.ok(renewing > 0, 'a figure counts what renews automatically');
  const folded = overview.locator('details.renewing-group');
  assert.match(await folded.locator('summary').textContent(), new RegExp(`Renews automatically: ${renewing} package`));
  assert.doesNotMatch(await overview.locator('table.warnings.upcoming').textContent(), /renews automatically on/, 'no renewal among what lapses');
  assert.match(await overview.locator('table.warnings.upcoming').textContent(), /goes into its grace period on|is deleted on|is frozen on/);
  // The page title counts what lapses.
  assert.match(await page.title(), /^1 host unprotected · \d+ lapsing within 7 days/);
  await shot(page, 'billing-overview-desktop');

  // HSS: billing mode and policy in a column; no yearly/monthly quota reads "never".
  const hss = panel(page, 'hss');
  assert.equal(await hss.locator('th.c-billing').count(), 1);
  const cells = await hss.locator('td.c-billing').allTextContents();
  assert.ok(cells.some((c) => /renews automatically on/.test(c)), cells.slice(0, 5).join(' | '));
  assert.ok(cells.some((c) => /goes into its grace period on|is deleted on|is frozen on/.test(c)));
  // The renewal filter narrows to one policy, and lives in the hash.
  await page.locator('#filter-renewal').selectOption('auto_renew');
  await page.waitForFunction(() => /renewal=auto_renew/.test(location.hash));
  const policies = await hss.locator('td.c-billing span').evaluateAll((els) => els.map((e) => e.dataset.renewal));
  assert.ok(policies.length > 0 && policies.every((p) => p === 'auto_renew'), policies.join(','));
  // The sort by renewal puts what lapses first.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.locator('#sort').selectOption('renewal');
  await page.waitForFunction(() => /sort=renewal/.test(location.hash));
  const first = await hss.locator('td.c-billing span').first().getAttribute('data-renewal');
  assert.equal(first, 'delete');
  // A card of a quota dated by billing says so.
  await page.locator('#search').fill('-013');
  const card = hss.locator('li.card').first();
  await card.waitFor();
  assert.match(await card.textContent(), /Lapsed but still bound to host ecs-\w+-013/);
  assert.match(await card.textContent(), /Date from billing/);
  assert.match(await card.textContent(), /Billing: went into its grace period on/, 'a date past is said in the past');
  await card.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await shot(page, 'billing-card-desktop');
  assert.deepEqual(problems, []);
});

/** The demo tenant on a 390 px phone, billing read. */
async function phone() {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(demo.proxy.url);
  await page.waitForSelector('form.session button[type=submit]');
  await inspect(page, 'demo');
  await billingSettled(page);
  return { context, page };
}

test('a phone sees the bare host and what lapses first', async () => {
  const { context, page } = await phone();
  assert.match(await page.locator('section.overview table.warnings.unprotected').textContent(), /ecs-\w+-013/);
  // What a person sees on arriving at the overview, then at its warnings.
  await page.locator('section.overview').evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: join(ROOT, 'target/screenshots/billing-overview-phone.png') });
  await page.locator('section.overview h4.alert').evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: join(ROOT, 'target/screenshots/billing-warnings-phone.png') });
  await context.close();
});

test('a token billing refuses: one note says what is missing, why and what works; nothing else is blanked', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await inspect(page, 'demo-limited');
  await billingSettled(page);
  // Said once, beside the overview's figures.
  assert.equal(await page.locator('.billing-note').count(), 0);
  const text = await page.locator('section.overview [data-state=left-out]').textContent();
  assert.match(text, /Billing could not be read/);
  assert.match(text, /billing:subscription:view/);
  assert.match(text, /access keys/);
  assert.match(text, /missing, not zero/);
  // Every service is still there, with its own figures.
  for (const key of SERVICES) {
    assert.equal(await panel(page, key).locator('[data-state=ready], [data-state=error]').count() > 0, true, key);
  }
  // No yearly/monthly HSS quota reads "never" for want of billing.
  const hss = panel(page, 'hss');
  const billingCells = await hss.locator('td.c-billing').allTextContents();
  assert.ok(billingCells.every((c) => !/renews/.test(c)), 'no policy without billing');
  // The overview says it beside its figures, and knows no renewal count (not 0).
  assert.equal(await page.locator('section.overview').getAttribute('data-billing'), 'failed');
  assert.equal(await page.locator('section.overview .figure.renewing .figure-n').textContent(), '—');
  // Act now says it first of all, with the services that failed: what
  // lapses on a date billing keeps is not on its list.
  const failed = await page.locator('section.act-now li.act[data-reason=failed]').allTextContents();
  assert.ok(failed.some((l) => /^Billing Center could not be read: HTTP 403/.test(l)), failed.join(' | '));
  await shot(page, 'billing-refused-desktop');
  // The refusals are the console's to explain (the browser logs each
  // refused request; billing's 403, and the other site's 401): no page error.
  assert.deepEqual(problems.filter((p) => !/status of 40[13]/.test(p)), []);
});

test('access keys: billing is signed and read in every region, each package counted once across the tabs', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/bss/')) calls.push({ url: r.url(), headers: r.headers(), body: r.postData() ?? '' }); });
  await page.getByRole('button', { name: 'Access keys' }).click();
  await page.getByLabel('Access key ID').fill('DEMOACCESSKEYID00000');
  await page.getByLabel('Secret access key').fill('demo-secret-access-key');
  await page.getByRole('button', { name: 'Inspect all regions' }).click();
  await page.getByRole('tab', { name: 'All regions' }).waitFor({ timeout: 30_000 });
  // Every tab's billing read (none left out in the overview across tabs).
  await page.waitForFunction(() => document.querySelector('section.overview')?.dataset.billing === 'read', null, { timeout: 30_000 });
  assert.equal(await page.locator('section.overview [data-state=left-out]', { hasText: 'Billing could not be read' }).count(), 0);
  assert.ok(Number(await page.locator('section.overview .figure.renewing .figure-n').textContent()) > 0);
  assert.ok(calls.length >= 5, `billing asked in each region: ${calls.length}`);
  for (const call of calls) {
    assert.match(call.headers.authorization ?? '', /^SDK-HMAC-SHA256 Access=DEMOACCESSKEYID00000, /);
    assert.equal(call.headers['x-project-id'], undefined, 'billing is the account\'s, not a project\'s');
    assert.doesNotMatch(call.url + JSON.stringify(call.headers) + call.body, /demo-secret-access-key/);
    assert.ok(JSON.parse(call.body).resource_ids.length <= 50);
  }
  // The bare host is listed once, though two tabs (cn-north-4 and its subproject) read its quota.
  const bare = await page.locator('section.overview table.warnings.unprotected tr').filter({ hasText: /ecs-\w+-013/ }).count();
  assert.equal(bare, 1);
  await shot(page, 'billing-all-regions-desktop');
  // A region outside China asks the international site first, which does
  // not know the demo account (401), then the mainland's.
  assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
});

test('Act now opens the overview: ranked, a bare host first, what lapses, never a box that scrolls', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.setViewportSize({ width: 1400, height: 900 });
  await inspect(page, 'demo');
  await billingSettled(page);
  const act = page.locator('section.act-now');
  const lines = act.locator('li.act');
  // The lines past the first ten are drawn when their fold is opened, and
  // it stays open as the overview is drawn again.
  const fold = act.locator('details.act-more');
  assert.equal(await fold.locator('li.act').count(), 0, 'a closed fold holds no lines');
  await fold.locator('summary').click();
  await fold.locator('li.act').first().waitFor();
  // Before the overview, in the first screen.
  assert.ok(await act.evaluate((e) => e.getBoundingClientRect().top < innerHeight), 'Act now is in the first screen');
  assert.ok(await act.evaluate((e) => e.compareDocumentPosition(document.querySelector('section.overview')) & Node.DOCUMENT_POSITION_FOLLOWING));
  const reasons = await lines.evaluateAll((ls) => ls.map((l) => l.dataset.reason));
  assert.equal(reasons[0], 'unprotected', reasons.join());
  const rank = ['failed', 'unprotected', 'frozen', 'closed', 'lapses', 'used-up'];
  assert.deepEqual(reasons, [...reasons].sort((a, b) => rank.indexOf(a) - rank.indexOf(b)), 'ranked');
  assert.ok(reasons.includes('lapses') && reasons.includes('frozen'), reasons.join());
  assert.match(await lines.first().textContent(), /Host ecs-\w+-013 unprotected: its quota expired/);
  // Ten shown; the rest folded in place, not in a box that scrolls.
  const shown = await act.locator(':scope > div > ol.act-list > li').count();
  assert.equal(shown, 10);
  const all = Number((await act.locator('details.act-more summary').textContent()).match(/^All (\d+)$/)[1]);
  assert.equal(all, reasons.length);
  assert.equal(await act.evaluate((e) => [...e.querySelectorAll('*')].some((x) => /auto|scroll/.test(getComputedStyle(x).overflowY))), false);
  await fold.locator('summary').click();
  await page.waitForFunction(() => !document.querySelector('section.act-now details.act-more').open);
  // Nothing that renews by itself is on it.
  assert.doesNotMatch(await act.textContent(), /renews automatically/);
  await act.evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: join(ROOT, 'target/screenshots/act-now-desktop.png') });
  // A line opens its package in its panel.
  await lines.nth(1).locator('button.act-what').click();
  await page.waitForFunction(() => /service=/.test(location.hash) && /q=/.test(location.hash));
  assert.deepEqual(problems, []);
});

test('Act now gives no all-clear while services or billing are still being read', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.setViewportSize({ width: 1400, height: 900 });
  // The services that hold the demo's lines to act on are held back; Check
  // and DSC, which hold none, answer. Billing waits for all five.
  const { release, held } = await holdBack(page, /\/api\/(testplan|metastudio|hss)\//);
  await page.getByLabel('IAM token').fill('demo');
  for (const key of ['codecheck', 'dsc']) await panel(page, key).locator('[data-state=ready]').first().waitFor({ timeout: 20_000 });
  const act = page.locator('section.act-now');
  await act.locator('.act-none').waitFor();
  const waiting = await act.textContent();
  assert.doesNotMatch(waiting, /Nothing needs you now/, 'an all-clear while three services load');
  assert.match(waiting, /not everything is read yet: .*MetaStudio.*Host Security Service.*Billing Center.*\(still loading\)/, waiting);
  assert.equal(await act.locator('.act-unsure').count(), 1);
  await shot(page, 'act-now-while-loading');
  assert.ok(held.length >= 3, held.join('\n'));
  release();
  for (const key of SERVICES) await panel(page, key).locator('[data-state=ready]').first().waitFor({ timeout: 20_000 });
  await billingSettled(page);
  // Everything read: the lines to act on, and no word of what was missing.
  await act.locator('li.act').first().waitFor();
  assert.equal(await act.locator('.act-unsure').count(), 0);
  assert.doesNotMatch(await page.locator('section.overview').textContent(), /in what has been read/);
  assert.deepEqual(problems, []);
});

test('Act now on a phone: a list within the width, no line wider than the screen', async () => {
  const { context, page } = await phone();
  const act = page.locator('section.act-now');
  const wide = await act.evaluate((e) => [...e.querySelectorAll('*')].filter((x) => x.getBoundingClientRect().right > innerWidth + 1).map((x) => x.className || x.tagName));
  assert.deepEqual(wide, []);
  await act.evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: join(ROOT, 'target/screenshots/act-now-phone.png') });
  await context.close();
});
