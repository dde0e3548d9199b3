#!/usr/bin/env python3
"""gen_badarg.py: writes the table-driven bad-argument test from the one syscall list.

usage: gen_badarg.py SYSCALLS_TBL OUT_C

For every call of kernel/sys/syscalls.tbl that is impl or stub, OUT_C gets cases of the raw
system call with one argument bad and every other argument valid and harmless:
- every argument that is a pointer (a `*` in its C type, or a pointer by Linux semantics: see
  SPECS) made a bad pointer;
- every argument that selects behaviour (flags, a command, a mode, a clock, a signal: see
  FLAG_NAMES) made every bit set, then one bit no call defines (1 << 30).
tests/badinput/badarg.h runs the cases (passes, fixtures, output format); the program is built
in two link variants, one per libc (tests/tests.mk), and tests/run.py compares its native and
elfin runs, one case per call (badarg/<variant>/<call>: the program's argument names the call).

The arguments come from SPECS (reviewed per call against its Linux semantics; the flag cases use
a call's first variant), else, for a call added to the list since, from defaults guessed from the
argument types and names (the generated file lists those calls: review them and add a spec).
Calls in SKIP get no bad pointers and calls in FLAG_SKIP no bad flags, with why.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import gensyscalls  # noqa: E402  (the list's one parser)

# Calls with pointer arguments left out, and why: a bad pointer there is not an errno the rest
# of the run can survive or compare, or the "pointer" is an address never dereferenced. (exit,
# exit_group and rt_sigreturn take no pointer; execve, fork and vfork are enosys.)
SKIP = {
    "mmap": "arg0 is an address hint, never dereferenced",
    "mprotect": "changes the protection of an address range: no pointer is dereferenced",
    "munmap": "unmaps an address range (it would unmap the test's own bad pages)",
    "mremap": "moves address ranges: no pointer is dereferenced",
    "madvise": "advice on an address range: no pointer is dereferenced",
    "msync": "flushes an address range: no pointer is dereferenced",
    "mlock": "locks an address range: no pointer is dereferenced",
    "munlock": "unlocks an address range: no pointer is dereferenced",
    "mlock2": "locks an address range: no pointer is dereferenced",
    "brk": "moves the program break: the argument is an address, not a pointer",
    "clone": "a bad stack is a crash of the new thread, bad tid pointers are written by it "
             "later; tests/abi/threads.c covers clone",
    "clone3": "as clone: the new thread would run on a bad stack",
    "set_tid_address": "stores the pointer for the exit-time clear without reading it and "
                       "returns the tid (nondeterministic)",
    "set_robust_list": "stores the pointer without reading it; glibc's robust mutexes would "
                       "lose their list",
    "execve": "replaces the program",
}

# The arguments that select behaviour, by name in the list (pointers excluded), and `int mode`
# (access's and fallocate's, not a file mode); each gets the bad-flag cases.
FLAG_NAMES = {"flags", "how", "whence", "op", "cmd", "which", "advice", "clk", "code", "type", "sig"}

# Calls with such arguments left out of the bad-flag cases, and why.
FLAG_SKIP = {
    "clone": "every flag bit set asks for a new process sharing nothing, or worse; "
             "tests/abi/threads.c covers clone's flags",
}

# Flag-case arguments for calls without a usable SPECS entry (mmap's there names no flags).
FLAG_SPECS = {
    "mmap": ["0", "4096", "PROT_READ", "MAP_PRIVATE | MAP_ANONYMOUS", "-1", "0"],
}

# Per call, its variants: each is (label, C arguments, targets, written).
#   label: "" or "/WHAT", appended to the call's name (one call, several uses).
#   arguments: C expressions, Linux's prototype (where the list's types are generic or are not
#     pointers but Linux dereferences the value, the spec says so). B is the bad pointer.
#   targets: the pointer arguments to make bad in turn (indexes; None: every argument whose
#     list type has a `*`), or a string naming a pointer inside a structure, whose argument
#     list already holds B.
#   written: whether the call writes through the target (None: the list type is not const;
#     a set: the indexes of the targets written).
# Fixtures (fx.*, V) are in tests/badinput/badarg.h. Valid values avoid changing the process:
# empty signal sets, SIG_DFL for SIGUSR1, timers disarmed, zero timeouts.
AT = "AT_FDCWD"
SPECS = {
    "read": [("", ["fx.file", "V", "64"], None, None)],
    "write": [("", ["fx.wpipe", "V", "64"], None, None)],
    "open": [("", ["fx.path", "O_RDONLY", "0"], None, None)],
    "stat": [("", ["fx.path", "V"], None, None)],
    "fstat": [("", ["fx.file", "V"], None, None)],
    "lstat": [("", ["fx.link", "V"], None, None)],
    # poll reads the array and writes revents back.
    "poll": [("", ["&fx.pfd", "1", "0"], None, None)],
    "rt_sigaction": [("", ["SIGUSR1", "&fx.sa_dfl", "V", "X_SIGSET_SIZE"], None, None)],
    "rt_sigprocmask": [("", ["SIG_BLOCK", "&fx.set_empty", "V", "X_SIGSET_SIZE"], None, None)],
    # ioctl's third argument is whatever the request says: FIONBIO reads an int; TCGETS on a
    # pipe is ENOTTY before any access.
    "ioctl": [("/FIONBIO", ["fx.rpipe", "FIONBIO", "V"], None, False),
              ("/TCGETS", ["fx.rpipe", "TCGETS", "V"], None, True)],
    "pread64": [("", ["fx.file", "V", "64", "0"], None, None)],
    "pwrite64": [("", ["fx.file", "V", "64", "0"], None, None)],
    "readv": [("", ["fx.file", "&fx.iov", "1"], None, None),
              ("", ["fx.file", "&fx.iov_bad", "1"], "arg1.iov_base", True)],
    "writev": [("", ["fx.wpipe", "&fx.iov", "1"], None, None),
               ("", ["fx.wpipe", "&fx.iov_bad", "1"], "arg1.iov_base", False)],
    "access": [("", ["fx.path", "F_OK"], None, None)],
    "pipe": [("", ["V"], None, None)],
    # select reads the sets, writes them back, and writes the time left back into tv.
    "select": [("", ["fx.wpipe + 1", "fx.fdset[0]", "fx.fdset[1]", "fx.fdset[2]", "&fx.tv0"],
                None, None)],
    "nanosleep": [("", ["&fx.ts1ns", "V"], None, None)],
    "getitimer": [("", ["ITIMER_REAL", "V"], None, None)],
    "setitimer": [("", ["ITIMER_REAL", "&fx.itv0", "V"], None, None)],
    # No children: Linux says ECHILD before it would write status or rusage.
    "wait4": [("", ["-1", "V", "WNOHANG", "V"], None, None)],
    "uname": [("", ["V"], None, None)],
    # fcntl's third argument is a struct flock pointer for the lock commands.
    "fcntl": [("/F_GETLK", ["fx.file", "F_GETLK", "V"], [2], True),
              ("/F_SETLK", ["fx.file", "F_SETLK", "V"], [2], False)],
    "truncate": [("", ["fx.path", "4096"], None, None)],
    "getcwd": [("", ["V", "4096"], None, None)],
    "chdir": [("", ["fx.dir"], None, None)],
    "rename": [("", ["fx.victim", "fx.newpath"], None, None)],
    "mkdir": [("", ["fx.newpath", "0700"], None, None)],
    "rmdir": [("", ["fx.newpath"], None, None)],
    "link": [("", ["fx.victim", "fx.newpath"], None, None)],
    "unlink": [("", ["fx.newpath"], None, None)],
    "symlink": [("", ["\"v\"", "fx.newpath"], None, None)],
    "readlink": [("", ["fx.link", "V", "64"], None, None)],
    "chmod": [("", ["fx.path", "0600"], None, None)],
    "gettimeofday": [("", ["V", "V"], None, None)],
    "getrlimit": [("", ["RLIMIT_NOFILE", "V"], None, None)],
    "getrusage": [("", ["RUSAGE_SELF", "V"], None, None)],
    "sysinfo": [("", ["V"], None, None)],
    "times": [("", ["V"], None, None)],
    "getgroups": [("", ["64", "V"], None, None)],
    "getresuid": [("", ["V", "V", "V"], None, None)],
    "getresgid": [("", ["V", "V", "V"], None, None)],
    # capget writes the version it prefers back into a header it does not know.
    "capget": [("", ["&fx.caphdr", "V"], None, None)],
    "rt_sigpending": [("", ["V", "X_SIGSET_SIZE"], None, None)],
    # SIGUSR2 is not pending and the timeout is zero: EAGAIN, info is written only on a signal.
    "rt_sigtimedwait": [("", ["&fx.set_usr2", "V", "&fx.ts0", "X_SIGSET_SIZE"], None, None)],
    "rt_sigqueueinfo": [("", ["fx.pid", "SIGUSR2", "V"], None, None)],
    "rt_tgsigqueueinfo": [("", ["fx.pid", "fx.tid", "SIGUSR2", "V"], None, None)],
    "rt_sigsuspend": [("", ["&fx.set_empty", "X_SIGSET_SIZE"], None, None)],
    # The new stack disables the (absent) alternate stack; its ss_sp is an address, not a
    # pointer the call dereferences.
    "sigaltstack": [("", ["&fx.ss_disable", "V"], None, None)],
    "utime": [("", ["fx.path", "&fx.utb"], None, None)],
    "statfs": [("", ["fx.path", "V"], None, None)],
    "fstatfs": [("", ["fx.file", "V"], None, None)],
    "sched_setparam": [("", ["0", "V"], None, None)],
    "sched_getparam": [("", ["0", "V"], None, None)],
    "sched_setscheduler": [("", ["0", "SCHED_OTHER", "V"], None, None)],
    "sched_rr_get_interval": [("", ["0", "V"], None, None)],
    # prctl and arch_prctl take pointers as unsigned long for some codes. PR_SET_NAME reads
    # 16 bytes, PR_GET_NAME and ARCH_GET_FS write. ARCH_SET_FS is left out: it would move
    # the thread's TLS.
    "prctl": [("/PR_SET_NAME", ["X_PR_SET_NAME", "V", "0", "0", "0"], [1], False),
              ("/PR_GET_NAME", ["X_PR_GET_NAME", "V", "0", "0", "0"], [1], True)],
    "arch_prctl": [("/ARCH_GET_FS", ["X_ARCH_GET_FS", "V"], [1], True)],
    # The list gives the xattr calls five generic arguments; these are Linux's prototypes.
    "setxattr": [("", ["fx.path", "\"user.elfin\"", "V", "4", "0"], [0, 1, 2], False)],
    "lsetxattr": [("", ["fx.path", "\"user.elfin\"", "V", "4", "0"], [0, 1, 2], False)],
    "fsetxattr": [("", ["fx.file", "\"user.elfin\"", "V", "4", "0"], [1, 2], False)],
    "getxattr": [("", ["fx.path", "\"user.elfin\"", "V", "64"], [0, 1], False),
                 ("", ["fx.path", "\"user.elfin\"", "V", "64"], [2], True)],
    "lgetxattr": [("", ["fx.path", "\"user.elfin\"", "V", "64"], [0, 1], False),
                  ("", ["fx.path", "\"user.elfin\"", "V", "64"], [2], True)],
    "fgetxattr": [("", ["fx.file", "\"user.elfin\"", "V", "64"], [1], False),
                  ("", ["fx.file", "\"user.elfin\"", "V", "64"], [2], True)],
    "listxattr": [("", ["fx.path", "V", "64"], [0], False),
                  ("", ["fx.path", "V", "64"], [1], True)],
    "llistxattr": [("", ["fx.path", "V", "64"], [0], False),
                   ("", ["fx.path", "V", "64"], [1], True)],
    "flistxattr": [("", ["fx.file", "V", "64"], [1], True)],
    "removexattr": [("", ["fx.path", "\"user.elfin\""], [0, 1], False)],
    "lremovexattr": [("", ["fx.path", "\"user.elfin\""], [0, 1], False)],
    "fremovexattr": [("", ["fx.file", "\"user.elfin\""], [1], False)],
    "time": [("", ["V"], None, None)],
    # WAIT reads the timeout, then the word (0, not 1: no sleep). WAKE_OP writes the word at
    # uaddr2 (its fourth argument is then a count, val2). Left out: uaddr of WAKE and uaddr2
    # of REQUEUE/CMP_REQUEUE, addresses that Linux only hashes, never dereferences.
    "futex": [("/WAIT", ["&fx.fword", "X_FUTEX_WAIT_PRIVATE", "1", "&fx.ts0", "0", "0"],
               [0, 3], False),
              ("/WAKE_OP", ["&fx.fword", "X_FUTEX_WAKE_OP_PRIVATE", "1", "1", "V",
                            "X_FUTEX_OP_ADD_0"], [4], True)],
    "sched_setaffinity": [("", ["0", "128", "V"], None, None)],
    "sched_getaffinity": [("", ["0", "128", "V"], None, None)],
    "getdents64": [("", ["fx.dirfd", "V", "4096"], None, None)],
    "timer_create": [("", ["CLOCK_MONOTONIC", "&fx.sev_none", "V"], None, None)],
    "timer_settime": [("", ["fx.timer", "0", "&fx.its0", "V"], None, None)],
    "timer_gettime": [("", ["fx.timer", "V"], None, None)],
    "clock_gettime": [("", ["CLOCK_MONOTONIC", "V"], None, None)],
    "clock_getres": [("", ["CLOCK_MONOTONIC", "V"], None, None)],
    "clock_nanosleep": [("", ["CLOCK_MONOTONIC", "0", "&fx.ts1ns", "V"], None, None)],
    "epoll_wait": [("", ["fx.ep", "V", "8", "0"], None, None)],
    # epoll_ctl only reads the event (its list type is not const).
    "epoll_ctl": [("", ["fx.ep", "EPOLL_CTL_ADD", "fx.rpipe", "V"], None, False)],
    "utimes": [("", ["fx.path", "fx.tv2"], None, None)],
    "waitid": [("", ["P_ALL", "0", "V", "WEXITED | WNOHANG", "V"], None, None)],
    "openat": [("", [AT, "fx.path", "O_RDONLY", "0"], None, None)],
    "mkdirat": [("", [AT, "fx.newpath", "0700"], None, None)],
    "futimesat": [("", [AT, "fx.path", "fx.tv2"], None, None)],
    "newfstatat": [("", [AT, "fx.path", "V", "0"], None, None)],
    "unlinkat": [("", [AT, "fx.newpath", "0"], None, None)],
    "renameat": [("", [AT, "fx.victim", AT, "fx.newpath"], None, None)],
    "linkat": [("", [AT, "fx.victim", AT, "fx.newpath", "0"], None, None)],
    "symlinkat": [("", ["\"v\"", AT, "fx.newpath"], None, None)],
    "readlinkat": [("", [AT, "fx.link", "V", "64"], None, None)],
    "fchmodat": [("", [AT, "fx.path", "0600"], None, None)],
    "faccessat": [("", [AT, "fx.path", "F_OK"], None, None)],
    "faccessat2": [("", [AT, "fx.path", "F_OK", "0"], None, None)],
    # The sixth argument is {sigset pointer, size}: the set pointer inside is tested too.
    "pselect6": [("", ["fx.wpipe + 1", "fx.fdset[0]", "fx.fdset[1]", "fx.fdset[2]", "&fx.ts0",
                       "&fx.psig"], None, {1, 2, 3, 4}),
                 ("", ["fx.wpipe + 1", "fx.fdset[0]", "fx.fdset[1]", "fx.fdset[2]", "&fx.ts0",
                       "&fx.psig_bad"], "arg5.ss", False)],
    "ppoll": [("", ["&fx.pfd", "1", "&fx.ts0", "&fx.set_empty", "X_SIGSET_SIZE"], None, None)],
    "get_robust_list": [("", ["0", "V", "V"], None, None)],
    "utimensat": [("", [AT, "fx.path", "fx.ts2", "0"], None, None)],
    "epoll_pwait": [("", ["fx.ep", "V", "8", "0", "&fx.set_empty", "X_SIGSET_SIZE"], None, None)],
    "signalfd": [("", ["-1", "&fx.set_usr2", "X_SIGSET_SIZE"], None, None)],
    "timerfd_settime": [("", ["fx.tfd", "0", "&fx.its0", "V"], None, None)],
    "timerfd_gettime": [("", ["fx.tfd", "V"], None, None)],
    "signalfd4": [("", ["-1", "&fx.set_usr2", "X_SIGSET_SIZE", "0"], None, None)],
    "pipe2": [("", ["V", "O_CLOEXEC"], None, None)],
    # Setting the limits they already are, so that the old ones are copied out after.
    "prlimit64": [("", ["0", "RLIMIT_NOFILE", "&fx.rlim", "V"], None, None)],
    "renameat2": [("", [AT, "fx.victim", AT, "fx.newpath", "0"], None, None)],
    "getrandom": [("", ["V", "64", "0"], None, None)],
    "statx": [("", [AT, "fx.path", "0", "X_STATX_BASIC_STATS", "V"], None, None)],
    # getcpu's third argument (a cache) has been ignored since Linux 2.6.24: never dereferenced.
    "getcpu": [("", ["V", "V", "0"], [0, 1], None)],
    "memfd_create": [("", ["\"badarg\"", "0"], None, None)],
}


def is_pointer(arg):
    return "*" in arg["ctype"]


def default_args(call):
    """Arguments guessed from types and names, for a call without a spec."""
    out = []
    for a in call["args"]:
        t, n = a["ctype"].replace(" ", ""), a["name"]
        if t == "constchar*":
            out.append("fx.path")
        elif "*" in t:
            out.append("V")
        elif a["fmt"] == "dirfd":
            out.append(AT)
        elif n in ("fd", "epfd"):
            out.append("fx.file")
        elif t == "size_t" or n in ("len", "count", "size"):
            out.append("64")
        else:
            out.append("0")
    return out


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cases_of(call):
    """The cases of one call: (name, target, written, C arguments)."""
    variants = SPECS.get(call["name"])
    if variants is None:
        variants = [("", default_args(call), None, None)]
    out = []
    for label, args, targets, written in variants:
        name = call["name"] + label
        if isinstance(targets, str):
            out.append((name, targets, bool(written), args))
            continue
        if targets is None:
            targets = [i for i, a in enumerate(call["args"]) if is_pointer(a)]
        for i in targets:
            w = i in written if isinstance(written, set) else written
            if w is None:
                w = i < len(call["args"]) and "const" not in call["args"][i]["ctype"]
            out.append((name, f"arg{i}", bool(w), args[:i] + ["B"] + args[i + 1:]))
    return out


def is_flag(arg):
    t = arg["ctype"].replace(" ", "")
    if "*" in t or t == "unsignedlong":
        return False
    return arg["name"] in FLAG_NAMES or (arg["name"] == "mode" and t == "int")


def flag_cases_of(call):
    """The bad-flag cases of one call: (name, target, C arguments with F at the target)."""
    if call["name"] in FLAG_SPECS:
        args = FLAG_SPECS[call["name"]]
    elif call["name"] in SPECS:
        args = SPECS[call["name"]][0][1]
    else:
        args = default_args(call)
    return [(call["name"], f"arg{i}", args[:i] + ["F"] + args[i + 1:])
            for i, a in enumerate(call["args"]) if is_flag(a)]


def flag_plan(calls):
    """The calls with bad-flag cases."""
    return [c for c in calls if c["status"] != "enosys" and c["name"] not in FLAG_SKIP
            and any(is_flag(a) for a in c["args"])]


def plan(calls):
    """The calls tested, the calls left out and the calls without a spec, from the parsed list."""
    tested, skipped, defaulted = [], [], []
    for c in calls:
        if c["status"] == "enosys":
            continue
        if not (any(is_pointer(a) for a in c["args"]) or c["name"] in SPECS):
            continue
        if c["name"] in SKIP:
            skipped.append(c)
            continue
        if c["name"] not in SPECS:
            defaulted.append(c["name"])
        tested.append(c)
    return tested, skipped, defaulted


def load(tbl_path):
    """The parsed syscall list; exits naming the line on a malformed one."""
    try:
        with open(tbl_path) as f:
            return gensyscalls.parse(f)
    except gensyscalls.ListError as e:
        sys.exit(f"{tbl_path}: {e}")


def tested_calls(tbl_path):
    """The names of the calls the generated program tests (tests/run.py makes a case of each)."""
    calls = load(tbl_path)
    names = {c["name"] for c in plan(calls)[0]} | {c["name"] for c in flag_plan(calls)}
    return [c["name"] for c in calls if c["name"] in names]


def generate(calls):
    tested, skipped, defaulted = plan(calls)
    cases = [(c, *case) for c in tested for case in cases_of(c)]
    fcases = [(c, *case) for c in flag_plan(calls) for case in flag_cases_of(c)]
    out = ["/* Generated by tests/badinput/gen_badarg.py from kernel/sys/syscalls.tbl. "
           "Do not edit. */", "#include \"badarg.h\"", ""]
    out.append("/* Left out of the bad pointers (impl or stub calls with pointer arguments):")
    for c in skipped:
        out.append(f" *   {c['name']}: {SKIP[c['name']]}")
    out.append(" * Left out of the bad flags:")
    for name, why in FLAG_SKIP.items():
        out.append(f" *   {name}: {why}")
    out.append(" */")
    if defaulted:
        out.append("/* No spec in gen_badarg.py, arguments guessed from the list's types: "
                   + ", ".join(defaulted) + ". */")
    out.append("")
    for k, (c, name, target, written, args) in enumerate(cases):
        params = "".join(f", (long)({a})" for a in args)
        out.append(f"static long c{k}(void) {{ return syscall({c['nr']}{params}); }} "
                   f"/* {name} {target} */")
    for k, (c, name, target, args) in enumerate(fcases):
        params = "".join(f", (long)({a})" for a in args)
        out.append(f"static long f{k}(void) {{ return syscall({c['nr']}{params}); }} "
                   f"/* {name} {target} */")
    out += ["", "static const struct ef_case cases[] = {"]
    for k, (c, name, target, written, args) in enumerate(cases):
        out.append(f"\t{{ {c_string(c['name'])}, {c_string(name)}, {c_string(target)}, "
                   f"{int(written)}, EF_POINTER, c{k} }},")
    for k, (c, name, target, args) in enumerate(fcases):
        out.append(f"\t{{ {c_string(c['name'])}, {c_string(name)}, {c_string(target)}, "
                   f"0, EF_FLAGS, f{k} }},")
    out += ["};", "",
            "int main(int argc, char **argv)",
            "{",
            f"\treturn ef_run(cases, {len(cases) + len(fcases)}, argc, argv);",
            "}"]
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip())
    text = generate(load(argv[1]))
    tmp = argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, argv[2])


if __name__ == "__main__":
    main(sys.argv)
