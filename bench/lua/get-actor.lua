-- GET one actor (a one-row record with its aliases) by a random slug of the generated ones.
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/actors/actor-" .. math.random(0, 49999))
end
