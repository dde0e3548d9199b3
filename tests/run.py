#!/usr/bin/env python3
"""run.py: the differential test suite: every case runs natively and under elfin, and must agree.

Usage: python3 tests/run.py [--elfin build/elfin] [--build build] [-k FILTER] [-j N] [--list]
"""

import argparse
import concurrent.futures
import os
import resource
import shutil
import signal
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path[:0] = [os.path.join(TESTS, "lib"), os.path.join(TESTS, "apps")]

import coreutils  # noqa: E402
import difftest  # noqa: E402

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
]
ABI_ENV = {"ELFIN_TEST_A": "a value with spaces", "ELFIN_TEST_EMPTY": ""}


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
    return [difftest.Case(f"abi/{variant}/{name}",
                          [os.path.join(build, "tests", variant, prog)] + args,
                          status=status, env=ABI_ENV, cwd=work)
            for variant in VARIANTS for name, prog, args, status in runs]


def all_cases(build, work):
    cases = abi_cases(build, work) + coreutils.cases(work)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


def selected(cases, filters):
    if not filters:
        return cases
    return [c for c in cases if any(f in c.name for f in filters)]


def prepare_work(build):
    """A fresh directory of inputs, outside /tmp so that elfin sees the host's copy."""
    work = os.path.join(build, "tests", "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    coreutils.make_inputs(work)
    return work


def main():
    ap = argparse.ArgumentParser(description="Compare programs run natively and under elfin.")
    ap.add_argument("--elfin", default=os.path.join(ROOT, "build", "elfin"),
                    help="the elfin binary (default: build/elfin)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="the build directory holding tests/<variant>/<program>")
    ap.add_argument("-k", dest="filters", action="append", default=[],
                    help="run only cases whose name contains FILTER (repeatable)")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="cases run in parallel")
    ap.add_argument("--timeout", type=float, default=30, help="seconds per run")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    opts = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head

    build = os.path.abspath(opts.build)
    work = os.path.join(build, "tests", "work")
    if opts.list:
        for c in selected(all_cases(build, work), opts.filters):
            print(c.name)
        return 0
    elfin = os.path.abspath(opts.elfin)
    if not os.access(elfin, os.X_OK):
        print(f"run.py: {opts.elfin}: no elfin binary there (build it first)", file=sys.stderr)
        return 2

    # Programs that die by a signal must not leave core files behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    prepare_work(build)
    cases = selected(all_cases(build, work), opts.filters)
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = pool.map(lambda c: difftest.compare(c, elfin, opts.timeout), cases)
        for case, problems in zip(cases, results):
            if problems:
                failed += 1
                print(f"FAIL {case.name}: {problems[0].strip()}")
                for line in problems[1:]:
                    print(line)
                sys.stdout.flush()
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
