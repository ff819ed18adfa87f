-- One author's newest 20 posts (index on author, created).
request = function()
  return wrk.format("POST", "/v1/db/posts/query",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("KEY")},
    '{"filter":{"author":"u' .. math.random(1000) .. '"},"sort":[["created",-1]],"limit":20}')
end
