// The console an operator reads at a glance (issue 15): the warnings answer
// "what needs me, and by when", every figure and warning row leads to its
// packages, labels follow the thresholds, and the page title says what is
// urgent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, useDemo, openPage, billingSettled, editSignIn } from './harness.mjs';

const demo = useDemo();
const KEYS = ['testplan', 'codecheck', 'metastudio', 'dsc', 'hss'];
const SHOTS = join(ROOT, 'target/screenshots');

async function openDemo(hash = '') {
  const { page, problems } = await openPage(demo.chrome.browser, demo.proxy.url + '/' + hash);
  await page.getByLabel('IAM token').fill('demo');
  for (const key of KEYS) await page.locator(`section.panel[data-service=${key}] [data-state=ready]`).waitFor({ timeout: 15_000 });
  await page.locator('.overview').waitFor();
  await billingSettled(page);
  return { page, problems };
}

const cells = (rows) => rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));

test('warnings: soonest first, then frozen or closed, the expired collapsed; identical rows merged', async () => {
  const { page, problems } = await openDemo();
  const overview = page.locator('.overview');

  // What expires soon comes first, soonest at the top, in words.
  const upcoming = await cells(overview.locator('table.warnings.upcoming tbody tr'));
  assert.ok(upcoming.length > 1, 'nothing expiring soon in the demo');
  assert.ok(upcoming.every(([u]) => /^Expires within (7|30) days$/.test(u)), upcoming.map((r) => r[0]).join(' | '));
  const dates = upcoming.map((r) => r[3]);
  assert.deepEqual(dates, [...dates].sort(), 'soonest first');
  assert.match(upcoming[0][4], /expires in \d+ days?/);
  // The first rows of the whole list are hosts that lost their protection,
  // then what lapses soon: not an old expiry.
  const order = await overview.locator('table.warnings').evaluateAll((ts) => ts.map((t) => t.className));
  assert.deepEqual(order.slice(0, 2), ['warnings unprotected', 'warnings upcoming']);

  // Frozen or closed, whatever the date, saying so.
  const frozen = await cells(overview.locator('table.warnings.frozen tbody tr'));
  assert.ok(frozen.length > 0);
  for (const row of frozen) assert.match(row[4], /Frozen|Closed/, row.join(' | '));

  // The expired: collapsed behind their count, most recent first.
  const expired = overview.locator('details.expired-group');
  assert.equal(await expired.evaluate((d) => d.open), false, 'the expired group starts collapsed');
  const summary = await expired.locator('summary').textContent();
  const [, n] = summary.match(/^Expired: (\d+) packages?$/);
  assert.ok(Number(n) > 0);
  // Every expired package is in this group, but the quotas that left a host
  // without protection, listed first of all.
  const bare = await overview.locator('table.warnings.unprotected tbody tr').count();
  assert.equal(Number(n) + bare, Number(await page.locator('.figure[data-urgency=expired] .figure-n').textContent()), 'the group counts every expired package');
  await expired.locator('summary').click();
  const gone = await cells(expired.locator('tbody tr'));
  const ago = gone.map((r) => r[4].match(/expired (\d+) days? ago/)).filter(Boolean).map((m) => Number(m[1]));
  assert.ok(ago.length > 1);
  assert.deepEqual(ago, [...ago].sort((a, b) => a - b), 'most recent first');

  // Identical rows (service, package, date) are one row with their count,
  // and the rows' counts add up to the packages that need attention.
  const merged = await overview.locator('.merged').allTextContents();
  assert.ok(merged.length > 0, 'the demo has identical packages: none merged');
  assert.ok(merged.every((m) => /^×\d+$/.test(m) && Number(m.slice(1)) > 1), merged.join());
  const rowsStandFor = await overview.locator('table.warnings tbody tr').evaluateAll((trs) =>
    trs.reduce((sum, tr) => sum + Number(tr.querySelector('.merged')?.textContent.slice(1) ?? 1), 0));
  const needs = Number((await overview.locator('> p.muted').first().textContent()).match(/; (\d+) need attention/)[1]);
  if (!(await overview.textContent()).includes('more: filter by urgency')) assert.equal(rowsStandFor, needs);

  await page.screenshot({ path: join(SHOTS, 'glance-warnings.png'), fullPage: false });
  assert.deepEqual(problems, []);
});

test('figures set their filter, and a warning row shows its package in its panel', async () => {
  const { page, problems } = await openDemo();
  const overview = page.locator('.overview');

  // A figure is a button: pressing it filters every panel to its packages.
  const critical = Number(await page.locator('.figure[data-urgency=critical] .figure-n').textContent());
  await page.locator('.figure[data-urgency=critical] button').click();
  await page.waitForFunction(() => location.hash === '#urgency=critical');
  assert.equal(await page.getByLabel('Urgency', { exact: true }).inputValue(), 'critical');
  await page.waitForFunction(() => [...document.querySelectorAll('li.card, tr.row')].every((c) => c.dataset.urgency === 'critical'));
  const matchingAll = async () => {
    const lines = await page.locator('.panel .shown').allTextContents();
    return lines.map((t) => Number(t.match(/(\d+) match/)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
  };
  assert.equal(await matchingAll(), critical);

  // The frozen-or-closed figure, by keyboard.
  await page.locator('.figure[data-attention=frozen-or-closed] button').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#urgency=frozen-or-closed');
  assert.equal(await page.getByLabel('Urgency', { exact: true }).inputValue(), 'frozen-or-closed');
  await page.waitForFunction(() => [...document.querySelectorAll('li.card, tr.row')].every((c) => c.querySelector('.badge')));
  const frozen = await matchingAll();
  assert.ok(frozen > 0);
  assert.equal(frozen, Number(await page.locator('.figure[data-attention=frozen-or-closed] .figure-n').textContent()));

  // A status count sets the status filter.
  await page.locator('.statuses [data-status=expired] button').click();
  await page.waitForFunction(() => location.hash === '#status=expired');
  await page.waitForFunction(() => [...document.querySelectorAll('li.card, tr.row')].every((c) => c.dataset.status === 'expired'));

  // A warning row's package: only its service's panel, with that package.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const row = overview.locator('table.warnings.upcoming tbody tr').filter({ hasNot: page.locator('.merged') }).first();
  const name = await row.locator('button[data-filter=package]').textContent();
  const service = await row.locator('button[data-filter=package]').getAttribute('data-service');
  await row.locator('button[data-filter=package]').click();
  await page.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await page.locator('section.panel').getAttribute('data-service'), service);
  assert.equal(await page.locator('section.panel li.card').count(), 1);
  assert.equal(await page.locator('section.panel li.card .card-name').textContent(), name);
  assert.match(page.url(), new RegExp(`#q=[^&]+&service=${service}$`));
  // It was scrolled to.
  assert.ok(await page.locator('section.panel').evaluate((el) => el.getBoundingClientRect().top < innerHeight));
  assert.deepEqual(problems, []);
});

test('labels follow the thresholds, and the page title says what is urgent', async () => {
  const { page, problems } = await openDemo();
  const critical = Number(await page.locator('.figure[data-urgency=critical] .figure-n').textContent());
  // The alarm is what lapses: what renews by itself is counted apart. A host
  // without protection comes first.
  const [, lapsing] = (await page.title()).match(/^1 host unprotected · (\d+) lapsing within 7 days — tenantscope$/) ?? [];
  assert.ok(Number(lapsing) > 0 && Number(lapsing) < critical, `${await page.title()} of ${critical} critical`);
  // What renews within 7 days is what the title leaves out.
  await page.locator('section.overview details.renewing-group summary').click();
  await page.locator('section.overview details.renewing-group tbody tr', { hasText: 'Expires within 7 days' }).first().waitFor();

  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Warning within (days)').fill('60');
  await page.getByLabel('Warning within (days)').press('Tab');
  await page.getByLabel('Critical within (days)').fill('14');
  await page.getByLabel('Critical within (days)').press('Tab');
  await page.waitForFunction(() => document.querySelector('.figure[data-urgency=critical] .figure-label').textContent === 'Expires within 14 days');
  // The group opened above stays open as the overview is drawn again, its rows in the new words.
  assert.equal(await page.locator('section.overview details.renewing-group').evaluate((d) => d.open), true, 'the opened group closed');
  await page.locator('section.overview details.renewing-group tbody tr', { hasText: 'Expires within 14 days' }).first().waitFor();
  const labels = await page.locator('.figure .figure-label').allTextContents();
  assert.deepEqual(labels.slice(1, 4), ['Expires within 14 days', 'Expires within 60 days', 'Expires after 60 days']);
  const options = await page.getByLabel('Urgency', { exact: true }).locator('option').allTextContents();
  assert.ok(options.includes('Expires within 14 days') && options.includes('Expires within 60 days'), options.join(' | '));
  const periods = await page.locator('.overview table.legend tbody tr td:first-child').allTextContents();
  assert.deepEqual(periods, ['in 0–14 days', 'in 15–60 days', 'in 61–90 days']);
  const text = await page.locator('body').textContent();
  assert.ok(!/within 7 days|within 30 days|0–7|8–30/.test(text), 'a label still says the default thresholds');
  const now = Number(await page.locator('.figure[data-urgency=critical] .figure-n').textContent());
  const [, wider] = (await page.title()).match(/^1 host unprotected · (\d+) lapsing within 14 days — tenantscope$/) ?? [];
  assert.ok(Number(wider) > 0 && Number(wider) < now, `${await page.title()} of ${now} critical`);
  await page.screenshot({ path: join(SHOTS, 'glance-thresholds.png'), fullPage: false });
  assert.deepEqual(problems, []);
});

test('dates carry their time and zone, in the zone chosen in Settings', async () => {
  const { page, problems } = await openDemo();
  const firstDate = () => page.locator('.overview table.warnings.upcoming tbody tr td:nth-child(4)').first().textContent();
  // The browser's zone by default (the test browser runs in UTC).
  assert.match(await firstDate(), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  assert.match(await page.locator('li.card .card-dates .urgency').first().textContent(), /\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  const before = await firstDate();
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Time zone').selectOption('UTC+8');
  await page.waitForFunction(() => document.querySelector('.overview table.warnings.upcoming tbody tr td:nth-child(4)')?.textContent.endsWith('UTC+8'));
  const after = await firstDate();
  // The same moment, eight hours on.
  const at = (text) => Date.parse(text.replace(' ', 'T').replace(/ UTC(\+8)?$/, ':00Z')) - (text.endsWith('+8') ? 8 * 3_600_000 : 0);
  assert.equal(at(after), at(before), `${before} → ${after}`);
  assert.match(await page.locator('li.card .card-dates .urgency').first().textContent(), /UTC\+8/);
  // Kept over a reload.
  assert.equal(await page.evaluate(() => localStorage.getItem('tenantscope.zone')), 'UTC+8');
  assert.deepEqual(problems, []);
});

test('panels a filter empties collapse, and a single service takes the whole width', async () => {
  const { page, problems } = await openDemo();
  const width = (key) => page.locator(`section.panel[data-service=${key}]`).evaluate((el) => el.getBoundingClientRect().width);
  const narrow = await width('dsc');
  const tall = await page.locator('section.panel[data-service=dsc]').evaluate((el) => el.getBoundingClientRect().height);
  // A search only HSS quotas match: the other panels keep their name and say so.
  await page.getByLabel('Search', { exact: true }).fill('hss.version');
  await page.waitForFunction(() => document.querySelector('section.panel[data-service=dsc] [data-emptied]'));
  const dsc = page.locator('section.panel[data-service=dsc]');
  assert.equal(await dsc.locator('.shown').textContent(), 'No package matches the filters.');
  assert.equal(await dsc.locator('.charts').isVisible(), false);
  assert.ok(await dsc.evaluate((el) => el.getBoundingClientRect().height) < tall / 2, 'the emptied panel did not collapse');
  assert.equal(await page.locator('section.panel[data-service=hss] [data-emptied]').count(), 0);
  // One service: the whole width.
  await page.getByLabel('Search', { exact: true }).fill('');
  await page.getByLabel('Service', { exact: true }).selectOption('dsc');
  await page.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.ok(await width('dsc') > narrow * 1.5, `${await width('dsc')} vs ${narrow}`);
  await page.screenshot({ path: join(SHOTS, 'glance-single-service.png'), fullPage: false });
  assert.deepEqual(problems, []);
});

test('two regions of the demo tenant are two different regions', async () => {
  const { page, problems } = await openDemo();
  const count = () => page.locator('[data-service=hss] .count').textContent();
  assert.equal(await count(), '480 packages');
  const dsc = () => page.locator('[data-service=dsc] .count').textContent();
  const dscNorth = await dsc();
  // The same token in cn-east-3, in a new tab: its own project, its own quotas.
  await editSignIn(page);
  await page.locator('#region').selectOption('cn-east-3');
  await page.getByRole('button', { name: 'Inspect in new tab' }).click();
  await page.getByRole('tab', { name: /^2\. .*cn-east-3$/ }).waitFor({ timeout: 15_000 });
  await page.locator('section.panel[data-service=hss] [data-state=ready]').waitFor({ timeout: 15_000 });
  assert.equal(await count(), '105 packages');
  // DSC is bought per region too: cn-east-3 has an edition of its own.
  await page.locator('section.panel[data-service=dsc] [data-state=ready]').waitFor({ timeout: 15_000 });
  assert.notEqual(await dsc(), dscNorth);
  assert.match(await page.locator('.session-line').textContent(), /3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03/);
  // The form follows the tab: its region and project are the open tab's.
  assert.equal(await page.locator('#region').inputValue(), 'cn-east-3');
  assert.equal(await page.getByLabel('Project ID').inputValue(), '3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03');
  await page.getByRole('tab', { name: /^1\. / }).click();
  await page.waitForFunction(() => document.getElementById('region').value === 'cn-north-4');
  assert.notEqual(await page.getByLabel('Project ID').inputValue(), '3f9a6c1e0b7d4e5a8c2f4b6d9e1a7c03');
  // A region typed in one tab stays there.
  await editSignIn(page);
  await page.locator('#region').selectOption('ap-southeast-3');
  await page.getByRole('tab', { name: /^2\. / }).click();
  await page.waitForFunction(() => document.getElementById('region').value === 'cn-east-3');
  await page.getByRole('tab', { name: /^1\. / }).click();
  await page.waitForFunction(() => document.getElementById('region').value === 'ap-southeast-3');
  assert.deepEqual(problems, []);
});

test('charts say their figures in words, use one colour per meaning, and follow the filters', async () => {
  const { page, problems } = await openDemo();
  const hss = page.locator('section.panel[data-service=hss]');
  const centre = async () => (await hss.locator('svg.donut text').allTextContents()).join(' | ');
  // The donut's centre says what is in use, of how many.
  const [, used, total, share] = (await centre()).match(/^(\d+) \/ (\d+) \| in use \((\d+)%\)$/);
  assert.equal(Number(total), 480);
  assert.equal(Number(share), Math.round((100 * Number(used)) / 480));
  // Used and frozen are two colours.
  const fill = (cls) => hss.locator(`rect.${cls}, circle.${cls}`).first().evaluate((el) => getComputedStyle(el).fill);
  assert.notEqual(await fill('s-used'), await fill('s-frozen'));
  // Filtered, the charts count what the filters leave.
  await page.getByLabel('Urgency', { exact: true }).selectOption('critical');
  await page.waitForFunction(() => !/\/ 480 /.test([...document.querySelectorAll('[data-service=hss] svg.donut text')].map((t) => t.textContent).join(' ')));
  const shown = Number((await hss.locator('.shown').textContent()).match(/(\d+) (that )?match/)[1]);
  assert.equal(Number((await centre()).match(/\/ (\d+)/)[1]), shown);
  await hss.screenshot({ path: join(SHOTS, 'glance-hss-charts.png') });
  assert.deepEqual(problems, []);
});

test('a long list is a table: windowed, sortable by its headers, one tab stop with arrow keys', async () => {
  const { page, problems } = await openDemo();
  const hss = page.locator('section.panel[data-service=hss]');
  const table = hss.locator('table.rows');
  const box = hss.locator('.table-scroll');
  // In sight, as a person sees it: out of sight its rows are not laid out
  // (content-visibility), and their geometry reads as nothing.
  await box.scrollIntoViewIfNeeded();
  // 480 quotas, a window of them in the page; scrolling to the end draws the last.
  assert.equal(await table.getAttribute('aria-rowcount'), '481');
  const drawn = await hss.locator('tr.row').count();
  assert.ok(drawn < 60, `${drawn} rows in the page`);
  // Before any scroll, the rows drawn fill the box, on a phone too.
  for (const width of [390, 1400]) {
    await page.setViewportSize({ width, height: 1000 });
    await box.scrollIntoViewIfNeeded();
    const gap = await box.evaluate((b) => b.getBoundingClientRect().bottom - [...b.querySelectorAll('tr.row')].at(-1).getBoundingClientRect().bottom);
    assert.ok(gap <= 0, `${width} px: the last row drawn ends ${gap} px above the box's bottom`);
  }
  await box.evaluate((b) => { b.scrollTop = b.scrollHeight; });
  await page.waitForFunction(() => document.querySelector('[data-service=hss] tr.row:last-child')?.getAttribute('aria-rowindex') === '481');
  assert.ok(await hss.locator('tr.row').count() < 60);
  // The scroll height is the whole list's: spacers stand in for the rows not drawn.
  const rowHeight = await hss.locator('tr.row').first().evaluate((r) => r.getBoundingClientRect().height);
  const height = await box.evaluate((b) => b.scrollHeight);
  assert.ok(Math.abs(height - 480 * rowHeight) < rowHeight * 3, `scroll height ${height} for 480 rows of ${rowHeight}`);
  await box.evaluate((b) => { b.scrollTop = 0; });

  // Headers sort, and again the other way; the order is said with aria-sort.
  assert.equal(await table.locator('th[aria-sort=ascending]').textContent(), 'Expires▲', 'the view\'s order at first');
  const names = () => hss.locator('tr.row .row-name').allTextContents();
  await table.getByRole('button', { name: 'Name' }).click();
  await page.waitForFunction(() => document.querySelector('[data-service=hss] th.c-name')?.getAttribute('aria-sort') === 'ascending');
  const up = await names();
  assert.deepEqual(up, [...up].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  await table.getByRole('button', { name: 'Name' }).click();
  await page.waitForFunction(() => document.querySelector('[data-service=hss] th.c-name')?.getAttribute('aria-sort') === 'descending');
  const down = await names();
  assert.ok(down[0].localeCompare(up[0]) > 0, `${down[0]} after ${up[0]}`);
  // Usage: fullest first (MetaStudio gives figures).
  const meta = page.locator('section.panel[data-service=metastudio]');
  await meta.getByRole('button', { name: 'Usage' }).click();
  // (A lapsed package says what was used, with no share: left out here.)
  const shares = (await meta.locator('tr.row .c-usage').allTextContents()).map((t) => Number(t.match(/\((\d+)%\)/)?.[1] ?? -1)).filter((v) => v >= 0);
  assert.ok(shares.length > 5 && shares.every((v, i) => i === 0 || v <= shares[i - 1]), shares.join());

  // One tab stop for the rows: the table itself comes just before its
  // header buttons, and Tab past them leaves it (no button in a row is one).
  await table.getByRole('button', { name: 'ID' }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[data-service=hss] .table-scroll')), false, 'Tab stopped inside the rows');
  await table.getByRole('button', { name: 'Name' }).focus();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.matches('[data-service=hss] table.rows')), true);
  // End goes to the last row (drawn, in sight, the active descendant); Enter opens its card.
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-service=hss] table.rows');
    const row = document.getElementById(t.getAttribute('aria-activedescendant'));
    return row?.getAttribute('aria-rowindex') === '481' && row.classList.contains('active');
  });
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const active = await page.evaluate(() => document.getElementById(document.querySelector('[data-service=hss] table.rows').getAttribute('aria-activedescendant')).dataset.id);
  await page.keyboard.press('Enter');
  const detail = hss.locator('.row-detail li.card');
  await detail.waitFor();
  assert.equal(await detail.getByRole('button', { name: 'Copy ID' }).getAttribute('data-copy'), active);
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  await hss.screenshot({ path: join(SHOTS, 'glance-table.png') });
  // A few packages stay cards; filtered to a few, a long list becomes cards.
  assert.equal(await page.locator('[data-service=dsc] li.card').count(), 3);
  await page.getByLabel('Search').fill(active);
  await hss.locator('li.card').waitFor();
  assert.equal(await hss.locator('table.rows').count(), 0);
  assert.deepEqual(problems, []);
});
