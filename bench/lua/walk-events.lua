-- GET every event of the generated id list in turn (each wrk thread its own share), so that
-- a warm-up reads each event once, however fast the server answers; then round again.
local ids = {}
for line in io.lines(os.getenv("EVENT_IDS")) do ids[#ids + 1] = line end
local threads = 0
setup = function(thread)
  thread:set("first", threads)
  threads = threads + 1
end
local next = nil
request = function()
  if next == nil then next = first * 7919 end
  next = next + 1
  return wrk.format("GET", "/v1/events/" .. ids[next % #ids + 1])
end
