-- strings.lua: the string library: formatting, patterns, gsub, packing and utf8.
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:lower():rep(2, "|"))
print(s:sub(5, 9), s:sub(-3), s:byte(1, 3), string.char(72, 105))
print(s:find("fox"), s:find("o", 20, true), s:match("(%a+) dog"))
print(string.format("%5d|%-5s|%05.1f|%x|%X|%o|%e|%g|%q|%%|%c", 42, "ab", 3.14159, 255, 255, 8,
  12345.678, 0.0001, "a\nb\"c", 65))
print(string.format("%10.3s|%-10s|%+d|% d|%#x|%a", "abcdef", "left", 5, 7, 255, 1.0))
print(string.format("%.14g %.17g %g %g", 0.1, 0.1, 1e300 * 1e10, -1e300 * 1e10), 0 / 0 ~= 0 / 0)
print(math.maxinteger, math.mininteger, 2 ^ 53, 7 // 2, -7 // 2, 7 % -3, 1 / 0, 3 | 5, 6 ~ 3)

local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(#words, table.concat(words, ","))
print(s:gsub("o", "0"))
print(s:gsub("(%w+) (%w+)", "%2 %1", 2))
print(("hello world"):gsub("%w+", { hello = "HI", world = false }))
print(("x = 1, y = 22, z = 333"):gsub("(%w+) = (%d+)", function(k, v) return k .. "=" .. #v end))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(("key=value; other=thing"):match("(%w+)=(%w+);%s*(%w+)=(%w+)"))
print(("[[nested]] (parens)"):match("%b()"), ("f(a(b)c)d"):match("%b()"))
print(("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))
print(("2024-02-29"):match("^(%d%d%d%d)-(%d%d)-(%d%d)$"))

-- numbers and strings
print(tonumber("0x1F"), tonumber("  12  "), tonumber("1e3"), tonumber("z", 36), tonumber("abc"))
print(tostring(1 / 3), 10 // 3, 10.0 // 3, math.type(1), math.type(1.0), math.type("1"))
print(string.format("%.3f", math.pi), math.floor(-3.5), math.ceil(-3.5), math.fmod(-7, 3),
  math.abs(-2))
print(math.tointeger(3.0), math.ult(1, -1), 1 < 2, "a" < "b", "Z" < "a")

-- binary packing
local packed = string.pack("<i4 I2 d z s1", -2, 65535, 1.5, "zero", "len")
print(#packed, (packed:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
print(string.unpack("<i4 I2 d z s1", packed))
print(string.packsize("i4 i8 d"), string.pack(">I3", 0x010203):byte(1, -1))

-- utf8
local u = "caf\u{E9} \u{2603} \u{1F600}"
print(#u, utf8.len(u), utf8.char(72, 233, 8364), utf8.codepoint(u, 4))
for p, c in utf8.codes("a\u{E9}\u{2603}") do io.write(p, ":", c, " ") end
print()
print(utf8.offset(u, 6), utf8.charpattern)

-- a bigger string workload
local parts = {}
for i = 1, 20000 do
  parts[i] = string.format("%05d:%s", i, string.rep(string.char(97 + i % 26), i % 7))
end
local big = table.concat(parts, "\n")
local count, sum = 0, 0
for line in big:gmatch("[^\n]+") do
  count = count + 1
  sum = sum + #line
end
print(#big, count, sum, select(2, big:gsub("aaa", "")))
print(big:reverse():sub(1, 20))
