// The first screen after a sign-in answers "what needs me, by when": the
// sign-in folds into the tab's session line (Edit opens it again), Act now
// is within the first screen on a desktop and on a phone, nothing is wider
// than a phone's screen, and every press of Inspect has a result to see,
// the proxy down included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, layOutLazy } from './harness.mjs';

const demo = useDemo();
const KEYS = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
const shot = (page, name) => page.screenshot({ path: join(ROOT, `target/screenshots/${name}.png`) });

async function signIn(page) {
  await page.getByLabel('IAM token').fill('demo');
  for (const key of KEYS) {
    await page.locator(`section.panel[data-service=${key}]`).locator('[data-state=ready], [data-state=error]').first().waitFor({ timeout: 20_000 });
  }
  await billingSettled(page);
}

test('the sign-in folds into the session line once a tab opens, and Edit opens it again with nothing lost', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.setViewportSize({ width: 1400, height: 900 });
  await signIn(page);
  // Folded: the form is out of sight, the session line says who, where and the token's life.
  assert.equal(await page.locator('#token').isVisible(), false, 'the form stays open after sign-in');
  const line = page.locator('.session-bar').first();
  assert.match(await line.textContent(), /northwind-demo/);
  assert.match(await line.textContent(), /CN North-Beijing4/);
  assert.match(await line.locator('.token-life').textContent(), /valid/i);
  const edit = page.getByRole('button', { name: 'Edit', exact: true });
  assert.equal(await edit.getAttribute('aria-expanded'), 'false');
  // Act now is the first thing after the line, within the first screen.
  const act = page.locator('section.act-now');
  assert.ok(await act.evaluate((e) => e.getBoundingClientRect().top < innerHeight / 2), 'Act now is not near the top');
  await shot(page, 'first-screen-desktop');
  // "Used up" is among the overview's figures, and sets its filter, which
  // shows as many packages as it counts.
  const usedUp = Number(await page.locator('.figure[data-attention=used-up] .figure-n').textContent());
  assert.ok(usedUp > 0, 'the demo has packages used up');
  const more = act.locator('details.act-more');
  if (await more.count()) await more.locator('summary').click();
  await act.locator('li.act').nth(10).waitFor();
  assert.ok(await act.locator('li.act[data-reason=used-up]').count() > 0, 'Act now lists none used up');
  await page.locator('.figure[data-attention=used-up] button').click();
  await page.waitForFunction(() => /urgency=used-up/.test(location.hash));
  assert.equal(await page.locator('#filter-urgency').inputValue(), 'used-up');
  const shown = await page.locator('section.panel .shown').allTextContents();
  assert.equal(shown.reduce((n, s) => n + Number((s.match(/^(\d+) match/) ?? [0, 0])[1]), 0), usedUp, shown.join(' | '));
  await page.getByRole('button', { name: 'Clear filters' }).first().click();

  // Edit opens the form as it was, the token field focused.
  await edit.click();
  await page.locator('#token').waitFor();
  assert.equal(await page.locator('#token').inputValue(), 'demo');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token');
  assert.equal(await page.getByRole('button', { name: 'Done', exact: true }).getAttribute('aria-expanded'), 'true');
  // A second region in a new tab: the form folds again, and "All tenants" says how many.
  await page.locator('#region').selectOption('cn-east-3');
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  await page.locator('#tab-all').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#token').isVisible(), false, 'the form stays open after Inspect in new tab');
  await page.locator('#tab-all').click();
  assert.match(await page.locator('.session-bar').first().textContent(), /2 tabs open/);
  // Done folds it without opening anything.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  assert.equal(await page.locator('#token').isVisible(), false);
  assert.equal(await page.locator('[role=tab]').count(), 3);
  assert.deepEqual(problems, []);
});

test('a 390 px phone: nothing wider than the screen, and Act now within the first screen', async () => {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(demo.proxy.url);
  await signIn(page);
  const act = page.locator('section.act-now');
  assert.ok(await act.evaluate((e) => e.getBoundingClientRect().top < innerHeight * 0.6), 'Act now is not in the first screen');
  // Everything, not only Act now: a table in a box that scrolls sideways
  // counts as its box, and what is laid out only near the viewport is laid out.
  await layOutLazy(page);
  const wide = await page.evaluate(() => {
    const clipped = (x) => { for (let p = x.parentElement; p; p = p.parentElement) if (/auto|scroll|hidden/.test(getComputedStyle(p).overflowX)) return true; return false; };
    return [...document.querySelectorAll('body *')]
      .filter((x) => x.getClientRects().length && x.getBoundingClientRect().right > innerWidth + 1 && !clipped(x))
      .map((x) => `${x.tagName.toLowerCase()}.${x.className}`);
  });
  assert.deepEqual(wide, []);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the page scrolls sideways');
  await shot(page, 'first-screen-phone');
  await context.close();
});

test('Inspect with the proxy down says so, for a new token and for the open tab', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await signIn(page);
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  // The open tab's own connection: Inspect loads it again, and the failure is said across the tab.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.locator('.stale-banner').waitFor({ timeout: 20_000 });
  assert.match(await page.locator('.stale-banner').textContent(), /could not be reached/);
  // A new token: its lookup fails, and the tab it opens says why.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('IAM token').fill('MIIanother');
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.locator('.tenant .error-card').waitFor({ timeout: 20_000 });
  assert.match(await page.locator('.tenant .error-card').textContent(), /could not be reached/);
  assert.match(await page.locator('.session-bar').first().textContent(), /The session could not start/);
  assert.deepEqual(problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED') && !p.includes('Failed to load resource')), []);
});
