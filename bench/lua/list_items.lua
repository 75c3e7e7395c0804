-- GET /api/v1/items?limit=20&offset=..., a random full page of the seeded rows.
-- wrk ... -s list_items.lua URL -- <rows> <run id> [<bearer token>]
local page = 20
local last_offset = 0

function init(args)
   local rows = tonumber(args[1]) or 1000
   last_offset = math.max(rows - page, 0)
   -- Each run draws other numbers: its id, unique to the run, seeds the generator.
   math.randomseed(tonumber(args[2]) or os.time())
   if args[3] and args[3] ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. args[3]
   end
end

function request()
   local path = string.format("/api/v1/items?limit=%d&offset=%d", page, math.random(0, last_offset))
   return wrk.format("GET", path)
end
