"""The adapter library's names against the dynamic symbol tables of Debian's libcs: every
wrapper stands for a function glibc's libc.so.6 or musl's libc.so exports (by its own name
or an alias), and every alias listed in kernel/sys/syscalls.tbl is exported by one of them,
so no wrapper misses the name a program binds to. Run as: test_preload_names.py WRAPPERS.c"""
import re
import subprocess
import sys
import unittest

LIBCS = ("/lib/x86_64-linux-gnu/libc.so.6", "/lib/ld-musl-x86_64.so.1")


def exported(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if len(line.split()) >= 3}


class PreloadNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.known = set().union(*(exported(p) for p in LIBCS))
        text = open(sys.argv[1]).read()
        cls.functions = re.findall(r"^long (\w+)\(", text, re.M)
        cls.aliases = dict(re.findall(r'^long (\w+)\(.*alias\("(\w+)"\)', text, re.M))

    def test_there_are_wrappers(self):
        self.assertGreater(len(self.functions), 60)

    def test_every_alias_is_exported(self):
        missing = [a for a in self.aliases if a not in self.known]
        self.assertEqual(missing, [], "aliases no libc exports")

    def test_every_wrapper_reaches_a_libc_name(self):
        names = {}
        for f in self.functions:
            target = self.aliases.get(f, f)
            names.setdefault(target, set()).add(f)
        unreached = sorted(t for t, group in names.items() if not group & self.known)
        self.assertEqual(unreached, [], "wrappers whose names no libc exports")

    def test_the_common_ones(self):
        for name in ("read", "write", "open", "close", "lseek", "fstat", "mmap", "getpid", "pread64"):
            self.assertIn(name, self.functions)


def main():
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(PreloadNames))
    failed = len(result.failures) + len(result.errors)
    print(f"preload_names: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
