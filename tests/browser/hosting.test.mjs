// The site hosted statically (issue 16): dist/ copied under a sub-path of a
// plain static file server (Python's http.server, not the proxy), the proxy
// on another origin allowed with --allow-origin, and the deployer's
// config.json beside index.html naming it. The page must be styled, load
// its console chunk and show the demo tenant; a malformed config.json is
// said field by field on the page while the defaults apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startProxy, startBrowser, openPage, fullShot } from './harness.mjs';

const KEYS = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
const env = {};

/** A free loopback port. */
const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});

before(async () => {
  env.root = mkdtempSync(join(tmpdir(), 'tenantscope-static-'));
  // The same build at two sub-paths: one with a good config.json, one with a bad one.
  for (const dir of ['tenantscope', 'broken', 'noproxy', 'refused']) cpSync(join(ROOT, 'dist'), join(env.root, dir), { recursive: true });
  const port = await freePort();
  env.site = `http://127.0.0.1:${port}`;
  env.proxy = await startProxy(['--allow-origin', env.site]);
  // The proxy is on another origin: the name "localhost" is not the site's "127.0.0.1".
  env.api = env.proxy.url.replace('127.0.0.1', 'localhost') + '/api';
  writeFileSync(join(env.root, 'tenantscope/config.json'), JSON.stringify({ proxy: env.api, region: 'cn-east-3', lang: 'en' }));
  writeFileSync(join(env.root, 'broken/config.json'), JSON.stringify({ proxy: 'proxy.example.com', thresholds: { critical_days: 30, warning_days: 7 }, proxy_url: '/api' }));
  // Nothing like the proxy at these: the static server's own 404 page, and a closed port.
  writeFileSync(join(env.root, 'noproxy/config.json'), JSON.stringify({ proxy: '/noproxy/api' }));
  writeFileSync(join(env.root, 'refused/config.json'), JSON.stringify({ proxy: `http://127.0.0.1:${await freePort()}/api` }));
  env.server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', env.root], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await fetch(env.site + '/tenantscope/').then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  env.chrome = await startBrowser();
});

after(async () => {
  await env.chrome?.close();
  env.server?.kill();
  await env.proxy?.stop();
  rmSync(env.root, { recursive: true, force: true });
});

test('dist/ under a sub-path of a static server: styled, its chunk loads, the demo works through a proxy on another origin', async () => {
  const { page, problems } = await openPage(env.chrome.browser, env.site + '/tenantscope/');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // Styled: the stylesheet came from beside index.html.
  assert.equal(await page.locator('header.topbar').evaluate((h) => getComputedStyle(h).display), 'flex');
  // config.json applied: the proxy and the region the form starts with.
  assert.equal(await page.locator('#region').inputValue(), 'cn-east-3');
  // The first visit says what the console shows, how to get a token, and
  // that it goes only to the proxy config.json names.
  const welcome = page.locator('.welcome');
  assert.equal(await welcome.locator('.welcome-proxy').textContent(), env.api);
  assert.match(await welcome.getByRole('link', { name: 'How to obtain one (Huawei Cloud)' }).getAttribute('href'), /^https:\/\/support\.huaweicloud\.com\/.*iam_30_0001\.html$/);
  assert.match(await welcome.textContent(), /kept in this page's memory only/);
  // The proxy itself says it is the demo, and a button opens it untyped.
  await welcome.locator('[data-state=demo]').waitFor();
  assert.match(await welcome.locator('[data-state=demo]').textContent(), /runs the demo tenant: it answers every call itself.*sends nothing to Huawei Cloud/);
  await fullShot(page, join(ROOT, 'target/screenshots/hosting-first-visit.png'));
  await page.getByRole('button', { name: 'Try the demo tenant' }).click();
  for (const key of KEYS) await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 20_000 });
  // A project-scoped token names its own region, which wins over the deployment's default.
  assert.match(await page.locator('.session-line').textContent(), /cn-north-4/);
  assert.equal(await welcome.count(), 0, 'the first-visit text stays once a tab is open');
  assert.equal(await page.getByRole('button', { name: 'Try the demo tenant' }).count(), 0, 'nor the demo button');
  // Every file of the site came from under /tenantscope/, the API calls from the proxy.
  const site = requests.filter((u) => u.startsWith(env.site));
  assert.ok(site.every((u) => u.startsWith(env.site + '/tenantscope/')), site.join('\n'));
  assert.ok(requests.some((u) => /\/tenantscope\/pkg\/split_console.*\.wasm$/.test(u) || /split_console/.test(u)), 'the console chunk was not fetched from the site');
  assert.ok(requests.some((u) => u.startsWith(env.api + '/')), 'no call went to the proxy');
  assert.deepEqual(problems, []);
});

test('a malformed config.json is said field by field, and the defaults apply', async () => {
  const { page } = await openPage(env.chrome.browser, env.site + '/broken/');
  const notice = page.locator('[data-state=config-error]');
  await notice.waitFor();
  const lines = await notice.locator('li').allTextContents();
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('"proxy" must be')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('"thresholds" must be')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('"proxy_url" is not a field')), lines.join('\n'));
  // The defaults: the built-in region and proxy (this static server has no /api).
  assert.equal(await page.locator('#region').inputValue(), 'cn-north-4');
  await page.locator('details.settings summary').click();
  assert.equal(await page.locator('#proxy').inputValue(), '/api');
});

test('no tenantscope proxy at the proxy URL: the form says so and how to fix it, not a service error', async () => {
  for (const [dir, said, fix] of [
    ['noproxy', /What answers at \/noproxy\/api is not a tenantscope proxy \(HTTP 404/, /Run tenantscope-proxy and set its API base \(it ends in \/api\)/],
    ['refused', /The proxy at http:\/\/127\.0\.0\.1:\d+\/api could not be reached/, /must allow it with --allow-origin/],
  ]) {
    const { page } = await openPage(env.chrome.browser, `${env.site}/${dir}/`);
    // Said on the first visit already, before any token is pasted.
    const early = page.locator('.welcome [data-state=error]');
    await early.waitFor();
    assert.match(await early.textContent(), said);
    assert.equal(await page.getByRole('button', { name: 'Try the demo tenant' }).count(), 0);
    await page.locator('#token').fill('demo');
    const line = page.locator('.discovery');
    await line.filter({ hasText: 'could not be looked up' }).waitFor({ timeout: 10_000 });
    const text = await line.textContent();
    assert.match(text, said);
    assert.match(text, fix);
    assert.doesNotMatch(text, /not offered in this region/);
    if (dir === 'noproxy') {
      // Said once: no tab opens whose every panel would say it again.
      await page.waitForTimeout(300);
      assert.equal(await page.locator('.tenant, .error-card').count(), 0, 'a tab opened to repeat the error');
      await page.screenshot({ path: join(ROOT, 'target/screenshots/hosting-no-proxy.png') });
    }
  }
});

test('a relaying proxy lists the Huawei Cloud hosts it sends to on the first visit, and offers no demo', async () => {
  const relay = await startProxy([], { demo: false });
  try {
    const { page, problems } = await openPage(env.chrome.browser, relay.url + '/');
    const hosts = page.locator('.welcome details[data-state=ready]');
    await hosts.waitFor();
    const listed = await hosts.locator('li').allTextContents();
    // The proxy's own list (GET /api/about), not a claim of the page's.
    const about = await fetch(relay.url + '/api/about').then((r) => r.json());
    assert.deepEqual(listed, about.relays_to);
    assert.ok(listed.includes('hss.cn-north-4.myhuaweicloud.com') && listed.every((h) => h.endsWith('.myhuaweicloud.com') || h.endsWith('.myhuaweicloud.eu')), listed.join(' '));
    assert.match(await hosts.locator('summary').textContent(), new RegExp(`relays only to these ${listed.length} Huawei Cloud hosts`));
    assert.equal(await page.getByRole('button', { name: 'Try the demo tenant' }).count(), 0);
    await hosts.locator('summary').click();
    await fullShot(page, join(ROOT, 'target/screenshots/hosting-relay-hosts.png'));
    assert.deepEqual(problems, []);
  } finally {
    await relay.stop();
  }
});
