-- tables.lua: tables as arrays, maps and objects: sort, insert/remove/move, metatables,
-- closures, varargs, integer/float keys, and the garbage collector.
local t = {}
for i = 1, 1000 do t[i] = (i * 7919) % 1009 end
table.sort(t)
print(#t, t[1], t[500], t[1000])
table.sort(t, function(a, b) return a > b end)
print(t[1], t[2], t[1000])

local people = {
  { name = "ann", age = 31 }, { name = "bob", age = 25 }, { name = "cid", age = 31 },
  { name = "dee", age = 19 }, { name = "eve", age = 25 },
}
table.sort(people, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name < b.name
end)
for _, p in ipairs(people) do io.write(p.name, "=", p.age, " ") end
print()

local list = { "a", "b", "c" }
table.insert(list, "d")
table.insert(list, 1, "z")
print(table.concat(list, ","), table.remove(list), table.remove(list, 1), table.concat(list, ","))
print(table.concat(table.move({ 1, 2, 3, 4, 5 }, 2, 4, 1), ","), table.unpack({ 1, 2, 3 }, 2))
print(select("#", table.unpack({ 1, nil, 3 }, 1, 3)), select(-1, "x", "y", "z"))
local packed = table.pack(1, nil, 3)
print(packed.n, packed[1], packed[2], packed[3])

-- maps: iterate in a defined order
local counts = {}
for w in ("one two three two three three"):gmatch("%a+") do counts[w] = (counts[w] or 0) + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, ":", counts[k], " ") end
print()
local mixed = { [1] = "int", [2.0] = "float two", [1.5] = "float", ["1"] = "string" }
print(mixed[1], mixed[2], mixed[1.5], mixed["1"], #mixed)

-- metatables: a vector class, __index inheritance, __newindex, __call, __len, __tostring
local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
function Vec.__add(a, b) return Vec.new(a.x + b.x, a.y + b.y) end
function Vec.__eq(a, b) return a.x == b.x and a.y == b.y end
function Vec.__lt(a, b) return a:len() < b:len() end
function Vec.__tostring(v) return "(" .. v.x .. "," .. v.y .. ")" end
function Vec:len() return math.sqrt(self.x ^ 2 + self.y ^ 2) end
local a, b = Vec.new(1, 2), Vec.new(3, 4)
print(tostring(a + b), a + b == Vec.new(4, 6), a < b, b:len())
local Animal = { sound = "..." }
Animal.__index = Animal
function Animal:speak() return self.name .. " says " .. self.sound end
local Dog = setmetatable({ sound = "woof" }, Animal)
Dog.__index = Dog
print(setmetatable({ name = "rex" }, Dog):speak(), setmetatable({ name = "x" }, Animal):speak())
local log = {}
local proxy = setmetatable({}, {
  __newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end,
  __call = function(self, n) return n * 2 end,
  __len = function() return 99 end,
})
proxy.a = 1; proxy.b = 2; proxy.a = 3
print(table.concat(log, ","), proxy(21), #proxy, rawlen(proxy), rawequal(proxy, proxy))

-- closures and varargs
local function counter()
  local n = 0
  return function(step) n = n + (step or 1); return n end
end
local c1, c2 = counter(), counter()
c1(); c1(5)
print(c1(), c2())
local function sum(...)
  local s = 0
  for _, v in ipairs({ ... }) do s = s + v end
  return s, select("#", ...)
end
print(sum(1, 2, 3, 4.5))

-- recursion and memoisation
local memo = {}
local function fib(n)
  if n < 2 then return n end
  if memo[n] then return memo[n] end
  local v = fib(n - 1) + fib(n - 2)
  memo[n] = v
  return v
end
print(fib(90), math.type(fib(90)))

-- errors as values
local ok, err = pcall(function() error({ code = 42 }) end)
print(ok, type(err), err.code)
ok, err = pcall(function() local x = nil; return x.field end)
print(ok, (err:gsub("^.-:%d+: ", "")))
print(xpcall(function() error("boom", 0) end, function(m) return "handled " .. m end))
print(select(2, pcall(error)))

-- garbage: a million small tables, then collected
local keep = {}
for i = 1, 200000 do keep[i] = { i, tostring(i) } end
local before = collectgarbage("count")
keep = nil
collectgarbage()
collectgarbage()
print(collectgarbage("count") < before, collectgarbage("isrunning"))
local weak = setmetatable({}, { __mode = "k" })
weak[{}] = 1
collectgarbage()
print(next(weak))
