// Accessibility: axe-core's WCAG 2 A and AA rules (contrast included) on the
// console with data, in the light and the dark theme, and keyboard-only use
// from the token field to the panels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { useDemo, openPage, billingSettled, holdBack } from './harness.mjs';

const demo = useDemo();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

for (const theme of ['light', 'dark']) {
  test(`no WCAG 2 AA violation in the ${theme} theme`, async () => {
    // The page's CSP refuses injected scripts, axe included: this one
    // context sets it aside (tests/browser/csp.test.mjs checks the CSP).
    const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(demo.proxy.url);
    await page.evaluate((t) => localStorage.setItem('tenantscope.theme', t), theme);
    await page.reload();
    await page.waitForSelector('form.session button[type=submit]');
    await page.getByLabel('IAM token').fill('demo-faults');
    for (const key of ['testplan', 'hss']) {
      await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 20_000 });
    }
    await page.locator('section.panel[data-service=dsc] .error-card').waitFor();
    await page.getByText('Settings', { exact: true }).click();
    assert.deepEqual(await violations(page), []);
  });
}

for (const theme of ['light', 'dark']) {
  test(`the access-key sign-in, its error and All regions have no WCAG 2 AA violation (${theme})`, async () => {
    const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(demo.proxy.url);
    await page.evaluate((t) => localStorage.setItem('tenantscope.theme', t), theme);
    await page.reload();
    await page.getByRole('button', { name: 'Access keys' }).click();
    await page.getByLabel('Access key ID').fill('DEMOACCESSKEYID00000');
    await page.getByLabel('Secret access key').fill('wrong');
    await page.getByRole('button', { name: 'Inspect all regions' }).click();
    await page.locator('#keys-status[data-failed]').waitFor();
    assert.deepEqual(await violations(page), [], 'the refused sign-in');
    await page.getByLabel('Secret access key').fill('demo-secret-access-key');
    await page.getByRole('button', { name: 'Inspect all regions' }).click();
    await page.locator('.panels-across section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 20_000 });
    assert.deepEqual(await violations(page), [], 'All regions');
  });
}

test('the keyboard keeps its place in an open card when billing\'s dates arrive', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  // Billing is held until the card's Copy ID has the focus.
  const { release } = await holdBack(page, '**/api/bss/**');
  await page.getByLabel('IAM token').fill('demo');
  await page.keyboard.press('Enter');
  const hss = page.locator('section.panel[data-service=hss]');
  await hss.locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  await hss.locator('table.rows').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const copy = hss.locator('.row-detail [data-copy]');
  const id = await copy.getAttribute('data-copy');
  await copy.focus();
  const before = await hss.locator('.row-detail').textContent();
  release();
  await page.waitForFunction(() => document.querySelector('section.overview')?.dataset.billing === 'read');
  // The card was drawn anew with billing's word, and the focus went with it.
  await page.waitForFunction((b) => document.querySelector('[data-service=hss] .row-detail')?.textContent !== b, before);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.copy), id, 'the focus fell out of the card');
});

test('a card focused by a click keeps the page where it is when billing redraws the cards', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  const { release } = await holdBack(page, '**/api/bss/**');
  await page.getByLabel('IAM token').fill('demo');
  const cards = page.locator('section.panel[data-service=codecheck] ul.cards > li.card');
  await cards.nth(1).waitFor({ timeout: 15_000 });
  // A click on the second card's text focuses the card (it has no name to
  // be found by once drawn anew).
  await cards.nth(1).locator('h3, .card-name, p').first().click();
  assert.ok(await page.evaluate(() => document.activeElement?.matches('[data-service=codecheck] li.card')), 'the card took no focus');
  const before = await page.locator('[data-service=codecheck] ul.cards').innerHTML();
  release();
  await page.waitForFunction((b) => document.querySelector('[data-service=codecheck] ul.cards')?.innerHTML !== b, before, { timeout: 15_000 });
  // Not handed to the first card (which would scroll the page to it).
  assert.ok(!(await page.evaluate(() => document.activeElement?.matches('[data-service=codecheck] li.card:first-child'))), 'the focus jumped to the first card');
});

test('an open card is the row\'s own when two packages share an ID', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  // Two MetaStudio resources under one ID, as a package and its parts are.
  await page.route('**/api/metastudio/**', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    const first = body.resources?.[0];
    if (first) body.resources.splice(1, 0, { ...first, is_sub_resource: true, sub_resource_type: 'PART_OF_THE_FIRST' });
    await route.fulfill({ response, json: body });
  });
  await page.getByLabel('IAM token').fill('demo');
  const panel = page.locator('section.panel[data-service=metastudio]');
  await panel.locator('table.rows').waitFor({ timeout: 15_000 });
  // Billing's dates reorder the rows: the rows are read once it is in.
  await billingSettled(page);
  const shared = await panel.evaluate((p) => {
    const rows = [...p.querySelectorAll('tr.row')];
    const ids = rows.map((r) => r.querySelector('[data-copy]')?.dataset.copy);
    const second = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    return second < 0 ? null : { first: ids.indexOf(ids[second]), second, names: rows.map((r) => r.querySelector('.c-name')?.textContent) };
  });
  assert.ok(shared, 'no two rows share an ID in sight');
  // Each row opens its own card, and the second row switches the card (by
  // the keys: the rows are those drawn from the top, in order).
  await panel.locator('table.rows').focus();
  await page.keyboard.press('Home');
  let on = 0;
  for (const at of [shared.first, shared.second]) {
    for (; on < at; on++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await panel.locator('.row-detail li.card').waitFor();
    const card = await panel.locator('.row-detail li.card').textContent();
    assert.ok(card.includes(shared.names[at].replace(/(Frozen|Closed)$/, '').trim()), `row ${at} (${shared.names[at]}) opened ${card}`);
  }
});

test('the console works from the keyboard alone, with a visible focus', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').focus();
  await page.keyboard.insertText('demo');
  await page.keyboard.press('Enter');
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  // Tab until the search field, typing into it, then on to the first Copy ID.
  const reach = async (check, limit = 80) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(check)) return true;
    }
    return false;
  };
  // The jump buttons come before the overview's many buttons: the filters
  // are a few presses away.
  assert.ok(await reach(() => document.activeElement?.textContent === 'Search and filters', 15), 'no jump to the filters within 15 presses');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'no visible focus on the search field');
  await page.keyboard.insertText('HSS');
  await page.waitForFunction(() => document.querySelectorAll('[data-service=dsc] li.card').length === 0);
  // The HSS table is one tab stop, a few presses on (its rows' buttons are
  // none); Enter opens the row's card, whose Copy ID is the next stop.
  assert.ok(await reach(() => document.activeElement?.matches('[data-service=hss] table.rows'), 30), 'the HSS table is not within 30 presses');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator('[data-service=hss] .row-detail li.card').waitFor();
  assert.ok(await reach(() => document.activeElement?.dataset.copy !== undefined, 12), 'no Copy ID reachable');
  assert.ok(await page.evaluate(() => document.activeElement.closest('.row-detail') !== null), 'the Copy ID reached is not the open card\'s');
  // A panel by its jump button.
  await page.locator('.jump-links').getByRole('button', { name: 'Host Security Service' }).press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.service), 'hss');
});
