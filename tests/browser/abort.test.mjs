// Closing a tab abandons what it is still loading: its requests in flight
// are aborted, not left to finish for nobody (issue 13). The demo answers
// slowly here, so the tab is closed while its calls are on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemo, openPage, editSignIn } from './harness.mjs';

const demo = useDemo(['--demo-latency-ms', '3000']);

test('closing a tab aborts its requests in flight', async () => {
  const { page } = await openPage(demo.chrome.browser, demo.proxy.url);
  const aborted = [];
  page.on('requestfailed', (r) => { if (r.url().includes('/api/') && /ABORTED/.test(r.failure()?.errorText ?? '')) aborted.push(r.url()); });
  const started = [];
  page.on('request', (r) => { if (/\/api\/(testplan|codecheck|metastudio|dsc|hss)\//.test(r.url())) started.push(r.url()); });
  await page.getByLabel('IAM token').fill('demo');
  // The session opens (IAM and the project list, slowly), then the services are asked.
  await page.waitForFunction(() => document.querySelectorAll('section.panel [data-state=loading]').length > 0, null, { timeout: 20_000 });
  await page.waitForTimeout(500);
  assert.ok(started.length > 0, 'no service call started');
  await editSignIn(page);
  await page.getByRole('button', { name: 'Forget token' }).click();
  await page.waitForTimeout(500);
  assert.ok(aborted.length > 0, `nothing aborted; started ${started.length}`);
});
