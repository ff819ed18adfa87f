-- The newest 20 posts (sort on the indexed "created").
request = function()
  return wrk.format("POST", "/v1/db/posts/query",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("KEY")},
    '{"sort":[["created",-1]],"limit":20}')
end
