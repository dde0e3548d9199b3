"""threading with 8 threads: locks, conditions, barriers, events, semaphores, queues, pools,
thread-local data and timers; every result printed is independent of scheduling."""
import concurrent.futures
import hashlib
import queue
import threading
import time

from common import run, section, show

N = 8


def start_all(target, *args):
    threads = [threading.Thread(target=target, args=(i,) + args, name=f"worker-{i}")
               for i in range(N)]
    for t in threads:
        t.start()
    return threads


def join_all(threads):
    for t in threads:
        t.join(30)
    return sum(t.is_alive() for t in threads)


@section
def lock_counter():
    lock = threading.Lock()
    counter = [0]

    def work(i):
        for _ in range(5000):
            with lock:
                counter[0] += 1
    show("alive after join", join_all(start_all(work)))
    show("counter", counter[0])


@section
def identities():
    seen = {}
    lock = threading.Lock()
    together = threading.Barrier(N)

    def work(i):
        together.wait()     # all alive at once: no thread's identity is reused
        with lock:
            seen[i] = (threading.get_ident(), threading.get_native_id(),
                       threading.current_thread().name)
    join_all(start_all(work))
    show("distinct idents", len({v[0] for v in seen.values()}))
    show("distinct native ids", len({v[1] for v in seen.values()}))
    show("names", sorted(v[2] for v in seen.values()))
    show("main", threading.current_thread() is threading.main_thread())
    show("active after", threading.active_count())


@section
def condition_ping_pong():
    cond = threading.Condition()
    state = {"turn": 0, "log": []}

    def work(i):
        for round_ in range(20):
            with cond:
                while state["turn"] != i:
                    cond.wait()
                state["log"].append(i)
                state["turn"] = (i + 1) % N
                cond.notify_all()
    join_all(start_all(work))
    log = state["log"]
    show("turns", len(log))
    show("strict order", log == list(range(N)) * 20)


@section
def barrier_phases():
    barrier = threading.Barrier(N)
    phases = [[] for _ in range(5)]
    lock = threading.Lock()

    def work(i):
        for p in range(5):
            with lock:
                phases[p].append(i)
            barrier.wait()
            with lock:
                # everybody finished phase p before anybody starts phase p + 1
                assert len(phases[p]) == N
    show("alive", join_all(start_all(work)))
    show("phases", [sorted(p) == list(range(N)) for p in phases])


@section
def events_and_semaphores():
    go = threading.Event()
    sem = threading.BoundedSemaphore(3)
    lock = threading.Lock()
    inside = [0, 0]

    def work(i):
        go.wait()
        for _ in range(20):
            with sem:
                with lock:
                    inside[0] += 1
                    inside[1] = max(inside[1], inside[0])
                time.sleep(0.0005)
                with lock:
                    inside[0] -= 1
    threads = start_all(work)
    time.sleep(0.05)
    show("waiting on the event", sum(t.is_alive() for t in threads))
    go.set()
    join_all(threads)
    show("never more than 3 inside", inside[1] <= 3)
    show("all left", inside[0])
    try:
        sem.release()
    except ValueError as e:
        show("over-release", e)
    show("event wait timeout", threading.Event().wait(0.01))


@section
def queues():
    tasks = queue.Queue()
    results = queue.Queue()

    def work(i):
        while True:
            item = tasks.get()
            if item is None:
                tasks.task_done()
                return
            results.put((item, hashlib.sha256(str(item).encode()).hexdigest()[:8]))
            tasks.task_done()
    threads = start_all(work)
    for item in range(1000):
        tasks.put(item)
    for _ in range(N):
        tasks.put(None)
    tasks.join()
    join_all(threads)
    out = sorted(results.get() for _ in range(results.qsize()))
    show("results", len(out))
    show("digest", hashlib.sha256(repr(out).encode()).hexdigest())
    try:
        queue.Queue().get(timeout=0.01)
    except queue.Empty:
        show("get timeout", "Empty")


@section
def pool_and_locals():
    local = threading.local()

    def job(n):
        local.total = getattr(local, "total", 0) + n
        return sum(i * i for i in range(n))
    with concurrent.futures.ThreadPoolExecutor(max_workers=N) as pool:
        show("map", sum(pool.map(job, range(500))))
        futures = [pool.submit(pow, 3, k, 1000003) for k in range(100)]
        show("submit", sum(f.result() for f in futures))
    local.total = "main"
    show("local in main untouched", local.total)


@section
def rlock_and_timer():
    rlock = threading.RLock()
    with rlock:
        with rlock:
            show("rlock reentrant", True)
    fired = threading.Event()
    timer = threading.Timer(0.05, fired.set)
    timer.start()
    show("timer fired", fired.wait(10))
    timer.join()
    cancelled = threading.Timer(10, fired.clear)
    cancelled.start()
    cancelled.cancel()
    cancelled.join()
    show("timer cancelled", fired.is_set())


run()
