-- POST a new quote; counts 201s so the script can compare them with the rows stored.
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"text":"benchmark quote ' .. counter .. ' from a wrk thread","language":"en","said":"2022-03"}'
  return wrk.format("POST", "/v1/quotes", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}, body)
end
local created = 0
response = function(status, headers, body)
  if status == 201 then created = created + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx or failed: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
