-- coroutines.lua: generators, a producer/consumer pipeline, status, wrap, errors inside
-- coroutines, yields across pcall, and many coroutines alive at once.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i, i * i) end
    return "done"
  end)
end
local g = gen(4)
for _ = 1, 5 do io.write(table.concat({ tostring(g()) }, ","), " ") end
print()

local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "end", a + b + c + d + e
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 100, 1000))
print(coroutine.status(co), coroutine.resume(co))

-- producer / filter / consumer
local function producer()
  return coroutine.create(function()
    for line in ("alpha\nbeta\ngamma\ndelta\nepsilon\n"):gmatch("[^\n]+") do
      coroutine.yield(line)
    end
  end)
end
local function filter(source)
  return coroutine.create(function()
    local n = 0
    while true do
      local _, line = coroutine.resume(source)
      if not line then return end
      n = n + 1
      coroutine.yield(string.format("%03d %s", n, line:upper()))
    end
  end)
end
local f = filter(producer())
while true do
  local _, line = coroutine.resume(f)
  if not line then break end
  print(line)
end

-- errors
local bad = coroutine.create(function() coroutine.yield(1); error("inside") end)
print(coroutine.resume(bad))
local ok, msg = coroutine.resume(bad)
print(ok, (msg:gsub("^.-:%d+: ", "")), coroutine.status(bad))
print(coroutine.resume(bad))
print(coroutine.isyieldable(), select(2, coroutine.running()))
print(pcall(coroutine.wrap(function() error("wrapped", 0) end)))

-- yield across pcall and through metamethods
local inner = coroutine.wrap(function()
  local ok2, v = pcall(function()
    local got = coroutine.yield("from inside pcall")
    error("raised " .. got, 0)
  end)
  coroutine.yield(tostring(ok2) .. " " .. v)
  local t = setmetatable({}, { __index = function(_, k) return coroutine.yield("index " .. k) end })
  return "meta " .. t.key
end)
print(inner())
print(inner("x"))
print(inner())
print(inner("value"))

-- close
local closable = coroutine.create(function() coroutine.yield() end)
coroutine.resume(closable)
print(coroutine.close(closable), coroutine.status(closable))

-- many coroutines: a round-robin scheduler
local tasks, out = {}, {}
for id = 1, 200 do
  tasks[#tasks + 1] = coroutine.create(function()
    local acc = 0
    for step = 1, id % 7 + 1 do
      acc = acc + id * step
      coroutine.yield()
    end
    out[#out + 1] = id .. ":" .. acc
  end)
end
local rounds = 0
while #tasks > 0 do
  rounds = rounds + 1
  for i = #tasks, 1, -1 do
    coroutine.resume(tasks[i])
    if coroutine.status(tasks[i]) == "dead" then table.remove(tasks, i) end
  end
end
print(rounds, #out, out[1], out[200])

-- deep recursion inside a coroutine
local deep = coroutine.wrap(function()
  local function down(n) if n == 0 then return coroutine.yield("bottom") end return down(n - 1) end
  return down(10000)
end)
print(deep())
