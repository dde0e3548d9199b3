"""gnulib: gnulib's own test suite as a conformance corpus. tests/gnulib/gnulib.mk generates and
builds it in build/gnulib; each test in its Makefile's TESTS runs as `make check` would run it
(same environment; a test-*.sh script runs natively and starts its programs through $CHECKER,
which the elfin run sets to `elfin run`), natively and under elfin, and the two must agree.
A gnulib test passes with exit status 0 and is skipped with 77."""

import os
import re
import shlex

from difftest import Case

# Thread tests (test-lock, test-rwlock1) take seconds natively, many times that on a loaded
# machine and under elfin.
TIMEOUT = 120
# A test-*.sh that never uses $CHECKER runs no program under test (test-verify.sh compiles,
# test-init.sh checks the shell): nothing of elfin's is tested, so it is no case.
CHECKER = "CHECKER"


def gltests(build):
    return os.path.join(build, "gnulib", "gltests")


def read_list(build):
    """(tests, environment) as gnulib.mk recorded them from the Makefile, or None if the test
    directory is not built."""
    path = os.path.join(build, "gnulib", "tests.txt")
    if not os.path.exists(path):
        return None
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            fields[key] = value
    env = {}
    for word in shlex.split(fields.get("environment", "")):
        name, eq, value = word.partition("=")
        if eq and re.fullmatch(r"[A-Za-z_]\w*", name):
            env[name] = value
    return fields.get("tests", "").split(), env


def _linker(programs):
    """A setup function that puts the named programs, as symlinks, in the run's directory, as
    in `make check`: scripts start them as ./test-foo or find them on PATH through
    `path_prepend_ .`, and some tests exec themselves as ./test-foo."""
    def setup(path):
        for prog in programs:
            os.symlink(prog, os.path.join(path, os.path.basename(prog)))
    return setup


def _script_case(name, script, env, work):
    with open(script, errors="replace") as f:
        text = f.read()
    if CHECKER not in text:
        return None
    here = os.path.dirname(script)
    programs = sorted({os.path.join(here, w) for w in re.findall(r"\btest-[\w-]+\b", text)
                       if os.access(os.path.join(here, w), os.X_OK)
                       and os.path.isfile(os.path.join(here, w))})
    return _case(name, ["/bin/sh", script], env, work, programs, checker=CHECKER)


# gnulib's tests that listen on a fixed TCP port (TEST_PORT 12345 in test-poll.c and
# test-select.h): two runs at once take each other's connections, so they run alone.
FIXED_PORT = ("gnulib/test-poll", "gnulib/test-select", "gnulib/test-pselect")


def _case(name, argv, env, work, programs, **kw):
    """A test run in a directory of its own, which elfin lets it write."""
    return Case(name, argv, status=None, env=env, cwd="{scratch}", timeout=TIMEOUT,
                scratch=os.path.join(work, name), elfin_args=["--rw", "{scratch}"],
                setup=_linker(programs), exclusive=name in FIXED_PORT, **kw)


def cases(build, work):
    """A case gnulib/<test> for each test of the built test directory, in its own directory."""
    listed = read_list(build)
    if listed is None:
        return []
    tests, env = listed
    here = gltests(build)
    env = {**env, "srcdir": here, "EXEEXT": ""}
    result = []
    for test in tests:
        name = "gnulib/" + test
        path = os.path.join(here, test)
        if test.endswith(".sh"):
            case = _script_case(name, path, env, work)
        else:
            case = _case(name, [path], env, work, [path])
        if case:
            result.append(case)
    return result

