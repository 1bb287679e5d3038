// A large tenant for the benchmarks, as Huawei Cloud's APIs would answer
// it: 2,000 HSS quotas and 1,000 MetaStudio resources by default (paged as
// the services page), the other services from the recorded fixtures, and
// billing's records of the yearly/monthly quotas (the console asks for them
// 50 ids a call once the services have answered). Used
// with `tenantscope-proxy --upstream-base` by bench/ui.mjs and
// bench/network.mjs; `latencyMs` delays every answer, as a distant region
// would. Each page's body is made once and kept (the console's pages made
// at the start): a paged list's later pages all fall due at once, and a
// stub that made them one after another on its one thread would answer the
// last of them late by the making of the others, which no upstream does.
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

// Billing's record of quota `i` (OrderInstanceV2, Go SDK
// model_order_instance_v2.go), or none for a pay-per-use one: its date,
// a renewal policy (3 renews) and a status (2 in use, 5 expired).
function billed(i) {
  const q = quota(i);
  if (q.charging_mode !== 'packet_cycle') return null;
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    id: `order-instance-${i}`, resource_id: q.resource_id, resource_name: q.host_name, region_code: 'cn-north-4',
    service_type_code: 'hws.service.type.hss', resource_type_code: 'hws.resource.type.hss.quota', resource_spec_code: q.version,
    project_id: '0b4a1c7e5f9d4e2a8c3b6d1f0e7a9c25', is_main_resource: 1, status: q.expire_time < Date.now() ? 5 : 2,
    effective_time: iso(q.expire_time - 365 * 86_400_000), expire_time: iso(q.expire_time), expire_policy: [3, 3, 0, 2, 4, 5][i % 6],
    update_time: iso(Date.now() - 86_400_000),
  };
}

// `POST /v2/orders/suscriptions/resources/query`: the records of the ids in
// the JSON body, paged by its offset and limit.
function billing(req, json) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let asked = {};
    try { asked = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* an empty query */ }
    const records = (asked.resource_ids ?? []).map((id) => /^quota-(\d+)$/.exec(id)).filter(Boolean).map((m) => billed(Number(m[1]))).filter(Boolean);
    const offset = Number(asked.offset ?? 0);
    json({ total_count: records.length, data: records.slice(offset, offset + Number(asked.limit ?? 10)) });
  });
}

/** A page of `make(i)` for `offset`, `limit` of `count`, as JSON made by `wrap(items)`; made once. */
function page(made, key, count, offset, limit, make, wrap) {
  const at = `${key} ${offset} ${limit}`;
  if (!made.has(at)) {
    const items = Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, k) => make(offset + k));
    made.set(at, JSON.stringify(wrap(items)));
  }
  return made.get(at);
}

const quotaPage = (made, QUOTAS, offset, limit) =>
  page(made, 'quotas', QUOTAS, offset, limit, quota, (items) => ({ data_list: items, total_num: QUOTAS, quota_statistics_list: [] }));
const resourcePage = (made, RESOURCES, offset, limit) =>
  page(made, 'resources', RESOURCES, offset, limit, resource, (items) => ({ resources: items, count: RESOURCES }));

function answer(req, res, { quotas: QUOTAS, resources: RESOURCES, made }) {
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
  if (p.endsWith('/tenants/resources')) return json(resourcePage(made, RESOURCES, offset, limit));
  if (p.includes('/period/product/specification')) return json(fixture('dsc.doc.json'));
  if (p.endsWith('/billing/quotas-detail')) return json(quotaPage(made, QUOTAS, offset, limit));
  if (p === '/v2/orders/suscriptions/resources/query' && req.method === 'POST') return billing(req, json);
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error_code":"STUB.404"}');
}

/** Starts the stub on a free loopback port; resolves to { url, close }. */
export async function startTenant({ quotas = 2000, resources = 1000, latencyMs = 0 } = {}) {
  // The pages the console asks for (HSS 200 a page, MetaStudio 100: their
  // modules' `PAGES` in core/src/services), made before the first is asked.
  const made = new Map();
  for (let offset = 0; offset < quotas; offset += 200) quotaPage(made, quotas, offset, 200);
  for (let offset = 0; offset < resources; offset += 100) resourcePage(made, resources, offset, 100);
  const server = createServer((req, res) => {
    const reply = () => answer(req, res, { quotas, resources, made });
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
