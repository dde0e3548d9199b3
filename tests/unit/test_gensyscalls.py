#!/usr/bin/env python3
"""Unit tests of tools/gensyscalls.py: the list parser, its errors, and the real syscalls.tbl."""
import importlib.util
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "gensyscalls.py")
TABLE = os.path.join(ROOT, "kernel", "sys", "syscalls.tbl")


def load_tool():
    spec = importlib.util.spec_from_file_location("gensyscalls", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = load_tool()


class Parse(unittest.TestCase):
    def test_good_lines(self):
        calls = gen.parse([
            "# a comment\n",
            "\n",
            "0\tread\timpl\tlong(int fd, void *buf:obuf/ret, size_t count)\n",
            "1\twrite\timpl\tlong(int fd, const void *buf:ibuf/2, size_t count)  # a note\n",
            "7\tpoll\tenosys\t# later\n",
            "9\tmmap\timpl\tptr(void *addr, size_t len, int prot:prot, int flags:mflags, int fd, long off)\n",
            "39\tgetpid\tstub\tlong()\n",
        ])
        self.assertEqual([c["nr"] for c in calls], [0, 1, 7, 9, 39])
        read, write, poll, mmap, getpid = calls
        self.assertEqual(read["name"], "read")
        self.assertEqual(read["status"], "impl")
        self.assertEqual([a["fmt"] for a in read["args"]], ["int", "obuf", "uint"])
        self.assertEqual(write["args"][1], {"ctype": "const void *", "name": "buf", "fmt": "ibuf", "len": 2})
        self.assertEqual(write["note"], "a note")
        self.assertIsNone(poll["args"])
        self.assertEqual(poll["note"], "later")
        self.assertEqual(mmap["ret"], "ptr")
        self.assertEqual([a["fmt"] for a in mmap["args"]], ["ptr", "uint", "prot", "mflags", "int", "int"])
        self.assertEqual(getpid["args"], [])

    def test_default_formats(self):
        calls = gen.parse(["2 open impl long(const char *path, unsigned mode, char *out, size_t n, int x)"])
        self.assertEqual([a["fmt"] for a in calls[0]["args"]], ["str", "uint", "ptr", "uint", "int"])

    def bad(self, lines, pattern):
        with self.assertRaises(gen.ListError) as cm:
            gen.parse(lines)
        self.assertRegex(str(cm.exception), pattern)

    def test_bad_number(self):
        self.bad(["x1 read impl long(int fd)"], r"line 1: bad number 'x1'")
        self.bad(["-1 read impl long(int fd)"], r"bad number '-1'")

    def test_bad_status(self):
        self.bad(["0 read done long(int fd)"], r"line 1: bad status 'done'")

    def test_too_few_fields(self):
        self.bad(["0 read"], r"expected 'nr name status'")

    def test_duplicates(self):
        self.bad(["0 read impl long(int fd)", "0 write impl long(int fd)"], r"line 2: duplicate syscall 0 write")
        self.bad(["0 read impl long(int fd)", "1 read impl long(int fd)"], r"line 2: duplicate syscall 1 read")

    def test_impl_and_stub_need_prototype(self):
        self.bad(["0 read impl"], r"read is impl but has no prototype")
        self.bad(["0 read stub   # note"], r"read is stub but has no prototype")
        self.bad(["0 read impl int(int fd)"], r"bad prototype for read")

    def test_libc_flag(self):
        calls = gen.parse(["8 lseek impl+libc(__lseek,lseek64) long(int fd, long off, int whence)",
                           "39 getpid impl+libc long()", "0 read impl long(int fd, void *buf, size_t n)"])
        self.assertEqual([c["libc"] for c in calls], [["__lseek", "lseek64"], [], None])
        self.assertEqual(calls[0]["status"], "impl")
        out = gen.preload(calls)
        self.assertIn("long lseek(long a0, long a1, long a2)", out)
        self.assertIn("elfin_call(8, a0, a1, a2, 0, 0, 0)", out)
        self.assertIn('long lseek64(long a0, long a1, long a2) __attribute__((alias("lseek")));', out)
        self.assertIn("long getpid(void)", out)
        self.assertNotIn("long read(", out)
        self.assertIn("elfin_direct_calls[] = {8, 39}", out)
        self.bad(["400 nothing enosys+libc"], r"nothing is not implemented: no libc wrapper")

    def test_cancel_and_vdso_flags(self):
        calls = gen.parse(["0 read impl+libc+cancel long(int fd, void *buf, size_t n)",
                           "228 clock_gettime impl+libc+vdso long(int clk, void *tp)"])
        self.assertEqual([(c["cancel"], c["vdso"]) for c in calls], [(True, False), (False, True)])
        out = gen.preload(calls)
        self.assertIn("elfin_call_cancel(0, a0, a1, a2, 0, 0, 0)", out)
        self.assertIn('elfin_vdso_fn("clock_gettime")', out)
        self.assertIn("elfin_call(228, a0, a1, 0, 0, 0, 0)", out)  # no vDSO symbol: the kernel
        self.bad(["228 clock_gettime impl+libc+vdso+cancel long(int clk, void *tp)"], r"bad status")

    def test_unknown_format(self):
        self.bad(["0 read impl long(int fd:fancy)"], r"unknown format 'fancy'")

    def test_buffers(self):
        self.bad(["1 write impl long(int fd, const void *buf:ibuf, size_t n)"], r"ibuf needs /N")
        self.bad(["1 write impl long(int fd, const void *buf:ibuf/x, size_t n)"], r"ibuf needs /N")
        self.bad(["0 read impl long(int fd, void *buf:obuf, size_t n)"], r"obuf needs /ret")

    def test_too_many_args(self):
        self.bad(["9 f impl long(int a, int b, int c, int d, int e, int f, int g)"], r"more than six arguments")


class RealList(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(TABLE) as f:
            cls.calls = gen.parse(f)

    def test_parses_with_unique_numbers(self):
        nrs = [c["nr"] for c in self.calls]
        names = [c["name"] for c in self.calls]
        self.assertGreater(len(nrs), 100)
        self.assertEqual(len(nrs), len(set(nrs)))
        self.assertEqual(len(names), len(set(names)))

    def test_well_known_numbers(self):
        by_name = {c["name"]: c["nr"] for c in self.calls}
        self.assertEqual(by_name["read"], 0)
        self.assertEqual(by_name["write"], 1)
        self.assertEqual(by_name["exit_group"], 231)

    def test_served_calls_have_prototypes(self):
        for c in self.calls:
            if c["status"] in ("impl", "stub"):
                self.assertIsNotNone(c["args"], c["name"])
            else:
                self.assertIsNone(c["args"], c["name"])

    def test_ibuf_lengths_point_at_arguments(self):
        for c in self.calls:
            for a in c["args"] or []:
                if a["fmt"] == "ibuf":
                    self.assertLess(a["len"], len(c["args"]), c["name"])

    def test_generated_files(self):
        hdr = gen.header(self.calls)
        self.assertRegex(hdr, r"\nlong sys_read\(int fd, void \*\s*buf, size_t count\);\n")
        self.assertIn("#define SYS_exit_group 231\n", hdr)
        self.assertIn(f"#define SYSCALL_MAX {max(c['nr'] for c in self.calls) + 1}\n", hdr)
        self.assertIn(gen.STAMP, hdr.splitlines()[0])
        table = gen.table(self.calls)
        self.assertIn(gen.STAMP, table.splitlines()[0])
        self.assertRegex(table, r"\[0\] = \{\.name = \"read\", \.fn = t_read, \.nargs = 3,")
        doc = gen.doc(self.calls)
        self.assertIn(gen.STAMP, doc.splitlines()[0])
        self.assertEqual(len(re.findall(r"^\| \d+ \|", doc, re.M)), len(self.calls))

    def test_prototype_spelling(self):
        """pointer arguments are written 'void *buf', as C is written"""
        self.assertIn("\nlong sys_read(int fd, void *buf, size_t count);\n", gen.header(self.calls))


def main():
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    known = len(result.expectedFailures)
    for test, _ in result.expectedFailures:
        print(f"gensyscalls: KNOWN BUG {test.id()}: {test.shortDescription()}")
    for test in result.unexpectedSuccesses:
        print(f"gensyscalls: {test.id()} passes now: remove its expectedFailure")
    print(f"gensyscalls: {result.testsRun - failed - known} passed, {failed} failed"
          + (f", {known} known bug" if known else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
