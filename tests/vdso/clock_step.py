#!/usr/bin/env python3
"""clock_step.py: does elfin's CLOCK_REALTIME follow a step of the host's wall clock?

A manual test, never run by `make test`: it sets the host's clock, which needs root and
disturbs everything else on the machine for a moment. It runs `vdso_clock ping` under elfin,
steps the host's CLOCK_REALTIME forward by --step-ms, checks that elfin's REALTIME (and TAI)
follow within --within-ms while MONOTONIC does not move, then steps the clock back.

usage: python3 tests/vdso/clock_step.py --elfin build/elfin --build build --yes [--step-ms 20]
"""
import argparse
import os
import subprocess
import sys
import time

REALTIME, MONOTONIC = 0, 1  # columns of `vdso_clock ping`: REALTIME MONOTONIC RAW ... TAI


def ping(p):
    """Native REALTIME and MONOTONIC before and after one line from the program."""
    before = time.clock_gettime_ns(time.CLOCK_REALTIME), time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    p.stdin.write("x\n")
    p.stdin.flush()
    values = [int(v) for v in p.stdout.readline().split()]
    after = time.clock_gettime_ns(time.CLOCK_REALTIME), time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    return before, values, after


def off(before, value, after, col):
    """How far elfin's reading lies outside the native window, in ns (0: inside)."""
    lo, hi = before[col], after[col]
    return value - hi if value > hi else value - lo if value < lo else 0


def settle(p, within_ns, what):
    """Pings until REALTIME lies in the native window; returns the seconds that took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 5:
        b, v, a = ping(p)
        if abs(off(b, v[REALTIME], a, REALTIME)) <= within_ns:
            return time.monotonic() - t0
        time.sleep(0.0005)
    raise SystemExit(f"FAIL: elfin's REALTIME did not follow the {what} within 5 s "
                     f"(off by {off(b, v[REALTIME], a, REALTIME) / 1e6:.3f} ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elfin", default="build/elfin")
    ap.add_argument("--build", default="build")
    ap.add_argument("--step-ms", type=float, default=20)
    ap.add_argument("--within-ms", type=float, default=0.1)
    ap.add_argument("--yes", action="store_true", help="really set the host's clock")
    args = ap.parse_args()
    if not args.yes or os.geteuid() != 0:
        print("clock_step.py: sets the host's wall clock; run as root with --yes", file=sys.stderr)
        return 2
    prog = os.path.join(args.build, "tests", "glibc-dyn", "vdso_clock")
    p = subprocess.Popen([args.elfin, "run", prog, "ping"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    within, step = int(args.within_ms * 1e6), int(args.step_ms * 1e6)
    try:
        settle(p, within, "start")
        mono0 = ping(p)[1][MONOTONIC]
        for sign, what in ((1, "forward step"), (-1, "backward step")):
            time.clock_settime_ns(time.CLOCK_REALTIME, time.clock_gettime_ns(time.CLOCK_REALTIME) + sign * step)
            took = settle(p, within, what)
            b, v, a = ping(p)
            print(f"{what} of {args.step_ms} ms: followed within {took * 1e3:.2f} ms; "
                  f"MONOTONIC off by {off(b, v[MONOTONIC], a, MONOTONIC)} ns")
            if off(b, v[MONOTONIC], a, MONOTONIC) or v[MONOTONIC] < mono0:
                raise SystemExit("FAIL: MONOTONIC moved with the wall clock")
    finally:
        p.stdin.close()
        p.wait()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
