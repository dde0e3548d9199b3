#!/usr/bin/env python3
"""mutate.py: does the suite notice a broken kernel? (`make mutate`; not part of `make test`)

For each mutant in tests/mutate/mutants.py: apply its one edit to a private copy of the tree,
build that copy's elfin, run the mutant's suites (the copy's tests/run.py and baseline, with the
test programs of this tree's build) with the mutated elfin, and restore the file. A mutant is
killed when the suite fails and names newly broken cases that pass on the unmutated elfin (each
is run again there, so that a case that fails now and then under load counts for no mutant); it
survives otherwise. The unmutated copy runs first and must pass (a case failing there is run
again, alone).

Usage: python3 tests/mutate/mutate.py [--build build] [-k NAME] [-j N] [--vm] [--report FILE]
       python3 tests/mutate/mutate.py --check    (every mutant still applies: part of make test)
Exit status: 0 when every mutant was killed, 1 when one survived, 2 on an error.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from mutants import MUTANTS  # noqa: E402

# What a mutant's copy builds: the command, the adapter library and the vm kernel.
TARGETS = ["build/elfin", "build/libelfin-direct.so", "build/elfin-vm"]


class MutantError(Exception):
    pass


def copy_tree(dest):
    """The tracked files of this working tree (with their uncommitted changes) under dest."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(ROOT, f)
        if not os.path.isfile(src):  # deleted in the working tree
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, f))


def build(tree, jobs):
    # WERROR= : a mutant may well leave a variable unused; that must not stop its build.
    r = subprocess.run(["make", "-s", f"-j{jobs}", "WERROR=", *TARGETS], cwd=tree,
                       capture_output=True, text=True)
    if r.returncode:
        raise MutantError("build failed:\n" + (r.stdout + r.stderr)[-2000:])


def run_suite(tree, elfin, build_dir, filters, jobs, vm):
    """Runs the suites against elfin; returns (exit status, newly broken cases, tally)."""
    cmd = [sys.executable, os.path.join(tree, "tests", "run.py"), "--elfin", elfin,
           "--build", build_dir, "-j", str(jobs)]
    for f in filters:
        cmd += ["-k", f]
    if not vm:
        cmd += ["-x", "+vm"]
    r = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    out = r.stdout
    broken = []
    m = re.search(r"^newly broken:\n((?:  \S.*\n)*)", out, re.M)
    if m:
        broken = [line.strip() for line in m.group(1).splitlines()]
    tally = re.findall(r"^\d+ passed, \d+ failed, \d+ skipped$", out, re.M)
    if r.returncode not in (0, 1) or not tally:
        raise MutantError(f"tests/run.py exited {r.returncode}:\n" + (out + r.stderr)[-2000:])
    return r.returncode, broken, tally[-1]


def applies(tree, m):
    """Why m does not apply to tree, or None when its text occurs there exactly once."""
    try:
        with open(os.path.join(tree, m.path)) as f:
            n = f.read().count(m.before)
    except OSError as e:
        return f"{m.path}: {e.strerror}"
    return None if n == 1 else (f"{m.path}: the text to replace occurs {n} times, not once: "
                                "update the mutant to the code as it is now")


def apply(tree, m):
    why = applies(tree, m)
    if why:
        raise MutantError(why)
    path = os.path.join(tree, m.path)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace(m.before, m.after))
    return text


def main():
    ap = argparse.ArgumentParser(description="Check that the suite fails on deliberately broken kernels.")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="the build directory with the test programs (default: build)")
    ap.add_argument("-k", dest="names", action="append", default=[],
                    help="only mutants whose name contains NAME (repeatable)")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="parallel jobs for make and the suite")
    ap.add_argument("--vm", action="store_true", help="also run the suites' vm cases")
    ap.add_argument("--report", help="also write the results as a Markdown table to this file")
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant still applies to the tree (make unit-tests)")
    opts = ap.parse_args()
    chosen = [m for m in MUTANTS if not opts.names or any(n in m.name for n in opts.names)]
    if not chosen:
        print("mutate.py: no mutant matches", file=sys.stderr)
        return 2
    if opts.check:
        stale = [f"{m.name}: {e}" for m in chosen for e in [applies(ROOT, m)] if e]
        for line in stale:
            print(f"mutate.py: {line}", file=sys.stderr)
        if not stale:
            print(f"mutate.py: all {len(chosen)} mutants apply")
        return 1 if stale else 0
    build_dir = os.path.abspath(opts.build)
    tree = os.path.join(build_dir, "mutate", "tree")
    shutil.rmtree(tree, ignore_errors=True)
    copy_tree(tree)
    suites = sorted({s for m in chosen for s in m.suites})

    rows, survived, failed = [], [], []
    mutated = os.path.join(tree, "build", "elfin")
    clean_dir = os.path.join(build_dir, "mutate", "clean")

    def flaky(cases):
        """The cases that fail on the unmutated elfin too (run again, alone): not a mutant's doing."""
        if not cases:
            return set()
        _, again, _ = run_suite(tree, os.path.join(clean_dir, "elfin"), build_dir, cases, opts.jobs, opts.vm)
        return set(again) & set(cases)

    try:
        t = time.time()
        build(tree, opts.jobs)
        # The unmutated elfin, with the library and vm image it finds beside itself.
        shutil.rmtree(clean_dir, ignore_errors=True)
        os.makedirs(clean_dir)
        for target in TARGETS:
            shutil.copy2(os.path.join(tree, target), clean_dir)
        status, broken, tally = run_suite(tree, mutated, build_dir, suites, opts.jobs, opts.vm)
        still = flaky(broken) if status else set()
        if still:
            print(f"mutate.py: the unmutated tree fails its suites ({tally}): "
                  + ", ".join(sorted(still)), file=sys.stderr)
            return 2
        print(f"unmutated    passes {' '.join(suites)}: {tally} ({time.time() - t:.0f} s)"
              + (f"; failed once, then passed: {', '.join(broken)}" if broken else ""), flush=True)
        for m in chosen:
            t = time.time()
            try:
                original = apply(tree, m)
                try:
                    build(tree, opts.jobs)
                    status, broken, tally = run_suite(tree, mutated, build_dir, m.suites, opts.jobs, opts.vm)
                finally:
                    with open(os.path.join(tree, m.path), "w") as f:
                        f.write(original)
                noise = flaky(broken)
            except MutantError as e:  # this mutant is broken, not the suite: say so, go on
                print(f"ERROR     {m.name}: {e}", flush=True)
                failed.append(m.name)
                continue
            broken = [b for b in broken if b not in noise]
            verdict = "KILLED" if broken else "SURVIVED"
            if not broken:
                survived.append(m.name)
            shown = ", ".join(broken[:6]) + (f", … ({len(broken)} in all)" if len(broken) > 6 else "")
            print(f"{verdict:<9} {m.name}: {m.why}; {tally} ({time.time() - t:.0f} s)"
                  + (f"\n          broken: {shown}" if broken else "")
                  + (f"\n          also failed unmutated (not counted): {', '.join(sorted(noise))}"
                     if noise else ""), flush=True)
            rows.append((m, verdict, broken))
    except MutantError as e:
        print(f"mutate.py: {e}", file=sys.stderr)
        return 2
    print(f"\n{len(rows) - len(survived)} of {len(rows)} mutants killed"
          + (f"; survived: {', '.join(survived)}" if survived else "")
          + (f"; could not run: {', '.join(failed)}" if failed else ""))
    if opts.report and not failed:
        write_report(opts.report, rows)
    return 2 if failed else 1 if survived else 0


def write_report(path, rows):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    lines = ["<!-- Generated by tests/mutate/mutate.py (make mutate); do not edit. -->",
             "# Mutation check: the suite against deliberately broken kernels", "",
             f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {commit}. "
             "Each row is one edit from tests/mutate/mutants.py built into elfin; the suite "
             "must fail on it and name the broken cases.", "",
             "| mutant | the bug | suites | verdict | cases newly broken |", "|---|---|---|---|---:|"]
    for m, verdict, broken in rows:
        example = f" (e.g. `{broken[0]}`)" if broken else ""
        why = m.why.replace("|", "\\|")
        lines.append(f"| `{m.name}` | {why} | {' '.join(m.suites)} | {verdict} | {len(broken)}{example} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
