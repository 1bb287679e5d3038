// Each error state the console must explain, produced by the demo tenant's
// fault tokens (demo/src/auth.rs) through the real proxy and release build:
// an expired token, a malformed body, a 404, a 403 and a throttled page, with
// one failing service never blanking the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, editSignIn, fullShot } from './harness.mjs';

const demo = useDemo();

const panel = (page, key) => page.locator(`section.panel[data-service=${key}]`);

async function inspect(token) {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  // A paste opens the tab once the token is looked up.
  await page.getByLabel('IAM token').fill(token);
  return { page, problems };
}

test('an expired token says so and what to do', async () => {
  // Typed and sent with Enter: no lookup runs first, the tab says it.
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.locator('#token').pressSequentially('demo-expired');
  await page.locator('#token').press('Enter');
  const card = page.locator('.error-card');
  await card.waitFor();
  const text = await card.textContent();
  assert.match(text, /The session could not start/);
  assert.match(text, /HTTP 401 APIG\.0307: The token must be updated\./);
  assert.match(text, /invalid, expired or from another region: get a new project-scoped token/);
  assert.match(text, /Request ID [0-9a-f]{32}/);
  assert.ok(!text.includes('demo-expired'), 'the token is in the error');
  assert.equal(await page.inputValue('#token'), 'demo-expired', 'what was typed is kept');
  // Said once: the token lookup that finishes after the tab opened does not
  // repeat it in the form.
  await page.waitForTimeout(1000);
  assert.equal((await page.locator('main').innerText()).split('The token must be updated').length - 1, 1);
  assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
});

test('a token the lookup found refused opens no tab: the form says it once', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  // Another token, refused by the lookup; Inspect would replace the tab.
  await editSignIn(page);
  await page.getByLabel('IAM token').fill('demo-expired');
  const line = page.locator('.discovery[data-refused]');
  await line.waitFor();
  assert.match(await line.textContent(), /^The token could not be looked up: HTTP 401 APIG\.0307: The token must be updated\. .*get a new project-scoped token/);
  await page.getByRole('button', { name: 'Inspect', exact: true }).click();
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token', 'the field is ready for a new token');
  assert.equal(await page.getAttribute('#token', 'aria-invalid'), 'true');
  assert.equal(await page.locator('.error-card').count(), 0, 'a tab was opened with the refused token');
  assert.equal((await page.locator('main').innerText()).split('The token must be updated').length - 1, 1);
  assert.ok(await page.locator('section.panel[data-service=hss] tr.row').count() > 0, 'what was loaded is kept');
  await page.screenshot({ path: join(ROOT, 'target/screenshots/errors-refused-token.png') });
  assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
});

test('each failing service explains itself; the others are shown', async () => {
  const { page } = await inspect('demo-faults');
  // TestPlan is fine.
  await panel(page, 'testplan').locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  assert.ok(await panel(page, 'testplan').locator('li.card').count() > 0);

  // CodeArts Check: a 200 whose body is cut off.
  const check = panel(page, 'codecheck').locator('.error-card');
  await check.waitFor({ timeout: 15_000 });
  assert.match(await check.textContent(), /CodeArts Check answered with unreadable data: not JSON/);
  assert.match(await check.textContent(), /The answer could not be read: refresh/);

  // MetaStudio: not published in this region.
  const meta = panel(page, 'metastudio').locator('.error-card');
  await meta.waitFor({ timeout: 15_000 });
  assert.match(await meta.textContent(), /HTTP 404 APIG\.0101/);
  assert.match(await meta.textContent(), /MetaStudio is not offered in this region, or not enabled for this account/);
  assert.match(await meta.textContent(), /Request ID [0-9a-f]{32}/);

  // Data Security Center: no permission, and which one to grant.
  const dsc = panel(page, 'dsc').locator('.error-card');
  await dsc.waitFor({ timeout: 15_000 });
  assert.match(await dsc.textContent(), /HTTP 403/);
  assert.match(await dsc.textContent(), /lacks permission: ask an administrator to grant a policy that allows reading Data Security Center/);

  // HSS: one page throttled every time; retried once after the back-off,
  // then reported while the other pages are kept.
  const hss = panel(page, 'hss');
  await hss.locator('[data-state=ready]').waitFor({ timeout: 20_000 });
  assert.equal(await hss.locator('.count').textContent(), '280 of 480 shown');
  assert.match(await hss.locator('.notice-warn').textContent(),
    /1 page could not be read \(first at offset 200: HTTP 429 APIG\.0308: The throttling threshold has been reached/);
  await fullShot(page, join(ROOT, 'target/screenshots/errors-demo-faults.png'));

  // The export lists every failure, and no token.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(await file.path(), 'utf8');
  const doc = JSON.parse(text);
  assert.deepEqual(doc.errors.map((e) => [e.service, e.http_status]),
    [['codecheck', null], ['metastudio', 404], ['dsc', 403], ['hss', 429]]);
  assert.ok(!text.includes('demo-faults'), 'the token is in the export');
});

test('answers are read as UTF-8: names in any script are kept, other bytes are unreadable data', async () => {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url);
  // HSS's first page names a host in Chinese; Data Security Center answers
  // bytes that are not UTF-8 (0xFF never is).
  await page.route('**/api/hss/**', async (route) => {
    const answer = await route.fetch();
    await route.fulfill({ response: answer, body: (await answer.text()).replace('"ecs-web-000"', '"数据库主机-01"') });
  });
  await page.route('**/api/dsc/**', async (route) => {
    const answer = await route.fetch();
    await route.fulfill({ response: answer, body: Buffer.concat([Buffer.from('{"orders":[{"product_name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]) });
  });
  await page.getByLabel('IAM token').fill('demo');
  const hss = panel(page, 'hss');
  await hss.locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  assert.ok((await hss.textContent()).includes('数据库主机-01'), 'the host named in Chinese');
  const dsc = panel(page, 'dsc').locator('.error-card');
  await dsc.waitFor({ timeout: 15_000 });
  assert.match(await dsc.textContent(), /Data Security Center answered with unreadable data: not JSON \(not UTF-8\)/);
  assert.ok(await panel(page, 'testplan').locator('li.card').count() > 0, 'the others are shown');
  assert.deepEqual(problems, []);
});
