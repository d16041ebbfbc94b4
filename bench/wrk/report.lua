-- One endpoint under wrk: method and JSON body from the environment, "{n}" in the body replaced by a
-- counter so that every request carries new text, and "{status}" by open and in_progress in turn (so that
-- every status change is one); the summary printed as one JSON line at the end.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local counter = 0
-- credentials: a bearer token for the API, an agent's session cookie for the pages
for _, name in ipairs({"Authorization", "Cookie"}) do
  local value = os.getenv("BENCH_" .. name:upper())
  if value and value ~= "" then wrk.headers[name] = value end
end

if body ~= "" then
  wrk.headers["Content-Type"] = "application/json"
  request = function()
    counter = counter + 1
    local text = body:gsub("{n}", tostring(counter))
    text = text:gsub("{status}", counter % 2 == 0 and "open" or "in_progress")
    return wrk.format(nil, nil, nil, text)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
