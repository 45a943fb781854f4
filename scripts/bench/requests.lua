-- wrk script for scripts/bench.sh: cycles through pre-signed Twilio webhook requests.
--
--   wrk -t2 -c16 -d10s --latency -s requests.lua http://127.0.0.1:PORT -- DATA_PREFIX [OK_PREFIX]
--
-- DATA_PREFIX.<thread>.lua (written by bench.py gen) returns a table of {path, body, signature};
-- each wrk thread reads its own file, so threads never send the same CallSid.
-- With OK_PREFIX, every answer is inspected (costly, used for the voice webhook only): 2xx and
-- other answers are counted and the CallSid of each 2xx answer (the conference name in the
-- TwiML) is written to OK_PREFIX.<thread>.txt for the durability check.
-- done() prints machine-readable "BENCH ..." and "BENCH_THREAD ..." lines. A thread hands out
-- its entries in order, so its first request_calls entries are every CallSid it can have sent
-- (wrk's own check of the script consumes thread 0's first entry without sending it).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function track(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    okfile:write(body:match(">(CA%x+)</Conference>") or "?", "\n")
  else
    bad = bad + 1
  end
end

function init(args)
  local data = dofile(args[1] .. "." .. tid .. ".lua")
  reqs = {}
  for i, r in ipairs(data) do
    reqs[i] = wrk.format("POST", r[1], {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = r[3],
    }, r[2])
  end
  data = nil
  collectgarbage()
  n, idx, wrapped, calls, ok, bad = #reqs, 0, 0, 0, 0, 0
  if args[2] then
    okfile = io.open(args[2] .. "." .. tid .. ".txt", "w")
    tracking = true
    response = track
  end
end

function request()
  calls = calls + 1
  idx = idx + 1
  if idx > n then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function done(summary, latency, requests)
  local calls, ok, bad, wrapped, tracked = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    calls = calls + (t:get("calls") or 0)
    ok = ok + (t:get("ok") or 0)
    bad = bad + (t:get("bad") or 0)
    wrapped = wrapped + (t:get("wrapped") or 0)
    if t:get("tracking") then tracked = 1 end
  end
  for _, t in ipairs(threads) do
    io.write(string.format("BENCH_THREAD tid=%d request_calls=%d entries=%d\n",
      t:get("tid"), t:get("calls") or 0, t:get("n") or 0))
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d "
      .. "tracked=%d ok2xx=%d non2xx=%d request_calls=%d wrapped=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    tracked, ok, bad, calls, wrapped,
    latency:percentile(50), latency:percentile(99), latency.max))
end
