-- wrk script: replays pre-signed unique deliveries (bench/make_deliveries.py) at POST /webhooks/runa.
-- Each wrk thread loads every THREADS-th line, so no delivery is sent twice; when a thread runs out it
-- starts over and counts the wrap (those requests are duplicates and the run should be discarded).
local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("WRK_THREADS") or "2")
  requests = {}
  local line_number = 0
  for line in io.lines(os.getenv("DELIVERIES")) do
    if line_number % total == thread_index then
      local msg_id, timestamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/webhooks/runa", {
        ["svix-id"] = msg_id, ["svix-timestamp"] = timestamp, ["svix-signature"] = signature,
        ["Content-Type"] = "application/json",
      }, body)
    end
    line_number = line_number + 1
  end
  position = 0
  wraps = 0
  non_ok = 0
end

-- RATE (deliveries/s over all connections) paces each connection: it waits CONNECTIONS/RATE seconds before each
-- request, so the offered load is at most RATE (less by the time each answer takes; the achieved rate is reported).
local rate = tonumber(os.getenv("RATE") or "")
local pause_ms = rate and math.floor(1000 * tonumber(os.getenv("CONNECTIONS") or "1") / rate) or nil

if pause_ms then
  function delay()
    return pause_ms
  end
end

function request()
  position = position + 1
  if position > #requests then
    position = 1
    wraps = wraps + 1
  end
  return requests[position]
end

function response(status, headers, body)
  if status ~= 200 then non_ok = non_ok + 1 end
end

function done(summary, latency, requests_done)
  local wrapped, failed = 0, 0
  for _, thread in ipairs(threads) do
    wrapped = wrapped + thread:get("wraps")
    failed = failed + thread:get("non_ok")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f non_2xx=%d socket_errors=%d wrapped=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    failed + summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    wrapped))
end
