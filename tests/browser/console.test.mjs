// The console end to end: real headless Chromium, real proxy, release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startProxy, startBrowser, openPage, editSignIn, fullShot, billingSettled } from './harness.mjs';

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
  let tokenLookups = 0;
  page.on('request', (r) => {
    if (r.url().includes('/v3/auth/tokens')) tokenLookups += 1;
    const m = r.url().match(/\/api\/(hss|metastudio)\/.*[?&]offset=(\d+)/);
    if (m) pages[m[1]].push(Number(m[2]));
  });
  // Pasting the token inspects it at once (no click, so every page is
  // asked for once).
  await page.fill('#token', 'demo');

  await page.waitForSelector('.session-line[data-state=ready]');
  const session = await page.textContent('.session-line');
  assert.match(session, /cn-north-4/);

  for (const [key, title] of Object.entries(SERVICES)) {
    const panel = page.locator(`section.panel[data-service=${key}]`);
    await panel.locator('[data-state=ready]').waitFor({ timeout: 15_000 });
    assert.equal(await panel.locator('h2').textContent(), title);
    assert.ok(await panel.locator('li.card, tr.row').count() > 0, `${title} shows no packages`);
  }
  // The token's remaining life (the demo's token was issued 2 h ago for a day).
  assert.match(await page.textContent('.token-life'), /^Token valid for 2[12] h \d\d min\.$/);
  assert.equal(await page.getAttribute('.token-life', 'data-state'), 'ok');
  // Paged services are read to the end: every page once.
  assert.equal(await page.locator('[data-service=hss] .count').textContent(), '480 packages');
  assert.deepEqual(pages.hss.sort((a, b) => a - b), [0, 200, 400]);
  assert.equal(await page.locator('[data-service=metastudio] .count').textContent(), '160 packages');
  assert.deepEqual(pages.metastudio.sort((a, b) => a - b), [0, 100]);
  assert.equal(await page.locator('.notice-warn').count(), 0, 'nothing is reported incomplete');
  // TestPlan's figures come without a unit (seed 000 names none): its chart
  // says so once, not every card. (One in service: a lapsed package says
  // what was used instead.)
  const plan = page.locator('[data-service=testplan] li.card[data-status=active] .card-usage').first();
  assert.match(await plan.textContent(), /^[\d,]+ \/ [\d,]+ \(\d+%\)$/);
  assert.match(await page.locator('[data-service=testplan] .charts').textContent(), /\(the service names no unit\)/);
  // IAM is asked about the token once: the tab opens with what the form found.
  assert.equal(tokenLookups, 1);
  assert.equal(await page.locator('.progress').evaluateAll((els) => els.map((e) => e.textContent).join('')), '');

  // Long lists are a table drawn a window at a time, soonest expiry first;
  // a few packages are cards.
  const hss = page.locator('[data-service=hss]');
  assert.equal(await hss.locator('li.card').count(), 0);
  assert.equal(await hss.locator('table.rows').getAttribute('aria-rowcount'), '481');
  const drawn = await hss.locator('tr.row').count();
  assert.ok(drawn > 10 && drawn < 60, `${drawn} rows drawn of 480`);
  assert.equal(await page.locator('[data-service=testplan] li.card').count(), 4);
  const urgencies = await hss.locator('tr.row').evaluateAll((cs) => cs.map((c) => c.dataset.urgency));
  const rank = ['expired', 'critical', 'warning', 'ok', 'never', 'unknown'];
  assert.equal(urgencies[0], 'expired');
  assert.ok(urgencies.every((u, i) => i === 0 || rank.indexOf(u) >= rank.indexOf(urgencies[i - 1]) || u === 'never'),
    urgencies.join());

  // A card says everything in words: status, usage with figures, urgency and
  // how far away, billing; and copies its resource ID.
  const card = page.locator('[data-service=testplan] li.card[data-status=active]').first();
  const text = await card.textContent();
  assert.match(text, /[\d,]+ \/ [\d,]+ .*\(\d+%\)/);
  assert.match(text, /(Expired \d{4}-\d\d-\d\d \d\d:\d\d UTC[^,]*, (\d+ days? ago|today)|Expires \d{4}-\d\d-\d\d \d\d:\d\d UTC[^,]*, in \d+ days?)/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const copy = card.getByRole('button', { name: 'Copy ID' });
  const id = await copy.getAttribute('data-copy');
  await copy.click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), id);
  // The button says so (read at once: cards are redrawn as data arrives).
  assert.equal(await page.evaluate(() => {
    const b = document.querySelector('[data-service=testplan] li.card button[data-copy]');
    b.click();
    return b.textContent;
  }), 'Copied');

  // The raw answers, as received and pretty-printed, copy as JSON.
  const drawer = page.locator('[data-service=dsc] details.raw');
  await drawer.locator('summary').click();
  await drawer.getByRole('button', { name: 'Copy JSON' }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes('\n  '), 'not pretty-printed');
  assert.equal(JSON.stringify(JSON.parse(copied), null, 2), copied.trim());

  // The overview counts every package once, by urgency and by status.
  const overview = page.getByRole('region', { name: 'Overview' });
  // (The "frozen or closed" figure counts apart from urgency.)
  const figures = await overview.locator('.figure[data-urgency]').evaluateAll((fs) =>
    Object.fromEntries(fs.map((f) => [f.dataset.urgency, Number(f.querySelector('.figure-n').textContent)])));
  const counts = await page.locator('.count').allTextContents();
  const total = counts.reduce((sum, t) => sum + Number(t.match(/^(\d+)/)[1]), 0);
  assert.equal(Object.values(figures).reduce((a, b) => a + b, 0), total);
  for (const u of ['expired', 'critical', 'warning', 'ok', 'never']) assert.ok(figures[u] > 0, `no ${u}: ${JSON.stringify(figures)}`);
  // Warnings: what expires soon first, in words with how far away; the
  // frozen or closed; the expired behind their count (glance.test.mjs
  // checks the order of each group).
  const warnings = overview.locator('table.warnings');
  assert.match(await overview.locator('table.warnings.upcoming').textContent(), /expires in \d+ days?/);
  assert.match(await overview.locator('table.warnings.frozen').textContent(), /Frozen|Closed/);
  assert.match(await overview.locator('details.expired-group summary').textContent(), /^Expired: \d+ packages$/);
  // Its rows are drawn when it is opened.
  assert.equal(await overview.locator('details.expired-group table').count(), 0, 'a closed group holds no rows');
  await overview.locator('details.expired-group summary').click();
  assert.match(await overview.locator('details.expired-group table.warnings').textContent(), /expired \d+ days? ago|expired today/);
  // What renews by itself last, folded, with its date.
  await overview.locator('details.renewing-group summary').click();
  assert.match(await overview.locator('details.renewing-group table.warnings').textContent(), /renews automatically on \d{4}-\d\d-\d\d/);
  assert.equal(await warnings.last().evaluate((t) => t.closest('details')?.className), 'renewing-group', 'last of the warnings');
  assert.equal(await page.getByRole('img', { name: /packages expire in the next 90 days, the first on \d{4}-\d\d-\d\d/ }).count(), 1);
  // Charts say their figures in words: the donut as an image with words,
  // the bar gauges beside each bar.
  const donut = hss.getByRole('img', { name: /^Quotas in use: In use (\d+), Idle (\d+)$/ });
  const [, used, idle] = (await donut.getAttribute('aria-label')).match(/In use (\d+), Idle (\d+)/);
  assert.equal(Number(used) + Number(idle), 480);
  const gauges = (key, title) => page.locator(`[data-service=${key}] figure.chart-gauges`, { has: page.locator('figcaption', { hasText: title }) }).locator('.gauges li');
  assert.match(await gauges('hss', 'Quotas by edition').first().textContent(), /^HSS \w+.*\d+ normal/);
  assert.match(await gauges('metastudio', 'Usage by resource type').first().textContent(), /[\d,.]+ used, [\d,.]+ left \(\d+%\)$/);
  assert.ok(await gauges('testplan', 'Usage against total').count() > 0);
  // The finer table, folded beneath the charts, drawn when it is opened.
  const groupsDrawer = hss.locator('details.groups-drawer');
  assert.equal(await groupsDrawer.locator('table.groups').count(), 0, 'a closed drawer holds no table');
  await groupsDrawer.locator('summary').click();
  await groupsDrawer.locator('table.groups tbody tr').nth(1).waitFor();
  await groupsDrawer.locator('summary').click();

  await fullShot(page, join(SHOTS, 'console-demo.png'));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'console-phone.png'), fullPage: true });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page scrolls sideways on a phone');
  // Nor do the warnings (blocks on a phone), nor the HSS table in its box,
  // which keeps the columns that fit.
  assert.ok(await page.locator('.overview .table-wrap').evaluate((b) => b.scrollWidth <= b.clientWidth + 1), 'the warnings scroll sideways on a phone');
  const box = page.locator('[data-service=hss] .table-scroll');
  assert.ok(await box.evaluate((b) => b.scrollWidth <= b.clientWidth + 1), 'the HSS table scrolls sideways on a phone');
  assert.equal(await page.locator('[data-service=hss] th.c-id').evaluate((th) => getComputedStyle(th).display), 'none');
  await page.locator('section.panel[data-service=hss]').screenshot({ path: join(SHOTS, 'console-phone-hss.png') });
  await page.setViewportSize({ width: 1400, height: 1000 });

  // The token is nowhere but in memory.
  assert.ok(!page.url().includes('demo'), 'token in the URL');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('"demo"'), `token in storage: ${stored}`);
  assert.deepEqual(problems, []);
});

test('a wrong token gets a clear error and loses nothing typed', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  // Typed and sent with Enter: no lookup runs first, the tab says it (once:
  // the form does not repeat it).
  await page.locator('#token').pressSequentially('MIInot-a-real-token');
  await page.locator('#token').press('Enter');
  const card = page.locator('.error-card');
  await card.waitFor();
  const text = await card.textContent();
  assert.match(text, /401/);
  assert.match(text, /APIG\.0301/);
  assert.match(text, /get a new project-scoped token/);
  assert.equal(await page.inputValue('#token'), 'MIInot-a-real-token');
  await page.locator('#token').blur();
  await page.waitForTimeout(1000);
  assert.equal((await page.locator('main').innerText()).split('APIG.0301').length - 1, 1, 'the refusal is said twice');
  await fullShot(page, join(SHOTS, 'console-bad-token.png'));
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
  await page.locator('[data-service=dsc] [data-state=ready]').waitFor();
  await editSignIn(page);
  await page.click('text=Forget token');
  assert.equal(await page.inputValue('#token'), '');
  // The session's whole console goes with it.
  await page.locator('.welcome[data-state=idle]').waitFor();
  assert.equal(await page.locator('section.panel').count(), 0);
  assert.equal(await page.locator('.overview').count(), 0);
});

test('a pasted token is looked up at once and fills the form, which stays editable', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  const lists = [];
  page.on('request', (r) => { if (/\/v4\/projects\?|\/v3\/auth\/projects/.test(r.url())) lists.push(new URL(r.url()).pathname); });
  await page.getByLabel('IAM token').fill('demo');
  await page.locator('.session-line[data-state=ready]').waitFor();
  assert.match(await page.textContent('.session-line'), /demo-operator @ northwind-demo/);
  // Each list asked once: the CodeArts projects by TestPlan; the form's
  // choices not while it is folded away.
  await page.locator('section.panel[data-service=testplan] [data-state=ready]').waitFor();
  assert.deepEqual(lists, ['/api/projectman/cn-north-4/v4/projects']);
  // The form folded into the session line; Edit opens it as it was filled,
  // and asks its choices.
  await editSignIn(page);
  assert.equal(await page.getByLabel('Project ID').inputValue(), '0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25');
  await page.waitForFunction(() => document.getElementById('codearts-project').value === '5d2f8a1b9c4e4f7a8b3c6e0d1a2f4b97');
  assert.deepEqual(lists.slice(1).sort(), ['/api/iam/global/v3/auth/projects', '/api/projectman/cn-north-4/v4/projects']);
  assert.equal(await page.getByLabel('Region', { exact: true }).inputValue(), 'cn-north-4');
  // Typed by hand wins over what was found.
  await page.getByLabel('Project ID').fill('typed-by-hand');
  assert.equal(await page.getByLabel('Project ID').inputValue(), 'typed-by-hand');
  // The account's projects are offered to pick from.
  const choices = await page.locator('#project-choices option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(choices.includes('0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25'), choices.join());
  assert.ok(await page.locator('#codearts-choices option').count() > 0);
  assert.match(await page.textContent('.discovery'), /Token of demo-operator in account northwind-demo, project cn-north-4\. Token valid for/);
  // Another token, with a tab open: it is looked up, not opened, and
  // nothing found for the first one is offered for it.
  await page.getByLabel('Project ID').fill('');
  await page.getByLabel('IAM token').fill('MIIanother-token');
  await page.locator('.discovery', { hasText: 'could not be looked up' }).waitFor();
  assert.match(await page.textContent('.discovery'), /HTTP 401/);
  assert.equal(await page.getByLabel('Project ID').inputValue(), '');
  assert.equal(await page.getByLabel('CodeArts project').inputValue(), '');
  assert.equal(await page.locator('#project-choices option').count(), 0);
  // The open tab still shows the first token's session.
  assert.match(await page.textContent('.session-line'), /demo-operator @ northwind-demo/);
  assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
});

test('a proxy URL that cannot work is refused in the settings with what to type', async () => {
  const { page } = await openPage(chrome.browser, proxy.url);
  let apiCalls = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) apiCalls += 1; });
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Proxy URL').fill('proxy.example.com');
  await page.getByLabel('Proxy URL').press('Tab');
  const problem = page.locator('.settings .form-problem');
  await problem.waitFor();
  assert.match(await problem.textContent(), /a path on this site \(\/api\) or a URL such as https:\/\/proxy\.example\.com\/api/);
  assert.equal(apiCalls, 0);
  // Not saved; nor is the default in force (only what the person changed is kept).
  assert.equal(await page.evaluate(() => localStorage.getItem('tenantscope.proxy')), null, 'a bad URL is saved');
  // The URL in force still works.
  await page.getByLabel('IAM token').fill('demo');
  await page.locator('.session-line[data-state=ready]').waitFor();
  // Corrected, it is kept.
  await page.getByLabel('Proxy URL').fill(`${proxy.url}/api/`);
  await page.getByLabel('Proxy URL').press('Tab');
  await page.waitForFunction(() => localStorage.getItem('tenantscope.proxy')?.endsWith('/api'));
  assert.equal(await problem.count(), 0);
});

test('Refresh loads every service again and says how old the answers are', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  await page.locator('.updated', { hasText: 'updated just now' }).waitFor();
  const calls = [];
  page.on('request', (r) => { const m = r.url().match(/\/api\/(\w+)\//); if (m) calls.push(m[1]); });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-service=hss] .progress')?.textContent);
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  // The panels keep their last answers meanwhile: TestPlan's own call waits
  // for its CodeArts project list, so every service is given a few seconds.
  const keys = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
  for (let waited = 0; waited < 5_000 && !keys.every((k) => calls.includes(k)); waited += 50) await page.waitForTimeout(50);
  for (const key of keys) assert.ok(calls.includes(key), `${key} not reloaded: ${calls}`);
  assert.ok(!calls.includes('iam'), 'the session is not opened again');
  assert.deepEqual(problems, []);
});

test('a refresh redraws the answers, not the panel: the header sort, the open card and the keyboard\'s place stay', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  await page.getByLabel('IAM token').fill('demo');
  const hss = page.locator('section.panel[data-service=hss]');
  await hss.locator('[data-state=ready]').waitFor({ timeout: 15_000 });
  await billingSettled(page);
  await page.locator('.updated', { hasText: 'updated just now' }).waitFor();
  await hss.getByRole('button', { name: 'Usage' }).click();
  // The keyboard on the table, the second row's card open beneath.
  await hss.locator('table.rows').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const id = await hss.locator('.row-detail [data-copy]').getAttribute('data-copy');
  await page.evaluate(() => { document.querySelector('[data-service=hss] table.rows').dataset.mark = 'drawn once'; });
  // Refresh pressed as auto-refresh does, without taking the focus.
  const reloaded = page.waitForResponse((r) => r.url().includes('/api/hss/'));
  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Refresh').click());
  await reloaded;
  await page.waitForFunction(() => !document.querySelector('[data-service=hss] .progress')?.textContent);
  await billingSettled(page);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => document.querySelector('[data-service=hss] table.rows')?.dataset.mark), 'drawn once', 'the table was drawn anew');
  assert.equal(await hss.locator('th[aria-sort=descending]').textContent(), 'Usage▼', 'the header sort was lost');
  assert.equal(await hss.locator('.row-detail [data-copy]').getAttribute('data-copy'), id, 'the open card was closed');
  assert.ok(await page.evaluate(() => document.activeElement?.matches('[data-service=hss] table.rows')), 'the keyboard lost its place');
  assert.deepEqual(problems, []);
});

test('what is shown stays put: the token lookup finishing later redraws no panel', async () => {
  const { page, problems } = await openPage(chrome.browser, proxy.url);
  await page.fill('#token', 'demo');
  for (const key of Object.keys(SERVICES)) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  }
  const hss = page.locator('[data-service=hss]');
  await hss.getByRole('button', { name: 'Name' }).click();
  await page.evaluate(() => { document.querySelector('.tenant').dataset.mark = 'drawn once'; });
  // The lookup that fills the form (and whatever else settles) finishes.
  await page.locator('.discovery', { hasText: 'Token of demo-operator' }).waitFor({ state: 'attached' });
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => document.querySelector('.tenant')?.dataset.mark), 'drawn once', 'the tab was drawn anew');
  assert.equal(await hss.locator('th[aria-sort=ascending]').textContent(), 'Name▲', 'the table\'s sort was lost');
  assert.deepEqual(problems, []);
});
