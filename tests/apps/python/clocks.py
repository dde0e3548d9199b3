"""time: the clocks agree with each other and move forward, sleeps last as long as asked,
formatting of fixed instants (TZ=UTC), and a long CPU-bound loop (a second or two natively)."""
import os
import time

from common import run, section, show


@section
def clocks():
    show("time after 2020", time.time() > 1577836800)
    show("time_ns agrees", abs(time.time_ns() / 1e9 - time.time()) < 1)
    a = [time.monotonic() for _ in range(1000)]
    show("monotonic never goes back", all(x <= y for x, y in zip(a, a[1:])))
    for name in ("monotonic", "perf_counter", "process_time", "thread_time", "time"):
        info = time.get_clock_info(name)
        show(name, (info.monotonic, info.adjustable, info.resolution <= 1e-6))
    show("clock_gettime", abs(time.clock_gettime(time.CLOCK_REALTIME) - time.time()) < 1)
    show("CLOCK_BOOTTIME", time.clock_gettime(time.CLOCK_BOOTTIME) > 0)
    show("clock_getres", time.clock_getres(time.CLOCK_MONOTONIC))


@section
def sleeps():
    for seconds in (0, 0.001, 0.05, 0.2):
        start = time.perf_counter()
        time.sleep(seconds)
        elapsed = time.perf_counter() - start
        show(f"sleep {seconds}", seconds <= elapsed < seconds + 2)
    cpu = time.process_time()
    time.sleep(0.1)
    show("sleeping uses no CPU", time.process_time() - cpu < 0.08)


@section
def formatting():
    show("gmtime", tuple(time.gmtime(1700000000))[:6])
    show("localtime (UTC)", time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(1234567890)))
    show("strftime", time.strftime("%a %d %b %Y %j %U %w", time.gmtime(0)))
    show("asctime", time.asctime(time.gmtime(1e9)))
    show("mktime", time.mktime((2021, 3, 4, 5, 6, 7, 0, 0, 0)))
    show("strptime", tuple(time.strptime("2024-02-29 12:34", "%Y-%m-%d %H:%M"))[:7])
    show("tzname", time.tzname)
    show("TZ", os.environ.get("TZ"))


@section
def cpu_loop():
    start_cpu = time.process_time()
    start = time.monotonic()
    # A sieve, then an LCG that looks at the clock now and then.
    limit = 2_000_000
    sieve = bytearray([1]) * (limit + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, limit + 1, i)))
    show("primes", sum(sieve))
    x, total, stamps = 12345, 0, []
    for i in range(5_000_000):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        total ^= x
        if i % 100_000 == 0:
            stamps.append(time.monotonic())
    show("lcg", total)
    show("clock moved on", all(a <= b for a, b in zip(stamps, stamps[1:]))
         and stamps[-1] > stamps[0])
    elapsed = time.monotonic() - start
    cpu = time.process_time() - start_cpu
    show("cpu time counted", 0 < cpu <= elapsed + 0.05)


run()
