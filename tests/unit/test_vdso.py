#!/usr/bin/env python3
"""Unit tests of the vDSO image (build/vdso/vdso.so): what glibc's and musl's loaders need of
it (LINUX-ABI.md §3.4), read straight from the ELF file: one R+X PT_LOAD at 0, a read-only
PT_DYNAMIC, PT_GNU_EH_FRAME covering every function, no relocations, DT_HASH and DT_GNU_HASH
that both find every symbol, the LINUX_2.6 version, exactly the expected exports.

usage: test_vdso.py [IMAGE]   (default: build/vdso/vdso.so)
"""
import os
import struct
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = os.path.join(ROOT, "build", "vdso", "vdso.so")

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_TLS, PT_GNU_EH_FRAME = 1, 2, 3, 7, 0x6474E550
PF_X, PF_W, PF_R = 1, 2, 4
SHT_RELA, SHT_REL = 4, 9
DT = {"NULL": 0, "NEEDED": 1, "PLTRELSZ": 2, "HASH": 4, "STRTAB": 5, "SYMTAB": 6, "RELA": 7,
      "SONAME": 14, "REL": 17, "TEXTREL": 22, "JMPREL": 23, "RELR": 36, "GNU_HASH": 0x6FFFFEF5,
      "VERSYM": 0x6FFFFFF0, "RELACOUNT": 0x6FFFFFF9, "RELCOUNT": 0x6FFFFFFA, "VERDEF": 0x6FFFFFFC,
      "VERDEFNUM": 0x6FFFFFFD}
RELOCATING = ("RELA", "REL", "JMPREL", "RELR", "TEXTREL", "PLTRELSZ", "RELACOUNT", "RELCOUNT")
FUNCS = ("clock_gettime", "gettimeofday", "time", "clock_getres", "getcpu")
STT_FUNC, STB_GLOBAL, STB_WEAK = 2, 1, 2


def elf_hash(name):
    h = 0
    for c in name.encode():
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def gnu_hash(name):
    h = 5381
    for c in name.encode():
        h = (h * 33 + c) & 0xFFFFFFFF
    return h


class Image:
    """The parts of an ELF64 shared object that a dynamic loader reads."""

    def __init__(self, data):
        self.data = data
        (self.type, self.machine, _, self.entry, phoff, shoff, _, _, phentsize, phnum,
         shentsize, shnum, _) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
        self.phdrs = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
        self.shdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        dyn = self.phdr(PT_DYNAMIC)
        self.dynamic = []
        for off in range(dyn[2], dyn[2] + dyn[5], 16):
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == 0:
                break
            self.dynamic.append((tag, val))

    def phdr(self, ptype):
        found = [p for p in self.phdrs if p[0] == ptype]
        return found[0] if found else None

    def dyn(self, name):
        return next((v for t, v in self.dynamic if t == DT[name]), None)

    def string(self, off):
        start = self.dyn("STRTAB") + off  # linked at 0 with p_offset == p_vaddr
        return self.data[start:self.data.index(b"\0", start)].decode()

    def nsyms(self):
        return struct.unpack_from("<I", self.data, self.dyn("HASH") + 4)[0]  # nchain, as musl does

    def symbol(self, i):
        name, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, self.dyn("SYMTAB") + 24 * i)
        return {"name": self.string(name), "type": info & 15, "bind": info >> 4, "shndx": shndx,
                "value": value, "size": size,
                "version": struct.unpack_from("<H", self.data, self.dyn("VERSYM") + 2 * i)[0]}

    def versions(self):
        """Version definitions: index -> (name, flags, hash)."""
        out, off = {}, self.dyn("VERDEF")
        for _ in range(self.dyn("VERDEFNUM")):
            _, flags, ndx, cnt, vhash, aux, nxt = struct.unpack_from("<HHHHIII", self.data, off)
            out[ndx] = (self.string(struct.unpack_from("<I", self.data, off + aux)[0]), flags, vhash)
            off += nxt
        return out

    def sysv_lookup(self, name):
        nbucket, _ = struct.unpack_from("<II", self.data, self.dyn("HASH"))
        base = self.dyn("HASH") + 8
        i = struct.unpack_from("<I", self.data, base + 4 * (elf_hash(name) % nbucket))[0]
        while i:
            if self.symbol(i)["name"] == name:
                return i
            i = struct.unpack_from("<I", self.data, base + 4 * nbucket + 4 * i)[0]
        return None

    def gnu_lookup(self, name):
        off = self.dyn("GNU_HASH")
        nbuckets, symoffset, bloom_size, shift = struct.unpack_from("<IIII", self.data, off)
        h = gnu_hash(name)
        word = struct.unpack_from("<Q", self.data, off + 16 + 8 * ((h // 64) % bloom_size))[0]
        if not (word >> (h % 64)) & 1 or not (word >> ((h >> shift) % 64)) & 1:
            return None
        buckets = off + 16 + 8 * bloom_size
        chains = buckets + 4 * nbuckets
        i = struct.unpack_from("<I", self.data, buckets + 4 * (h % nbuckets))[0]
        while i >= symoffset:
            ch = struct.unpack_from("<I", self.data, chains + 4 * (i - symoffset))[0]
            if (ch | 1) == (h | 1) and self.symbol(i)["name"] == name:
                return i
            if ch & 1:
                return None
            i += 1
        return None

    def eh_frame_starts(self):
        """The initial locations that PT_GNU_EH_FRAME's binary search table covers."""
        hdr = self.phdr(PT_GNU_EH_FRAME)[2]
        version, ptr_enc, count_enc, table_enc = self.data[hdr:hdr + 4]
        assert (version, count_enc, table_enc) == (1, 0x03, 0x3B), "an eh_frame_hdr ld writes"
        count = struct.unpack_from("<I", self.data, hdr + 8)[0]
        return {hdr + struct.unpack_from("<i", self.data, hdr + 12 + 8 * k)[0] for k in range(count)}


class VdsoImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(IMAGE, "rb") as f:
            cls.img = Image(f.read())

    def test_header(self):
        self.assertEqual(self.img.data[:6], b"\x7fELF\x02\x01")  # 64-bit, little-endian
        self.assertEqual((self.img.type, self.img.machine), (3, 62))  # ET_DYN, EM_X86_64

    def test_one_rx_load_at_zero(self):
        loads = [p for p in self.img.phdrs if p[0] == PT_LOAD]
        self.assertEqual(len(loads), 1)
        _, flags, offset, vaddr, _, filesz, memsz, _ = loads[0]
        self.assertEqual(flags, PF_R | PF_X)
        self.assertEqual((offset, vaddr), (0, 0))
        self.assertEqual(filesz, memsz)  # no .bss: nothing writable
        self.assertLessEqual(memsz, 2 * 4096)

    def test_segments(self):
        self.assertEqual(self.img.phdr(PT_DYNAMIC)[1], PF_R, "glibc rewrites a writable .dynamic")
        self.assertIsNotNone(self.img.phdr(PT_GNU_EH_FRAME))
        self.assertIsNone(self.img.phdr(PT_TLS))
        self.assertIsNone(self.img.phdr(PT_INTERP))
        self.assertFalse([p for p in self.img.phdrs if p[1] & PF_W])

    def test_dynamic_tags(self):
        for tag in ("HASH", "GNU_HASH", "SYMTAB", "STRTAB", "VERSYM", "VERDEF", "SONAME"):
            self.assertIsNotNone(self.img.dyn(tag), "DT_" + tag)
        self.assertEqual(self.img.string(self.img.dyn("SONAME")), "linux-vdso.so.1")
        self.assertIsNone(self.img.dyn("NEEDED"))

    def test_no_relocations(self):
        for tag in RELOCATING:
            self.assertIsNone(self.img.dyn(tag), "DT_" + tag)
        self.assertFalse([s for s in self.img.shdrs if s[1] in (SHT_RELA, SHT_REL)])

    def test_versions(self):
        v = self.img.versions()
        self.assertEqual(v[1][:2], ("linux-vdso.so.1", 1))  # VER_FLG_BASE
        self.assertEqual(v[2], ("LINUX_2.6", 0, 61765110))  # the hash glibc compares
        self.assertEqual(v[3], ("ELFIN_1", 0, 168485985))  # elfin's own node

    def test_direct_entry(self):
        sym = self.img.symbol(self.img.gnu_lookup("__elfin_syscall"))
        self.assertEqual((sym["type"], sym["bind"], sym["version"]), (STT_FUNC, STB_GLOBAL, 3))
        self.assertIsNotNone(self.img.sysv_lookup("__elfin_syscall"))
        self.assertIn(sym["value"], self.img.eh_frame_starts())

    def test_exports(self):
        syms = [self.img.symbol(i) for i in range(1, self.img.nsyms())]
        exported = {s["name"] for s in syms if s["shndx"] and s["bind"] in (STB_GLOBAL, STB_WEAK)
                    and s["name"] not in ("LINUX_2.6", "ELFIN_1")}
        self.assertEqual(exported, set(FUNCS) | {"__vdso_" + f for f in FUNCS} | {"__elfin_syscall"})
        by_name = {s["name"]: s for s in syms}
        load = self.img.phdr(PT_LOAD)
        for f in FUNCS:
            real, alias = by_name["__vdso_" + f], by_name[f]
            self.assertEqual((real["type"], real["bind"], real["version"]), (STT_FUNC, STB_GLOBAL, 2), f)
            self.assertEqual((alias["type"], alias["bind"], alias["version"]), (STT_FUNC, STB_WEAK, 2), f)
            self.assertEqual(alias["value"], real["value"])
            self.assertTrue(0 < real["value"] and real["value"] + real["size"] <= load[6])

    def test_both_hash_tables_find_every_symbol(self):
        for f in FUNCS:
            for name in (f, "__vdso_" + f):
                self.assertIsNotNone(self.img.sysv_lookup(name), "DT_HASH: " + name)
                self.assertIsNotNone(self.img.gnu_lookup(name), "DT_GNU_HASH: " + name)
        self.assertIsNone(self.img.sysv_lookup("vdso_data"))
        self.assertIsNone(self.img.gnu_lookup("vdso_data"))

    def test_unwind_tables_cover_every_function(self):
        starts = self.img.eh_frame_starts()
        for f in FUNCS:
            self.assertIn(self.img.symbol(self.img.gnu_lookup("__vdso_" + f))["value"], starts, f)


def main():
    global IMAGE
    if len(sys.argv) > 1:
        IMAGE = sys.argv[1]
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(VdsoImage))
    failed = len(result.failures) + len(result.errors)
    print(f"vdso_image: {result.testsRun - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
