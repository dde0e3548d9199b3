"""difftest: runs one program natively and under elfin and compares what each did."""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field

# The environment every case starts from, identical for the native and the elfin run.
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LC_ALL": "C",
    "TZ": "UTC",
    "HOME": "/nonexistent",
}

# A prefix for the names that native runs create in the host's /tmp: unique to this test run,
# and everything under it is removed at the end (remove_host_tmp). Under elfin /tmp is the
# kernel's own tmpfs, so both runs of a case can be given the same names.
HOST_TMP = f"/tmp/elfin-test-{os.getpid()}"

# Normalisation rules, by name; a case lists the ones it needs. They are the only ones: keep
# them few and narrow, each removing what elfin itself adds; they apply to the elfin run's
# output only. A program that prints something nondeterministic should be fixed instead.
NORMALISERS = {
    # The adapter library elfin preloads into dynamic programs shows up in their environment.
    "preload": lambda out: re.sub(rb"(?m)^LD_PRELOAD=\S*libelfin\S*\n", b"", out),
}


@dataclass
class Case:
    """One program run to compare: argv[0] is the program's path."""
    name: str
    argv: list
    status: int = 0                 # the exit status the native run must give; None: any
    env: dict = field(default_factory=dict)
    stdin: bytes = b""              # fed through a pipe
    stdin_file: str = None          # or the contents of this file, fed through a pipe
    cwd: str = None
    stderr: bool = False            # stderr is meaningful and compared too
    normalise: tuple = ()
    elfin_args: list = field(default_factory=list)  # elfin's own options, before the program
    # A host directory of the case's own: each run gets a fresh, empty {scratch}/native or
    # {scratch}/elfin, named by "{scratch}" in argv, cwd, env and elfin_args.
    scratch: str = None
    # Called as check(native_dir, elfin_dir) once both runs agree, to compare what they left in
    # their scratch directories; returns the lines of any problem.
    check: object = None
    # Syscall name, or name/trap, name/direct, name/rewritten for one path, name/errors for its
    # failures, @host_calls (the platform's calls to its host) or @signal (the one that ended
    # the program) -> the count elfin's --stats must show for its run: a number, or (least,
    # most) with None for no bound.
    calls: dict = None
    # Instead of stdin: called with the running program's Popen (binary pipes), returns what
    # to compare as its stdout.
    interact: object = None
    # Called as setup(dir) on each fresh scratch directory, before the run.
    setup: object = None
    # The program runs the programs it tests through the command in this environment variable
    # (gnulib's CHECKER): the elfin run is argv itself, run natively, with the variable set to
    # `elfin run ELFIN_ARGS`, so that only those programs run under elfin.
    checker: str = None
    timeout: float = None           # seconds per run, instead of the driver's
    # The program takes something of the machine's that only one run may hold (a fixed TCP
    # port): the driver runs it alone, after the others.
    exclusive: bool = False


@dataclass
class Run:
    """What one run of a program did; error is set when it could not run to completion."""
    status: int = None
    stdout: bytes = b""
    stderr: bytes = b""
    error: str = None


def scratch_dir(case, side):
    """The fresh, empty scratch directory of one run (side: native or elfin), or None."""
    if not case.scratch:
        return None
    path = os.path.join(case.scratch, side)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    if case.setup:
        case.setup(path)
    return path


def remove_host_tmp():
    """Removes what the native runs left in the host's /tmp under HOST_TMP."""
    for path in glob.glob(HOST_TMP + "*"):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def run_interactive(argv, case, timeout, env, cwd):
    """Runs argv with case.interact talking to it; what interact returns is its stdout."""
    try:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, cwd=cwd)
    except OSError as e:
        return Run(error=f"cannot start {argv[0]}: {e.strerror}")
    expired = []
    watchdog = threading.Timer(timeout, lambda: (expired.append(1), p.kill()))
    watchdog.start()
    try:
        out = case.interact(p)
    except (OSError, ValueError) as e:
        out = f"interaction failed: {e}\n".encode()
    finally:
        if p.stdin.closed:  # interact ended the input itself
            p.stdin = None
        _, err = p.communicate()  # closes stdin: the program sees the end of its input
        watchdog.cancel()
    if expired:
        return Run(stdout=out, stderr=err, error=f"timed out after {timeout} s")
    return Run(128 - p.returncode if p.returncode < 0 else p.returncode, out, err)


def run(argv, case, timeout, scratch=None, more_env=None):
    """Runs argv with the case's stdin, environment (and more_env) and cwd, "{scratch}" standing
    for the scratch directory; a signal death becomes 128+N."""
    def place(value):
        return value.replace("{scratch}", scratch) if scratch and value else value
    env = {name: place(value) for name, value in {**BASE_ENV, **case.env, **(more_env or {})}.items()}
    if case.interact:
        return run_interactive([place(a) for a in argv], case, timeout, env, place(case.cwd))
    stdin = case.stdin
    if case.stdin_file:
        with open(case.stdin_file, "rb") as f:
            stdin = f.read()
    try:
        p = subprocess.run([place(a) for a in argv], input=stdin, capture_output=True,
                           timeout=timeout, env=env, cwd=place(case.cwd))
    except subprocess.TimeoutExpired as e:
        return Run(stdout=e.stdout or b"", stderr=e.stderr or b"",
                   error=f"timed out after {timeout} s")
    except OSError as e:
        return Run(error=f"cannot start {argv[0]}: {e.strerror}")
    status = 128 - p.returncode if p.returncode < 0 else p.returncode
    return Run(status, p.stdout, p.stderr)


def tail(data, lines=3):
    """The last few lines of an output, for a failure message."""
    text = data.decode("utf-8", "backslashreplace").rstrip("\n").splitlines()
    return ["    | " + line[:200] for line in text[-lines:]]


def _show(mark, number, line):
    return f"    {mark}{number:>6}: " + repr(line)[1:-1][:200]


def diff(label, native, elfin, limit=4):
    """A short diff: the first few differing lines of two outputs, with their line numbers."""
    a = native.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    b = elfin.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lines = [f"  {label}: native {len(native)} bytes/{len(a)} lines, "
             f"elfin {len(elfin)} bytes/{len(b)} lines, first difference at line {first + 1}"]
    if len(a) == len(b):
        # Same shape: show only the lines that differ, pair by pair.
        pairs = [i for i in range(first, len(a)) if a[i] != b[i]][:limit]
        for i in pairs:
            lines += [_show("-", i + 1, a[i]), _show("+", i + 1, b[i])]
        return lines
    for i in range(first, min(len(a), first + limit)):
        lines.append(_show("-", i + 1, a[i]))
    for i in range(first, min(len(b), first + limit)):
        lines.append(_show("+", i + 1, b[i]))
    return lines


def check_calls(path, calls):
    """The lines that explain where the counts in elfin's --stats file miss case.calls."""
    try:
        with open(path) as f:
            stats = json.load(f)
            counts = {"@host_calls": stats["host_calls"], "@signal": stats["signal"]}
            for name, c in stats["syscalls"].items():  # "name", "name/<path>", "name/errors"
                counts[name] = c["count"]
                counts.update({f"{name}/{p}": c[p] for p in ("trap", "direct", "rewritten", "errors")})
    except (OSError, ValueError, KeyError) as e:
        return [f"  --stats: cannot read {path}: {e}"]
    problems = []
    for name, want in sorted(calls.items()):
        least, most = want if isinstance(want, tuple) else (want, want)
        got = counts.get(name, 0)
        if got < least or (most is not None and got > most):
            expected = f"{least}" if least == most else f"{least} to {most if most is not None else 'any'}"
            problems.append(f"  {name}: {got} calls under elfin, expected {expected}")
    return problems


class SetupProblem(list):
    """The lines compare returns when the case itself is broken (its program is missing or the
    native run misbehaves), as opposed to elfin disagreeing with Linux."""


def compare(case, elfin, timeout, statuses=None):
    """Runs a case both ways; returns None if they agree, else the lines that explain why not
    (a SetupProblem if the fault is not elfin's). The exit statuses of the runs that completed
    go into the dict statuses, if given, as "native" and "elfin"."""
    prog = case.argv[0]
    if os.sep in prog and not os.access(prog, os.X_OK):
        return SetupProblem([f"program {prog} does not exist (run `make test-bins`?)"])
    timeout = case.timeout or timeout
    statuses = {} if statuses is None else statuses
    native_dir = scratch_dir(case, "native")
    native = run(case.argv, case, timeout, native_dir)
    statuses["native"] = native.status
    if native.error or case.status not in (None, native.status):
        why = native.error or f"exit status {native.status}, expected {case.status}"
        return SetupProblem([f"native run failed: {why}"] + tail(native.stderr))
    elfin_dir = scratch_dir(case, "elfin")
    opts = list(case.elfin_args)
    if case.calls is not None:
        fd, stats = tempfile.mkstemp(prefix="elfin-stats-", suffix=".json")
        os.close(fd)
        opts += ["--stats", stats]
    if case.checker:  # the shell splits it into words, without quote removal
        ours = run(case.argv, case, timeout, elfin_dir,
                   {case.checker: " ".join([elfin, "run"] + opts)})
    else:
        ours = run([elfin, "run"] + opts + case.argv, case, timeout, elfin_dir)
    statuses["elfin"] = ours.status
    for rule in case.normalise:  # what elfin itself adds, so never to the native run
        ours.stdout, ours.stderr = NORMALISERS[rule](ours.stdout), NORMALISERS[rule](ours.stderr)
    problems = []
    if case.calls is not None:
        problems += [] if ours.error else check_calls(stats, case.calls)
        os.unlink(stats)
    if ours.error:
        return [f"elfin run failed: {ours.error}"] + tail(ours.stderr)
    if ours.status != native.status:
        problems.append(f"  exit status: native {native.status}, elfin {ours.status}")
    if ours.stdout != native.stdout:
        problems += diff("stdout", native.stdout, ours.stdout)
    if case.stderr and ours.stderr != native.stderr:
        problems += diff("stderr", native.stderr, ours.stderr)
    if not problems and case.check:
        problems = case.check(native_dir, elfin_dir) or []
    if not problems:
        return None
    if not case.stderr and ours.stderr:
        problems += ["  elfin stderr:"] + tail(ours.stderr)
    return problems
