#!/usr/bin/env python3
"""elfin's benchmarks: each case runs natively and under elfin in the same invocation,
interleaved, and prints one line: `case  native=X  elfin=Y  ratio=Y/X`.

A timing is a measurement, not a test: a case that fails prints its error on its own line
and the script still exits 0. See docs/bench.md for what each case measures.

usage: bench.py --elfin build/elfin --build build [--runs N] [--only CASE]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLOCK_CALLS = 2000000
DATA_MB = 50


class CaseError(Exception):
    pass


def run_once(cmd, check_output=False):
    """Runs cmd once; returns (seconds, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        raise CaseError("%s exited %d%s" % (os.path.basename(cmd[0]) if cmd[0] != ELFIN[0] else "elfin",
                                            p.returncode, ": " + err[-1] if err else ""))
    return dt, p.stdout


def wall_medians(cmd, runs, elfin_opts=()):
    """Median wall time of cmd natively and under elfin (with elfin_opts), runs interleaved;
    also checks that both produce the same output."""
    native, elfin = [], []
    for i in range(runs):
        order = [(cmd, native), (ELFIN + list(elfin_opts) + cmd, elfin)]
        if i % 2:
            order.reverse()
        for c, times in order:
            dt, out = run_once(c)
            times.append((dt, out))
    outs = {out for _, out in native} | {out for _, out in elfin}
    if len({out for _, out in native}) == 1 and len(outs) != 1:
        raise CaseError("output under elfin differs from native")
    return (statistics.median(t for t, _ in native), statistics.median(t for t, _ in elfin))


def ms(seconds):
    return "%.2fms" % (seconds * 1e3)


def case_hello(variant):
    def run(args):
        exe = os.path.join(args.build, "tests", variant, "hello")
        if not os.access(exe, os.X_OK):
            raise CaseError("%s missing (make test-bins)" % exe)
        n, e = wall_medians([exe], args.runs)
        return ms(n), ms(e), e / n
    return run


def case_vm_boot(variant):
    """elfin run --vm (TCG here unless KVM runs natively) of a hello world against the native
    run: launch to exit, the whole QEMU life; the kernel's own share (vm_main to the program's
    first instruction, guest TSC) is what the guest reports with ELFIN_VM_REPORT, and within it
    the clock's (its rates' source, and what finding them took: the PIT's 20 ms unless the
    hypervisor or CPUID tells)."""
    def run(args):
        exe = os.path.join(args.build, "tests", variant, "hello")
        runs = max(3, args.runs // 5)
        native = statistics.median(run_once([exe])[0] for _ in range(runs))
        walls, kernel, clock, source = [], [], [], "?"
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.run(ELFIN + ["--vm", exe], stdin=subprocess.DEVNULL, capture_output=True,
                               env=dict(os.environ, ELFIN_VM_REPORT="1"))
            walls.append(time.perf_counter() - t0)
            m = re.search(rb"kernel boot (\d+) us", p.stderr)
            if p.returncode != 0 or not m:
                raise CaseError("elfin --vm exited %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip()))
            kernel.append(int(m.group(1)) / 1e6)
            c = re.search(rb"clock (\S+) .* us (\d+)", p.stderr)
            if c:
                source = c.group(1).decode()
                clock.append(int(c.group(2)) / 1e6)
        wall = statistics.median(walls)
        clocks = ", clock %s %s" % (source, ms(statistics.median(clock))) if clock else ""
        return ms(native), "%s (kernel %s%s)" % (ms(wall), ms(statistics.median(kernel)), clocks), wall / native
    return run


def case_vm_getpid_insns(args):
    """Instructions per getpid in the vm, trap path against direct path: guest TSC ticks under
    QEMU's -icount shift=0 (one tick per instruction), so the count is the same every run."""
    exe = build(args, "getpid_insns", "-static")
    env = dict(os.environ, ELFIN_VM_QEMU_ARGS="-icount shift=0")
    counts = []
    for mode in ([], ["direct"]):
        p = subprocess.run(ELFIN + ["--vm", "--accel", "tcg", exe, "4000"] + mode, stdin=subprocess.DEVNULL,
                           capture_output=True, env=env)
        m = re.search(rb"([0-9.]+) ticks/call", p.stdout)
        if p.returncode != 0 or not m:
            raise CaseError("getpid_insns %s exited %d: %r" % (mode, p.returncode, (p.stdout + p.stderr)[-200:]))
        counts.append(float(m.group(1)))
    return "trap %.0f insns" % counts[0], "direct %.0f insns" % counts[1], counts[1] / counts[0]


def build(args, name, *flags):
    """Builds tests/bench/NAME.c into build/bench/NAME (gcc -O2 and flags) unless up to date."""
    src = os.path.join(HERE, name + ".c")
    out = os.path.join(args.build, "bench", name)
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out
    p = subprocess.run(["gcc", "-O2", "-Wall", *flags, "-o", out, src], capture_output=True, text=True)
    if p.returncode != 0:
        raise CaseError("gcc failed: " + (p.stderr.strip().splitlines() or ["?"])[-1])
    return out


def per_call(native_cmd, elfin_cmd, runs):
    """Median ns/call that each command prints ("... <x> ns/call"), runs interleaved."""
    native, elfin = [], []
    for _ in range(runs):
        for c, per in (native_cmd, native), (elfin_cmd, elfin):
            _, out = run_once(c)
            m = re.search(rb"([0-9.]+) ns/call", out)
            if not m:
                raise CaseError("unexpected output: %r" % out[:80])
            per.append(float(m.group(1)))
    return statistics.median(native), statistics.median(elfin)


SYSCALL_LOOP_CALLS = 200000


def case_syscall(op, way):
    """One system call (tests/bench/syscall_loop.c) by one way into the kernel: natively the
    `syscall` instruction every time (there is no other way), under elfin the trap (way
    "syscall"), the direct entry ("direct"), or the direct entry with the fs base switched
    around each call by wrfsbase or arch_prctl: what a kernel on %fs would pay on top. Op
    "call" makes no system call: an indirect call of an empty function, the floor."""
    def run(args):
        exe = build(args, "syscall_loop", "-static")
        calls = str(SYSCALL_LOOP_CALLS // (1 if way == "direct" or op == "call" else 10))
        cmd = [exe, op, way, calls]
        n, e = per_call(cmd, ELFIN + cmd, max(3, args.runs // 6))
        return "%.1fns" % n, "%.1fns" % e, e / n
    return run


def case_clock(call, elfin_opts=()):
    """A time call through glibc (dynamic), natively on the host's vDSO and under elfin on
    elfin's; with --no-vdso, under elfin through the trap path."""
    def run(args):
        exe = build(args, "clock_loop")
        calls = str(CLOCK_CALLS // (100 if elfin_opts else 1))
        n, e = per_call([exe, call, calls], ELFIN + list(elfin_opts) + [exe, call, calls], max(5, args.runs // 3))
        return "%.1fns" % n, "%.1fns" % e, e / n
    return run


def case_python(elfin_opts=()):
    """python3 -c pass: start-up of a large dynamic program, with the adapter library (elfin's
    default) or, with --no-preload, every call by the trap path."""
    def run(args):
        py = "/usr/bin/python3"
        if not os.access(py, os.X_OK):
            raise CaseError("%s missing" % py)
        n, e = wall_medians([py, "-c", "pass"], max(5, args.runs * 2 // 3), list(elfin_opts))
        return ms(n), ms(e), e / n
    return run


HEAVY_N = {"file": 100000, "pingpong": 20000, "unixpair": 20000}


def case_heavy(mode, elfin_opts=()):
    """A program that is mostly system calls (tests/bench/syscall_heavy.c, glibc dynamic):
    100 000 small writes and as many preads of a /tmp file, or 20 000 round trips between two
    threads over pipes (pingpong) or an AF_UNIX socketpair (unixpair); under elfin with the adapter library (its default) or, --no-preload, by traps."""
    def run(args):
        exe = build(args, "syscall_heavy", "-pthread")
        n, e = wall_medians([exe, mode, str(HEAVY_N[mode])], max(3, args.runs // 6), list(elfin_opts))
        return ms(n), ms(e), e / n
    return run


def trap_share(label, argv, stdin=None, elfin_opts=(), fresh=()):
    """Where the calls of a whole program come from under elfin with the adapter library:
    the share that still traps (glibc's internal calls no preload reaches, and calls libc
    makes inline), with the syscalls that trap most. A report, not a timing. Files named in
    fresh (a database the program creates) are removed first."""
    def run(args):
        bench = os.path.join(args.build, "bench")
        stats = os.path.join(bench, "stats-%s.json" % label)
        argv_ = [a.format(bench=bench, root=ROOT) for a in argv]
        for path in (a.format(bench=bench) for a in fresh):
            if os.path.exists(path):
                os.unlink(path)
        opts = [a.format(bench=bench) for a in elfin_opts]
        p = subprocess.run(ELFIN + ["--stats", stats] + opts + argv_, input=stdin,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise CaseError("exited %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-200:]))
        with open(stats) as f:
            calls = json.load(f)["syscalls"]
        trap = sum(c["trap"] for c in calls.values())
        direct = sum(c["direct"] for c in calls.values())
        top = sorted(((c["trap"], name) for name, c in calls.items() if c["trap"]), reverse=True)[:4]
        return "%d calls: %d trap, %d direct  trap share=%.0f%%  most trapped: %s" % (
            trap + direct, trap, direct, 100.0 * trap / max(1, trap + direct),
            ", ".join("%s %d" % (name, n) for n, name in top))
    return run


SQLITE_WORKLOAD = b"CREATE TABLE t(a INTEGER, b TEXT);\nBEGIN;\n" + b"".join(
    b"INSERT INTO t VALUES(%d, 'row %d');\n" % (i, i) for i in range(2000)) + b"COMMIT;\nSELECT count(*), sum(a) FROM t;\n"


def data_file(args):
    """A 50 MB file under the build tree (elfin's /tmp is its own tmpfs, not the host's)."""
    path = os.path.join(args.build, "bench", "data-%dM" % DATA_MB)
    size = DATA_MB << 20
    if not (os.path.exists(path) and os.path.getsize(path) == size):
        block = hashlib.sha512(b"elfin").digest() * (1 << 14)  # 1 MiB, deterministic
        with open(path + ".part", "wb") as f:
            for _ in range(DATA_MB):
                f.write(block)
        os.replace(path + ".part", path)
    return path


def case_sha256sum(args):
    tool = shutil.which("sha256sum") or "/usr/bin/sha256sum"
    n, e = wall_medians([tool, data_file(args)], max(3, args.runs // 6))
    return ms(n), ms(e), e / n


# The servers of tests/apps/servers.py, measured with the load generators Debian packages.
sys.path[:0] = [os.path.join(os.path.dirname(HERE), "apps"), os.path.join(os.path.dirname(HERE), "lib")]
import servers  # noqa: E402


def served(argv, elfin_opts, port, client):
    """Starts argv natively (elfin_opts None) or under elfin, runs client() against it once it
    listens, stops it; returns what client returned."""
    cmd = argv if elfin_opts is None else ELFIN + list(elfin_opts) + argv
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not servers.wait_port(port, p):
            raise CaseError("%s did not start: %s" % (os.path.basename(argv[0]),
                            p.stderr.read().decode(errors="replace").strip()[-200:] if p.poll() is not None else "timeout"))
        return client()
    finally:
        servers.stop(p)


SERVER_MODES = (("native", None), ("elfin", ()), ("elfin-no-preload", ("--no-preload",)))


def throughput(start, client):
    """Requests per second natively, under elfin with the adapter library and by the trap
    path (--no-preload): the median of 5 rounds, the modes interleaved."""
    got = {name: [] for name, _ in SERVER_MODES}
    for _ in range(5):
        for name, opts in SERVER_MODES:
            got[name].append(start(opts, client))
    med = {name: statistics.median(v) for name, v in got.items()}
    n = med["native"]
    return ("%.0f/s" % n, "%.0f/s (%.2fx)  trap=%.0f/s (%.2fx)" % (med["elfin"], med["elfin"] / n,
            med["elfin-no-preload"], med["elfin-no-preload"] / n), med["elfin"] / n)


def case_redis(test, pipeline):
    """redis-benchmark, 50 clients, one command (SET or GET), with -P pipelining or without."""
    def run(args):
        port = servers.free_port()
        argv = [servers.REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--protected-mode", "no", "--loglevel", "warning"]
        n = 20000 * pipeline if pipeline > 1 else 20000

        def client():
            p = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "50", "-n", str(n),
                                "-P", str(pipeline), "-t", test, "--csv"], capture_output=True, text=True, timeout=120)
            m = re.search(r'^"%s","([0-9.]+)"' % test.upper(), p.stdout, re.M)
            if not m:
                raise CaseError("redis-benchmark: %r" % (p.stdout + p.stderr)[-120:])
            return float(m.group(1))
        return throughput(lambda opts, c: served(argv, opts, port, c), client)
    return run


def case_nginx(args):
    """wrk, 2 threads and 50 connections for 2 s, against nginx serving a 42-byte file."""
    work = os.path.join(args.build, "bench", "nginx")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    servers.make_inputs(work)
    port = servers.PORTS["nginx"]

    def client():
        p = subprocess.run(["wrk", "-t", "2", "-c", "50", "-d", "2s", "http://127.0.0.1:%d/index.html" % port],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Requests/sec:\s*([0-9.]+)", p.stdout)
        if not m or "Non-2xx" in p.stdout or "Socket errors" in p.stdout:
            raise CaseError("wrk: %r" % (p.stdout + p.stderr)[-160:])
        return float(m.group(1))

    def start(opts, c):
        prefix = os.path.join(work, "prefix")
        shutil.rmtree(prefix, ignore_errors=True)
        os.makedirs(prefix)
        argv = [servers.NGINX, "-e", "stderr", "-p", prefix + "/", "-c", os.path.join(work, "nginx.conf")]
        return served(argv, None if opts is None else ["--rw", prefix] + list(opts), port, c)
    return throughput(start, client)


CASES = [
    ("hello-glibc-static", case_hello("glibc-static")),
    ("hello-musl-static", case_hello("musl-static")),
    ("indirect-call", case_syscall("call", "direct")),
] + [
    (f"{op}-{name}", case_syscall(op, way))
    for op in ("getpid", "clock", "zero", "futex", "tmpfs")
    for name, way in (("trap", "syscall"), ("direct", "direct"))
] + [
    ("getpid-direct-wrfsbase", case_syscall("getpid", "direct-wrfsbase")),
    ("getpid-direct-arch_prctl", case_syscall("getpid", "direct-arch_prctl")),
    ("clock-monotonic", case_clock("monotonic")),
    ("clock-realtime-coarse", case_clock("realtime-coarse")),
    ("gettimeofday", case_clock("gettimeofday")),
    ("time", case_clock("time")),
    ("clock-monotonic-no-vdso", case_clock("monotonic", ("--no-vdso",))),
    ("python3-c-pass", case_python()),
    ("python3-c-pass-no-preload", case_python(("--no-preload",))),
    ("sha256sum-50M", case_sha256sum),
    ("heavy-file-io", case_heavy("file")),
    ("heavy-file-io-no-preload", case_heavy("file", ("--no-preload",))),
    ("heavy-pipe-pingpong", case_heavy("pingpong")),
    ("heavy-pipe-pingpong-no-preload", case_heavy("pingpong", ("--no-preload",))),
    ("heavy-unix-pingpong", case_heavy("unixpair")),
    ("vm-boot-hello-musl-static", case_vm_boot("musl-static")),
    ("vm-boot-hello-glibc-dyn", case_vm_boot("glibc-dyn")),
    ("vm-getpid-instructions", case_vm_getpid_insns),
    ("redis-set-c50", case_redis("set", 1)),
    ("redis-get-c50", case_redis("get", 1)),
    ("redis-set-c50-P16", case_redis("set", 16)),
    ("redis-get-c50-P16", case_redis("get", 16)),
    ("nginx-wrk-c50", case_nginx),
]

# Reports of where a whole program's calls enter the kernel (one line each, no ratio).
REPORTS = [
    ("traps-python3-start", trap_share("python3", ["/usr/bin/python3", "-c", "pass"])),
    ("traps-sqlite3-insert", trap_share("sqlite3", ["/usr/bin/sqlite3", "{bench}/insert.db"], stdin=SQLITE_WORKLOAD,
                                        fresh=["{bench}/insert.db"],
                                        elfin_opts=["--rw", "{bench}"])),
    ("traps-lua-script", trap_share("lua", ["/usr/bin/lua5.4", "{root}/tests/apps/lua/tables.lua"])),
]


def main():
    global ELFIN
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elfin", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=30, help="runs per short case (default 30)")
    ap.add_argument("--only", help="run only the cases whose name contains this")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    ELFIN = [os.path.abspath(args.elfin), "run"]
    os.makedirs(os.path.join(args.build, "bench"), exist_ok=True)
    width = max(len(name) for name, _ in CASES)
    for name, fn in CASES:
        if args.only and args.only not in name:
            continue
        try:
            n, e, ratio = fn(args)
            line = "%s  native=%s  elfin=%s  ratio=%.2f" % (name.ljust(width), n, e, ratio)
        except Exception as ex:  # a benchmark never fails the run
            line = "%s  error: %s" % (name.ljust(width), ex)
        print(line, flush=True)
    for name, fn in REPORTS:
        if args.only and args.only not in name:
            continue
        try:
            line = "%s  %s" % (name.ljust(width), fn(args))
        except Exception as ex:
            line = "%s  error: %s" % (name.ljust(width), ex)
        print(line, flush=True)
    return 0


ELFIN = []

if __name__ == "__main__":
    sys.exit(main())
