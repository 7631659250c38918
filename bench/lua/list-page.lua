-- A page of 50 events overlapping a random month, newest first.
math.randomseed(os.time())
request = function()
  local year = math.random(1990, 2025)
  local month = string.format("%02d", math.random(1, 12))
  return wrk.format("GET", "/v1/events?from=" .. year .. "-" .. month .. "&to=" .. year .. "-" .. month .. "&limit=50")
end
