// cors-anywhere for scripts/bench, as its README configures it, with an origin
// allow-list. Loaded from the scratch install scripts/bench makes
// (target/bench-node), never from the repository's package.json.
//
// Environment: BENCH_NODE_MODULES (where cors-anywhere is installed),
// BENCH_ORIGIN (the one allowed origin), BENCH_CORS_KEEPALIVE=1 to give its
// http-proxy a keep-alive agent (cors-anywhere's default sends every request
// upstream with `Connection: close` on a new connection).
// Prints `cors-anywhere listening on http://ADDR` once bound (port 0: any).

'use strict';

const http = require('node:http');
const path = require('node:path');

const corsAnywhere = require(path.join(process.env.BENCH_NODE_MODULES, 'cors-anywhere'));
const keepAlive = process.env.BENCH_CORS_KEEPALIVE === '1';

const server = corsAnywhere.createServer({
  originWhitelist: [process.env.BENCH_ORIGIN],
  requireHeader: [],
  removeHeaders: ['cookie', 'cookie2'],
  httpProxyOptions: keepAlive ? { agent: new http.Agent({ keepAlive: true, maxSockets: 64 }) } : {},
});

server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`cors-anywhere listening on http://${address}:${port}${keepAlive ? ' (keep-alive agent)' : ''}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
