"""What a program learns about itself and the machine: /proc/self, /proc, resource limits
and usage, scheduling, sysconf. Only facts that hold on any Linux are printed."""
import os
import resource
import sys
import time

from common import run, section, show


def read(path):
    with open(path, "rb") as f:
        return f.read()


@section
def proc_self():
    show("exe", os.readlink("/proc/self/exe") == os.path.realpath(sys.executable))
    show("cmdline", read("/proc/self/cmdline").split(b"\0")[1:-1]
         == [a.encode() for a in sys.argv])
    show("environ has TZ", b"TZ=UTC" in read("/proc/self/environ").split(b"\0"))
    show("cwd", os.readlink("/proc/self/cwd") == os.getcwd())
    status = dict(line.split(":", 1) for line in read("/proc/self/status").decode().splitlines())
    show("status", (status["Name"].strip(), int(status["Pid"]) == os.getpid(),
                    int(status["Threads"]), "VmRSS" in status))
    stat = read("/proc/self/stat").decode()
    show("stat", (int(stat.split()[0]) == os.getpid(), stat[stat.index("("):stat.index(")") + 1]))
    maps = read("/proc/self/maps").decode().splitlines()
    show("maps name the executable", any(line.endswith(os.path.realpath(sys.executable))
                                         for line in maps))
    show("maps have a stack", any(line.endswith("[stack]") for line in maps))
    fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
    show("fds 0-2 open", fds[:3])
    show("fd link", os.readlink("/proc/self/fd/1").startswith("pipe:"))
    auxv = read("/proc/self/auxv")
    show("auxv", len(auxv) % 16 == 0 and len(auxv) > 16)
    mounts = read("/proc/self/mounts").decode().splitlines()
    show("mounts", any(line.split()[1] == "/" for line in mounts))


@section
def proc_machine():
    cpus = [line for line in read("/proc/cpuinfo").decode().splitlines()
            if line.startswith("processor")]
    show("cpuinfo processors", len(cpus) == os.cpu_count())
    meminfo = dict(line.split(":", 1) for line in read("/proc/meminfo").decode().splitlines())
    show("meminfo", int(meminfo["MemTotal"].split()[0]) > 0)
    up = read("/proc/uptime").split()
    show("uptime", (len(up), float(up[0]) > 0))
    show("loadavg", (len(read("/proc/loadavg").split()), len(os.getloadavg())))
    show("stat cpu line", read("/proc/stat").startswith(b"cpu "))
    show("ostype", read("/proc/sys/kernel/ostype"))
    show("osrelease", read("/proc/sys/kernel/osrelease").decode().strip() == os.uname().release)


@section
def limits():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    show("nofile sane", 0 < soft <= hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, hard))
    show("nofile set", resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    opened = []
    try:
        while True:
            opened.append(os.open("/dev/null", os.O_RDONLY))
    except OSError as e:
        show("exhausted", (os.strerror(e.errno), max(opened) == 31))
    for fd in opened:
        os.close(fd)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard + 1, hard))
    except ValueError as e:
        show("above hard", e)
    stack = resource.getrlimit(resource.RLIMIT_STACK)
    show("stack limit", stack[0] == resource.RLIM_INFINITY or stack[0] >= 1 << 20)
    show("prlimit", resource.prlimit(0, resource.RLIMIT_NOFILE) == (soft, hard))


@section
def usage_and_times():
    start = time.process_time()
    sum(i * i for i in range(300000))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    show("rusage", (ru.ru_utime + ru.ru_stime > 0, ru.ru_maxrss > 1000))
    show("thread rusage", resource.getrusage(resource.RUSAGE_THREAD).ru_utime >= 0)
    t = os.times()
    show("times", t.user + t.system > 0 and t.elapsed > 0)
    show("process_time moved", time.process_time() > start)


@section
def scheduling_and_identity():
    cpus = os.sched_getaffinity(0)
    show("affinity", len(cpus) >= 1 and len(cpus) <= os.cpu_count())
    os.sched_setaffinity(0, {min(cpus)})
    show("affinity set", os.sched_getaffinity(0) == {min(cpus)})
    os.sched_setaffinity(0, cpus)
    show("scheduler", (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority))
    os.sched_yield()
    show("priority", os.getpriority(os.PRIO_PROCESS, 0))
    show("sysconf", (os.sysconf("SC_PAGESIZE"), os.sysconf("SC_CLK_TCK"),
                     os.sysconf("SC_NPROCESSORS_ONLN") == os.cpu_count(),
                     os.sysconf("SC_OPEN_MAX") == resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    show("session", (os.getsid(0) > 0, os.getpgid(0) > 0, os.getppid() > 0))
    show("groups", os.getgroups() == os.getgroups())
    show("umask", oct(os.umask(0o22)))


run()
