// A large tenant for the benchmarks, as Huawei Cloud's APIs would answer
// it: 2,000 HSS quotas and 1,000 MetaStudio resources by default (paged as
// the services page), the other services from the recorded fixtures. Used
// with `tenantscope-proxy --upstream-base` by bench/ui.mjs and
// bench/network.mjs; `latencyMs` delays every answer, as a distant region
// would.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../tests/browser/harness.mjs';

const fixture = (name) => readFileSync(join(ROOT, 'tests/fixtures', name), 'utf8');
const EDITIONS = ['hss.version.basic', 'hss.version.advanced', 'hss.version.enterprise', 'hss.version.premium', 'hss.version.wtp'];

function quota(i) {
  return {
    charging_mode: i % 4 ? 'packet_cycle' : 'on_demand', expire_time: Date.now() + (i % 400 - 30) * 86_400_000,
    host_id: `h-${i}`, host_name: `web-${String(i).padStart(4, '0')}`, quota_status: ['normal', 'expired', 'freeze'][i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0],
    resource_id: `quota-${String(i).padStart(5, '0')}`, shared_quota: 'shared', tags: [], used_status: i % 3 ? 'used' : 'idle',
    version: EDITIONS[i % EDITIONS.length],
  };
}

const BUSINESS = [['MODELING_2D', 'Modeling.2D.avatar', 'NUM'], ['VIDEO_2D', 'Video.2D.minutes', 'MIN'], ['LIVE_2D', 'Interaction.basic.channel', 'CHANNEL'],
  ['ASSET_MANAGER', 'Asset.storage', 'GB'], ['VOICE_CLONE', 'Voice.clone', 'NUM']];

function resource(i) {
  const [business, type, unit] = BUSINESS[i % BUSINESS.length];
  const total = 10 + (i % 90);
  return {
    resource_id: `res-${String(i).padStart(5, '0')}`, resource_type: type, business_type: business, order_id: `order-${i}`,
    resource_expire_time: new Date(Date.now() + (i % 300 - 20) * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    charging_mode: 'ONE_TIME', amount: total, usage: (i * 7) % (total + 5), unit, resource_source: 'PURCHASED',
    status: i % 13 === 0 ? 1 : 0,
  };
}

function answer(req, res, { quotas: QUOTAS, resources: RESOURCES }) {
  const url = new URL(req.url, 'http://stub');
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 200);
  const json = (body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const p = url.pathname;
  if (p === '/v3/auth/tokens') return json(fixture('iam.token.json'));
  if (p === '/v3/auth/projects') return json(fixture('iam.projects.json'));
  if (p === '/v4/projects') return json(fixture('projectman.projects.json'));
  if (p.endsWith('/package/status')) return json(fixture('testplan.doc.json'));
  if (p.endsWith('/tenant-package-status')) return json(fixture('codecheck.doc.json'));
  if (p.endsWith('/tenants/resources')) {
    const items = Array.from({ length: Math.max(0, Math.min(limit, RESOURCES - offset)) }, (_, k) => resource(offset + k));
    return json({ resources: items, count: RESOURCES });
  }
  if (p.includes('/period/product/specification')) return json(fixture('dsc.doc.json'));
  if (p.endsWith('/billing/quotas-detail')) {
    const items = Array.from({ length: Math.max(0, Math.min(limit, QUOTAS - offset)) }, (_, k) => quota(offset + k));
    return json({ data_list: items, total_num: QUOTAS, quota_statistics_list: [] });
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error_code":"STUB.404"}');
}

/** Starts the stub on a free loopback port; resolves to { url, close }. */
export async function startTenant({ quotas = 2000, resources = 1000, latencyMs = 0 } = {}) {
  const server = createServer((req, res) => {
    const reply = () => answer(req, res, { quotas, resources });
    if (latencyMs > 0) setTimeout(reply, latencyMs); else reply();
  });
  // Many pages at once from one client: no connection is refused.
  server.maxConnections = 1024;
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}
