// One paste of a token into the console, timed to the complete dashboard,
// and what the network benchmarks share around it: the request that ends
// the chain (`isLater`), a self-signed certificate for the proxy's own TLS,
// and a throttled link. Used by bench/network.mjs and bench/compare.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy } from '../tests/browser/harness.mjs';

/** A request of the last round: a page after a first (an `offset` other
 * than 0), or TestPlan's status. */
const LATER_PAGE = /[?&]offset=(?!0(&|$))/;
export const isLater = (path) => LATER_PAGE.test(path) || path.includes('/package/status');

/** The middle of `xs` (the upper of the two middles), the numbers only; NaN for none. */
export const median = (xs) => {
  const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/** A self-signed certificate for 127.0.0.1; { cert, key, remove }. */
export function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'tenantscope-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  if (made.status !== 0) throw new Error('openssl could not make a certificate');
  return { cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The proxy serving TLS itself (HTTP/2 by ALPN), started as `startProxy` starts it otherwise; { url, stop }. */
export function startTlsProxy(tls, extraArgs = [], options = {}) {
  return startProxy(['--tls-cert', tls.cert, '--tls-key', tls.key, ...extraArgs], options);
}

/** Holds the page's link to `mbps` Mbit/s each way, when given. */
export async function throttle(context, page, mbps) {
  if (!mbps) return;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const bytesPerSecond = (mbps * 1e6) / 8;
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
}

/**
 * One paste to a complete dashboard, timed in the page, from a fresh
 * context: what it took, which requests it made and when, and when each
 * stage of the chain began (`stages`, ms after the paste: the token's
 * request; the first requests, after the token's answer; the first of the
 * last round's requests).
 */
export async function paste(browser, url, token, { mbps = 0 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('form.session button[type=submit]');
  await throttle(context, page, mbps);
  // Settled: every panel drawn (its packages, an error or "not offered") and
  // no page read still in flight; complete at the first animation frame
  // after the change that settled it. Looked at in the frame after each
  // change, not polled every frame: a frame asked for every 16 ms costs the
  // browser a frame's work each time, which a page nobody watches this way
  // does not pay.
  await page.evaluate(() => {
    window.benchDone = new Promise((done) => {
      const settled = () => {
        const panels = [...document.querySelectorAll('section.panel')];
        return panels.length === 5 && panels.every((p) => p.querySelector('[data-state=ready], [data-state=not-offered], .error-card')
          && !p.querySelector('[data-state=loading]') && !p.querySelector('.progress')?.textContent);
      };
      let asked = false;
      const changes = new MutationObserver(() => {
        if (asked) return;
        asked = true;
        requestAnimationFrame(() => {
          asked = false;
          if (!settled()) return;
          changes.disconnect();
          done(performance.now());
        });
      });
      changes.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
    });
  });
  const t0 = await page.evaluate((value) => {
    const input = document.getElementById('token');
    input.focus();
    const t = performance.now();
    // A paste: the whole token at once, as the field's input event sees it.
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return t;
  }, token);
  const done = await page.evaluate(() => window.benchDone);
  // Let anything late arrive, then read what was asked and when.
  await page.waitForTimeout(200);
  const figures = await page.evaluate(({ t0, done, laterPage }) => {
    const api = performance.getEntriesByType('resource').filter((e) => /\/api\/(?!about|offered)/.test(e.name) && e.startTime >= t0);
    const lastAnswer = Math.max(...api.map((e) => e.responseEnd));
    // `isLater`, in the page.
    const isLater = (e) => new RegExp(laterPage).test(e.name) || e.name.includes('/package/status');
    const token = api.find((e) => e.name.includes('/auth/tokens'));
    const firsts = api.filter((e) => !isLater(e) && e !== token && !e.name.includes('/auth/projects') && !e.name.includes('/bss/'));
    const earliest = (list) => (list.length ? Math.min(...list.map((e) => e.startTime)) - t0 : NaN);
    return {
      total: done - t0,
      renderAfterLast: done - lastAnswer,
      calls: api.length,
      paths: api.map((e) => new URL(e.name).pathname + new URL(e.name).search),
      protocol: api[0]?.nextHopProtocol ?? '',
      heap: performance.memory?.usedJSHeapSize ?? 0,
      // The answers' bytes as they travelled (compressed or not) and as read.
      wire: api.reduce((n, e) => n + e.encodedBodySize, 0),
      read: api.reduce((n, e) => n + e.decodedBodySize, 0),
      packages: [...document.querySelectorAll('section.panel .count')].map((c) => c.textContent).join(', '),
      stages: {
        token: token ? token.startTime - t0 : NaN,
        firstAfterToken: token ? earliest(firsts) - (token.responseEnd - t0) : NaN,
        later: earliest(api.filter(isLater)),
      },
      // Every request after the paste: when it started and ended, from the paste.
      timeline: performance.getEntriesByType('resource').filter((e) => e.startTime >= t0)
        .map((e) => `${(e.startTime - t0).toFixed(0).padStart(6)} ${(e.responseEnd - t0).toFixed(0).padStart(6)}  ${new URL(e.name).pathname}${new URL(e.name).search}`),
    };
  }, { t0, done, laterPage: LATER_PAGE.source });
  await context.close();
  return figures;
}
