// The page under its Content-Security-Policy (proxy/src/site.rs): the real
// proxy serving the release build, the demo tenant loaded end to end, and not
// one securitypolicyviolation event on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo } from './harness.mjs';

const SERVICES = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
const demo = useDemo();

test('the console runs under its CSP with no violation', async () => {
  const context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // Registered before the page exists, so violations during load count too.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const where = e.target instanceof Element ? ` on <${e.target.localName} class="${e.target.getAttribute('class') ?? ''}">` : '';
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}${where} ${e.sample || ''}`.trim());
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

  const response = await page.goto(demo.proxy.url);
  const headers = response.headers();
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/]+=*')+;/);
  assert.match(csp, /style-src 'self';/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['cache-control'], 'no-cache');

  await page.waitForSelector('form.session button[type=submit]');
  await page.getByLabel('IAM token').fill('demo');
  await page.waitForSelector('.session-line[data-state=ready]');
  for (const key of SERVICES) {
    await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  }
  // Raw JSON and the charts are drawn too (the drawer is where inline
  // styles would hide; it is laid out when opened).
  for (const summary of await page.locator('details.raw summary').all()) await summary.click();
  await page.locator('details.raw pre').first().waitFor();
  const violations = await page.evaluate(() => window.__cspViolations);
  const counted = [...new Set(violations)].map((v) => `${violations.filter((w) => w === v).length} × ${v}`);
  assert.deepEqual(counted, [], `CSP violations:\n${counted.join('\n')}`);
  assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused to/i.test(p)), []);
  await context.close();
});
