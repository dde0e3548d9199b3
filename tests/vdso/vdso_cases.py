"""The vDSO's cases for tests/run.py: tests/abi/vdso_clock in every link variant, beyond the
plain run that every ABI program gets: a million readings of each common clock with no kernel
entry for them (elfin's --stats), the same checks without the vDSO (through system calls),
four threads reading the monotonic clocks against each other, and readings that must agree
with the native clocks read around them (100 us)."""
import os
import time

import difftest

LOOPS = 1000000
PINGS = 50
TOLERANCE_NS = 100000
# The columns of `vdso_clock ping` (Linux clock ids), each with the native clock it is checked
# against: a COARSE clock against the precise one, which it may trail by a tick, by a second
# tick as elfin's ticks are not the host's, and by the ticker thread's lateness when the host
# is busy (tens of ms with both CPUs oversubscribed, as by this very suite).
TICKER_LATENESS_NS = 50000000
PING_CLOCKS = (
    ("REALTIME", 0, 0), ("MONOTONIC", 1, 1), ("MONOTONIC_RAW", 4, 4), ("REALTIME_COARSE", 5, 0),
    ("MONOTONIC_COARSE", 6, 1), ("BOOTTIME", 7, 7), ("TAI", 11, 11),
)


def agree(p):
    """Pings `vdso_clock ping` and checks that each clock it reads lies between the native
    readings taken just before and just after, give or take TOLERANCE_NS (and the lag a COARSE
    clock may have). Natively this always holds; the output says whether it held."""
    lag = [2 * int(time.clock_getres(c) * 1e9) + TICKER_LATENESS_NS if c != ref else 0
           for _, c, ref in PING_CLOCKS]
    worst = [0] * len(PING_CLOCKS)
    for _ in range(PINGS):
        before = [time.clock_gettime_ns(ref) for _, _, ref in PING_CLOCKS]
        p.stdin.write(b"\n")
        p.stdin.flush()
        line = p.stdout.readline()
        after = [time.clock_gettime_ns(ref) for _, _, ref in PING_CLOCKS]
        values = [int(v) for v in line.split()]
        if len(values) != len(PING_CLOCKS):
            return b"agree: a bad answer: %r\n" % line
        for i, v in enumerate(values):
            worst[i] = max(worst[i], before[i] - lag[i] - v, v - after[i])
        time.sleep(0.002)
    off = [f"{PING_CLOCKS[i][0]} off by {worst[i] // 1000} us" for i in range(len(worst)) if worst[i] > TOLERANCE_NS]
    return ("agree: " + ("; ".join(off) if off else "every clock within 100 us of the native one") + "\n").encode()


def cases(build, work, variants, env):
    out = []
    for variant in variants:
        prog = os.path.join(build, "tests", variant, "vdso_clock")
        name = f"abi/{variant}/vdso_clock"
        out += [
            difftest.Case(f"{name}-loop", [prog, "loop", str(LOOPS)], env=env, cwd=work,
                          calls={"clock_gettime": 0, "gettimeofday": 0, "time": 0}),
            difftest.Case(f"{name}-no-vdso", [prog], env=env, cwd=work, elfin_args=["--no-vdso"],
                          calls={"clock_gettime": (1000, None)}),
            difftest.Case(f"{name}-threads", [prog, "threads"], env=env, cwd=work),
            difftest.Case(f"{name}-agree", [prog, "ping"], env=env, cwd=work, interact=agree),
        ]
        direct = os.path.join(build, "tests", variant, "vdso_direct")
        out += [
            # the kernel's direct entry: every getpid arrives by it, none by a trap
            difftest.Case(f"abi/{variant}/vdso_direct-path", [direct, "1000"], env=env, cwd=work,
                          calls={"getpid/direct": (1000, None), "getpid/trap": (0, 8)}),  # a few traps take signals
            difftest.Case(f"abi/{variant}/vdso_direct-no-vdso", [direct, "100"], env=env, cwd=work,
                          elfin_args=["--no-vdso"], calls={"getpid/direct": 0, "getpid/trap": (100, None)}),
        ]
    return out
