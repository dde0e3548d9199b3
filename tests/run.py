#!/usr/bin/env python3
"""run.py: the differential test suite: every case runs natively and under elfin, and must agree.

Usage: python3 tests/run.py [--elfin build/elfin] [--build build] [-k FILTER] [-x EXCLUDE] [-j N] [-v]
                            [--list | --list-known | --update-baseline] [--baseline FILE] [--results FILE]

Cases listed in tests/expected.txt (the baseline) are expected to fail: the run fails only
when a case that is not listed fails (newly broken). See tests/lib/baseline.py.
"""

import argparse
import dataclasses
import atexit
import concurrent.futures
import json
import os
import resource
import shutil
import signal
import sys
import time

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path[:0] = [os.path.join(TESTS, "lib"), os.path.join(TESTS, "apps")]
sys.path.append(os.path.join(TESTS, "badinput"))
sys.path.append(os.path.join(TESTS, "vdso"))
sys.path.append(os.path.join(TESTS, "gnulib"))

import baseline  # noqa: E402
import busybox  # noqa: E402
import coreutils  # noqa: E402
import difftest  # noqa: E402
import gen_badarg  # noqa: E402
import gnulib  # noqa: E402
import lua  # noqa: E402
import python3  # noqa: E402
import servers  # noqa: E402
import sqlite  # noqa: E402
import vdso_cases  # noqa: E402

# The suites of distribution programs in tests/apps: each makes its inputs in the working
# directory (make_inputs) and lists its cases (cases).
APP_SUITES = (coreutils, python3, sqlite, lua, busybox, servers)
# The app suites of dynamic programs, run once more with --no-preload (busybox is static).
NO_PRELOAD_APPS = ("coreutils", "python3", "sqlite3", "lua", "gnulib")

VARIANTS = ("glibc-dyn", "glibc-static", "glibc-static-pie", "musl-static", "musl-dyn")

# How each ABI program is run: case name, program, arguments, expected exit status.
# A program in tests/abi without a line here runs once with no arguments and must exit 0.
ABI_RUNS = [
    ("libc", "libc", ["alpha", "beta gamma"], 0),
    ("args", "args", ["one", "two words", "", "--flag=caf\u00e9", "*"], 0),
    ("args-none", "args", [], 0),
    ("exitcode-0", "exitcode", ["0"], 0),
    ("exitcode-42", "exitcode", ["42"], 42),
    ("exitcode-255", "exitcode", ["255"], 255),
    ("sig_default-segv", "sig_default", ["segv"], 128 + 11),
    ("sig_default-abort", "sig_default", ["abort"], 128 + 6),
    ("sig_default-term", "sig_default", ["term"], 128 + 15),
    ("sig_default-pipe", "sig_default", ["pipe"], 128 + 13),
    ("proc", "proc", ["first", "two words", ""], 0),
    ("fifo", "fifo", [], 0),
    ("fifo-hostdir", "fifo", ["hostdir"], 0),
]
# Programs run once per part, the argument naming the part, so that a known failure in one part
# hides no other.
ABI_PARTS = {
    "exhaust": ["fds", "nofile", "memory", "rlimit_as", "threads"],
    "exhaust_errno": ["fds", "paths", "memory", "signals", "objects", "misc"],
    "sockets": ["tcp4", "tcp6", "udp", "unix", "nonblock", "epoll", "signals", "errors"],
    "unix": ["pair", "boundaries", "ends", "buffers", "rights", "credentials", "names", "backlog",
             "datagrams", "errors", "threads", "readiness", "hostdir", "bulk"],
    "unix_gc": ["cycles", "nested", "reachable", "many", "inflight", "threads", "handoff"],
}
ABI_RUNS += [(f"{prog}-{part}", prog, [part], 0)
             for prog, parts in ABI_PARTS.items() for part in parts]
# The driver starts every run itself (no shell between), so it is every program's parent.
ABI_ENV = {"ELFIN_TEST_A": "a value with spaces", "ELFIN_TEST_EMPTY": "", "ELFIN_TEST_PARENT": str(os.getpid())}
# What elfin's --stats must show for a program's runs (difftest.Case.calls).
ABI_CALLS = {
    # 20 000 writes and 3 000 reads of a tmpfs file need no host call each: the count stays
    # near what loading the program takes (a few hundred), not one per call.
    "tmpfs_io": {"@host_calls": (1, 2000)},
    # AF_UNIX traffic inside the program is the kernel's own: unix-bulk's 60 000 messages, 1 000
    # passed descriptors and 200 connections on names need no host call each either.
    "unix": {"@host_calls": (1, 2000)},
    # unix_gc-many's 100 000 cycles collected need no host call each (five calls or more
    # each): what the run makes (a few thousand) grows with its time (the clock's ticker)
    "unix_gc": {"@host_calls": (1, 20000)},
    # epoll-sleep's 1 000 idle 1 ms waits on an epoll holding a host socket take one host
    # epoll_pwait each (about 800 for the rest of the run, ~300 a second for the clock's
    # ticker); the old sleep (a take, a ppoll, a take, and two clock reads) made 5 each.
    "epoll_sleep": {"@host_calls": (1, 3500)},
    # each call counted once, the failures as errors; the entry path is abi_calls's
    "known_calls": {"getpid": 1000, "close/errors": 7, "write": 1},
}


def abi_calls(name, prog, variant, preload=True, vm=False):
    """What --stats must show for one run: ABI_CALLS, the path known_calls's getpid takes (the
    adapter library's direct path in a preloaded dynamic program, else the trap), and the
    signal that ends a sig_default run (the statistics are written for it too). In the vm,
    host_calls counts the guest's port I/O (the console's above all), not host system calls:
    the @host_calls bounds are the process platform's."""
    calls = {k: v for k, v in ABI_CALLS.get(prog, {}).items() if not (vm and k == "@host_calls")}
    if prog == "known_calls":
        calls["getpid/direct" if preload and variant in PRELOAD_VARIANTS else "getpid/trap"] = 1000
    if prog == "sig_default":
        calls["@signal"] = next(st for n, _, _, st in ABI_RUNS if n == name) - 128
    return calls or None
# elfin's own options for a program's runs; {work} is the working directory of every case.
ABI_ELFIN_ARGS = {"hostlinks": ["--rw", "{work}"], "unix": ["--rw", "{work}"], "fifo": ["--rw", "{work}"]}


def abi_programs():
    """The names of the programs in tests/abi, from their sources."""
    srcs = os.listdir(os.path.join(TESTS, "abi"))
    return sorted(name[:-2] for name in srcs if name.endswith(".c"))


def abi_cases(build, work):
    """Every ABI program in every link variant."""
    runs = list(ABI_RUNS)
    listed = {prog for _, prog, _, _ in ABI_RUNS}
    runs += [(prog, prog, [], 0) for prog in abi_programs() if prog not in listed]
    runs.sort()
    cases = [difftest.Case(f"abi/{variant}/{name}",
                           [os.path.join(build, "tests", variant, prog)] + args,
                           status=status, env=ABI_ENV, cwd=work, calls=abi_calls(name, prog, variant),
                           elfin_args=[a.format(work=work) for a in ABI_ELFIN_ARGS.get(prog, [])])
             for variant in VARIANTS for name, prog, args, status in runs]
    # The dynamic variants run with the adapter library (elfin's default); again without it
    # (elfin run --no-preload), so the trap path serves them too.
    cases += [difftest.Case(f"abi/{variant}+no-preload/{name}",
                            [os.path.join(build, "tests", variant, prog)] + args,
                            status=status, env=ABI_ENV, cwd=work,
                            calls=abi_calls(name, prog, variant, preload=False),
                            elfin_args=["--no-preload"] + [a.format(work=work) for a in ABI_ELFIN_ARGS.get(prog, [])])
              for variant in PRELOAD_VARIANTS for name, prog, args, status in runs]
    return cases


# The dynamic link variants, which the adapter library serves.
PRELOAD_VARIANTS = ("glibc-dyn", "musl-dyn")


def preload_cases(build, work):
    """The adapter library: the direct path is taken (per-path counts), and preloaded into a
    native run it changes nothing (every wrapper falls back to the ordinary system call)."""
    lib = os.path.join(build, "libelfin-direct.so")
    py = "/usr/bin/python3"
    script = "import os; print(os.getpid() > 0, os.stat('/etc/hostname').st_size > 0, os.path.exists('/nonexistent'))"
    return [
        difftest.Case("preload/direct-path", [py, "-c", script], cwd=work, elfin_args=["--preload"],
                      normalise=("preload",), calls={"getpid/direct": 1, "stat/direct": (3, None)}),
        difftest.Case("preload/native-harmless", [py, "-c", script], cwd=work,
                      env={"LD_PRELOAD": lib}, calls={"stat/direct": (3, None)}),
        # The time functions resolve to the library's wrappers; under elfin they are its vDSO's
        # (a CPU-time clock, which the vDSO cannot read, reaches the kernel by the direct path),
        # natively libc's own.
        difftest.Case("preload/vdso-time", [py, "-c", VDSO_TIME_SCRIPT], cwd=work, env={"LD_PRELOAD": lib},
                      calls={"clock_gettime/direct": (1, None), "clock_gettime/trap": 0,
                             "clock_getres/trap": 0}),
    ]


VDSO_TIME_SCRIPT = r'''
import ctypes, ctypes.util, os
libc = ctypes.CDLL(None, use_errno=True)
class DlInfo(ctypes.Structure):
    _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p), ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
for name in ("clock_gettime", "gettimeofday", "time", "clock_getres"):
    info = DlInfo()
    libc.dladdr(ctypes.cast(getattr(libc, name), ctypes.c_void_p), ctypes.byref(info))
    print(name, "from", os.path.basename(info.fname.decode()))
ts = (ctypes.c_long * 2)()
print("process clock:", libc.clock_gettime(2, ts), ts[0] >= 0 and 0 <= ts[1] < 10**9)
print("monotonic:", libc.clock_gettime(1, ts), ts[0] > 0)
print("bad clock:", libc.clock_gettime(12345, ts), os.strerror(ctypes.get_errno()))
print("resolution:", libc.clock_getres(0, ts), ts[0] == 0 and 0 < ts[1] <= 10**6)
print("time:", abs(libc.time(None) - int(__import__("time").time())) <= 1)
'''


# The bad-argument test generated from the syscall list (tests/badinput/gen_badarg.py: bad
# pointers and bad flags), built in these variants (tests/tests.mk: TESTS_GEN_VARIANTS). Each
# call it tests is a case of its own, so that a known difference in one call hides no other.
BADARG_VARIANTS = ("glibc-static", "musl-static")


def badarg_cases(build, work):
    calls = gen_badarg.tested_calls(os.path.join(ROOT, "kernel", "sys", "syscalls.tbl"))
    return [difftest.Case(f"badarg/{variant}/{call}",
                          [os.path.join(build, "tests", variant, "badarg"), call], cwd=work)
            for variant in BADARG_VARIANTS for call in calls]


# The vm platform (elfin run --vm: QEMU microvm, TCG on these machines, about half a second a
# boot): the first programs in every link variant, then one case of each subsystem in a static
# and a dynamic variant, compared with native like every other case.
VM_EVERY_VARIANT = ("hello", "args", "args-none", "exitcode-0", "exitcode-42", "exitcode-255")
VM_SUBSYSTEMS = ("libc", "files", "pipes", "proc", "mem", "mem_shared", "misc", "symlinks", "hardlinks",
                 "tmpfs_more", "locks", "threads", "thread_block", "cancel", "sig_handler",
                 "sig_default-segv", "sig_default-abort", "sig_default-term", "sig_default-pipe",
                 "longjmp_signal", "stack_overflow", "timers", "vdso_clock", "badptr", "errors",
                 "known_calls", "unix-rights", "unix-names", "unix-threads", "unix-readiness", "fifo",
                 "unix_gc-cycles", "unix_gc-nested", "unix_gc-reachable", "unix_gc-threads",
                 "unix_gc-handoff")
VM_SUBSYSTEM_VARIANTS = ("musl-static", "glibc-dyn")


def vm_cases(build, work):
    runs = {name: (prog, args, status) for name, prog, args, status in ABI_RUNS}
    runs.update((prog, (prog, [], 0)) for prog in abi_programs() if prog not in runs)
    wanted = [(v, n) for v in VARIANTS for n in VM_EVERY_VARIANT]
    wanted += [(v, n) for v in VM_SUBSYSTEM_VARIANTS for n in VM_SUBSYSTEMS]
    return [difftest.Case(f"abi/{variant}+vm/{name}",
                          [os.path.join(build, "tests", variant, runs[name][0])] + runs[name][1],
                          status=runs[name][2], env=ABI_ENV, cwd=work, elfin_args=["--vm"],
                          calls=abi_calls(name, runs[name][0], variant, vm=True))
            for variant, name in wanted] + vm_app_cases(work) + strace_cases(build, work) + [
        # CPUID leaves 0x15 and 0x16 within the CPU's range but zero (QEMU's TCG): the clock
        # falls back to the PIT and still agrees with the host's
        difftest.Case("abi/musl-static+vm/vdso_clock-cpuid-level-0x16",
                      [os.path.join(build, "tests", "musl-static", "vdso_clock")], env={
                          **ABI_ENV, "ELFIN_VM_QEMU_ARGS": "-cpu max,level=0x16"}, cwd=work, elfin_args=["--vm"])] + [
        # the vDSO reads the TSC in the vm too (TCG calls it not invariant): no kernel entry
        difftest.Case(f"abi/{variant}+vm/vdso_clock-loop",
                      [os.path.join(build, "tests", variant, "vdso_clock"), "loop", str(vdso_cases.LOOPS)],
                      env=ABI_ENV, cwd=work, elfin_args=["--vm"],
                      calls={"clock_gettime": 0, "gettimeofday": 0, "time": 0})
        for variant in VM_SUBSYSTEM_VARIANTS]


def check_known_strace(native_dir, elfin_dir):
    """known_calls's --strace=FILE lines: its 1000 getpid, 7 failed close and one write in a
    row, in strace's format, then its end."""
    try:
        with open(os.path.join(elfin_dir, "strace.txt")) as f:
            lines = f.read().splitlines()
    except OSError as e:
        return [f"  --strace=FILE: {e}"]
    first = next((i for i, line in enumerate(lines) if line.startswith("getpid() = ")), len(lines))
    pid = lines[first] if first < len(lines) else "getpid() = ?"
    want = [pid] * 1000 + ["close(-1) = -1 EBADF (Bad file descriptor)"] * 7
    want += ['write(1, "known calls: 1000 getpid, 7 clos"..., 40) = 40', "exit_group(0) = ?",
             "+++ exited with 0 +++"]
    got = lines[first:]
    if got == want and pid[len("getpid() = "):].isdigit():
        return []
    at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    return [f"  --strace=FILE from the first getpid: {len(got)} lines, expected {len(want)};"
            f" line {at + 1}: {got[at] if at < len(got) else 'missing'!r},"
            f" expected {want[at] if at < len(want) else 'none'!r}"]


# --strace=FILE for a known sequence of calls, on both platforms (the vm carries the lines
# out on a serial port of their own).
STRACE_RUNS = (("musl-static", []), ("musl-static", ["--vm"]), ("glibc-dyn", ["--vm"]))


def strace_cases(build, work):
    return [difftest.Case(f"abi/{variant}{'+vm' if opts else ''}/known_calls-strace",
                          [os.path.join(build, "tests", variant, "known_calls")], cwd=work,
                          scratch=os.path.join(work, "scratch", f"strace-{variant}{'-vm' if opts else ''}"),
                          elfin_args=opts + ["--strace={scratch}/strace.txt"], check=check_known_strace)
            for variant, opts in STRACE_RUNS]


# Distribution programs on the vm platform: stdin packed into the initrd, a file named with
# --file, an interpreter's library packed as a directory tree.
VM_DATA = os.path.join(TESTS, "abi", "hello.c")
PY_LIB = "/usr/lib/python3.%d" % sys.version_info[1]


def read_late(p):
    """A reader that comes a second late: the program's output fills the pipe first."""
    p.stdin.close()
    time.sleep(1)
    return p.stdout.read()


def fifo_and_file(path):
    """A FIFO (mode 0640) and a file in path, for a directory packed with --file."""
    os.mkfifo(os.path.join(path, "fifo"), 0o640)
    os.chmod(os.path.join(path, "fifo"), 0o640)
    with open(os.path.join(path, "file"), "w") as f:
        f.write("x\n")


def vm_app_cases(work):
    def case(name, argv, *extra, **kw):
        return difftest.Case(f"apps+vm/{name}", argv, elfin_args=["--vm"] + list(extra), cwd=TESTS, **kw)
    words = b"pear\napple\nfig\napple\n"
    return [
        case("sort-stdin", ["/usr/bin/sort", "-u"], stdin=words),
        case("wc-stdin", ["/usr/bin/wc"], stdin=words * 100),
        case("sha256sum-file", ["/usr/bin/sha256sum", VM_DATA], "--file", VM_DATA),
        case("ls-file", ["/usr/bin/ls", "-l", "--time-style=+", VM_DATA], "--file", VM_DATA),
        case("false", ["/usr/bin/false"], status=1),
        # stdout read late: the pipe fills and the guest waits for the UART, losing nothing
        case("seq-slow-reader", ["/usr/bin/seq", "30000"], interact=read_late),
        case("busybox-sh", ["/bin/busybox", "sh", "-c", "echo $((6 * 7)); x=abc; echo ${#x}"]),
        case("sqlite3", ["/usr/bin/sqlite3", ":memory:", "create table t(a); insert into t values (6*7); select a from t"]),
        case("lua", ["/usr/bin/lua5.4", "-e", "print(string.format('%d', 6 * 7), #arg)"]),
        case("python3", ["/usr/bin/python3", "-c", "import json, sys; print(json.dumps({'n': 6 * 7}), sys.argv)"],
             "--file", PY_LIB),
        # --record: only the files a first run on the process platform used are packed
        case("python3-record", ["/usr/bin/python3", "-c", "import json, csv, io; w = csv.writer(io.StringIO()); "
                                "print(json.dumps([6 * 7, w.writerow(['a', 'b'])]))"], "--record"),
        case("rewritten-file", ["/usr/bin/true"], "--file", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
        # a FIFO in a packed directory is a FIFO in the guest's tmpfs
        difftest.Case("apps+vm/stat-fifo-file", ["/usr/bin/stat", "-c", "%F %a %s %n", "fifo", "file"],
                      elfin_args=["--vm", "--file", "{scratch}"], cwd="{scratch}", setup=fifo_and_file,
                      scratch=os.path.join(work, "stat-fifo-file")),
    ]


def uses_host_tmp(case):
    """Whether the native run of case keeps files under the host's /tmp, named once per test
    run: a second case with the same native side would find them."""
    return difftest.HOST_TMP in " ".join(case.argv) or difftest.HOST_TMP.encode() in (case.stdin or b"")


def all_cases(build, work):
    cases = (abi_cases(build, work) + vdso_cases.cases(build, work, VARIANTS, ABI_ENV)
             + badarg_cases(build, work) + preload_cases(build, work) + vm_cases(build, work))
    for suite in APP_SUITES:
        cases += suite.cases(work)
    cases += gnulib.cases(build, work)
    # The dynamic distribution programs again without the adapter library (elfin preloads
    # it by default), so both ways into the kernel give the native results.
    cases += [dataclasses.replace(c, name=f"{c.name}+no-preload", elfin_args=["--no-preload"] + c.elfin_args,
                                  scratch=c.scratch and c.scratch + "+no-preload")
              for c in cases if c.name.split("/")[0] in NO_PRELOAD_APPS and not uses_host_tmp(c)]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


def selected(cases, filters, excludes=()):
    return [c for c in cases if (not filters or any(f in c.name for f in filters))
            and not any(x in c.name for x in excludes)]


def prepare_work(build):
    """A fresh directory of inputs, outside /tmp so that elfin sees the host's copy."""
    work = os.path.join(build, "tests", "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for suite in APP_SUITES:
        suite.make_inputs(work)
    return work


def report(case, problems, label):
    print(f"{label} {case.name}: {problems[0].strip()}")
    for line in problems[1:]:
        print(line)
    sys.stdout.flush()


def write_results(path, cases, statuses, passed, expected, complete):
    """The run's results for tools/gencompat.py: per case pass or fail, the baseline's reason
    and the exit statuses."""
    ok = set(passed)
    data = {"complete": complete, "cases": {
        c.name: {"passed": c.name in ok, "known": expected.get(c.name), **statuses[c.name]}
        for c in cases}}
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="Compare programs run natively and under elfin.")
    ap.add_argument("--elfin", default=os.path.join(ROOT, "build", "elfin"),
                    help="the elfin binary (default: build/elfin)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="the build directory holding tests/<variant>/<program>")
    ap.add_argument("-k", dest="filters", action="append", default=[],
                    help="run only cases whose name contains FILTER (repeatable)")
    ap.add_argument("-x", dest="excludes", action="append", default=[],
                    help="leave out cases whose name contains EXCLUDE (repeatable)")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="cases run in parallel")
    ap.add_argument("-v", dest="verbose", action="store_true",
                    help="also show why each known failure failed")
    ap.add_argument("--timeout", type=float, default=30, help="seconds per run")
    ap.add_argument("--baseline", default=os.path.join(TESTS, "expected.txt"),
                    help="the cases expected to fail (default: tests/expected.txt)")
    ap.add_argument("--results", help="write each case's result and exit statuses to this "
                    "JSON file (tools/gencompat.py reads it)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the cases and exit")
    mode.add_argument("--list-known", action="store_true",
                      help="list the known failures from the baseline, with reasons, and exit")
    mode.add_argument("--update-baseline", action="store_true",
                      help="run, then rewrite the baseline to list exactly the failing cases")
    opts = ap.parse_args()
    # SIGPIPE stays ignored: feeding stdin to a program that exits early must not kill the
    # driver (subprocess sees EPIPE and goes on); its children get the default back.

    build = os.path.abspath(opts.build)
    shown = os.path.relpath(opts.baseline, ROOT) if os.path.abspath(opts.baseline).startswith(
        ROOT + os.sep) else opts.baseline
    work = os.path.join(build, "tests", "work")
    try:
        expected = baseline.load(opts.baseline)
    except (baseline.BaselineError, OSError, UnicodeError) as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 2
    existing = {c.name for c in all_cases(build, work)}
    stale = sorted(set(expected) - existing)
    for name in stale:
        print(f"run.py: warning: {shown} lists {name}, which is no case", file=sys.stderr)
    if opts.list:
        for c in selected(all_cases(build, work), opts.filters, opts.excludes):
            print(c.name)
        return 0
    if opts.list_known:
        names = [n for n in sorted(expected)
                 if not opts.filters or any(f in n for f in opts.filters)]
        width = max((len(n) for n in names), default=0)
        for name in names:
            print(f"{name.ljust(width)}  {expected[name]}")
        print(f"{len(names)} known failures")
        return 0
    elfin = os.path.abspath(opts.elfin)
    if not os.access(elfin, os.X_OK):
        print(f"run.py: {opts.elfin}: no elfin binary there (build it first)", file=sys.stderr)
        return 2

    # Programs that die by a signal must not leave core files behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    prepare_work(build)
    atexit.register(difftest.remove_host_tmp)
    cases = selected(all_cases(build, work), opts.filters, opts.excludes)
    passed, broken, fixed, known, failing = [], [], [], [], []
    statuses = {c.name: {} for c in cases}
    # Cases that must run alone go after the others, one at a time.
    cases = [c for c in cases if not c.exclusive] + [c for c in cases if c.exclusive]
    shared = sum(1 for c in cases if not c.exclusive)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = list(pool.map(lambda c: difftest.compare(c, elfin, opts.timeout, statuses[c.name]),
                                cases[:shared]))
    results += [difftest.compare(c, elfin, opts.timeout, statuses[c.name]) for c in cases[shared:]]
    for case, problems in zip(cases, results):
        listed = case.name in expected
        if not problems:
            passed.append(case.name)
            if listed:
                fixed.append(case.name)
                print(f"NEWLY FIXED {case.name}: passes, but {shown} expects it to "
                      f"fail ({expected[case.name]})")
                sys.stdout.flush()
        elif isinstance(problems, difftest.SetupProblem):
            # The case itself is broken, not elfin: never excused by the baseline.
            broken.append(case.name)
            report(case, problems, "FAIL")
        elif listed:
            known.append(case.name)
            failing.append(case.name)
            if opts.verbose:
                report(case, problems, f"KNOWN ({expected[case.name]})")
        else:
            broken.append(case.name)
            failing.append(case.name)
            report(case, problems, "FAIL")

    if opts.update_baseline:
        new = baseline.updated(expected, existing, {c.name for c in cases}, failing)
        baseline.write(opts.baseline, new)
        added = sorted(set(new) - set(expected))
        removed = sorted(set(expected) - set(new))
        print(f"baseline {shown} rewritten: {len(new)} known failures, "
              f"{len(added)} added, {len(removed)} removed")
        for name in added:
            print(f"  + {name}  ({new[name]})")
        for name in removed:
            print(f"  - {name}")
        if any(reason == baseline.TODO for reason in new.values()):
            print(f"  replace each \"{baseline.TODO}\" in {shown} with the real reason")
        # The rewritten baseline accounts for every elfin failure; only broken cases remain.
        setup = [n for n in broken if n not in failing]
        broken, fixed, known = setup, [], [n for n in failing]

    if opts.results:
        write_results(opts.results, cases, statuses, passed, expected,
                      not opts.filters and not opts.excludes)
    print()
    print("newly broken:" + ("" if broken else " none"))
    for name in broken:
        print(f"  {name}")
    print("newly fixed:" + ("" if fixed else " none"))
    for name in fixed:
        print(f"  {name}  (listed: {expected[name]})")
    if fixed:
        print(f"  these pass now: remove them from {shown} (python3 tests/run.py "
              f"--update-baseline rewrites it)")
    print(f"{len(passed)} passed, {len(broken)} failed, {len(known)} skipped")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
