-- POST one ~600-byte post, as PocketBase's benchmarks (github.com/pocketbase/benchmarks) create one.
local counter = 0
local desc = string.rep("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 9)
local types = {"a", "b", "c", "d"}
request = function()
  counter = counter + 1
  local body = '{"data":{"title":"post' .. counter .. '","description":"' .. desc .. '","public":' ..
    ((counter % 2 == 0) and "true" or "false") .. ',"type":["' .. types[math.random(4)] .. '","' ..
    types[math.random(4)] .. '"],"author":"u' .. math.random(1000) .. '"}}'
  return wrk.format("POST", "/v1/db/posts_wrk/insert",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("KEY")}, body)
end
