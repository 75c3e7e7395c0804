-- POST /api/v1/items: a new item, owned by a user drawn at random from 1..rows.
-- wrk ... -s create_item.lua URL -- <rows> <run id> [<bearer token>]
local rows = 1000
local run = "0"
local created = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   rows = tonumber(args[1]) or rows
   run = args[2] or run
   -- Each run draws other numbers: its id, unique to the run, seeds the generator.
   math.randomseed(tonumber(args[2]) or os.time())
   if args[3] and args[3] ~= "" then
      headers["Authorization"] = "Bearer " .. args[3]
   end
end

function request()
   created = created + 1
   -- A user's items have distinct titles: the run id keeps them apart from other runs' items.
   local title = string.format("Benchmark item %s-%d", run, created)
   local body = string.format('{"title": "%s", "owner_id": %d}', title, math.random(rows))
   return wrk.format("POST", "/api/v1/items", headers, body)
end
