-- Full-text search for one word, or either of two, from bench/out/search-words.txt, across all kinds.
local words = {}
for line in io.lines(os.getenv("SEARCH_WORDS")) do words[#words + 1] = line end
math.randomseed(os.time())
request = function()
  local q = words[math.random(#words)]
  if math.random(2) == 1 then q = q .. "%20OR%20" .. words[math.random(#words)] end
  return wrk.format("GET", "/v1/search?q=" .. q .. "&limit=20")
end
