"""os and io: files, descriptors, pipes, directories and buffered/text I/O, in a temporary
directory of /tmp and on the read-only inputs of the working directory."""
import errno
import io
import os
import stat

from common import run, scratch, section, show


def tmp(name):
    return os.path.join(scratch(), name)


@section
def inputs():
    show("cwd has big.txt", os.path.exists("big.txt"))
    st = os.stat("big.txt")
    show("big.txt size", st.st_size)
    show("big.txt regular", stat.S_ISREG(st.st_mode))
    show("dir entries", sorted(os.listdir("dir")))
    show("dir is dir", os.path.isdir("dir"))
    show("mtime", int(os.stat("dir/alpha").st_mtime))
    for root, dirs, files in os.walk("dir"):
        dirs.sort()
        show("walk " + root, sorted(files))
    with os.scandir("dir") as it:
        show("scandir", sorted((e.name, e.is_dir(), e.is_file()) for e in it))
    show("access R_OK", os.access("big.txt", os.R_OK))
    try:
        os.stat("no-such-file")
    except FileNotFoundError as e:
        show("stat missing", errno.errorcode[e.errno])


@section
def reading():
    with open("big.txt", "rb", buffering=0) as f:
        show("raw head", f.read(64)[:20])
        f.seek(-20, os.SEEK_END)
        show("raw tail", f.read())
        show("tell", f.tell())
    with open("big.txt", "r", encoding="ascii") as f:
        lines = f.readlines()
    show("lines", len(lines))
    show("line 5000", lines[5000].rstrip())
    with open("small.txt", encoding="utf-8") as f:
        show("small", repr(f.read()))


@section
def descriptors():
    fd = os.open(tmp("data.bin"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
    show("write", os.write(fd, b"0123456789" * 1000))
    show("lseek", os.lseek(fd, 5, os.SEEK_SET))
    show("read", os.read(fd, 10))
    show("pread", os.pread(fd, 5, 9995))
    show("pwrite", os.pwrite(fd, b"ABCDE", 100))
    os.ftruncate(fd, 4096)
    show("fstat size", os.fstat(fd).st_size)
    show("mode", oct(stat.S_IMODE(os.fstat(fd).st_mode)))
    fd2 = os.dup(fd)
    os.lseek(fd2, 98, os.SEEK_SET)
    show("dup shares offset", os.read(fd, 8))
    os.close(fd2)
    show("writev", os.writev(fd, [b"one", b"two", b"three"]))
    os.lseek(fd, 0, os.SEEK_SET)
    buffers = [bytearray(3), bytearray(4)]
    show("readv", (os.readv(fd, buffers), buffers))
    os.fsync(fd)
    os.close(fd)
    try:
        os.open(tmp("data.bin"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError as e:
        show("O_EXCL", errno.errorcode[e.errno])
    try:
        os.read(fd, 1)
    except OSError as e:
        show("closed fd", errno.errorcode[e.errno])


@section
def modes_and_times():
    old = os.umask(0o077)
    for text in ("first\n", "second\n"):
        with open(tmp("log"), "a") as f:
            f.write(text)
    show("append", open(tmp("log")).read().split())
    show("umask mode", oct(stat.S_IMODE(os.stat(tmp("log")).st_mode)))
    os.umask(old)
    os.chmod(tmp("log"), 0o604)
    show("chmod", oct(stat.S_IMODE(os.stat(tmp("log")).st_mode)))
    os.utime(tmp("log"), (1000000000, 1234567890))
    st = os.stat(tmp("log"))
    show("utime", (int(st.st_atime), int(st.st_mtime)))


@section
def directories():
    open(tmp("anchor"), "w").close()    # removedirs stops here
    os.makedirs(tmp("a/b/c"))
    os.mkdir(tmp("a/d"))
    try:
        os.mkdir(tmp("a/d"))
    except FileExistsError as e:
        show("mkdir again", errno.errorcode[e.errno])
    with open(tmp("a/x"), "w") as f:
        f.write("x" * 100)
    os.rename(tmp("a/x"), tmp("a/b/moved"))
    show("renamed", sorted(os.listdir(tmp("a/b"))))
    with open(tmp("a/y"), "w") as f:
        f.write("y")
    os.replace(tmp("a/y"), tmp("a/b/moved"))
    show("replaced size", os.path.getsize(tmp("a/b/moved")))
    try:
        os.rmdir(tmp("a"))
    except OSError as e:
        show("rmdir non-empty", errno.errorcode[e.errno])
    os.remove(tmp("a/b/moved"))
    os.rmdir(tmp("a/d"))
    os.removedirs(tmp("a/b/c"))
    show("after removedirs", os.path.exists(tmp("a")))


@section
def pipes():
    r, w = os.pipe()
    os.write(w, b"through the pipe")
    os.close(w)
    show("pipe", os.read(r, 100))
    show("pipe eof", os.read(r, 100))
    os.close(r)
    r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        os.read(r, 1)
    except BlockingIOError as e:
        show("nonblocking empty pipe", errno.errorcode[e.errno])
    show("inheritable", os.get_inheritable(r))
    os.close(r)
    os.close(w)


@section
def streams():
    b = io.BytesIO()
    t = io.TextIOWrapper(b, encoding="utf-8", newline="\r\n")
    t.write("line one\nline two\ncaf\u00e9\n")
    t.flush()
    show("TextIOWrapper", b.getvalue())
    show("StringIO", list(io.StringIO("a\nb\nc\n")))
    with open(tmp("buffered"), "wb", buffering=8192) as f:
        for i in range(10000):
            f.write(b"%05d\n" % i)
    with open(tmp("buffered"), "rb") as f:
        f.seek(6 * 9999)
        show("buffered last", f.readline())
        f.seek(0)
        show("peek", f.peek(6)[:6])


@section
def environment():
    show("HOME", os.environ.get("HOME"))
    show("getenv missing", os.getenv("ELFIN_NO_SUCH_VARIABLE", "default"))
    show("pid positive", os.getpid() > 0)
    show("uid matches euid", os.getuid() == os.geteuid())
    show("urandom", len(os.urandom(32)))
    show("devnull", open(os.devnull, "rb").read())
    show("uname sysname", os.uname().sysname)


run()
