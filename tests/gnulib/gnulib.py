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


def _mirror(here):
    """A setup function that gives the run's directory what the test finds in its directory
    under `make check`: a symlink to each file of the built test directory (programs, scripts,
    data files and the scripts the Makefile generates, such as the shell script
    test-posix_spawn-dup2-stdin starts by its relative name), objects excepted. Scripts start
    programs as ./test-foo or find them on PATH through `path_prepend_ .`, and some tests exec
    themselves as ./test-foo. What a test writes lands in its own directory."""
    names = sorted(n for n in os.listdir(here)
                   if not n.endswith(".o") and os.path.isfile(os.path.join(here, n)))

    def setup(path):
        for name in names:
            os.symlink(os.path.join(here, name), os.path.join(path, name))
    return setup


def _script_case(name, script, env, work, setup):
    with open(script, errors="replace") as f:
        text = f.read()
    if CHECKER not in text:
        return None
    return _case(name, ["/bin/sh", script], env, work, setup, checker=CHECKER)


# gnulib's tests that listen on a fixed TCP port (TEST_PORT 12345 in test-poll.c and
# test-select.h): two runs at once take each other's connections, so they run alone.
FIXED_PORT = ("gnulib/test-poll", "gnulib/test-select", "gnulib/test-pselect")


def _case(name, argv, env, work, setup, **kw):
    """A test run in a directory of its own, which elfin lets it write."""
    return Case(name, argv, status=None, env=env, cwd="{scratch}", timeout=TIMEOUT,
                scratch=os.path.join(work, name), elfin_args=["--rw", "{scratch}"],
                setup=setup, exclusive=name in FIXED_PORT, **kw)


def cases(build, work):
    """A case gnulib/<test> for each test of the built test directory, in its own directory."""
    listed = read_list(build)
    if listed is None:
        return []
    tests, env = listed
    here = gltests(build)
    env = {**env, "srcdir": here, "EXEEXT": ""}
    setup = _mirror(here)
    result = []
    for test in tests:
        name = "gnulib/" + test
        path = os.path.join(here, test)
        if test.endswith(".sh"):
            case = _script_case(name, path, env, work, setup)
        else:
            case = _case(name, [path], env, work, setup)
        if case:
            result.append(case)
    return result

