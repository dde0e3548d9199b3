"""mutants.py: deliberately broken kernels, each the kind of slip a real change could make.

`make mutate` (tests/mutate/mutate.py) builds elfin once per mutant with one edit applied and runs
the differential suite's subsets named here against it: the suite must fail and name cases. A
mutant the suite does not kill is a hole in the tests, to be closed by a check that sees it.

Each edit replaces text that must occur exactly once in its file, so a mutant that no longer
applies after the code moved is reported, not silently skipped.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    path: str     # the file, from the top of the tree
    before: str   # text occurring once in it
    after: str    # what it becomes
    why: str      # the bug it stands for
    suites: tuple = ("abi/",)  # the case-name filters (tests/run.py -k) run against it


MUTANTS = [
    Mutant("getppid-off-by-one", "kernel/proc/sys_proc.c",
           "long sys_getppid(void) { return curproc()->ppid; }",
           "long sys_getppid(void) { return curproc()->ppid + 1; }",
           "getppid answers a pid one off"),
    Mutant("exit-status-7-bits", "kernel/proc/thread.c",
           "long sys_exit_group(int status)\n{\n\tproc_exit_group(status);",
           "long sys_exit_group(int status)\n{\n\tproc_exit_group(status & 0x7f);",
           "exit_group keeps 7 bits of the status instead of 8"),
    Mutant("umask-returns-new", "kernel/fs/sys_path.c",
           "\tp->umask = mask & 0777;\n\treturn old;",
           "\tp->umask = mask & 0777;\n\treturn p->umask;",
           "umask returns the new mask, not the old one"),
    Mutant("getcwd-length-without-nul", "kernel/fs/sys_path.c",
           "\treturn copy_to_user(buf, cwd, n) < 0 ? -EFAULT : (long)n;",
           "\treturn copy_to_user(buf, cwd, n) < 0 ? -EFAULT : (long)n - 1;",
           "getcwd's result leaves out the terminating NUL Linux counts"),
    Mutant("lseek-cur-as-set", "kernel/fs/sys_fd.c",
           "f->ops->lseek ? f->ops->lseek(f, off, whence) : -ESPIPE;",
           "f->ops->lseek ? f->ops->lseek(f, off, whence == 1 ? 0 : whence) : -ESPIPE;",
           "lseek treats SEEK_CUR as SEEK_SET"),
    Mutant("dup3-any-flags", "kernel/fs/sys_fd.c",
           "\tif (fd == newfd || (flags & ~O_CLOEXEC))\n\t\treturn -EINVAL;",
           "\tif (fd == newfd)\n\t\treturn -EINVAL;",
           "dup3 accepts flags other than O_CLOEXEC"),
    Mutant("tmpfs-read-one-short", "kernel/fs/tmpfs_file.c",
           "\t\tlen = MIN(len, n->size - (size_t)off);",
           "\t\tlen = MIN(len - 1, n->size - (size_t)off);",
           "a tmpfs read returns one byte less than asked when more is there"),
    Mutant("tmpfs-getdents-drops-last", "kernel/fs/tmpfs_file.c",
           "for (struct tdent *e = d->dents; e && r == 0; e = e->next) {",
           "for (struct tdent *e = d->dents; e && e->next && r == 0; e = e->next) {",
           "listing a tmpfs directory leaves out its last entry"),
    Mutant("tmpfs-stat-blocks", "kernel/fs/tmpfs_file.c",
           "\t\tst->blocks = (int64_t)(PAGE_UP(n->size) / 512);",
           "\t\tst->blocks = (int64_t)(n->size / 512);",
           "st_blocks of a tmpfs file counts whole sectors of its size, not its pages"),
    Mutant("tmpfs-o-excl-ignored", "kernel/fs/tmpfs.c",
           "\tif ((flags & O_CREAT) && (flags & O_EXCL))\n\t\treturn -EEXIST;",
           "",
           "open(O_CREAT|O_EXCL) of an existing tmpfs file succeeds"),
    Mutant("sigprocmask-block-replaces", "kernel/proc/signal.c",
           "t->sigmask = how == SIG_BLOCK ? old | n :",
           "t->sigmask = how == SIG_BLOCK ? n :",
           "SIG_BLOCK replaces the signal mask instead of adding to it"),
    Mutant("pipe-nonblock-eof", "kernel/fs/pipe.c",
           "long r = p->len ? take(p, ubuf, len) : p->writers ? -EAGAIN : 0;",
           "long r = p->len ? take(p, ubuf, len) : p->writers && !(f->flags & O_NONBLOCK) ? -EAGAIN : 0;",
           "a non-blocking read of an empty pipe reads end-of-file instead of EAGAIN"),
    Mutant("readlink-reserves-nul", "kernel/fs/sys_path.c",
           "\tlong r = vfs_readlink(&lk, tmp, MIN(size, (size_t)PATH_MAX));",
           "\tlong r = vfs_readlink(&lk, tmp, MIN(size - 1, (size_t)PATH_MAX));",
           "readlink keeps a byte for a NUL it never writes, truncating a link that just fits"),
    Mutant("epoll-oneshot-rearms", "kernel/fs/epoll.c",
           "\t\tif (it->events & EPOLLONESHOT)\n\t\t\tit->disabled = true;",
           "",
           "an EPOLLONESHOT item keeps reporting after its event"),
    Mutant("sa-resethand-ignored", "kernel/proc/signal.c",
           "\tif (act.handler > SIG_IGN && (act.flags & SA_RESETHAND))\n\t\tp->act[sig].handler = SIG_DFL;",
           "",
           "SA_RESETHAND leaves the handler installed"),
    Mutant("sa-nodefer-inverted", "kernel/proc/signal.c",
           "((act.flags & SA_NODEFER) ? 0 : SIGBIT(sig))",
           "((act.flags & SA_NODEFER) ? SIGBIT(sig) : 0)",
           "a handler runs with its own signal unblocked, and SA_NODEFER blocks it"),
    Mutant("auxv-pagesz", "kernel/exec/exec.c",
           "\tAUX(AT_PAGESZ, PAGE_SIZE);",
           "\tAUX(AT_PAGESZ, 2 * PAGE_SIZE);",
           "the auxiliary vector gives the wrong page size"),
    Mutant("mprotect-ignores-prot", "kernel/mm/mm.c",
           "\tlong r = len ? plat_protect(addr, PAGE_UP(len), prot) : 0;",
           "\tlong r = len ? plat_protect(addr, PAGE_UP(len), prot | PROT_READ) : 0;",
           "mprotect(PROT_NONE) leaves pages readable"),
    Mutant("vdso-usec", "vdso/vdso.c",
           "\t\ttv->tv_usec = ns / 1000;",
           "\t\ttv->tv_usec = ns / 1024;",
           "the vDSO's gettimeofday scales nanoseconds to microseconds wrongly"),
    Mutant("uname-machine", "kernel/proc/sys_proc.c",
           "\tstrlcpy(u.machine, \"x86_64\", sizeof u.machine);",
           "\tstrlcpy(u.machine, \"x86-64\", sizeof u.machine);",
           "uname's machine field is misspelt", ("abi/", "coreutils/")),
    Mutant("preload-errno-sign", "preload/direct.h",
           "\t\t*__errno_location() = (int)-r;",
           "\t\t*__errno_location() = (int)r;",
           "the adapter library stores errno negated (only the library's path breaks)"),
]
