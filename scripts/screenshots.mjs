// Screenshots of the console to look at (not a test): the demo tenant in
// two tabs (cn-north-4 and cn-east-3): the first screen, one tab's panels and
// "All tenants", in light, dark, phone (light, dark, Chinese), Chinese and
// Portuguese, into target/screenshots/.
//   node scripts/screenshots.mjs        # after scripts/build
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startProxy, startBrowser, editSignIn, billingSettled, layOutLazy } from '../tests/browser/harness.mjs';

const SHOTS = join(ROOT, 'target/screenshots');
mkdirSync(SHOTS, { recursive: true });
const KEYS = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
const VARIANTS = [
  { name: 'light', viewport: { width: 1400, height: 1000 }, colorScheme: 'light' },
  { name: 'dark', viewport: { width: 1400, height: 1000 }, colorScheme: 'dark' },
  { name: 'phone', viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true },
  { name: 'phone-zh', viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true, lang: 'zh-CN' },
  { name: 'zh', viewport: { width: 1400, height: 1000 }, colorScheme: 'light', lang: 'zh-CN' },
  { name: 'pt', viewport: { width: 1400, height: 1000 }, colorScheme: 'light', lang: 'pt-BR' },
];

const proxy = await startProxy();
const chrome = await startBrowser();
try {
  for (const v of VARIANTS) {
    const context = await chrome.browser.newContext({ viewport: v.viewport, colorScheme: v.colorScheme, isMobile: v.isMobile, hasTouch: v.hasTouch });
    const page = await context.newPage();
    await page.goto(proxy.url + '/');
    await page.waitForSelector('form.session button[type=submit]');
    if (v.lang) {
      await page.locator('details.settings summary').click();
      await page.locator('#lang').selectOption(v.lang);
      await page.locator('details.settings summary').click();
    }
    await page.locator('#token').fill('demo');
    for (const key of KEYS) await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 20_000 });
    // Billing's word laid over the packages, as a person sees it a moment later.
    await billingSettled(page);
    await page.screenshot({ path: join(SHOTS, `${v.name}-first-screen.png`) });
    // What is below the fold is laid out as it comes near: all of it, here.
    await layOutLazy(page);
    await page.screenshot({ path: join(SHOTS, `${v.name}-tab.png`), fullPage: true });
    // A second region in a new tab, then "All tenants".
    await editSignIn(page);
    await page.locator('#region').selectOption('cn-east-3');
    // "Inspect in new tab": the actions' second button, in any language.
    await page.locator('form.session .actions button').nth(1).click();
    await page.locator('#tab-all').waitFor({ timeout: 20_000 });
    for (const key of KEYS) await page.locator(`.tenant section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 20_000 });
    await page.locator('#tab-all').click();
    await page.locator('.panels-across section.panel[data-service=hss] table.rows').waitFor({ timeout: 20_000 });
    await layOutLazy(page);
    await page.screenshot({ path: join(SHOTS, `${v.name}-all-tenants.png`), fullPage: true });
    await page.locator('.panels-across section.panel[data-service=hss]').screenshot({ path: join(SHOTS, `${v.name}-all-tenants-hss.png`) });
    await context.close();
    console.log(`${v.name}: ${v.name}-tab.png, ${v.name}-all-tenants.png, ${v.name}-all-tenants-hss.png`);
  }
} finally {
  await chrome.close();
  await proxy.stop();
}
