-- PUT /api/dummy/: s3rius/FastAPI-template's create, a new row of one name.
-- wrk ... -s put_dummy.lua URL -- <rows> <run id>
local run = "0"
local created = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   run = args[2] or run
end

function request()
   created = created + 1
   local body = string.format('{"name": "Benchmark item %s-%d"}', run, created)
   return wrk.format("PUT", "/api/dummy/", headers, body)
end
