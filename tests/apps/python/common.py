"""common: what the python3 test scripts share.

A script is a list of sections, each a function marked @section, standing alone. The script
ends with run(): `python3 SCRIPT SECTION` runs that section (the test driver makes a case of
each), `python3 SCRIPT` runs them all. A section that raises is reported and the others go on;
the script then exits 1. A section's files go in scratch(), a directory of /tmp of its own,
removed after it.
"""
import shutil
import sys
import tempfile

SECTIONS = {}
_scratch = []


def section(func):
    """Decorator: func is a section of the script."""
    SECTIONS[func.__name__] = func
    return func


def show(label, value):
    print(f"{label}: {value}")


def scratch():
    """The running section's private directory in /tmp."""
    if not _scratch:
        _scratch.append(tempfile.mkdtemp(prefix="elfin-py-"))
    return _scratch[0]


def run():
    names = sys.argv[1:] or list(SECTIONS)
    failed = []
    for name in names:
        print(f"[{name}]")
        try:
            SECTIONS[name]()
        except Exception as e:  # noqa: BLE001: any failure is reported the same way
            failed.append(name)
            print(f"{name} FAILED: {type(e).__name__}: {e}")
        sys.stdout.flush()
        while _scratch:
            shutil.rmtree(_scratch.pop())
    if failed:
        print("failed sections: " + " ".join(failed))
    sys.exit(1 if failed else 0)
