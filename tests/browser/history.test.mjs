// Issue 29's "Done when": the console keeps each tab's packages over time
// in IndexedDB, says what changed since the last look, forecasts when a
// package runs out at its pace, and reads earlier JSON exports as history.
// Two earlier exports of the demo tenant (the command line's, dated 2 days
// and 1 day back with less used: history-fixtures.mjs) are imported
// through Settings, then the demo is signed in to: a package runs out
// before it expires (its card, Act now, the overview's figure, Export
// JSON v5), the last look's changes are listed, the history outlives a
// reload and goes with Forget history, a file that is not one is refused,
// and with IndexedDB refused the dashboard loads with one note.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { useDemo } from './harness.mjs';
import {
  DAY, HISTORY_SCHEMA, SERVICES, accountOf, checkHistoryShape, closeSettings, demoExport, earlierExports, historyCount, historyFile,
  keptTimes, nameOf, openHistorySettings, openRefusedPage, scratch, signIn, waitForCount,
} from './history-fixtures.mjs';

const demo = useDemo();
const CHANGES = ['added', 'gone', 'renewed', 'expired', 'attention', 'jumped'];
const FORECASTS = ['runs-out-before-expiry', 'runs-out', 'lasts', 'steady', 'used-up', 'unknown'];
/** A pattern matching `text` as it is. */
const words = (text) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let doc, fx, files, page, context, problems;

before(() => {
  doc = demoExport();
  fx = earlierExports(doc);
  files = scratch();
  files.older = files.write('tenantscope-older.json', fx.older);
  files.last = files.write('tenantscope-last.json', fx.last);
});
after(async () => {
  await context?.close();
  if (files) rmSync(files.dir, { recursive: true, force: true });
});

/**
 * The one page of the tests below that share a history (one context: one
 * IndexedDB); each test asks for it first, and checks the page problems
 * since (a failed test's are its own).
 */
async function mainPage() {
  if (page) {
    problems.length = 0;
    return page;
  }
  context = await demo.chrome.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // Forget history may ask first.
  page.on('dialog', (d) => d.accept());
  return page;
}

/** To the console afresh (a reload that drops the view's hash), as far as the sign-in form. */
async function reload(p) {
  await p.goto(demo.proxy.url);
  await p.waitForSelector('form.session button[type=submit]');
}

/** The act-now line of a package for `reason`, its fold opened if it is folded. */
async function actLine(p, reason, id) {
  const line = p.locator(`section.act-now li.act[data-reason="${reason}"]`).filter({ has: p.locator(`button[data-filter=package][data-value="${id}"]`) });
  await p.locator('section.act-now li.act').first().waitFor();
  // Past the first ten, in the fold, drawn once it is opened.
  if (!(await line.count())) {
    const more = p.locator('section.act-now details.act-more');
    if (await more.count() && !(await more.evaluate((d) => d.open))) await more.locator('summary').click();
  }
  await line.first().waitFor();
  return line.first();
}

/** Shows only `id`'s card, from its act-now line, and returns the card. */
async function showPackage(p, reason, target) {
  const line = await actLine(p, reason, target.id);
  await line.locator('button[data-filter=package]').click();
  await p.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await p.locator('section.panel').getAttribute('data-service'), target.service);
  const card = p.locator('section.panel li.card, section.panel tr.row');
  await card.first().waitFor();
  assert.equal(await card.count(), 1, 'the filter shows more than the package');
  return card.first();
}

/** Signs in afresh unless a dashboard is open (so that a test after a failed one checks its own part). */
async function signedIn(p) {
  if (await p.locator('section.act-now').count()) return;
  await reload(p);
  await signIn(p);
}

async function clearFilters(p) {
  const clear = p.getByRole('button', { name: 'Clear filters' }).first();
  if (await clear.count()) await clear.click();
}

async function download(p, click) {
  const [file] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('the fixtures: the command line exports the demo, and the earlier copies say what the tests expect', () => {
  assert.match(doc.schema, /^tenantscope\.export\.v[4-9]$/);
  assert.equal(accountOf(doc), 'northwind-demo');
  assert.equal(doc.tenant.region, 'cn-north-4');
  const { now, older, last, target, d } = fx;
  assert.equal(Date.parse(older.generated_at), now - 2 * DAY);
  assert.equal(Date.parse(last.generated_at), now - DAY);
  for (const e of [older, last]) {
    assert.equal(e.schema, doc.schema);
    assert.deepEqual(Object.keys(e), Object.keys(doc));
    for (const p of e.packages) if (p.used !== null) assert.ok(p.used >= 0, `${p.id} used ${p.used}`);
  }
  // The target: expires more than 7 days away, runs out at its pace within 7 days.
  const at = (e) => e.packages.find((p) => p.id === target.id).used;
  assert.ok(Math.abs(at(last) - (target.used - d)) < 1e-3 && Math.abs(at(older) - (target.used - 2 * d)) < 1e-3);
  assert.ok(at(older) >= 0 && d > 0);
  const runsOut = now + ((target.total - target.used) / d) * DAY;
  assert.ok(runsOut - now < 7 * DAY && runsOut > now, 'the target does not run out within 7 days');
  assert.ok(Date.parse(target.expires_at) - now > 7 * DAY, 'the target expires within 7 days');
  assert.ok(runsOut < Date.parse(target.expires_at));
  // The last look's differences: one left out, one that is no more, one renewed, one frozen since, one jump.
  assert.ok(!last.packages.some((p) => p.id === fx.removed.id) && older.packages.some((p) => p.id === fx.removed.id));
  assert.ok(last.packages.some((p) => p.id === fx.ghost.id) && !doc.packages.some((p) => p.id === fx.ghost.id));
  assert.equal(doc.packages.filter((p) => nameOf(p) === nameOf(fx.removed)).length, 1, 'the removed package\'s name is not its own');
  assert.ok(Date.parse(last.packages.find((p) => p.id === fx.renewed.id).expires_at) < Date.parse(fx.renewed.expires_at));
  assert.equal(last.packages.find((p) => p.id === fx.frozen.id).status, 'active');
  assert.equal(fx.frozen.status, 'frozen');
  const j = (e) => e.packages.find((p) => p.id === fx.jumped.id).used;
  assert.ok(fx.jumped.used - j(last) > 10 * (j(last) - j(older)), 'no jump');
  // Nothing else differs but `used` and the time.
  const strip = (e, id) => e.packages.filter((p) => p.id !== id).map((p) => ({ ...p, used: null }));
  assert.deepEqual(strip(older), doc.packages.map((p) => ({ ...p, used: null })));
  assert.deepEqual(strip(last, fx.ghost.id).filter((p) => ![fx.renewed.id, fx.frozen.id].includes(p.id)),
    doc.packages.filter((p) => ![fx.removed.id, fx.renewed.id, fx.frozen.id].includes(p.id)).map((p) => ({ ...p, used: null })));
});

test('a history file built from the export has the documented records', () => {
  const times = keptTimes(fx.now, { hourlyDays: 2, dailyDays: 3 });
  assert.equal(times.length, 3 + 48);
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]));
  const file = JSON.parse(JSON.stringify(historyFile(doc, times)));
  checkHistoryShape(file, { account: 'northwind-demo', place: 'cn-north-4' });
  assert.equal(file.schema, HISTORY_SCHEMA);
  assert.equal(file.snapshots.length, times.length);
  assert.equal(file.snapshots[0].points.length, doc.packages.length);
  const newest = file.snapshots.at(-1).points.find((p) => p[1] === fx.target.id);
  assert.deepEqual(newest, [fx.target.service, fx.target.id, nameOf(fx.target), fx.target.used, fx.target.total,
    fx.target.unit, Date.parse(fx.target.expires_at), 'active', fx.target.renewal]);
  assert.deepEqual(file.snapshots[0].services, SERVICES);
});

test('two earlier exports imported in Settings, then the demo: a forecast, Act now, the figure and the last look\'s changes', async () => {
  const p = await mainPage();
  await reload(p);
  await openHistorySettings(p);
  assert.equal(await p.locator('#history-keep').isChecked(), true, 'history is not kept by default');
  assert.equal(await waitForCount(p, { max: 0 }), 0, 'a fresh browser has a history');
  assert.equal(await p.locator('label[for="history-import"]').textContent().then((t) => t.trim()), 'Import history');
  for (const [i, path] of [files.older, files.last].entries()) {
    await p.locator('#history-import').setInputFiles(path);
    assert.equal(await waitForCount(p, { min: i + 1 }), i + 1);
    const status = p.locator('.history-status[data-state=imported]');
    await status.waitFor();
    assert.equal(await status.getAttribute('role'), 'status');
    assert.match(await status.textContent(), /\b1\b/, 'the status does not say one snapshot was added');
  }
  const size = p.locator('[data-history-size]');
  assert.ok(Number(await size.getAttribute('data-history-size')) > 0);
  assert.match(await size.textContent(), /\b2 snapshots\b/);
  await closeSettings(p);

  await signIn(p);
  // The target's line in Act now (its card's forecast is checked below,
  // the panel's table drawing only the rows in sight); what forecasts are
  // drawn say one of the documented things.
  const line = await actLine(p, 'runs-out', fx.target.id);
  assert.match(await line.textContent(), words(nameOf(fx.target)));
  for (const f of await p.locator('.forecast[data-forecast]').evaluateAll((els) => els.map((e) => e.dataset.forecast))) {
    assert.ok(FORECASTS.includes(f), f);
  }
  // The overview's figure counts it.
  const figure = p.locator('[data-figure="runs-out"]').first();
  const [n] = (await figure.textContent()).match(/\d+/) ?? [];
  assert.ok(Number(n) >= 1, `the runs-out figure says ${await figure.textContent()}`);

  // Since the last look (the −1 d export): a package new since, one gone, each line a kind.
  const since = p.locator('.since');
  await since.waitFor();
  assert.equal(await since.getAttribute('data-state'), 'changes');
  const kinds = await since.locator('li[data-change]').evaluateAll((els) => els.map((e) => e.dataset.change));
  assert.ok(kinds.length >= 2, kinds.join());
  for (const k of kinds) assert.ok(CHANGES.includes(k), k);
  const added = since.locator('li[data-change=added]');
  assert.equal(await added.count(), 1, 'not one added line');
  assert.match(await added.textContent(), words(nameOf(fx.removed)));
  assert.equal(await added.locator('button[data-filter=package]').count(), 1, 'no button to show the added package');
  const gone = since.locator('li[data-change=gone]');
  assert.equal(await gone.count(), 1, 'not one gone line');
  assert.match(await gone.textContent(), words(fx.ghost.label));
  assert.equal(await gone.locator('button[data-filter=package]').count(), 0, 'a button to show a package that is gone');

  // The added line's button shows that package alone (the lines unfolded
  // first, should the section fold them).
  if (await since.evaluate((e) => e.tagName === 'DETAILS' && !e.open)) await since.locator('summary').first().click();
  await added.locator('button[data-filter=package]').click();
  await p.waitForFunction(() => document.querySelectorAll('section.panel').length === 1);
  assert.equal(await p.locator('section.panel').getAttribute('data-service'), fx.removed.service);
  assert.equal(await p.locator('section.panel li.card, section.panel tr.row').count(), 1);
  await clearFilters(p);

  // The target's card: the forecast in words, before its expiry, and its sparkline.
  const card = await showPackage(p, 'runs-out', fx.target);
  const forecast = card.locator('.forecast[data-forecast="runs-out-before-expiry"]');
  assert.equal(await forecast.count(), 1, 'the target\'s card has no runs-out-before-expiry forecast');
  assert.match(await forecast.textContent(), /runs out/i);
  assert.match(await forecast.textContent(), /before it expires/i);
  assert.ok(await card.locator('svg.sparkline').count() >= 1, 'no sparkline in the card');
  await clearFilters(p);
  assert.deepEqual(problems, []);
});

test('the last look names what was renewed, frozen since and used faster than its pace', async () => {
  const p = await mainPage();
  await signedIn(p);
  const since = p.locator('.since');
  await since.waitFor();
  const line = (kind, what) => since.locator(`li[data-change=${kind}]`).filter({ hasText: nameOf(what) });
  assert.ok(await line('renewed', fx.renewed).count() >= 1, 'no renewed line');
  assert.ok(await line('attention', fx.frozen).count() >= 1, 'no line of the package frozen since');
  assert.ok(await line('jumped', fx.jumped).count() >= 1, 'no jumped line');
  // Lines of packages that still exist can show them.
  for (const kind of ['renewed', 'attention', 'jumped']) {
    assert.ok(await since.locator(`li[data-change=${kind}] button[data-filter=package]`).count() >= 1, kind);
  }
  assert.deepEqual(problems, []);
});

test('Export JSON is v5: the run-out date and pace of each package, and the last look\'s changes', async () => {
  const p = await mainPage();
  await signedIn(p);
  await clearFilters(p);
  const { text } = await download(p, () => p.getByRole('button', { name: 'Export JSON' }).click());
  const out = JSON.parse(text);
  assert.equal(out.schema, 'tenantscope.export.v5');
  assert.ok('since' in out, 'no since');
  for (const pk of out.packages) {
    assert.ok('runs_out_at' in pk && 'pace_per_day' in pk, `${pk.id}: no runs_out_at or pace_per_day`);
    assert.ok(pk.runs_out_at === null || RFC3339.test(pk.runs_out_at), pk.runs_out_at);
    assert.ok(pk.pace_per_day === null || typeof pk.pace_per_day === 'number', String(pk.pace_per_day));
    if (pk.total === null || pk.used === null) assert.equal(pk.runs_out_at, null, `${pk.id} runs out without a total`);
  }
  const target = out.packages.find((pk) => pk.service === fx.target.service && pk.id === fx.target.id);
  assert.ok(target.runs_out_at, 'the target has no runs_out_at');
  const at = Date.parse(target.runs_out_at);
  // In 3 days at the fixture's pace (a day of slack either way).
  assert.ok(at > Date.now() + 2 * DAY && at < Date.now() + 4 * DAY, target.runs_out_at);
  assert.ok(at < Date.parse(target.expires_at));
  assert.ok(Math.abs(target.pace_per_day - fx.d) / fx.d < 0.15, `pace ${target.pace_per_day}, drawn at ${fx.d}`);
  // The figure counts what runs out before it expires.
  const before = out.packages.filter((pk) => pk.runs_out_at && pk.expires_at && Date.parse(pk.runs_out_at) < Date.parse(pk.expires_at)).length;
  const [n] = (await p.locator('[data-figure="runs-out"]').first().textContent()).match(/\d+/) ?? [];
  assert.equal(Number(n), before, 'the figure and the export disagree');
  // Since: the −1 d export's time, and its changes.
  assert.ok(out.since && RFC3339.test(out.since.at), JSON.stringify(out.since));
  assert.ok(Math.abs(Date.parse(out.since.at) - Date.parse(fx.last.generated_at)) < 60_000, out.since.at);
  const change = (c, x) => out.since.changes.find((l) => l.change === c && l.service === x.service && l.id === x.id);
  assert.ok(change('added', fx.removed), 'no added change');
  assert.ok(change('gone', fx.ghost), 'no gone change');
  for (const l of out.since.changes) {
    assert.ok(CHANGES.includes(l.change), l.change);
    assert.ok(SERVICES.includes(l.service) && typeof l.id === 'string' && typeof l.name === 'string', JSON.stringify(l));
  }
  assert.deepEqual(problems, []);
});

test('Export history downloads a v1 history file that a fresh browser imports whole', async () => {
  const p = await mainPage();
  await openHistorySettings(p);
  const count = await waitForCount(p, { min: 3 });
  const { name, text } = await download(p, () => p.locator('#history-export').click());
  assert.match(name, /^tenantscope-history-.*\.json$/);
  const file = JSON.parse(text);
  checkHistoryShape(file, { account: 'northwind-demo' });
  assert.equal(file.snapshots.length, count);
  assert.ok(!text.includes('"demo"'), 'the token is in the history');
  await closeSettings(p);
  // Into another browser's history.
  const other = await demo.chrome.browser.newContext();
  try {
    const q = await other.newPage();
    await q.goto(demo.proxy.url);
    await openHistorySettings(q);
    await q.locator('#history-import').setInputFiles({ name: name, mimeType: 'application/json', buffer: Buffer.from(text) });
    assert.equal(await waitForCount(q, { min: count }), count);
    await q.locator('.history-status[data-state=imported]').waitFor();
  } finally {
    await other.close();
  }
  assert.deepEqual(problems, []);
});

test('the history outlives a reload: three snapshots with the load\'s own, and the forecast still shown', async () => {
  const p = await mainPage();
  await reload(p);
  await signIn(p);
  await openHistorySettings(p);
  assert.ok(await waitForCount(p, { min: 3 }) >= 3);
  await closeSettings(p);
  await p.locator('.since[data-state=changes]').waitFor();
  const card = await showPackage(p, 'runs-out', fx.target);
  assert.equal(await card.locator('.forecast[data-forecast="runs-out-before-expiry"]').count(), 1);
  await clearFilters(p);
  assert.deepEqual(problems, []);
});

test('Forget history empties it, and the next look is the first', async () => {
  const p = await mainPage();
  // Forgotten at once after a load: its snapshot, kept half a second after
  // billing's answer, was read before the Forget and must not come back.
  await reload(p);
  await signIn(p);
  await openHistorySettings(p);
  await p.locator('#history-forget').click();
  assert.equal(await waitForCount(p, { max: 0 }), 0);
  await p.waitForTimeout(1_000);
  assert.equal(await historyCount(p), 0, 'a snapshot read before the Forget was kept after it');
  assert.equal(await p.locator('[data-history-size]').getAttribute('data-history-size'), '0');
  await closeSettings(p);
  await reload(p);
  await signIn(p);
  await p.locator('.since[data-state=first]').waitFor();
  assert.equal(await p.locator('.since li[data-change]').count(), 0);
  assert.deepEqual(problems, []);
});

test('a file that is not a history nor an export is refused, the history unchanged', async () => {
  const p = await mainPage();
  const bad = {
    'not-json.json': 'this is not JSON {',
    'export-v1-malformed.json': '{"schema":"tenantscope.export.v1","packages":5}',
    'not-ours.json': '{"hello":"world"}',
    'history-v9.json': '{"schema":"tenantscope.history.v9","snapshots":[]}',
  };
  for (const [name, content] of Object.entries(bad)) {
    // Afresh each time, so that the status line says this file's word.
    await reload(p);
    await openHistorySettings(p);
    const count = await historyCount(p);
    const size = await p.locator('[data-history-size]').getAttribute('data-history-size');
    await p.locator('#history-import').setInputFiles(files.write(name, content));
    const status = p.locator('.history-status[data-state=refused]');
    await status.waitFor();
    assert.ok((await status.textContent()).trim().length > 0, `${name}: refused without a reason`);
    assert.equal(await historyCount(p), count, `${name}: the count changed`);
    assert.equal(await p.locator('[data-history-size]').getAttribute('data-history-size'), size, `${name}: the size changed`);
  }
  assert.deepEqual(problems, []);
});

for (const how of ['getter', 'open']) {
  test(`with IndexedDB refused (${how === 'getter' ? 'reading indexedDB throws' : 'indexedDB.open throws'}), the dashboard loads with one note`, async () => {
    const { page: p, context: c, problems: seen } = await openRefusedPage(demo.chrome.browser, demo.proxy.url, how);
    try {
      p.setDefaultTimeout(15_000);
      await signIn(p);
      await p.locator('section.act-now').waitFor();
      for (const key of SERVICES) assert.equal(await p.locator(`section.panel[data-service=${key}] [data-state=ready]`).count() > 0, true, key);
      const note = p.locator('.history-note[data-state="history-refused"]');
      await note.first().waitFor();
      assert.equal(await note.count(), 1);
      // A second tab says it no more.
      await p.getByRole('button', { name: 'Edit', exact: true }).click();
      await p.locator('#region').selectOption('cn-east-3');
      await p.getByRole('button', { name: 'Inspect in new tab' }).click();
      await p.locator('#tab-all').waitFor({ timeout: 20_000 });
      await p.locator('section.act-now').waitFor();
      assert.equal(await note.count(), 1, 'a note per tab');
      await p.locator('#tab-all').click();
      assert.ok(await note.count() <= 1, 'more than one note under All tenants');
      assert.deepEqual(seen, []);
    } finally {
      await c.close();
    }
  });
}
