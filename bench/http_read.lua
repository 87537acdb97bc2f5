-- wrk script for the http-read bench: GET /v1/accounts/{id} for random bench
-- accounts (a000000 .. a<N-1>, N after "--" on wrk's command line), and one
-- JSON report line at the end for bench/run (bench_util.h's format).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

function init(args)
  accounts = tonumber(args[1] or "10000")
  math.randomseed(os.time() * 1000 + thread_id)
end

function request()
  return wrk.format("GET", string.format("/v1/accounts/a%06d", math.random(0, accounts - 1)))
end

function done(summary, latency, requests)
  local e = summary.errors
  local load = -1
  local f = io.open("/proc/loadavg", "r")
  if f then load = f:read("*n") f:close() end
  io.write(string.format(
    '{"bench":"http_read","figures":{"req_per_s":%.1f,"requests":%d,"errors":%d,"p50_ms":%.3f,"p99_ms":%.3f,"load1":%.2f}}\n',
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, load))
end
