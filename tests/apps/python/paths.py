"""pathlib, tempfile and shutil: a tree built, copied, moved, archived and removed in /tmp."""
import os
import pathlib
import shutil
import stat
import tempfile

from common import run, scratch, section, show


def listing(root):
    """The files under root with their sizes, relative and sorted."""
    return sorted((str(p.relative_to(root)), p.stat().st_size if p.is_file() else "dir")
                  for p in root.rglob("*"))


@section
def pure_paths():
    p = pathlib.PurePosixPath("/usr/lib/python3/json/__init__.py")
    show("parts", p.parts)
    show("suffix stem parent", (p.suffix, p.stem, str(p.parent)))
    show("with_suffix", p.with_suffix(".pyc"))
    show("relative_to", p.relative_to("/usr/lib"))
    show("match", p.match("json/*.py"))
    show("joined", pathlib.PurePosixPath("a") / "b" / ".." / "c")


def make_tree():
    """A small tree of files: scratch()/src; returns scratch() as a Path."""
    base = pathlib.Path(scratch())
    src = base / "src"
    (src / "pkg" / "sub").mkdir(parents=True)
    for i in range(20):
        (src / "pkg" / f"mod{i:02d}.py").write_text(f"VALUE = {i}\n" * (i + 1))
    (src / "pkg" / "sub" / "data.bin").write_bytes(bytes(range(256)) * 64)
    (src / "README").write_text("read me\n")
    return base


@section
def build_tree():
    src = make_tree() / "src"
    show("exists", (src / "README").exists())
    show("is_dir", (src / "pkg").is_dir())
    show("glob", sorted(p.name for p in (src / "pkg").glob("mod1*.py")))
    show("rglob count", len(list(src.rglob("*"))))
    show("read_text", (src / "pkg" / "mod02.py").read_text().splitlines())
    show("iterdir", sorted(p.name for p in src.iterdir()))
    show("resolve inside", (src / "pkg" / ".." / "README").resolve() == (src / "README").resolve())
    show("cwd absolute", pathlib.Path.cwd().is_absolute())


@section
def copy_and_move():
    base = make_tree()
    src = base / "src"
    shutil.copyfile(src / "README", base / "copy")
    shutil.copy2(src / "pkg" / "sub" / "data.bin", base / "data2.bin")
    show("copy2 keeps mtime", int((base / "data2.bin").stat().st_mtime)
         == int((src / "pkg" / "sub" / "data.bin").stat().st_mtime))
    shutil.copytree(src, base / "tree")
    show("copytree", listing(base / "tree") == listing(src))
    shutil.move(str(base / "tree"), str(base / "moved"))
    show("moved", (base / "moved" / "README").exists() and not (base / "tree").exists())
    (base / "moved" / "README").rename(base / "moved" / "README.txt")
    (base / "copy").replace(base / "moved" / "copy")
    show("after renames", listing(base / "moved")[:4])
    os.chmod(base / "moved" / "README.txt", 0o751)
    shutil.copymode(base / "moved" / "README.txt", base / "moved" / "copy")
    show("copymode", oct(stat.S_IMODE((base / "moved" / "copy").stat().st_mode)))
    show("which", shutil.which("python3") is not None)
    usage = shutil.disk_usage(base)
    show("disk_usage sane", usage.total >= usage.free >= 0)


@section
def archives():
    base = make_tree()
    name = shutil.make_archive(str(base / "arch"), "tar", root_dir=base / "src")
    show("archive", os.path.basename(name))
    shutil.unpack_archive(name, base / "unpacked")
    show("unpacked same", listing(base / "unpacked") == listing(base / "src"))


@section
def temporaries():
    base = pathlib.Path(scratch())
    with tempfile.TemporaryDirectory(dir=base) as d:
        show("TemporaryDirectory exists", os.path.isdir(d))
        kept = d
    show("TemporaryDirectory removed", not os.path.exists(kept))
    with tempfile.NamedTemporaryFile("w+", dir=base, suffix=".txt") as f:
        f.write("named\n")
        f.flush()
        f.seek(0)
        show("NamedTemporaryFile", (f.read(), f.name.endswith(".txt")))
    with tempfile.TemporaryFile() as f:
        f.write(b"anonymous" * 1000)
        f.seek(-9, os.SEEK_END)
        show("TemporaryFile", f.read())
    with tempfile.SpooledTemporaryFile(max_size=100) as f:
        f.write(b"x" * 50)
        before = f._rolled
        f.write(b"y" * 100)
        show("Spooled rolled over", (before, f._rolled))
    fd, path = tempfile.mkstemp(prefix="ks", dir=base)
    os.write(fd, b"mkstemp")
    os.close(fd)
    show("mkstemp mode", oct(stat.S_IMODE(os.stat(path).st_mode)))
    show("gettempdir", tempfile.gettempdir())


@section
def removal():
    src = make_tree() / "src"
    shutil.rmtree(src)
    show("rmtree", src.exists())


run()
