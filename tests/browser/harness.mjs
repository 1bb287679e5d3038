// Starts what a browser test needs and stops it: the real proxy serving the
// release build (dist/) with the demo tenant, and headless Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

export const ROOT = resolve(import.meta.dirname, '../..');
const PROXY_BIN = process.env.TENANTSCOPE_PROXY_BIN ?? join(ROOT, 'target/server/tenantscope-proxy');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// Another build of the site (a profiling build with WASM_NAMES=1, say).
const SITE = process.env.TENANTSCOPE_SITE ?? join(ROOT, 'dist');

/**
 * Starts the proxy on a free loopback port; resolves to { url, logs, stop }.
 * With `demo: false` it relays instead, for example to a stub upstream given
 * with `--upstream-base`. `bin` and `site`: another proxy binary, another
 * build of the site (bench/compare.mjs sets them per build compared).
 */
export async function startProxy(extraArgs = [], { demo = true, bin = PROXY_BIN, site = SITE } = {}) {
  const args = ['--listen', '127.0.0.1:0', '--static', site, ...(demo ? ['--demo'] : []), ...extraArgs];
  const child = spawn(bin, args, { env: { ...process.env, RUST_LOG: 'debug' } });
  const logs = [];
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('proxy did not start in 10 s:\n' + logs.join(''))), 10_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      // https:// when the proxy serves TLS itself (--tls-cert, bench/network.mjs).
      const m = out.match(/listening on (https?:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`proxy exited (${code}):\n${logs.join('')}`)); });
  });
  return {
    url,
    logs,
    stop: () => new Promise((ok) => { child.once('exit', ok); child.kill('SIGTERM'); }),
  };
}

/** Launches headless Chromium with a fresh profile. */
export async function startBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'tenantscope-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return { browser, close: async () => { await browser.close(); rmSync(profile, { recursive: true, force: true }); } };
}

/**
 * A page that records console errors and failed requests; `init`, when
 * given, runs in the page before its own scripts (`addInitScript`).
 */
export async function openPage(browser, url, { init, arg } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  if (init) await context.addInitScript(init, arg);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('form.session button[type=submit]');
  return { page, problems, context };
}

/**
 * Lays out what the page lays out only near the viewport
 * (`content-visibility: auto`), as scrolling down to it would: before a
 * full-page screenshot, or a check of every element's box.
 */
export async function layOutLazy(page) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('body *')) if (getComputedStyle(el).contentVisibility === 'auto') el.style.contentVisibility = 'visible';
  });
}

/** A screenshot of the whole page at `path`, what is laid out only near the viewport laid out first ([`layOutLazy`]). */
export async function fullShot(page, path) {
  await layOutLazy(page);
  await page.screenshot({ path, fullPage: true });
}

/**
 * Waits until billing's reading is over for what the overview counts
 * (`data-billing` read or failed): billing is asked after the services, and
 * lays its dates over their packages.
 */
export async function billingSettled(page, timeout = 20_000) {
  await page.waitForFunction(() => ['read', 'failed'].includes(document.querySelector('section.overview')?.dataset.billing), null, { timeout });
}

/**
 * For a test file that needs only the demo proxy and Chromium: starts both
 * before its tests and stops them after. The returned object holds
 * `{ proxy, chrome }` once the tests run.
 */
export function useDemo(extraArgs = []) {
  const env = {};
  before(async () => {
    env.proxy = await startProxy(extraArgs);
    env.chrome = await startBrowser();
  });
  after(async () => {
    await env.chrome?.close();
    await env.proxy?.stop();
  });
  return env;
}

/**
 * Opens the sign-in again where it has folded into the session line (once
 * a tab is open), as a person presses Edit; does nothing while it is open.
 */
export async function editSignIn(page) {
  if (await page.locator('#sign-in.folded').count()) await page.locator('.edit-sign-in').click();
  await page.locator('#sign-in:not(.folded)').waitFor();
}

/**
 * Holds back the page's requests whose URL matches `url` (a glob or a
 * regular expression, as `page.route` takes) until the returned function
 * is called; `held` lists their URLs meanwhile.
 */
export async function holdBack(page, url) {
  let release;
  const released = new Promise((ok) => { release = ok; });
  const held = [];
  await page.route(url, async (route) => { held.push(route.request().url()); await released; await route.continue(); });
  return { release, held };
}
