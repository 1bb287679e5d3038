// Two builds compared by pasting against each in turn: one paste of each,
// then again, so that this machine's pace, which wanders within the hour,
// weighs on both alike (bench/network.mjs measures one build a pass; two
// passes a few minutes apart differ by more than most changes do). Builds
// of the site, or of the proxy, or both: each is served by its own proxy,
// and each paste is as bench/network.mjs times it (`paste`). Prints each
// build's medians: paste to complete, last answer to finished render, and
// when each stage of the chain began. Not a test; it judges nothing.
//
//   BENCH_CMP_SITES=dist,/tmp/other-dist node bench/compare.mjs
//   BENCH_CMP_PROXIES=target/server/tenantscope-proxy,/tmp/old-proxy node bench/compare.mjs
//   BENCH_CMP_RUNS=15 BENCH_CMP_PROTOCOL=h1 BENCH_CMP_TENANT=large node bench/compare.mjs
//
// A list of one is used for every build (two sites, one proxy: both served
// by it). The protocol is h2 (the proxy serving TLS itself) unless h1; the
// tenant the demo unless large (bench/tenant.mjs). Every answer takes
// BENCH_CMP_LATENCY_MS (300).
import { isAbsolute, join } from 'node:path';
import { ROOT, startProxy, startBrowser } from '../tests/browser/harness.mjs';
import { certificate, median, paste, startTlsProxy } from './paste.mjs';
import { startTenant } from './tenant.mjs';

const RUNS = Number(process.env.BENCH_CMP_RUNS ?? 11);
const LATENCY = Number(process.env.BENCH_CMP_LATENCY_MS ?? 300);
const H2 = (process.env.BENCH_CMP_PROTOCOL ?? 'h2') !== 'h1';
const LARGE = process.env.BENCH_CMP_TENANT === 'large';
// Paths from the repository's root unless absolute.
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').map((p) => p.trim()).filter(Boolean).map((p) => (isAbsolute(p) ? p : join(ROOT, p)));
const sites = list('BENCH_CMP_SITES', 'dist');
const proxies = list('BENCH_CMP_PROXIES', 'target/server/tenantscope-proxy');
const builds = Math.max(sites.length, proxies.length);
if (builds < 2 || (sites.length > 1 && proxies.length > 1 && sites.length !== proxies.length)) {
  console.error('bench/compare.mjs: name two builds or more: BENCH_CMP_SITES=a,b and/or BENCH_CMP_PROXIES=a,b (lists of one apply to every build)');
  process.exit(2);
}
const at = (xs, i) => xs[Math.min(i, xs.length - 1)];

const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '—');

const tls = certificate();
const stops = [tls.remove];
const chrome = await startBrowser();
try {
  const args = ['--demo-latency-ms', String(LATENCY)];
  let upstream = [];
  if (LARGE) {
    const stub = await startTenant({ latencyMs: LATENCY });
    stops.push(stub.close);
    upstream = ['--upstream-base', stub.url];
  }
  const served = [];
  for (let i = 0; i < builds; i++) {
    const options = { demo: !LARGE, bin: at(proxies, i), site: at(sites, i) };
    const extra = LARGE ? upstream : args;
    const proxy = H2 ? await startTlsProxy(tls, extra, options) : await startProxy(extra, options);
    stops.push(proxy.stop);
    served.push(proxy);
  }
  const token = LARGE ? 'MIIbench-token' : 'demo';
  const runs = served.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < builds; i++) runs[i].push(await paste(chrome.browser, served[i].url, token));
  }
  console.log(`bench-compare: ${LARGE ? 'the large tenant' : 'the demo tenant'} over ${H2 ? 'HTTP/2 (TLS in the proxy)' : 'HTTP/1.1'}, ${RUNS} pastes of each build in turn, medians`);
  for (let i = 0; i < builds; i++) {
    const r = runs[i];
    const pick = (f) => median(r.map(f));
    console.log(`${i + 1}. site ${at(sites, i)}, proxy ${at(proxies, i)}`);
    console.log(`   paste to complete ${ms(pick((x) => x.total))}, last answer to finished render ${ms(pick((x) => x.renderAfterLast))}`);
    console.log(`   token asked at ${ms(pick((x) => x.stages.token))}; first requests ${ms(pick((x) => x.stages.firstAfterToken))} after its answer; last round from ${ms(pick((x) => x.stages.later))}`);
    console.log(`   each: ${r.map((x) => x.total.toFixed(0)).join(' ')}`);
  }
} finally {
  await chrome.close();
  for (const stop of stops.reverse()) await stop();
}
