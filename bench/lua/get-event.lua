-- GET one event by a random id from the generated id list.
local ids = {}
for line in io.lines(os.getenv("EVENT_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/events/" .. ids[math.random(#ids)])
end
