// The dashboard at the speed of the network: how long
// from pasting a token until the dashboard is complete (every panel drawn,
// every page read), against the shortest chain of dependent requests the
// data needs: token introspection, then a service's first page (and the
// CodeArts project list), then its remaining pages (and TestPlan's status),
// 3 × 300 ms when every answer takes 300 ms. That last round holds as many
// requests as the protocol lets a page have in flight to one host: six
// connections over HTTP/1.1, the proxy's 32 streams over HTTP/2; more take
// as many rounds more. After each paste its requests are replayed in those
// rounds from a fresh page, text only (`chainAlone`): what the chain costs
// this machine by itself, and so the page's own time above it. Not a test:
// it prints a table and exits 1 when a target is missed.
//
//   node bench/network.mjs            (scripts/build first; or scripts/bench-network)
//   BENCH_NET_RUNS=5 BENCH_NET_LATENCY_MS=300 node bench/network.mjs
//   BENCH_NET_PROTOCOLS=h2 node bench/network.mjs     (h1, h2, or h1,h2: the default)
//   BENCH_NET_TENANTS=large node bench/network.mjs    (demo, large, or demo,large: the default)
//   BENCH_NET_MBPS=20 node bench/network.mjs          (the browser's link held to 20 Mbit/s
//                                                      each way: the bytes' own time, no targets)
//
// Two tenants: the proxy's demo (`--demo --demo-latency-ms 300`, about 650
// packages), and a stub upstream with 2,000 HSS quotas and 1,000 MetaStudio
// resources answering after 300 ms (bench/tenant.mjs). Each is measured
// over plain HTTP/1.1, as `scripts/run` serves it (a browser opens at most 6
// connections to one host, so requests beyond six in flight queue), and
// over HTTP/2, the proxy serving TLS itself (`--tls-cert`, a self-signed
// certificate made here with openssl; the browser told to accept it), as
// deployed alone without anything in front.
import { startProxy, startBrowser } from '../tests/browser/harness.mjs';
import { certificate, isLater, median, paste, startTlsProxy, throttle } from './paste.mjs';
import { startTenant } from './tenant.mjs';

const RUNS = Number(process.env.BENCH_NET_RUNS ?? 5);
const LATENCY = Number(process.env.BENCH_NET_LATENCY_MS ?? 300);
const PROTOCOLS = (process.env.BENCH_NET_PROTOCOLS ?? 'h1,h2').split(',');
const TENANTS = (process.env.BENCH_NET_TENANTS ?? 'demo,large').split(',');
// A link of this many Mbit/s each way (Chromium's network emulation, which
// counts the bytes as they travel, compressed or not). The critical path
// then no longer bounds the dashboard (the bytes take time of their own),
// so the ratios are printed without targets.
const MBPS = Number(process.env.BENCH_NET_MBPS ?? 0);
// Targets: the ratio to the critical path, per protocol;
// the render after the last answer within 50 ms on the demo tenant.
const TARGET_RATIO = { h1: 1.2, h2: 1.1 };
const TARGET_RENDER_MS = 50;
// Requests a page can have in flight to one host: a browser's connections
// over HTTP/1.1, the proxy's streams per connection over HTTP/2
// (proxy/src/config.rs, H2_MAX_STREAMS).
const IN_FLIGHT = { h1: 6, h2: 32 };

/** The shortest chain for a run: the third round is every page after a first
 * (an `offset` other than 0) and TestPlan's status, in rounds of `IN_FLIGHT`. */
function criticalMs(run, protocol) {
  const third = run.paths.filter(isLater).length;
  return LATENCY * (2 + Math.max(1, Math.ceil(third / IN_FLIGHT[protocol])));
}

/** The chain alone: a run's requests replayed from a fresh page in the
 * rounds they depend on (the token; then each first request; then each
 * service's later pages once its first has answered, and TestPlan's status
 * once the CodeArts project list has), each answer taken as text, nothing
 * parsed or drawn. What this machine, the browser and the proxy take for
 * the chain by themselves: the dashboard's time above it is the page's own. */
async function chainAlone(browser, url, token, paths) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('form.session button[type=submit]');
  await throttle(context, page, MBPS);
  // Billing and the form's choices are asked too, but nothing waits for them.
  const chain = paths.filter((path) => !path.includes('/bss/') && !path.includes('/auth/projects'));
  const introspection = chain.find((path) => path.includes('/auth/tokens'));
  const service = (path) => path.split('/')[2];
  const waitsFor = (path) => (service(path) === 'testplan' ? 'projectman' : service(path));
  // Each first request with the last round's requests that wait for it.
  const rounds = chain.filter((path) => path !== introspection && !isLater(path))
    .map((first) => [first, chain.filter((path) => isLater(path) && waitsFor(path) === service(first))]);
  const ms = await page.evaluate(async ({ introspection, rounds, token }) => {
    const headers = { 'X-Auth-Token': token, 'X-Subject-Token': token, Accept: 'application/json' };
    const get = (path) => fetch(path, { headers, cache: 'no-store' }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${path}: ${r.status}`))));
    const t0 = performance.now();
    await get(introspection);
    await Promise.all(rounds.map(([first, after]) => get(first).then(() => Promise.all(after.map(get)))));
    return performance.now() - t0;
  }, { introspection, rounds, token });
  await context.close();
  return ms;
}

const rows = [];
const chrome = await startBrowser();
const tls = certificate();
const stops = [tls.remove];
try {
  const stub = await startTenant({ latencyMs: LATENCY });
  stops.push(stub.close);
  const tenants = [
    { key: 'demo', name: 'demo tenant', args: ['--demo-latency-ms', String(LATENCY)], demo: true, token: 'demo', render: true },
    { key: 'large', name: '2,000 HSS quotas, 1,000 MetaStudio resources', args: ['--upstream-base', stub.url], demo: false, token: 'MIIbench-token', render: false },
  ].filter((t) => TENANTS.includes(t.key));
  for (const tenant of tenants) {
    for (const protocol of PROTOCOLS) {
      const proxy = protocol === 'h2'
        ? await startTlsProxy(tls, tenant.args, { demo: tenant.demo })
        : await startProxy(tenant.args, { demo: tenant.demo });
      stops.push(proxy.stop);
      // Each run followed by the chain alone, so that the machine's pace
      // weighs on both alike.
      const runs = [];
      const alone = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await paste(chrome.browser, proxy.url, tenant.token, { mbps: MBPS }));
        alone.push(await chainAlone(chrome.browser, proxy.url, tenant.token, runs.at(-1).paths));
      }
      const total = median(runs.map((r) => r.total));
      const chain = median(alone);
      const render = median(runs.map((r) => r.renderAfterLast));
      const heap = median(runs.map((r) => r.heap)) / 1024 / 1024;
      const last = runs.at(-1);
      const name = `${tenant.name}, ${protocol === 'h2' ? 'HTTP/2 (TLS in the proxy)' : 'HTTP/1.1'}${MBPS ? ` at ${MBPS} Mbit/s` : ''}`;
      const wanted = protocol === 'h2' ? 'h2' : 'http/1.1';
      console.log(`bench-network: ${name} over ${last.protocol}: ${last.calls} calls; ${last.packages}`);
      console.log(`bench-network: each run: ${runs.map((r) => `${r.total.toFixed(0)} ms (render ${r.renderAfterLast.toFixed(0)})`).join(', ')}`);
      console.log(`bench-network: the chain alone: ${alone.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
      // BENCH_NET_TRACE=1: the last run's requests (start, end, ms after the paste).
      if (process.env.BENCH_NET_TRACE === '1') console.log(last.timeline.join('\n'));
      rows.push([`${name}: the browser spoke`, last.protocol, wanted, last.protocol === wanted]);
      rows.push([`${name}: paste to complete (median of ${RUNS})`, `${total.toFixed(0)} ms`, '', true]);
      const target = TARGET_RATIO[protocol];
      const critical = criticalMs(last, protocol);
      rows.push([`${name}: answers on the wire (and read)`, `${(last.wire / 1024).toFixed(0)} KiB (${(last.read / 1024).toFixed(0)} KiB)`, '', true]);
      rows.push([`${name}: ratio to the critical path (${critical} ms)`, (total / critical).toFixed(2), MBPS ? '' : `≤ ${target}`, MBPS || total / critical <= target]);
      rows.push([`${name}: the chain alone (its requests replayed, text only)`, `${chain.toFixed(0)} ms (${(chain / critical).toFixed(2)})`, '', true]);
      rows.push([`${name}: the page's own time above it`, `${(total - chain).toFixed(0)} ms`, MBPS ? '' : `(≤ ${TARGET_RATIO[protocol]} leaves ${(TARGET_RATIO[protocol] * critical - chain).toFixed(0)} ms)`, true]);
      const renderTarget = tenant.render && !MBPS;
      rows.push([`${name}: last answer to finished render`, `${render.toFixed(0)} ms`, renderTarget ? `≤ ${TARGET_RENDER_MS} ms` : '', !renderTarget || render <= TARGET_RENDER_MS]);
      rows.push([`${name}: JS heap after load`, `${heap.toFixed(1)} MiB`, '', true]);
      await proxy.stop();
      stops.pop();
    }
  }
} finally {
  await chrome.close();
  for (const stop of stops.reverse()) await stop();
}
for (const [what, got, target, ok] of rows) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}: ${got} ${target}`);
process.exit(rows.every((r) => r[3]) ? 0 : 1);
