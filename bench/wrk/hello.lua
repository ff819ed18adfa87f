-- Invoke the hello cloud function (deployed by the driver's fn-* scenarios).
wrk.method = "POST"
wrk.body = '{"data":{}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
request = function()
  return wrk.format(nil, "/v1/functions/hello/invoke")
end
