"""python3: Debian's python3 running `-c` programs and the scripts in tests/apps/python/,
compared between native Linux and elfin. Each section of a script is a case of its own (see
tests/apps/python/common.py), so that a known failure in one hides no other."""

import ast
import os

from difftest import Case

PYTHON = "/usr/bin/python3"
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python")
# The scripts import their shared module: keep its byte code out of the source tree.
ENV = {"PYTHONDONTWRITEBYTECODE": "1"}

# -c programs: name, arguments after python3, and the case's other settings.
PROGRAMS = [
    ("argv", ["-c", "import sys; print(sys.argv)", "one", "two words", ""], {}),
    ("interpreter", ["-c", "import os, sys, platform; print(sys.version_info[:3], "
                     "sys.executable, sys.prefix, platform.system(), platform.machine(), "
                     "sys.getfilesystemencoding(), os.path.basename(os.getcwd()), "
                     "os.cpu_count() >= len(os.sched_getaffinity(0)))"], {}),
    ("isolated", ["-I", "-S", "-c", "import sys; print(sys.flags.isolated, sys.flags.no_site, "
                  "[p for p in sys.path if 'site-packages' in p])"], {}),
    ("stdin-words", ["-c", "import collections, sys; "
                     "c = collections.Counter(sys.stdin.read().split()); print(c.most_common(5))"],
     {"stdin_file": "words.txt"}),
    ("stdin-script", ["-"], {"stdin": b"import math\nfor i in range(5):\n"
                                      b"    print(i, math.factorial(i * 10))\n"}),
    ("exit-status", ["-c", "import sys; print('leaving'); sys.exit(3)"], {"status": 3}),
    ("exception", ["-c", "def f(n):\n    return 1 // n\nf(0)"], {"status": 1, "stderr": True}),
    ("stderr", ["-c", "import sys; print('out'); print('err', file=sys.stderr); "
                "sys.stderr.write('more\\n')"], {"stderr": True}),
    ("killed-by-signal", ["-c", "import os, signal; print('bye', flush=True); "
                          "os.kill(os.getpid(), signal.SIGTERM)"], {"status": 128 + 15}),
    ("large-output", ["-c", "import sys\nfor i in range(200000):\n"
                      "    sys.stdout.write(f'{i} {i * i} {hex(i)}\\n')"], {}),
    ("json-tool", ["-m", "json.tool", "--sort-keys"],
     {"stdin": b'{"b": [1, 2, {"c": null}], "a": "caf\\u00e9", "d": 1.5e10}'}),
    ("unbuffered", ["-u", "-c", "import sys\nfor i in range(1000):\n    print(i)"], {}),
]


def make_inputs(work):
    """The scripts read the coreutils suite's inputs."""


def sections():
    """(script, section) for every function marked @section in the scripts."""
    out = []
    for name in sorted(os.listdir(SCRIPTS)):
        if not name.endswith(".py") or name == "common.py":
            continue
        with open(os.path.join(SCRIPTS, name), encoding="utf-8") as f:
            tree = ast.parse(f.read(), name)
        out += [(name[:-3], node.name) for node in tree.body
                if isinstance(node, ast.FunctionDef)
                and any(getattr(d, "id", None) == "section" for d in node.decorator_list)]
    return out


def cases(work):
    table = [Case(f"python3/c-{name}", [PYTHON] + args, env=ENV, **kw)
             for name, args, kw in PROGRAMS]
    table += [Case(f"python3/{script}/{part}",
                   [PYTHON, os.path.join(SCRIPTS, script + ".py"), part], env=ENV)
              for script, part in sections()]
    for c in table:
        c.cwd = work
        if c.stdin_file:
            c.stdin_file = os.path.join(work, c.stdin_file)
    return table
