-- clock.lua: os.time, os.date (TZ=UTC), os.clock and os.getenv, used deterministically.
print(os.time({ year = 2000, month = 1, day = 1, hour = 0 }))
print(os.time({ year = 2024, month = 2, day = 29, hour = 12, min = 34, sec = 56 }))
print(os.time({ year = 2021, month = 13, day = 32, hour = 25 }))
print(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%c", 1e9), os.date("%A %j %U", 1700000000))
local t = os.date("*t", 1234567890)
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
local u = os.date("!*t", 86400 * 365)
print(u.year, u.yday)
print(os.difftime(os.time({ year = 2020, month = 3, day = 1 }),
  os.time({ year = 2020, month = 2, day = 1 })))

local now = os.time()
print(now > 1577836800, math.type(now))
print(math.abs(os.time(os.date("*t", now)) - now) == 0)

-- os.clock is processor time: it grows with work and not while sleeping on nothing
local c0 = os.clock()
local x = 0
for i = 1, 3e7 do x = x + i % 7 end
local c1 = os.clock()
print(x, c1 > c0, c1 - c0 < 30)

print(os.getenv("HOME"), os.getenv("TZ"), os.getenv("ELFIN_NO_SUCH_VARIABLE"))
print(os.setlocale(), os.setlocale("C"))
print(type(os.tmpname()))
