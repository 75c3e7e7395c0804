-- GET /api/v1/items/{id}, the id drawn at random from 1..rows so that no single row stays hot.
-- wrk ... -s get_item.lua URL -- <rows> <run id> [<bearer token>]
local rows = 1000

function init(args)
   rows = tonumber(args[1]) or rows
   -- Each run draws other numbers: its id, unique to the run, seeds the generator.
   math.randomseed(tonumber(args[2]) or os.time())
   if args[3] and args[3] ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. args[3]
   end
end

function request()
   return wrk.format("GET", "/api/v1/items/" .. math.random(rows))
end
