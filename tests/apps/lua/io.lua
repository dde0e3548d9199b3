-- io.lua: the io library on the working directory's inputs, on stdin, and on files written in
-- /tmp (os.tmpname): read formats, lines, seek, buffering, append, rename and remove.
local f = assert(io.open("big.txt", "r"))
print(f:read("l"))
print(f:read("n", "n"))
print(f:read(10))
print(f:seek("cur"), f:seek("end"), f:seek("set", 100))
print(f:read("L"))
local lines, longest = 0, 0
f:seek("set")
for line in f:lines() do
  lines = lines + 1
  if #line > longest then longest = #line end
end
print(lines, longest, f:read("a") == "", f:read("l"))
f:close()
print(io.type(f), io.type(io.stdout), io.type(42))

local n, sum = 0, 0
for id, _, _, value in io.lines("big.txt", "n", "l") do
  n = n + 1
end
for line in io.lines("table.csv") do
  local value = line:match("^%d+,%a+,(%d+),")
  sum = sum + tonumber(value)
end
print(n, sum)

local bin = assert(io.open("big.bin", "rb"))
local data = bin:read("a")
bin:close()
local x = 0
for i = 1, #data, 4096 do x = x ~ data:byte(i) end
print(#data, x)

print(io.open("no-such-file"))

-- stdin
local input = io.read("a")
print(#input, select(2, input:gsub("\n", "")))

-- files in /tmp
local name = os.tmpname()
print(name:match("^/tmp/") ~= nil)
local out = assert(io.open(name, "w"))
out:setvbuf("full", 8192)
for i = 1, 10000 do out:write(i, " ", i * i, "\n") end
print(out:seek("cur"))
out:close()
out = assert(io.open(name, "a"))
out:write("appended\n")
out:close()
local back = assert(io.open(name, "r"))
back:seek("end", -20)
print(back:read("a"))
back:seek("set", 0)
local total = 0
while true do
  local a, b = back:read("n", "n")
  if not a then break end
  total = total + a + b
end
print(total)
back:close()
local rw = assert(io.open(name, "r+"))
rw:write("XXXX")
rw:seek("set", 0)
print(rw:read("l"))
rw:close()
local renamed = name .. ".renamed"
print(os.rename(name, renamed))
print(io.open(name) == nil, os.remove(renamed), os.remove(renamed) == nil)

-- io.output redirection and io.write
local name2 = os.tmpname()
io.output(name2)
io.write("one", 2, 3.5, "\n")
io.close()
io.output(io.stdout)
for line in io.lines(name2) do print("[" .. line .. "]") end
os.remove(name2)
io.stdout:write("done\n")
io.stderr:write("")
