"""`python3 -m compileall -q` over a copy of the stdlib's json package made in /tmp, then the
byte code checked and the copy imported from its compiled files. The copy's random directory
is stripped from the file names recorded in the byte code (-s/-p), which is then the same from
run to run."""
import hashlib
import importlib.util
import json
import os
import runpy
import shutil
import sys

from common import run, scratch, section, show


def copy_package():
    """A copy of the json package, as scratch()/jsoncopy."""
    pkg = os.path.join(scratch(), "jsoncopy")
    shutil.copytree(os.path.dirname(json.__file__), pkg,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return pkg


def compiled():
    """{relative path: (size, mtime_ns)} of the .pyc files in scratch()."""
    out = {}
    for root, dirs, files in os.walk(scratch()):
        for name in files:
            if name.endswith(".pyc"):
                path = os.path.join(root, name)
                st = os.stat(path)
                out[os.path.relpath(path, scratch())] = (st.st_size, st.st_mtime_ns)
    return out


def compileall(*args):
    """Runs the compileall module as `python3 -m compileall ARGS` would, in this process;
    returns its exit status."""
    saved = sys.argv
    sys.argv = ["compileall"] + list(args)
    try:
        runpy.run_module("compileall", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        return e.code
    finally:
        sys.argv = saved
    return None


def compile_copy():
    return compileall("-q", "-s", scratch(), "-p", "/copy", scratch())


@section
def compile_package():
    show("copied", sorted(os.listdir(copy_package())))
    show("exit status", compile_copy())
    files = compiled()
    show("pyc files", sorted(files))
    magic = importlib.util.MAGIC_NUMBER
    digest = hashlib.sha256()
    for rel in sorted(files):
        with open(os.path.join(scratch(), rel), "rb") as f:
            data = f.read()
        src = os.path.join(scratch(), os.path.dirname(os.path.dirname(rel)),
                           os.path.basename(rel).split(".")[0] + ".py")
        st = os.stat(src)
        header_ok = (data[:4] == magic and int.from_bytes(data[4:8], "little") == 0
                     and int.from_bytes(data[8:12], "little") == int(st.st_mtime)
                     and int.from_bytes(data[12:16], "little") == st.st_size)
        show(rel, header_ok)
        digest.update(data)
    show("pyc digest", digest.hexdigest())


@section
def compile_again():
    pkg = copy_package()
    compile_copy()
    before = compiled()
    show("exit status", compileall("-q", scratch()))
    show("nothing recompiled", compiled() == before)
    os.utime(os.path.join(pkg, "tool.py"), (1600000000, 1600000000))
    show("exit status", compile_copy())
    after = compiled()
    show("recompiled", sorted(rel for rel in after if after[rel] != before[rel]))


@section
def import_compiled():
    pkg = copy_package()
    compile_copy()
    sys.path.insert(0, scratch())
    import jsoncopy
    show("cached", os.path.relpath(jsoncopy.__cached__, scratch()))
    show("loaded from the copy", os.path.dirname(jsoncopy.__file__) == pkg)
    show("works", jsoncopy.dumps({"b": [1, 2.5, None], "a": "x"}, sort_keys=True))
    sys.path.remove(scratch())


@section
def broken_source():
    pkg = copy_package()
    with open(os.path.join(pkg, "broken.py"), "w") as f:
        f.write("def f(:\n    pass\n")
    show("exit status with a syntax error", compileall("-qq", pkg))
    show("the rest compiled", len(compiled()))


run()
