"""busybox: applets of Debian's busybox-static that need no fork, on the coreutils suite's
inputs, compared between native Linux and elfin; tar writes and extracts in /tmp and in a
host directory granted with --rw."""

import gzip
import os
import stat
import tarfile

import difftest
from difftest import Case

BUSYBOX = "/bin/busybox"
# The top directory of tree.tar: extracting it into /tmp natively must not collide with
# another test run, so it carries the run's unique prefix.
TREE = os.path.basename(difftest.HOST_TMP) + "-tree"


def make_inputs(work):
    """big.txt.gz, and tree.tar: the coreutils suite's dir/ under the name TREE."""
    with open(f"{work}/big.txt", "rb") as f, open(f"{work}/big.txt.gz", "wb") as out:
        with gzip.GzipFile(filename="big.txt", mode="wb", fileobj=out, mtime=0) as z:
            z.write(f.read())
    with tarfile.open(f"{work}/tree.tar", "w", format=tarfile.USTAR_FORMAT) as tar:
        def owner(info):
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            return info
        tar.add(f"{work}/dir", arcname=TREE, filter=owner)


def _tree(root):
    """Every path under root with its type, mode, size, mtime and content."""
    out = []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            content = b""
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    content = f.read()
            out.append((os.path.relpath(path, root), oct(st.st_mode), st.st_size,
                        int(st.st_mtime), content))
    return out


def same_tree(native_dir, elfin_dir):
    """What elfin extracted must be what the native run extracted."""
    native, ours = _tree(native_dir), _tree(elfin_dir)
    if native == ours:
        return []
    lines = ["  extracted trees differ (path, mode, size, mtime, content):"]
    lines += [f"    - {a[:4]}\n    + {b[:4]}" for a, b in zip(native, ours) if a != b][:4]
    if len(native) != len(ours):
        lines.append(f"    native {len(native)} paths, elfin {len(ours)}")
    return lines


def _case(name, args, **kw):
    return Case(f"busybox/{args[0]}-{name}", [BUSYBOX] + args, **kw)


def cases(work):
    created = f"{difftest.HOST_TMP}-created.tar"
    table = [
        _case("words", ["sort", "words.txt"]),
        _case("unique-reverse", ["sort", "-u", "-r", "words.txt"]),
        _case("numeric-key", ["sort", "-t,", "-k3,3n", "-k1,1n", "table.csv"]),
        _case("big", ["sort", "-k2,2", "-k4,4nr", "big.txt"]),
        _case("stdin", ["sort", "-s", "-k3,3"], stdin_file="big.txt"),
        _case("files", ["md5sum", "big.bin", "big.txt", "small.txt", "empty"]),
        _case("stdin", ["md5sum"], stdin_file="big.bin"),
        _case("check", ["md5sum", "-c"], stdin=b"d41d8cd98f00b204e9800998ecf8427e  empty\n"
                                                 b"00000000000000000000000000000000  small.txt\n",
              status=1),
        _case("substitute", ["sed", "s/alpha/ALPHA/g; s/\\([0-9]*\\) \\([a-z]*\\)/\\2 \\1/",
                             "big.txt"]),
        _case("range-delete", ["sed", "-e", "1,99990d", "-e", "/omega/d", "big.txt"]),
        _case("print-append", ["sed", "-n", "/^00012[0-9] /{p;a\\\nafter\n}", "big.txt"]),
        _case("stdin", ["sed", "y/abc/ABC/"], stdin_file="words.txt"),
        _case("sums", ["awk", "-F,", "{ s[$2] += $3; n[$2]++ } END { for (k in s) "
                       "printf \"%s %d %.3f\\n\", k, s[k], s[k] / n[k] }", "table.csv"]),
        _case("fields", ["awk", "$2 == $3 { c++; print NR, $1 } END { print c, NR }", "big.txt"]),
        _case("builtins", ["awk", "BEGIN { printf \"%.6f %d %s %s %x\\n\", 10 / 3, int(-3.7), "
                           "1024 * 1024 * 1024 * 1024, substr(\"elfin\", 2, 3), 255; "
                           "print length(\"caf\\303\\251\"), toupper(\"x\"), "
                           "index(\"abc\", \"c\"), split(\"a:b:c\", a, \":\") }"]),
        _case("stdin-gsub", ["awk", "{ gsub(/[aeiou]/, \"_\"); print }"], stdin_file="words.txt"),
        _case("count", ["grep", "-c", "omega", "big.txt"]),
        _case("regex", ["grep", "-n", "-E", "^0000[0-9]{2} (alpha|beta) ", "big.txt"]),
        _case("invert-ignore-case", ["grep", "-v", "-i", "A", "words.txt"]),
        _case("recursive", ["grep", "-r", "-l", "a", "dir"]),
        _case("no-match", ["grep", "no such words", "small.txt"], status=1),
        _case("all", ["find", "dir"]),
        _case("name-size", ["find", ".", "-name", "*.txt", "-size", "+1k"]),
        _case("type-perm", ["find", "dir", "-type", "f", "-perm", "-u+x"]),
        _case("depth-links", ["find", ".", "-maxdepth", "1", "-type", "l"]),
        _case("stdin", ["gzip", "-c", "-9"], stdin_file="big.txt"),
        _case("file", ["gzip", "-c", "big.bin"]),
        _case("file", ["gunzip", "-c", "big.txt.gz"]),
        _case("stdin", ["gunzip"], stdin_file="big.txt.gz"),
        _case("test", ["gzip", "-t", "big.txt.gz"]),
        _case("files", ["wc", "big.txt", "words.txt", "small.txt", "empty"]),
        _case("stdin", ["wc", "-l", "-w", "-c"], stdin_file="big.txt"),
        _case("hex", ["od", "-A", "x", "-t", "x1", "-N", "4096", "big.bin"]),
        _case("chars", ["od", "-c", "small.txt"]),
        _case("words", ["od", "-A", "d", "-t", "d4", "-j", "1000", "-N", "256", "big.bin"]),
        _case("create-stdout", ["tar", "-cf", "-", "dir"]),
        _case("create-tmp", ["tar", "-cvf", created, "dir", "small.txt"]),
        _case("list", ["tar", "-tvf", "tree.tar"]),
        _case("extract-tmp", ["tar", "-xvf", "tree.tar", "-C", "/tmp"]),
        _case("extract-stdout", ["tar", "-xOf", "tree.tar", f"{TREE}/sub/inner"]),
        _case("extract-rw", ["tar", "-xvf", f"{work}/tree.tar"], cwd="{scratch}",
              scratch=os.path.join(work, "scratch", "busybox-tar-extract-rw"),
              elfin_args=["--rw", "{scratch}"], check=same_tree),
    ]
    for c in table:
        c.cwd = c.cwd or work
        if c.stdin_file:
            c.stdin_file = os.path.join(work, c.stdin_file)
    return table
