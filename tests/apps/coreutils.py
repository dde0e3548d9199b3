"""coreutils: Debian's coreutils on inputs made here, compared between native Linux and elfin."""

import base64
import os
import random

from difftest import Case

BIN = "/usr/bin"
# All inputs get this mtime, so listings with times are the same from run to run.
MTIME = 1600000000

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
         "omicron pi rho sigma tau upsilon phi chi psi omega").split()


def _write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def make_inputs(work):
    """Creates the input files in work (outside /tmp: elfin's /tmp is its own tmpfs)."""
    rng = random.Random(1234)
    lines = (f"{i:06d} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.randrange(10**6)}\n"
             for i in range(100000))
    _write(f"{work}/big.txt", "".join(lines).encode())
    _write(f"{work}/big.bin", rng.randbytes(3 << 20))
    _write(f"{work}/words.txt", "".join(rng.choice(WORDS) + "\n" for _ in range(5000)).encode())
    rows = (f"{i},{rng.choice(WORDS)},{rng.randrange(1000)},{rng.choice(WORDS).upper()}\n"
            for i in range(2000))
    _write(f"{work}/table.csv", "".join(rows).encode())
    _write(f"{work}/small.txt", b"first line\n\tindented  twice\ntrailing space \n"
           b"caf\xc3\xa9\nno newline at end")
    _write(f"{work}/empty", b"")
    with open(f"{work}/big.bin", "rb") as f:
        _write(f"{work}/big.b64", base64.encodebytes(f.read()))
    os.symlink("big.txt", f"{work}/link")

    tree = f"{work}/dir"
    os.makedirs(f"{tree}/sub")
    for name, mode in (("alpha", 0o644), ("beta.txt", 0o600), ("Gamma", 0o755),
                       (".hidden", 0o640), ("sub/inner", 0o644)):
        _write(f"{tree}/{name}", name.encode() * 10, mode)
    for path in (f"{tree}/sub", tree, work):     # innermost first: creating changes the parent
        for name in os.listdir(path):
            os.utime(f"{path}/{name}", (MTIME, MTIME), follow_symlinks=False)
    os.utime(work, (MTIME, MTIME))


def _case(name, args, **kw):
    prog = args[0]
    return Case(f"coreutils/{prog}-{name}", [f"{BIN}/{prog}"] + args[1:], **kw)


def cases(work):
    """The coreutils cases, all run with work as the current directory."""
    big = f"{work}/big.txt"
    table = [
        _case("file", ["cat", "big.txt"]),
        _case("binary", ["cat", "big.bin"]),
        _case("stdin", ["cat"], stdin_file=big),
        _case("dash-and-files", ["cat", "small.txt", "-", "empty", "small.txt"], stdin=b"from stdin\n"),
        _case("number-show-all", ["cat", "-n", "-A", "small.txt"]),
        _case("missing", ["cat", "no-such-file"], status=1, stderr=True),
        _case("dir", ["ls", "dir"]),
        _case("all", ["ls", "-a", "dir"]),
        _case("long", ["ls", "-l", "--time-style=+%Y-%m-%d %H:%M", "dir"]),
        _case("recursive", ["ls", "-R", "-F", "dir"]),
        _case("sort-size", ["ls", "-S", "-1", "dir"]),
        _case("cwd", ["ls"]),
        _case("file", ["wc", "big.txt"]),
        _case("stdin", ["wc", "-l", "-w", "-c"], stdin_file=big),
        _case("bytes", ["wc", "-c", "big.bin", "small.txt", "empty"]),
        _case("words", ["sort", "words.txt"]),
        _case("unique", ["sort", "-u", "words.txt"]),
        _case("numeric-key", ["sort", "-t,", "-k3,3n", "-k1,1n", "table.csv"]),
        _case("big-reverse", ["sort", "-r", "big.txt"]),
        _case("stdin", ["sort", "-k2"], stdin_file=big),
        _case("lines", ["head", "-n", "5", "big.txt"]),
        _case("bytes", ["head", "-c", "1000", "big.bin"]),
        _case("all-but-last", ["head", "-n", "-99995", "big.txt"]),
        _case("lines", ["tail", "-n", "5", "big.txt"]),
        _case("from-line", ["tail", "-n", "+99990", "big.txt"]),
        _case("bytes", ["tail", "-c", "1000", "big.bin"]),
        _case("stdin", ["tail", "-n", "3"], stdin_file=big),
        _case("fields", ["cut", "-d,", "-f2,4", "table.csv"]),
        _case("chars", ["cut", "-c1-10", "big.txt"]),
        _case("upper", ["tr", "a-z", "A-Z"], stdin_file=big),
        _case("delete", ["tr", "-d", "0-9"], stdin_file=big),
        _case("squeeze", ["tr", "-s", " \t", " "], stdin=b"a   b\t\t c    d\n"),
        _case("count", ["uniq", "-c"], stdin=b"a\na\nb\nc\nc\nc\na\n"),
        _case("repeated", ["uniq", "-d", "words.txt"]),
        _case("files", ["sha256sum", "big.bin", "big.txt", "empty"]),
        _case("stdin", ["sha256sum"], stdin_file=f"{work}/big.bin"),
        _case("files", ["md5sum", "big.bin", "small.txt"]),
        _case("encode", ["base64", "big.bin"]),
        _case("decode", ["base64", "-d"], stdin_file=f"{work}/big.b64"),
        _case("hex", ["od", "-A", "x", "-t", "x1z", "-N", "4096", "big.bin"]),
        _case("chars", ["od", "-c", "small.txt"]),
        _case("size-type", ["stat", "-c", "%s %F %a %h %n", "big.txt", "dir", "empty", "small.txt"]),
        _case("link", ["stat", "-c", "%s %F %N", "link"]),
        _case("follow", ["stat", "-L", "-c", "%s %F", "link"]),
        _case("epoch", ["date", "-d", "@0", "-u"]),
        _case("format", ["date", "-u", "-d", "@1700000000", "+%A %F %T %Z %s %j"]),
        _case("parse", ["date", "-u", "-d", "2021-03-04 05:06:07", "+%s"]),
        _case("clean", ["env", "-i", "A=1", "env"]),
        _case("print", ["env"], env={"ELFIN_TEST_A": "value"}, normalise=("preload",)),
        _case("unset", ["env", "-u", "HOME", "env"], normalise=("preload",)),
        _case("formats", ["printf", r"%s-%d-%05.2f|%x|%o|%c|%%|%b\n", "a", "42", "3.14159",
                          "255", "8", "Z", r"tab\there"]),
        _case("repeat", ["printf", r"[%s]\n", "one", "two", "three"]),
        _case("large", ["seq", "1", "200000"]),
        _case("float-width", ["seq", "-w", "0", "0.25", "3"]),
        _case("separator", ["seq", "-s", ",", "10"]),
        _case("words", ["echo", "hello", "world", "", "x"]),
        _case("no-newline", ["echo", "-n", "no newline"]),
        _case("escapes", ["echo", "-e", r"a\tb\nc\\d"]),
        _case("status", ["true"]),
        _case("status", ["false"], status=1),
        _case("suffix", ["basename", "/usr/lib/file.txt", ".txt"]),
        _case("multiple", ["basename", "-a", "a/b/c", "/x/", "plain"]),
        _case("paths", ["dirname", "/a/b/c", "relative/name", "plain", "/"]),
        _case("relative", ["realpath", ".", "dir/../big.txt", "dir/sub"]),
        _case("symlink", ["realpath", "link"]),
        _case("missing-ok", ["realpath", "-m", "nothing/../x"]),
        _case("missing", ["realpath", "no-such-dir/file"], status=1, stderr=True),
        _case("relative-to", ["realpath", "--relative-to=dir/sub", "big.txt"]),
    ]
    for c in table:
        c.cwd = work
    return table
