-- wrk script: one request shape, with the bearer tokens of many users in rotation.
-- Usage: wrk ... -s load.lua URL -- METHOD PATH [TOKENS_FILE [PATHS_FILE]]
-- PATHS_FILE: a path per token (the same line), for requests that name the user's own rows;
-- PATH is then unused.
-- done() prints one JSON line that bench.py reads (latencies in microseconds).

local threads = 0
local tokens, paths, counter, method, path, body, headers = {}, {}, 0, "GET", "/", nil, {}

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  method, path = args[1], args[2]
  if args[3] then
    for line in io.lines(args[3]) do tokens[#tokens + 1] = line end
    if args[4] then
      for line in io.lines(args[4]) do paths[#paths + 1] = line end
    end
    -- Threads start at different users, so they do not walk the same tokens in step.
    counter = (thread_id * 7919) % #tokens
  end
  if method == "POST" then
    body = '{"title":"bench","description":"written by wrk"}'
    headers["Content-Type"] = "application/json"
  elseif method == "PATCH" then
    body = '{"completed":true}'
    headers["Content-Type"] = "application/json"
  end
end

function request()
  if #tokens > 0 then
    counter = counter % #tokens + 1
    headers["Authorization"] = "Bearer " .. tokens[counter]
  end
  return wrk.format(method, paths[counter] or path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
