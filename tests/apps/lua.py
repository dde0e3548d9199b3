"""lua5.4: Debian's Lua interpreter running `-e` chunks and the scripts in tests/apps/lua/,
compared between native Linux and elfin."""

import os

from difftest import Case

LUA = "/usr/bin/lua5.4"
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lua")

# How each script runs when it needs more than the working directory.
SCRIPT_SETTINGS = {"io": {"stdin_file": "words.txt"}}

# -e chunks and stdin scripts: name, arguments after lua5.4, and the case's other settings.
CHUNKS = [
    ("version", ["-e", "print(_VERSION, math.pi, #arg, arg[0])"], {}),
    ("stdin-script", ["-", "first", "second arg"],
     {"stdin": b"print(#arg, arg[1], arg[2], arg[-1] ~= nil)\n"
               b"for i = 1, 3 do io.write(i, ' ') end print()\n"}),
    ("exit-status", ["-e", "print('leaving') os.exit(3)"], {"status": 3}),
    ("exit-false", ["-e", "os.exit(false)"], {"status": 1}),
    ("error", ["-e", "local function f() error('boom') end f()"], {"status": 1, "stderr": True}),
    ("syntax-error", ["-e", "x = = 1"], {"status": 1, "stderr": True}),
    ("stdin-lines", ["-e", "local n, w = 0, {} for l in io.lines() do n = n + 1 w[l] = true end "
                     "local k = 0 for _ in pairs(w) do k = k + 1 end print(n, k)"],
     {"stdin_file": "words.txt"}),
]


def make_inputs(work):
    """The scripts read the coreutils suite's inputs."""


def cases(work):
    scripts = sorted(name[:-4] for name in os.listdir(SCRIPTS) if name.endswith(".lua"))
    table = [Case(f"lua/e-{name}", [LUA] + args, **kw) for name, args, kw in CHUNKS]
    table += [Case(f"lua/{name}", [LUA, os.path.join(SCRIPTS, name + ".lua")],
                   **SCRIPT_SETTINGS.get(name, {}))
              for name in scripts]
    for c in table:
        c.cwd = work
        if c.stdin_file:
            c.stdin_file = os.path.join(work, c.stdin_file)
    return table
