// The console's code is split out of the first page load (scripts/build-wasm,
// src/components/console.rs): the page loads without it, fetches it once the
// token field is focused, and a failed fetch is an error card with Try
// again, never a crashed page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo } from './harness.mjs';

const CHUNK = /\/pkg\/split_[^/]*\.wasm$/;
const demo = useDemo();

/** A fresh page that records every request from the first one. */
async function freshPage() {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(demo.proxy.url);
  await page.waitForSelector('form.session button[type=submit]');
  return { page, requests, problems };
}

test('the first page load does not fetch the console; focusing the token field does', async () => {
  const { page, requests, problems } = await freshPage();
  await page.waitForLoadState('networkidle');
  assert.ok(requests.some((p) => p.endsWith('/pkg/tenantscope_bg.wasm')), requests.join(' '));
  assert.equal(requests.filter((p) => CHUNK.test(p)).length, 0, `fetched before any input: ${requests.join(' ')}`);
  const chunk = page.waitForRequest((r) => CHUNK.test(new URL(r.url()).pathname));
  await page.getByLabel('IAM token').focus();
  await chunk;
  await page.getByLabel('IAM token').fill('demo');
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor();
  assert.equal(requests.filter((p) => CHUNK.test(p)).length, 1, 'fetched once');
  assert.deepEqual(problems, []);
});

test('a console that cannot be fetched is an error card with Try again', async () => {
  const { page, problems } = await freshPage();
  await page.route(CHUNK, (route) => route.abort('internetdisconnected'));
  await page.getByLabel('IAM token').fill('demo');
  const card = page.locator('.error-card', { hasText: 'The console could not be loaded' });
  await card.waitFor();
  assert.match(await card.textContent(), /Check the network connection and try again/);
  // The form keeps what was typed.
  assert.equal(await page.getByLabel('IAM token').inputValue(), 'demo');
  await page.unroute(CHUNK);
  await card.getByRole('button', { name: 'Try again' }).click();
  await page.locator('section.panel[data-service=testplan] [data-state=ready]').waitFor();
  assert.equal(await card.count(), 0);
  assert.deepEqual(problems, []);
});

// What the dashboard waits for goes first (bench/network.mjs times it).

/** Pastes `demo` as a password manager does: the focus and the whole token at once. */
async function pasteWithFocus(page) {
  await page.evaluate(() => {
    // When the first panel is put in the page.
    new MutationObserver((_, observer) => {
      if (document.querySelector('section.panel')) {
        window.panelAt = performance.now();
        observer.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
    const input = document.getElementById('token');
    input.focus();
    input.value = 'demo';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor();
}

test('a paste with the focus asks for the token before the console', async () => {
  const { page, requests, problems } = await freshPage();
  await pasteWithFocus(page);
  const token = requests.findIndex((p) => p.endsWith('/v3/auth/tokens'));
  const chunk = requests.findIndex((p) => CHUNK.test(p));
  assert.ok(token >= 0 && chunk > token, `the token is asked first: ${requests.join(' ')}`);
  assert.deepEqual(problems, []);
});

test('a new tab asks its services before it draws its panels', async () => {
  const { page, problems } = await freshPage();
  await pasteWithFocus(page);
  const { panelAt, firstPages } = await page.evaluate(() => ({
    panelAt: window.panelAt,
    firstPages: performance.getEntriesByType('resource').filter((e) => /\/api\/(hss|dsc|metastudio|codecheck)\//.test(e.name)).map((e) => e.startTime),
  }));
  assert.ok(firstPages.length >= 4, `the services were asked: ${firstPages}`);
  assert.ok(Math.min(...firstPages) < panelAt, `the services were asked at ${Math.min(...firstPages)} ms, the panels drawn at ${panelAt} ms`);
  assert.deepEqual(problems, []);
});

test('a new tab asks its services before it opens the account\'s history', async () => {
  const { page, problems } = await freshPage();
  // Every opening of the page's database from here on, timed.
  await page.evaluate(() => {
    window.historyOpened = [];
    const open = indexedDB.open.bind(indexedDB);
    indexedDB.open = (...args) => {
      window.historyOpened.push(performance.now());
      return open(...args);
    };
  });
  await pasteWithFocus(page);
  await page.waitForFunction(() => window.historyOpened.length > 0);
  const { opened, firstPages } = await page.evaluate(() => ({
    opened: Math.min(...window.historyOpened),
    firstPages: performance.getEntriesByType('resource')
      .filter((e) => /\/api\/(hss|dsc|metastudio|codecheck)\//.test(e.name) && !/[?&]offset=(?!0(&|$))/.test(e.name)).map((e) => e.startTime),
  }));
  assert.equal(firstPages.length, 4, `the services were asked: ${firstPages}`);
  assert.ok(Math.max(...firstPages) < opened, `the last first page was asked at ${Math.max(...firstPages)} ms, the history opened at ${opened} ms`);
  assert.deepEqual(problems, []);
});

/** Records each call of `fetch` from here on: its URL, and whether the
 * welcome was still in the page (the tab not yet drawn). */
async function recordFetches(page) {
  await page.evaluate(() => {
    window.fetched = [];
    const fetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input.url;
      window.fetched.push({ url, welcome: !!document.querySelector('section.welcome') });
      return fetch(input, init);
    };
  });
}

/** The services' first requests, in the order they were sent. */
const firstRequests = (page) => page.evaluate(() => window.fetched
  .filter((f) => /\/api\/(hss|dsc|metastudio|codecheck|projectman)\//.test(f.url) && !/[?&]offset=(?!0(&|$))/.test(f.url)));

test('a new tab sends its first requests before the page is drawn for it', async () => {
  const { page, problems } = await freshPage();
  await recordFetches(page);
  // The console's code is in by the time the token is known, as it is when
  // IAM takes longer than the code to come (it is asked at the focus).
  const chunk = page.waitForResponse((r) => CHUNK.test(new URL(r.url()).pathname));
  await page.focus('#token');
  await chunk;
  await page.waitForTimeout(300);
  await pasteWithFocus(page);
  const first = await firstRequests(page);
  assert.equal(first.length, 5, `the services were asked: ${first.map((f) => f.url)}`);
  assert.deepEqual(first.filter((f) => !f.welcome).map((f) => new URL(f.url).pathname), [], 'asked after the welcome gave way to the tab');
  assert.deepEqual(problems, []);
});

test('a new tab asks first the services whose next requests wait for an answer', async () => {
  const { page, problems } = await freshPage();
  await recordFetches(page);
  await pasteWithFocus(page);
  const order = (await firstRequests(page)).map((f) => new URL(f.url).pathname.split('/')[2]);
  // TestPlan's CodeArts project list (its status waits for it, and it is
  // read at once), then the paged services (their next pages wait for the
  // first), then the services of one call, each in the catalogue's order.
  assert.deepEqual(order, ['projectman', 'metastudio', 'hss', 'codecheck', 'dsc']);
  assert.deepEqual(problems, []);
});
