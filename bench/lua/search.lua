-- Full-text search for two random words of the generator's vocabulary, across all kinds.
local words = {"minister", "summit", "border", "troops", "sanctions", "election", "protest", "treaty", "pipeline", "referendum",
  "ceasefire", "parliament", "opposition", "court", "embassy", "negotiations", "missile", "refugees", "grain", "energy",
  "journalist", "arrest", "pardon", "decree", "coalition", "budget", "harbour", "airbase", "exercise", "observer"}
math.randomseed(os.time())
request = function()
  local q = words[math.random(#words)] .. "%20" .. words[math.random(#words)]
  return wrk.format("GET", "/v1/search?q=" .. q .. "&limit=20")
end
