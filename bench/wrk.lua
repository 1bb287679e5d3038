-- wrk script for scripts/bench: one GET with the headers a browser tab of the
-- console sends (a 4 KiB X-Auth-Token, Accept, an allowed Origin), and one
-- machine-readable summary line for bench/run.mjs.
--
-- Environment: BENCH_PATH (request target, may be an absolute URL path such
-- as cors-anywhere's /http://host/...), BENCH_ORIGIN, BENCH_TOKEN_BYTES.

local path = os.getenv("BENCH_PATH") or "/"
local origin = os.getenv("BENCH_ORIGIN") or "http://console.bench.test"
local token_bytes = tonumber(os.getenv("BENCH_TOKEN_BYTES") or "4096")

-- An IAM token is base64-ish text ("MIIE..."); any token-shaped bytes do.
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local parts = { "MIIE" }
for i = 1, token_bytes - 4 do
  local k = (i * 7919) % #alphabet + 1
  parts[#parts + 1] = alphabet:sub(k, k)
end
local token = table.concat(parts)

-- No request() function: wrk formats this request once per thread and
-- sends the same bytes each time, its fastest mode.
wrk.method = "GET"
wrk.path = path
wrk.headers["X-Auth-Token"] = token
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = origin

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
