-- GET a random document by _id; ids come from ids.txt (one per line).
local ids = {}
for line in io.lines(os.getenv("IDS") or "ids.txt") do ids[#ids + 1] = line end
request = function()
  return wrk.format("GET", "/v1/db/posts/docs/" .. ids[math.random(#ids)],
    {["Authorization"] = "Bearer " .. os.getenv("KEY")})
end
