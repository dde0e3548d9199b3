"""signal: handlers, alarm and interval timers interrupting sleeps and blocking reads, masks,
pending signals, sigwait, signals directed at threads, and the wakeup fd."""
import errno
import os
import select
import signal
import threading
import time

from common import run, section, show

caught = []


def record(signum, frame):
    caught.append(signal.Signals(signum).name)


class Interrupted(Exception):
    pass


def interrupt(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


@section
def handlers():
    del caught[:]
    show("default SIGUSR1", signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL)
    old = signal.signal(signal.SIGUSR1, record)
    show("previous", old == signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGUSR1)
    signal.raise_signal(signal.SIGUSR1)
    signal.signal(signal.SIGUSR2, record)
    signal.pthread_kill(threading.get_ident(), signal.SIGUSR2)
    show("caught", caught)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    os.kill(os.getpid(), signal.SIGUSR1)
    show("ignored", caught[-1:])
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
    signal.signal(signal.SIGUSR2, signal.SIG_DFL)
    show("strsignal", signal.strsignal(signal.SIGALRM))
    show("valid", len(signal.valid_signals()) > 60)


@section
def alarm_interrupts_sleep():
    del caught[:]
    signal.signal(signal.SIGALRM, record)
    show("alarm first", signal.alarm(1))
    show("alarm pending", signal.alarm(1) in (0, 1))
    start = time.monotonic()
    time.sleep(1.2)         # the handler runs, then the sleep resumes (PEP 475)
    show("slept through", time.monotonic() - start >= 1.15)
    show("caught", caught)
    signal.signal(signal.SIGALRM, interrupt)
    show("alarm again", signal.alarm(10))
    signal.setitimer(signal.ITIMER_REAL, 0.2)      # replaces the alarm
    start = time.monotonic()
    try:
        time.sleep(5)
    except Interrupted as e:
        show("sleep broken by", e)
    show("after", 0.15 <= time.monotonic() - start < 3)
    show("alarm cancelled", signal.alarm(0))


@section
def itimer_interrupts_read():
    signal.signal(signal.SIGALRM, interrupt)
    r, w = os.pipe()
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    show("getitimer running", 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.2)
    try:
        os.read(r, 1)
    except Interrupted as e:
        show("read broken by", e)
    del caught[:]
    signal.signal(signal.SIGALRM, record)
    signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
    deadline = time.monotonic() + 10
    while len(caught) < 5 and time.monotonic() < deadline:
        signal.pause()
    signal.setitimer(signal.ITIMER_REAL, 0)
    show("periodic ticks", len(caught) >= 5)
    show("stopped", signal.getitimer(signal.ITIMER_REAL))
    os.close(r)
    os.close(w)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


@section
def masks_and_pending():
    del caught[:]
    signal.signal(signal.SIGUSR1, record)
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    show("blocked before", signal.SIGUSR1 in old)
    os.kill(os.getpid(), signal.SIGUSR1)
    show("pending", signal.sigpending() == {signal.SIGUSR1})
    show("not yet delivered", caught)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
    show("delivered on unblock", caught)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    os.kill(os.getpid(), signal.SIGUSR2)
    show("sigwait", signal.Signals(signal.sigwait({signal.SIGUSR2})).name)
    os.kill(os.getpid(), signal.SIGUSR2)
    info = signal.sigwaitinfo({signal.SIGUSR2})
    show("sigwaitinfo", (signal.Signals(info.si_signo).name, info.si_pid == os.getpid()))
    show("sigtimedwait timeout", signal.sigtimedwait({signal.SIGUSR2}, 0.05))
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)


@section
def thread_directed():
    del caught[:]
    signal.signal(signal.SIGUSR1, record)
    ready = threading.Event()
    stop = threading.Event()

    def worker():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        ready.set()
        stop.wait(10)
    t = threading.Thread(target=worker)
    t.start()
    ready.wait(10)
    signal.pthread_kill(t.ident, signal.SIGUSR1)      # blocked there: stays pending on it
    time.sleep(0.05)
    show("blocked in the thread", caught)
    signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
    show("sent to main", caught)
    stop.set()
    t.join()
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)


@section
def wakeup_fd():
    r, w = os.pipe2(os.O_NONBLOCK)
    old = signal.set_wakeup_fd(w)
    signal.signal(signal.SIGUSR1, lambda *a: None)
    os.kill(os.getpid(), signal.SIGUSR1)
    ready, _, _ = select.select([r], [], [], 5)
    show("wakeup byte", (ready == [r], os.read(r, 10)))
    signal.set_wakeup_fd(old)
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
    os.close(r)
    os.close(w)


@section
def interrupted_system_call():
    signal.signal(signal.SIGALRM, record)
    signal.siginterrupt(signal.SIGALRM, True)
    r, w = os.pipe()
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    # PEP 475: the read is retried after the handler, so feed it from a thread.
    threading.Timer(0.4, os.write, (w, b"late")).start()
    show("read retried", os.read(r, 10))
    os.close(r)
    os.close(w)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    try:
        os.kill(999999999, 0)
    except ProcessLookupError as e:
        show("kill missing pid", errno.errorcode[e.errno])


run()
