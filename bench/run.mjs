// The benchmark driver (run by scripts/bench, which installs and builds what
// it needs first). In one run, on loopback:
//
//   1. starts the stub upstream (bench/stub.rs), tenantscope-proxy relaying
//      to it with --upstream-base, the thin relay of issue #14
//      (proxy/examples/thin_relay.rs: the limit a hyper relay can reach on
//      this route, the reference for CPU per request), and cors-anywhere in front of it (twice:
//      as configured by default, and with a keep-alive agent, for reference);
//   2. checks one request through each answers 200 with the stub's 1 KiB body
//      and the CORS header;
//   3. runs wrk (a warm-up, then the measured run) against the stub
//      directly, the proxy, and each cors-anywhere, reading the stub's
//      connection and request counters around each target, and sampling the
//      proxy's VmRSS while it is under load;
//   4. prints a Markdown report: requests/s, p50/p99 and what each proxy adds
//      over the stub, upstream connection reuse, the proxy's memory, and
//      PASS/MISS against the targets of issues #5 and #14.
//
// It exits 0 whether targets are met or missed (a benchmark, not a test) and
// 1 when something failed to run: a process did not start, a check request
// got a wrong answer, or wrk saw errors or non-2xx answers.

import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, openSync, closeSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const env = process.env;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = env.BENCH_OUT ?? path.join(root, 'target', 'bench');
const cfg = {
  proxyBin: env.TENANTSCOPE_PROXY_BIN,
  thinBin: env.BENCH_THIN_RELAY_BIN,
  stubBin: env.BENCH_STUB_BIN ?? path.join(out, 'bench-stub'),
  nodeModules: env.BENCH_NODE_MODULES ?? path.join(root, 'target', 'bench-node', 'node_modules'),
  duration: Number(env.BENCH_DURATION ?? 15),
  warmup: Number(env.BENCH_WARMUP ?? 2),
  connections: Number(env.BENCH_CONNECTIONS ?? 8),
  // A second, unloaded pass (1 connection, one request at a time): at 8
  // connections wrk keeps every server saturated, so latency there is mostly
  // queueing (≈ connections / throughput); at 1 it is each hop's own cost.
  serialDuration: Number(env.BENCH_SERIAL_DURATION ?? 5),
  threads: Number(env.BENCH_THREADS ?? 2),
  tokenBytes: Number(env.BENCH_TOKEN_BYTES ?? 4096),
  origin: env.BENCH_ORIGIN ?? 'http://console.bench.test',
  pin: env.BENCH_PIN ?? 'server',
  rustLog: env.BENCH_RUST_LOG ?? env.RUST_LOG ?? 'info',
  proxyArgs: (env.BENCH_PROXY_ARGS ?? '').split(/\s+/).filter(Boolean),
  corsKeepAlive: (env.BENCH_CORS_KEEPALIVE_ROW ?? '1') === '1',
  quietWait: Number(env.BENCH_QUIET_WAIT ?? 120),
};
// A project id as the console sends it, and the HSS route the proxy relays
// (catalog/src/lib.rs: Route::HssQuotas, hss is offered in cn-north-4).
const PROJECT = '0b4a3c5d6e7f80912a3b4c5d6e7f8091';
const UPSTREAM_PATH = `/v5/${PROJECT}/billing/quotas-detail?limit=200&offset=0`;
const PROXY_PATH = `/api/hss/cn-north-4${UPSTREAM_PATH}`;
const TARGETS = { p50AddedUs: 150, p99AddedUs: 400, throughputX: 9, reusePct: 99, idleRssMB: 20 };
// Issue #14, "Speed against the limit": CPU per request against the thin
// relay's, throughput against cors-anywhere's (with the safety features on).
const LIMIT_TARGETS = { cpuVsThinX: 1.5, throughputX: 10 };

if (!cfg.proxyBin) fail('TENANTSCOPE_PROXY_BIN is not set (scripts/bench sets it)');
if (!cfg.thinBin) fail('BENCH_THIN_RELAY_BIN is not set (scripts/bench sets it)');
if (!['server', 'split', 'none'].includes(cfg.pin)) fail(`BENCH_PIN must be server, split or none, not ${cfg.pin}`);
mkdirSync(out, { recursive: true });

// ---------------------------------------------------------------- processes

const children = [];
const cpus = os.cpus().length;
// split: wrk on CPU 0, the servers on the other CPU(s). server: the server
// under test alone on the other CPU(s), wrk and the stub on CPU 0; while the
// stub is itself the target nothing is pinned (alone on one core its
// thread-per-connection model queues behind the scheduler: p99 in the ms).
// See scripts/bench.
const serverCpus = cpus > 2 ? `1-${cpus - 1}` : cpus > 1 ? '1' : '0';
const allCpus = `0-${cpus - 1}`;
const pinning = cfg.pin !== 'none' && cpus > 1;
const pinned = (cpuList, cmd, args) => (pinning ? ['taskset', ['-c', cpuList, cmd, ...args]] : [cmd, args]);
// Moves every thread of a running process (threads it starts later inherit).
const repin = (pid, cpuList) => {
  if (pinning) execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
};

const childEnv = { ...env };
for (const k of Object.keys(childEnv)) if (/^(https?|all|no)_proxy$/i.test(k)) delete childEnv[k];

function start(name, cmd, args, extraEnv = {}, cpuList = serverCpus) {
  // stdout and stderr go to a file, never to a pipe: wrk runs synchronously
  // (execFileSync), and a pipe nobody drains would stall a child that logs
  // every request (tracing's fmt subscriber writes to stdout).
  const log = path.join(out, `${name}.log`);
  const fd = openSync(log, 'w');
  const [c, a] = pinned(cpuList, cmd, args);
  const child = spawn(c, a, { env: { ...childEnv, ...extraEnv }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.push(child);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let exited = null;
    child.on('exit', (code, signal) => (exited = code ?? signal));
    child.on('error', (e) => (exited = e.message));
    const poll = setInterval(() => {
      const m = readFileSync(log, 'utf8').match(/listening on (http:\/\/[^\s)]+)/);
      if (m) {
        clearInterval(poll);
        resolve({ name, child, pid: child.pid, url: m[1].replace(/\/$/, ''), log });
      } else if (exited !== null) {
        clearInterval(poll);
        reject(new Error(`${name} exited (${exited}) before listening (see ${log})`));
      } else if (Date.now() - started > 10_000) {
        clearInterval(poll);
        reject(new Error(`${name} did not start within 10 s (see ${log})`));
      }
    }, 50);
  });
}

function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- helpers

function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${url}`)));
  });
}

// CPU time (user + system) a process has used, in µs: divided by the
// requests it served, a figure that other load on the machine shifts far
// less than latency.
function cpuUs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in USER_HZ (100)
}

// Jiffies the whole machine spent busy, and those this script's processes
// spent (the stub, the server under test, and finished children: wrk).
function machineBusyUs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return ((user + nice + system + irq + softirq + steal) * 1e6) / 100;
}
function childrenUs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / 100; // cutime, cstime
}

// Waits (up to BENCH_QUIET_WAIT s) until the machine is idle over one second,
// so another build or test run does not land in the middle of a target.
async function waitQuiet(label) {
  const deadline = Date.now() + cfg.quietWait * 1000;
  for (;;) {
    const b0 = machineBusyUs();
    await sleep(1000);
    const busy = (machineBusyUs() - b0) / 1e6; // cores busy over that second
    if (busy < 0.15) return;
    if (Date.now() > deadline) {
      process.stderr.write(`bench: ${label}: the machine is still busy (${(busy * 100).toFixed(0)}% of a core), going on\n`);
      return;
    }
  }
}

async function stubStats(stub) {
  return JSON.parse((await get(`${stub.url}/__stats`)).body.toString());
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssKB: kb('VmRSS'), hwmKB: kb('VmHWM') };
}

const token = (() => {
  // The same token shape as bench/wrk.lua (the check requests send it too).
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let t = 'MIIE';
  for (let i = 1; i <= cfg.tokenBytes - 4; i++) t += alphabet[(i * 7919) % alphabet.length];
  return t;
})();

function wrk(baseUrl, reqPath, seconds, connections = cfg.connections, threads = cfg.threads, cpuList = '0') {
  const [c, a] = pinned(cpuList, 'wrk', [
    `-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s',
    '-s', path.join(root, 'bench', 'wrk.lua'), `${baseUrl}/`,
  ]);
  const text = execFileSync(c, a, {
    env: { ...childEnv, BENCH_PATH: reqPath, BENCH_ORIGIN: cfg.origin, BENCH_TOKEN_BYTES: String(cfg.tokenBytes) },
    encoding: 'utf8',
  });
  const line = text.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`wrk printed no summary:\n${text}`);
  const r = JSON.parse(line.slice(6));
  r.rps = r.requests / (r.duration_us / 1e6);
  r.errors = r.errors_connect + r.errors_read + r.errors_write + r.errors_status + r.errors_timeout;
  return r;
}

// execFileSync blocks the event loop, so memory is sampled by a small shell
// loop of its own while wrk runs.
function sampleRss(pid) {
  const file = path.join(out, 'proxy-rss.samples');
  const sampler = spawn('sh', ['-c', `while :; do grep '^VmRSS' /proc/${pid}/status || exit 0; sleep 0.05; done > ${file}`], {
    stdio: 'ignore',
  });
  return () => {
    sampler.kill('SIGTERM');
    const kbs = readFileSync(file, 'utf8').split('\n').map((l) => Number(l.match(/(\d+) kB/)?.[1])).filter(Number.isFinite);
    return { samples: kbs.length, peakKB: Math.max(...kbs) };
  };
}

async function check(name, url, expectCors) {
  const r = await get(url, { 'X-Auth-Token': token, Accept: 'application/json', Origin: cfg.origin });
  const problems = [];
  if (r.status !== 200) problems.push(`status ${r.status}`);
  if (r.body.length !== 1024) problems.push(`body of ${r.body.length} bytes, not 1024`);
  const acao = r.headers['access-control-allow-origin'];
  if (expectCors && acao !== cfg.origin && acao !== '*') problems.push(`Access-Control-Allow-Origin ${acao ?? 'missing'}`);
  if (problems.length) throw new Error(`${name}: check request ${url} answered ${problems.join(', ')}: ${r.body.toString().slice(0, 200)}`);
  return r.body;
}

// ---------------------------------------------------------------- run

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const failures = [];
let loadBefore = '';

// The proxy's per-client rate limit (20/s by default) would answer most of
// the benchmark with 429: all its load comes from one client. Turned off
// when the binary has the flag (BENCH_PROXY_ARGS can still set it).
function proxyBenchArgs() {
  let help = '';
  try {
    help = execFileSync(cfg.proxyBin, ['--help'], { encoding: 'utf8' });
  } catch {}
  const args = [];
  if (help.includes('--rate-limit') && !cfg.proxyArgs.some((a) => a.startsWith('--rate-limit'))) args.push('--rate-limit', '0');
  // The pool's counters are read from /metrics after the run.
  if (help.includes('--public-metrics') && !cfg.proxyArgs.includes('--public-metrics')) args.push('--public-metrics');
  return [...args, ...cfg.proxyArgs];
}

async function main() {
  const proxyArgs = proxyBenchArgs();
  const stub = await start('stub', cfg.stubBin, ['127.0.0.1:0'], {}, cfg.pin === 'server' ? '0' : serverCpus);
  const proxy = await start(
    'proxy',
    cfg.proxyBin,
    ['--listen', '127.0.0.1:0', '--upstream-base', stub.url, '--allow-origin', cfg.origin, ...proxyArgs],
    { RUST_LOG: cfg.rustLog },
  );
  // Pinned like the proxy (the server under test alone on CPU 1).
  const thin = await start('thin-relay', cfg.thinBin, ['127.0.0.1:0', stub.url]);
  const corsDefault = await start('cors-anywhere', 'node', [path.join(root, 'bench', 'cors-anywhere.cjs')], {
    BENCH_NODE_MODULES: cfg.nodeModules,
    BENCH_ORIGIN: cfg.origin,
  });
  const corsKeepAlive = cfg.corsKeepAlive
    ? await start('cors-anywhere-keepalive', 'node', [path.join(root, 'bench', 'cors-anywhere.cjs')], {
        BENCH_NODE_MODULES: cfg.nodeModules,
        BENCH_ORIGIN: cfg.origin,
        BENCH_CORS_KEEPALIVE: '1',
      })
    : null;

  // Idle memory: after startup, before the first request.
  await sleep(1000);
  const idle = memory(proxy.pid);
  loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  const stubBody = await check('stub', `${stub.url}${UPSTREAM_PATH}`, false);
  const corsPath = () => `/${stub.url}${UPSTREAM_PATH}`;
  const rows = [
    { key: 'stub', label: 'stub upstream, directly', base: stub.url, path: UPSTREAM_PATH, pid: stub.pid },
    { key: 'proxy', label: '**tenantscope-proxy**', base: proxy.url, path: PROXY_PATH, server: proxy, pid: proxy.pid },
    // Same upstream request; the thin relay copies path and query as they come.
    { key: 'thin', label: 'thin relay (hyper + pooled client, no checks; reference)', base: thin.url, path: UPSTREAM_PATH, pid: thin.pid, cors: false },
    { key: 'cors', label: 'cors-anywhere 0.4.4 (allow-list, defaults)', base: corsDefault.url, path: corsPath(), pid: corsDefault.pid },
  ];
  if (corsKeepAlive) {
    rows.push({ key: 'corsKA', label: 'cors-anywhere + keep-alive agent (reference)', base: corsKeepAlive.url, path: corsPath(), pid: corsKeepAlive.pid });
  }
  for (const row of rows.slice(1)) {
    const body = await check(row.key, `${row.base}${row.path}`, row.cors !== false);
    if (!body.equals(stubBody)) throw new Error(`${row.key}: the relayed body differs from the stub's`);
  }

  for (const row of rows) {
    process.stderr.write(`bench: ${row.key}: ${cfg.warmup} s warm-up, ${cfg.duration} s measured...\n`);
    await waitQuiet(row.key);
    // server: the stub's own row is not pinned at all (stub and wrk on every
    // CPU), so the baseline the added latency is taken from is not made
    // worse by the pinning.
    const wrkCpus = cfg.pin === 'server' && row.key === 'stub' ? allCpus : '0';
    if (wrkCpus === allCpus) repin(stub.pid, allCpus);
    const before = await stubStats(stub);
    if (cfg.warmup > 0) wrk(row.base, row.path, cfg.warmup, cfg.connections, cfg.threads, wrkCpus);
    const stop = row.server ? sampleRss(row.server.pid) : null;
    const cpuBefore = cpuUs(row.pid);
    const ours0 = cpuUs(stub.pid) + (row.pid === stub.pid ? 0 : cpuBefore) + childrenUs();
    const busy0 = machineBusyUs();
    row.result = wrk(row.base, row.path, cfg.duration, cfg.connections, cfg.threads, wrkCpus);
    const cpuAfter = cpuUs(row.pid);
    row.cpuPerRequestUs = (cpuAfter - cpuBefore) / row.result.requests;
    const ours1 = cpuUs(stub.pid) + (row.pid === stub.pid ? 0 : cpuAfter) + childrenUs();
    // CPU that other processes took during the measured run, in cores.
    row.otherCores = Math.max(0, (machineBusyUs() - busy0 - (ours1 - ours0)) / (row.result.duration_us));
    row.rss = stop?.();
    const after = await stubStats(stub);
    if (cfg.serialDuration > 0) {
      row.serial = wrk(row.base, row.path, cfg.serialDuration, 1, 1, wrkCpus);
      if (row.serial.errors > 0) failures.push(`${row.key}: wrk saw ${row.serial.errors} errors at 1 connection`);
    }
    if (wrkCpus === allCpus) repin(stub.pid, '0');
    row.upstream = { connections: after.connections - before.connections, requests: after.requests - before.requests };
    row.reusePct = 100 * (1 - row.upstream.connections / row.upstream.requests);
    if (row.result.errors > 0) {
      failures.push(`${row.key}: wrk saw ${row.result.errors} errors (status ${row.result.errors_status}, connect ${row.result.errors_connect}, read ${row.result.errors_read}, write ${row.result.errors_write}, timeout ${row.result.errors_timeout})`);
    }
  }
  await sleep(1000);
  const afterLoad = memory(proxy.pid);

  let metrics = null;
  try {
    const m = await get(`${proxy.url}/metrics`);
    if (m.status === 200) metrics = m.body.toString().split('\n').filter((l) => /^tenantscope_upstream_(requests_total|requests_reused_total|connections_opened_total)/.test(l));
  } catch {}

  report(rows, { idle, afterLoad, metrics, proxyArgs });
}

// ---------------------------------------------------------------- report

const us = (v) => `${Math.round(v)} µs`;
const signedUs = (v) => `${v >= 0 ? '+' : '−'}${Math.round(Math.abs(v))} µs`;
const mb = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
const int = (v) => Math.round(v).toLocaleString('en-US');

function report(rows, mem) {
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  const base = by.stub.result;
  const lines = [];
  const say = (s = '') => lines.push(s);
  let cpu = '';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? '';
  } catch {}
  const wrkVersion = (() => {
    try {
      return execFileSync('wrk', ['-v'], { encoding: 'utf8' }).split('\n')[0];
    } catch (e) {
      return String(e.stdout ?? '').split('\n')[0];
    }
  })();
  const version = (() => {
    try {
      return execFileSync(cfg.proxyBin, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'tenantscope-proxy';
    }
  })();
  say(`### Run finished ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} (${version}, ${env.BENCH_PROXY_SOURCE ?? cfg.proxyBin})`);
  say();
  say(`Machine: ${cpus} CPU${cpus > 1 ? 's' : ''} (${cpu}), Linux ${os.release()}, ${wrkVersion.trim()}, Node ${process.version}. ` +
    (cpus <= 2
      ? `Only ${cpus} core${cpus > 1 ? 's' : ''}: the load tool, the stub and the proxy under test share them, so every figure includes that contention. `
      : '') +
    (!pinning
      ? 'Not pinned.'
      : cfg.pin === 'split'
        ? `Pinned: wrk on CPU 0, the stub and the proxies on CPU ${serverCpus} (taskset).`
        : `Pinned: the server under test alone on CPU ${serverCpus}, wrk and the stub on CPU 0 (taskset; the stub's own row is not pinned).`));
  say(`Load: wrk, ${cfg.threads} threads, ${cfg.connections} connections, ${cfg.duration} s per target after a ${cfg.warmup} s warm-up; ` +
    `GET of a 1 KiB JSON body with a ${cfg.tokenBytes}-byte X-Auth-Token and an allowed Origin. Proxy log level: ${cfg.rustLog}; proxy flags besides listen, upstream and origin: ${mem.proxyArgs.length ? '`' + mem.proxyArgs.join(' ') + '`' : 'none'}.`);
  say();
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(`Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. Anything else running on the machine shows in the figures.`);
  say();
  say('| target | requests/s | p50 | p99 | p50 added | p99 added | CPU per request (server) | upstream connections / requests | reuse | other load |');
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const x = r.result;
    const added = r.key === 'stub' ? ['—', '—'] : [signedUs(x.p50_us - base.p50_us), signedUs(x.p99_us - base.p99_us)];
    say(`| ${r.label} | ${int(x.rps)} | ${us(x.p50_us)} | ${us(x.p99_us)} | ${added[0]} | ${added[1]} | ${r.cpuPerRequestUs.toFixed(1)} µs | ` +
      `${int(r.upstream.connections)} / ${int(r.upstream.requests)} | ${r.reusePct.toFixed(r.reusePct > 99 ? 3 : 1)}% | ${(r.otherCores * 100).toFixed(0)}% |`);
  }
  if (cfg.serialDuration > 0) {
    say();
    say(`Unloaded, for reference (1 connection, one request at a time, ${cfg.serialDuration} s each):`);
    say();
    say('| target | requests/s | p50 | p99 | p50 added | p99 added |');
    say('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const x = r.serial;
      const added = r.key === 'stub' ? ['—', '—'] : [signedUs(x.p50_us - by.stub.serial.p50_us), signedUs(x.p99_us - by.stub.serial.p99_us)];
      say(`| ${r.label} | ${int(x.rps)} | ${us(x.p50_us)} | ${us(x.p99_us)} | ${added[0]} | ${added[1]} |`);
    }
  }
  say();
  const p = by.proxy;
  say(`tenantscope-proxy memory: ${mb(mem.idle.rssKB)} resident idle (after startup, before load), ` +
    `peak ${mb(Math.max(p.rss.peakKB, mem.afterLoad.hwmKB))} under load (VmHWM; ${p.rss.samples} VmRSS samples, highest ${mb(p.rss.peakKB)}), ` +
    `${mb(mem.afterLoad.rssKB)} after load.`);
  if (mem.metrics?.length) say(`The proxy's own counters after the run: \`${mem.metrics.join('`, `')}\`.`);
  say();
  const ratio = p.result.rps / by.cors.result.rps;
  const p50Added = p.result.p50_us - base.p50_us;
  const p99Added = p.result.p99_us - base.p99_us;
  const checks = [
    ['throughput', `≥ ${TARGETS.throughputX}× cors-anywhere`, `${ratio.toFixed(1)}×` + (by.corsKA ? ` (${(p.result.rps / by.corsKA.result.rps).toFixed(1)}× the keep-alive variant)` : ''), ratio >= TARGETS.throughputX],
    ['p50 added', `≤ ${TARGETS.p50AddedUs} µs`, signedUs(p50Added), p50Added <= TARGETS.p50AddedUs],
    ['p99 added', `≤ ${TARGETS.p99AddedUs} µs`, signedUs(p99Added), p99Added <= TARGETS.p99AddedUs],
    ['upstream connection reuse', `≥ ${TARGETS.reusePct}%`, `${p.reusePct.toFixed(3)}%`, p.reusePct >= TARGETS.reusePct],
    ['resident memory, idle', `< ${TARGETS.idleRssMB} MB`, `${(mem.idle.rssKB * 1024 / 1e6).toFixed(1)} MB`, mem.idle.rssKB * 1024 < TARGETS.idleRssMB * 1e6],
  ];
  say(`Targets: latency added is judged at ${cfg.connections} connections, where the throughput is measured.`);
  say();
  say('| target (issue #5) | goal | measured | |');
  say('|---|---|---:|---|');
  for (const [name, goal, got, ok] of checks) say(`| ${name} | ${goal} | ${got} | ${ok ? 'PASS' : '**MISS**'} |`);
  say();
  const thinRow = by.thin;
  const cpuX = p.cpuPerRequestUs / thinRow.cpuPerRequestUs;
  const limitChecks = [
    ['CPU per request, tenantscope-proxy / thin relay', `≤ ${LIMIT_TARGETS.cpuVsThinX}×`,
      `${cpuX.toFixed(2)}× (${p.cpuPerRequestUs.toFixed(1)} / ${thinRow.cpuPerRequestUs.toFixed(1)} µs)`, cpuX <= LIMIT_TARGETS.cpuVsThinX],
    ['throughput vs cors-anywhere', `≥ ${LIMIT_TARGETS.throughputX}×`, `${ratio.toFixed(1)}×`, ratio >= LIMIT_TARGETS.throughputX],
  ];
  say('| target (issue #14, speed against the limit) | goal | measured | |');
  say('|---|---|---:|---|');
  for (const [name, goal, got, ok] of limitChecks) say(`| ${name} | ${goal} | ${got} | ${ok ? 'PASS' : '**MISS**'} |`);
  say();
  say(`For reference: the thin relay does ${(thinRow.result.rps / by.cors.result.rps).toFixed(1)}× cors-anywhere's throughput, tenantscope-proxy ${(p.result.rps / thinRow.result.rps * 100).toFixed(0)}% of the thin relay's.`);
  say();
  checks.push(...limitChecks);
  say('Reuse is measured at the stub over warm-up and run: 1 − accepted connections / requests. ' +
    'cors-anywhere (http-proxy without an agent) sends every request upstream with `Connection: close`. ' +
    'The thin relay (proxy/examples/thin_relay.rs) forwards only X-Auth-Token and Accept and returns status, Content-Type and the body: no route or origin checks, no CORS headers, no limits, no logging. ' +
    'CPU per request: user + system time of that server process (the proxy, or the stub when called directly) over the measured run, divided by its requests. ' +
    'Other load: CPU used during the measured run by processes other than the stub, the server under test and wrk, in % of one core (also counts interrupt time the kernel charges to no process); ' +
    `before each target the driver waits (up to ${cfg.quietWait} s) for the machine to be idle.`);
  if (failures.length) {
    say();
    say(`**Failed to run cleanly:** ${failures.join('; ')}`);
  }
  const text = lines.join('\n');
  console.log(text);
  writeFileSync(path.join(out, 'report.md'), text + '\n');
  writeFileSync(
    path.join(out, 'report.json'),
    JSON.stringify({ config: { ...cfg, proxyArgs: cfg.proxyArgs }, rows: rows.map(({ server, ...r }) => r), memory: mem, checks }, null, 2) + '\n',
  );
}

main()
  .then(() => {
    stopAll();
    process.exit(failures.length ? 1 : 0);
  })
  .catch((e) => {
    console.error(`bench: ${e.message}`);
    stopAll();
    process.exit(1);
  });
