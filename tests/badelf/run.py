#!/usr/bin/env python3
"""run.py: runs elfin on every file of the malformed-ELF corpus (gen.py) and checks that each is
refused cleanly: the expected exit status, one line on stderr naming the file and the cause,
nothing on stdout, no panic, no hang.

usage: run.py [--elfin build/elfin] [--dir build/tests/badelf] [-k FILTER]
The corpus directory must not be under /tmp: elfin's /tmp is its own in-kernel tmpfs.
"""
import argparse
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

TIMEOUT = 10


def problems(case, elfin):
    """Runs one case; returns the list of what is wrong (empty when it passed)."""
    try:
        r = subprocess.run([elfin, "run", case["path"]], cwd=case["cwd"], capture_output=True,
                           timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return [f"hung (killed after {TIMEOUT}s)"]
    out = r.stdout.decode(errors="replace")
    err = r.stderr.decode(errors="replace")
    bad = []
    if r.returncode != case["status"]:
        bad.append(f"exit status {r.returncode}, want {case['status']}")
    if out:
        bad.append(f"stdout not empty: {out[:200]!r}")
    if "panic" in (out + err).lower():
        bad.append("panic in output")
    if case["status"] not in (126, 127):  # the program ran: elfin itself says nothing
        if err:
            bad.append(f"stderr not empty: {err[:300]!r}")
        return bad
    lines = err.splitlines()
    if len(lines) != 1 or not err.endswith("\n"):
        bad.append(f"stderr is not exactly one line: {err[:300]!r}")
    line = lines[0] if lines else ""
    if not line.startswith("elfin: "):
        bad.append(f"stderr does not start with 'elfin: ': {line!r}")
    if case["path"] not in line:
        bad.append(f"stderr does not name {case['path']}: {line!r}")
    if case["expect"] not in line:
        bad.append(f"stderr lacks {case['expect']!r}: {line!r}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elfin", default="build/elfin")
    ap.add_argument("--dir", default="build/tests/badelf")
    ap.add_argument("-k", default="", help="run only cases whose name contains this")
    args = ap.parse_args()
    corpus = os.path.abspath(args.dir)
    if corpus == "/tmp" or corpus.startswith("/tmp/"):
        sys.exit("run.py: the corpus must not be under /tmp (elfin's /tmp is its own tmpfs)")
    elfin = os.path.abspath(args.elfin)
    gen.generate(corpus)
    with open(os.path.join(corpus, "manifest.json")) as f:
        cases = [c for c in json.load(f) if args.k in c["name"]]
    passed = failed = known = fixed = 0
    for case in cases:
        bad = problems(case, elfin)
        bug = case.get("known_bug")
        if bad and bug:
            known += 1
            print(f"KNOWN BUG {case['name']}: {bug}")
            for b in bad:
                print(f"    {b}")
        elif bad:
            failed += 1
            print(f"FAIL {case['name']} ({case['path']})")
            for b in bad:
                print(f"    {b}")
        elif bug:
            fixed += 1
            print(f"FIXED {case['name']}: passes now; remove it from KNOWN_BUGS in tests/badelf/gen.py")
        else:
            passed += 1
    extra = f", {known} known bugs" if known else ""
    extra += f", {fixed} fixed known bugs" if fixed else ""
    print(f"badelf: {passed + fixed} passed, {failed} failed{extra}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
