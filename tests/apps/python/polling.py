"""select: select, poll, epoll and selectors over pipes fed by threads, with timeouts."""
import os
import select
import selectors
import threading
import time

from common import run, section, show


def writer(fd, chunks, delay):
    def run():
        for chunk in chunks:
            time.sleep(delay)
            os.write(fd, chunk)
        os.close(fd)
    t = threading.Thread(target=run)
    t.start()
    return t


@section
def select_pipes():
    r, w = os.pipe()
    start = time.monotonic()
    show("timeout", select.select([r], [], [], 0.1))
    show("waited", time.monotonic() - start >= 0.09)
    show("writable", select.select([], [w], [], 0)[1] == [w])
    os.write(w, b"x")
    show("readable", select.select([r], [], [], 0)[0] == [r])
    os.read(r, 1)
    t = writer(w, [b"a", b"bb", b"ccc"], 0.02)
    got = b""
    while True:
        ready, _, _ = select.select([r], [], [], 5)
        if not ready:
            break
        data = os.read(r, 100)
        if not data:
            break
        got += data
    t.join()
    os.close(r)
    show("collected", got)


@section
def poll_pipes():
    r, w = os.pipe()
    p = select.poll()
    p.register(r, select.POLLIN)
    show("empty", p.poll(50))
    os.write(w, b"data")
    show("in", [(fd == r, ev) for fd, ev in p.poll(0)])
    os.read(r, 100)
    os.close(w)
    show("hangup", [(fd == r, ev & (select.POLLHUP | select.POLLIN)) for fd, ev in p.poll(1000)])
    p.unregister(r)
    os.close(r)
    p.register(r, select.POLLIN)
    show("closed fd", [(fd == r, ev) for fd, ev in p.poll(0)])


@section
def epoll_many():
    pipes = [os.pipe() for _ in range(8)]
    ep = select.epoll()
    for i, (r, w) in enumerate(pipes):
        ep.register(r, select.EPOLLIN)
    threads = [writer(w, [b"%d" % i] * 3, 0.01 * (i + 1)) for i, (r, w) in enumerate(pipes)]
    received = {r: b"" for r, _ in pipes}
    open_fds = len(pipes)
    while open_fds:
        events = ep.poll(5)
        if not events:
            break
        for fd, ev in events:
            data = os.read(fd, 100)
            received[fd] += data
            if not data:
                ep.unregister(fd)
                os.close(fd)
                open_fds -= 1
    for t in threads:
        t.join()
    show("epoll", [received[r] for r, _ in pipes])
    show("empty wait", ep.poll(0.01))
    ep.close()
    show("closed", ep.closed)


@section
def epoll_edge_and_oneshot():
    r, w = os.pipe()
    ep = select.epoll()
    ep.register(r, select.EPOLLIN | select.EPOLLET)
    os.write(w, b"12345")
    show("edge first", len(ep.poll(0)))
    show("edge again", len(ep.poll(0)))
    os.write(w, b"6")
    show("edge new data", len(ep.poll(0)))
    ep.modify(r, select.EPOLLIN | select.EPOLLONESHOT)
    show("oneshot", len(ep.poll(0)))
    show("oneshot disarmed", len(ep.poll(0)))
    ep.close()
    os.close(r)
    os.close(w)


@section
def selector_loop():
    sel = selectors.DefaultSelector()
    show("selector", type(sel).__name__)
    pairs = [os.pipe() for _ in range(4)]
    for i, (r, w) in enumerate(pairs):
        os.set_blocking(r, False)
        sel.register(r, selectors.EVENT_READ, data=i)
    threads = [writer(w, [b"m%d;" % i] * 5, 0.005) for i, (r, w) in enumerate(pairs)]
    out = {}
    remaining = len(pairs)
    while remaining:
        for key, _ in sel.select(timeout=5):
            data = os.read(key.fd, 100)
            if data:
                out[key.data] = out.get(key.data, b"") + data
            else:
                sel.unregister(key.fd)
                os.close(key.fd)
                remaining -= 1
    for t in threads:
        t.join()
    show("messages", sorted(out.items()))
    sel.close()


run()
