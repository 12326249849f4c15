-- wrk script: POST a JSON array of RECORDS records of about RECORD_BYTES each (env), counting non-200s.
-- KEYED=1 sends each request with an Idempotency-Key of its own.
local records = tonumber(os.getenv("RECORDS") or "100")
local size = tonumber(os.getenv("RECORD_BYTES") or "200")
local parts = {}
for r = 0, records - 1 do
  local head = string.format('{"id":"%d","user":"u%d","event":"page_view","ts":"2026-11-22T13:05:00Z","url":"https://example.com/', r, r % 997)
  parts[#parts + 1] = head .. string.rep("p", math.max(0, size - #head - 2)) .. '"}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = records == 1 and parts[1] or ("[" .. table.concat(parts, ",") .. "]")
if os.getenv("KEYED") == "1" then
  math.randomseed(os.time())
  local prefix = string.format("%d-%d-", os.time(), math.random(1000000000))
  local n = 0
  request = function()
    n = n + 1
    return wrk.format(nil, nil, { ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. n }, nil)
  end
end
local failed = 0
response = function(status) if status ~= 200 then failed = failed + 1 end end
done = function() if failed > 0 then io.write(string.format("non-200 responses: %d\n", failed)) end end
