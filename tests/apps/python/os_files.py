"""os, fcntl and mmap on files in /tmp: links, locks, memory maps, memfd, fallocate, sendfile,
copy_file_range, O_TMPFILE, statvfs and eventfd, as programs use them."""
import errno
import fcntl
import mmap
import os
import stat
import threading

from common import run, scratch, section, show


def tmp(name):
    return os.path.join(scratch(), name)


def write(name, data):
    with open(tmp(name), "wb") as f:
        f.write(data)


@section
def links():
    write("data", b"linked data")
    os.symlink("data", tmp("sym"))
    show("readlink", os.readlink(tmp("sym")))
    show("islink", (os.path.islink(tmp("sym")), stat.S_ISLNK(os.lstat(tmp("sym")).st_mode)))
    show("through the link", open(tmp("sym"), "rb").read())
    os.link(tmp("data"), tmp("hard"))
    st, st2 = os.stat(tmp("data")), os.stat(tmp("hard"))
    show("hard link", (st.st_ino == st2.st_ino, st.st_nlink))
    os.symlink("nowhere", tmp("dangling"))
    show("dangling exists", (os.path.exists(tmp("dangling")), os.path.lexists(tmp("dangling"))))
    show("realpath", os.path.relpath(os.path.realpath(tmp("sym")), scratch()))
    os.remove(tmp("data"))
    show("hard link survives", (open(tmp("hard"), "rb").read(), os.stat(tmp("hard")).st_nlink))
    try:
        os.stat(tmp("sym"))
    except FileNotFoundError as e:
        show("broken link", errno.errorcode[e.errno])


@section
def locks():
    write("locked", b"x" * 100)
    fd = os.open(tmp("locked"), os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
    fcntl.flock(fd, fcntl.LOCK_SH)
    other = os.open(tmp("locked"), os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as e:
        show("flock conflict", errno.errorcode[e.errno])
    fcntl.flock(fd, fcntl.LOCK_UN)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    show("flock after unlock", "taken")
    # POSIX record locks belong to the process: the same process may take them again.
    fcntl.lockf(other, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
    show("lockf same process", "taken")
    os.close(other)
    os.close(fd)


@section
def memory_maps():
    write("mapped", bytes(range(256)) * 64)
    with open(tmp("mapped"), "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        show("size", len(m))
        show("read", m[250:260])
        m[0:5] = b"HELLO"
        show("find", m.find(b"\xff\x00\x01"))
        m.flush()
        m.close()
    show("written through", open(tmp("mapped"), "rb").read(8))
    with open(tmp("mapped"), "rb") as f:
        m = mmap.mmap(f.fileno(), 4096, prot=mmap.PROT_READ, offset=4096)
        show("offset map", m[:4])
        m.close()
    anon = mmap.mmap(-1, 1 << 20)
    anon[-3:] = b"end"
    show("anonymous", (anon[:3], anon[-3:]))
    anon.close()


@section
def memfd_and_tmpfile():
    fd = os.memfd_create("elfin", os.MFD_CLOEXEC)
    os.write(fd, b"in memory")
    show("memfd", (os.pread(fd, 100, 0), os.fstat(fd).st_size))
    show("memfd link", os.readlink(f"/proc/self/fd/{fd}"))
    os.close(fd)
    fd = os.open(scratch(), os.O_TMPFILE | os.O_RDWR, 0o600)
    os.write(fd, b"nameless")
    show("O_TMPFILE", (os.pread(fd, 100, 0), os.listdir(scratch()).count("nameless")))
    os.close(fd)


@section
def space_and_copies():
    fd = os.open(tmp("space"), os.O_RDWR | os.O_CREAT, 0o644)
    os.posix_fallocate(fd, 0, 1 << 20)
    show("fallocate", os.fstat(fd).st_size)
    os.ftruncate(fd, 100)
    os.pwrite(fd, b"tail", 96)
    os.fdatasync(fd)
    os.close(fd)
    write("source", b"0123456789" * 10000)
    src = os.open(tmp("source"), os.O_RDONLY)
    dst = os.open(tmp("sent"), os.O_WRONLY | os.O_CREAT, 0o644)
    show("sendfile", os.sendfile(dst, src, 10, 50000))
    os.close(dst)
    dst = os.open(tmp("copied"), os.O_WRONLY | os.O_CREAT, 0o644)
    copied = 0
    while True:
        n = os.copy_file_range(src, dst, 1 << 16)
        if n == 0:
            break
        copied += n
    show("copy_file_range", copied)
    os.close(dst)
    os.close(src)
    show("contents", (open(tmp("sent"), "rb").read(12), open(tmp("copied"), "rb").read()
                      == open(tmp("source"), "rb").read()))
    vfs = os.statvfs(scratch())
    show("statvfs sane", vfs.f_bsize > 0 and vfs.f_blocks >= vfs.f_bfree)


@section
def eventfd_between_threads():
    fd = os.eventfd(0)
    threads = [threading.Thread(target=os.eventfd_write, args=(fd, i)) for i in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    show("eventfd sum", os.eventfd_read(fd))
    os.close(fd)


run()
