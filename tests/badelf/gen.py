#!/usr/bin/env python3
"""gen.py: writes the malformed-ELF corpus and its manifest, built from scratch.

usage: gen.py OUTDIR

Writes OUTDIR/<case> files and OUTDIR/manifest.json: a list of cases, each with
  name       the case
  path       what to pass to `elfin run` (absolute, or relative to cwd)
  cwd        the directory to run in (absolute)
  status     elfin's expected exit status (126 cannot execute, 127 not found; 0 or 128+signal
             when the program runs, and then elfin prints nothing)
  expect     a substring of elfin's one-line message ("" when the program runs)
  known_bug  (optional) why elfin currently gets this case wrong
"""
import json
import os
import shutil
import stat
import struct
import sys

ET_REL, ET_EXEC, ET_DYN, ET_CORE = 1, 2, 3, 4
PT_LOAD, PT_INTERP, PT_NOTE, PT_PHDR, PT_GNU_STACK = 1, 3, 4, 6, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
BASE = 0x400000
CODE_OFF = 0x200  # the program: exit_group(0)
INTERP_OFF = 0x300
SIZE = 0x400
CODE = bytes.fromhex("31ff" "b8e7000000" "0f05")  # xor edi,edi; mov eax,231; syscall


def ph(type, off=0, vaddr=BASE, filesz=SIZE, memsz=None, flags=PF_R | PF_X):
    return dict(type=type, flags=flags, off=off, vaddr=vaddr, filesz=filesz,
                memsz=filesz if memsz is None else memsz)


def text():
    return ph(PT_LOAD)


def interp_ph(length):
    return ph(PT_INTERP, INTERP_OFF, BASE + INTERP_OFF, length, flags=PF_R)


def build(phdrs=None, interp=None, size=SIZE, ident=b"\x7fELF\x02\x01\x01", type=ET_EXEC,
          machine=62, version=1, phentsize=56, phnum=None, phoff=64, entry=BASE + CODE_OFF):
    """A static ET_EXEC that exits 0; each keyword spoils one field. interp: bytes at INTERP_OFF."""
    if phdrs is None:
        phdrs = [text(), ph(PT_GNU_STACK, 0, 0, 0, flags=PF_R | PF_W)]
    if interp is not None and not any(p["type"] == PT_INTERP for p in phdrs):
        phdrs = [interp_ph(len(interp))] + phdrs
    buf = bytearray(max(size, SIZE))
    hdr = struct.pack("<16sHHIQQQIHHHHHH", ident.ljust(16, b"\0"), type, machine, version,
                      entry, phoff, 0, 0, 64, phentsize,
                      len(phdrs) if phnum is None else phnum, 64, 0, 0)
    buf[0:64] = hdr
    for i, p in enumerate(phdrs):
        buf[64 + 56 * i:120 + 56 * i] = struct.pack("<IIQQQQQQ", p["type"], p["flags"], p["off"],
                                                   p["vaddr"], p["vaddr"], p["filesz"], p["memsz"], 0x1000)
    if 64 + 56 * len(phdrs) <= CODE_OFF:  # else the headers fill the space and nothing runs
        buf[CODE_OFF:CODE_OFF + len(CODE)] = CODE
    if interp is not None:
        buf[INTERP_OFF:INTERP_OFF + len(interp)] = interp
    return bytes(buf[:size])


def with_interp(path):
    return build(interp=path.encode() + b"\0")


def pie(entry=CODE_OFF):
    return build([ph(PT_LOAD, vaddr=0)], type=ET_DYN, entry=entry)


def cases(out):
    """The corpus files: (name, content, status, expect[, mode])."""
    nx = "not an executable (ELF type %s)"
    seg = "segment 0"
    two_loads = [text(), ph(PT_LOAD, SIZE - 0x100, BASE + 0x1000 + SIZE - 0x100, 0x100, 0x1000, PF_R | PF_W)]
    top = 0x7FFFFFFFF000  # Linux's TASK_SIZE: the last page of the lower half is never mapped
    path = lambda name: os.path.join(out, name)  # noqa: E731
    return [
        ("valid", build(), 0, ""),
        ("valid-pie", pie(), 0, ""),
        ("entry-unmapped", build(entry=0x10000000), 128 + 11, ""),  # runs, then faults, as natively
        ("entry-noncanonical", build(entry=1 << 63), 126, "entry point"),
        ("entry-top-page", build(entry=top), 126, "entry point"),  # Linux: BAD_ADDR(entry) fails execve
        ("pie-entry-noncanonical", pie(entry=top), 126, "entry point"),  # top + load bias
        ("empty", b"", 126, "not an ELF file"),
        ("junk", b"junk", 126, "not an ELF file"),
        ("script", b"#!/bin/sh\necho hello\n", 126, "is a script; run its interpreter under elfin instead"),
        ("truncated", build()[:40], 126, "truncated ELF file (40 bytes, the header alone needs 64)"),
        ("class32", build(ident=b"\x7fELF\x01\x01\x01"), 126, "not a 64-bit ELF file (class 1)"),
        ("big-endian", build(ident=b"\x7fELF\x02\x02\x01"), 126, "not a little-endian ELF file"),
        ("bad-version", build(version=2), 126, "unsupported ELF version"),
        ("aarch64", build(machine=183), 126, "built for another machine (e_machine 183), not x86-64"),
        ("et-rel", build(type=ET_REL), 126, nx % "relocatable"),
        ("et-core", build(type=ET_CORE), 126, nx % "core"),
        ("bad-phentsize", build(phentsize=32), 126, "bad program header size 32"),
        ("zero-phnum", build(phnum=0), 126, "no program headers"),
        ("too-many-phdrs", build(phnum=200), 126, "too many program headers (200)"),
        ("phdrs-beyond-eof", build(phoff=SIZE - 60), 126, "program headers lie beyond the end of the file"),
        ("huge-phoff", build(phoff=0xFFFFFFFFFFFFFF00), 126, "program headers lie beyond the end of the file"),
        ("filesz-gt-memsz", build([ph(PT_LOAD, memsz=SIZE - 1)]), 126, seg + ": file size exceeds memory size"),
        ("segment-beyond-eof", build([ph(PT_LOAD, filesz=SIZE + 1)]), 126, seg + " lies beyond the end of the file"),
        ("segment-out-of-range", build([ph(PT_LOAD, vaddr=0x800000000000)]), 126,
         seg + ": address 0x800000000000 out of range"),
        ("segment-top-page", build([ph(PT_LOAD, vaddr=top, memsz=0x1000)]), 126,
         seg + ": address 0x7ffffffff000 out of range"),
        ("segment-fixed-clash", build([ph(PT_LOAD, vaddr=0x7F0100000000, memsz=top - 0x7F0100000000)]), 126,
         "cannot map its segments at their fixed addresses"),  # over the stack and elfin itself
        ("segment-misaligned", build([ph(PT_LOAD, vaddr=BASE + 0x10)]), 126,
         seg + ": address and file offset disagree modulo the page size"),
        ("segment-below-min", build([ph(PT_LOAD, vaddr=0x1000)]), 126,
         seg + " at 0x1000 is below the lowest mappable address"),
        ("segments-overlap", build([two_loads[0], dict(two_loads[1], vaddr=BASE + SIZE - 0x100)]), 126,
         "loadable segments overlap or are out of order"),
        ("segments-out-of-order", build(two_loads[::-1]), 126, "loadable segments overlap or are out of order"),
        ("segments-absurd-span", build([text(), dict(two_loads[1], vaddr=two_loads[1]["vaddr"] + (1 << 41))]), 126,
         "segments span an absurd range"),
        ("too-many-loads", build([ph(PT_LOAD, 0, BASE + 0x1000 * i, 0x10) for i in range(33)], size=0x800), 126,
         "too many loadable segments"),
        ("no-load", build([ph(PT_NOTE)]), 126, "no loadable segments"),
        ("two-interp", build([interp_ph(8), interp_ph(8), text()], interp=b"/ld.so\0\0"), 126,
         "more than one interpreter"),
        ("interp-too-short", build([interp_ph(1), text()], interp=b"/"), 126, "malformed interpreter path (length 1)"),
        ("interp-too-long", build([interp_ph(5000), text()], interp=b"/", size=0x1800), 126,
         "malformed interpreter path (length 5000)"),
        ("interp-beyond-eof", build([interp_ph(SIZE), text()], interp=b"/"), 126,
         "interpreter path lies beyond the end of the file"),
        ("interp-unterminated", build(interp=b"/lib/ld.so"), 126, "malformed interpreter path"),
        ("interp-inner-nul", build(interp=b"/lib\0ld.so\0"), 126, "malformed interpreter path"),
        ("interp-relative", build(interp=b"lib/ld.so\0"), 126, "interpreter path is not absolute"),
        ("interp-missing", with_interp("/nonexistent/ld.so"), 127,
         "cannot find its interpreter /nonexistent/ld.so: No such file or directory"),
        ("interp-pie", with_interp(path("valid-pie")), 0, ""),
        ("interp-malformed", with_interp(path("junk")), 126, f"bad interpreter {path('junk')}: not an ELF file"),
        ("interp-directory", with_interp(out), 126, f"bad interpreter {out}: is a directory"),
        ("interp-char-device", with_interp("/dev/null"), 126, "bad interpreter /dev/null: not a regular file"),
        ("interp-not-executable", with_interp(path("not-executable")), 126,
         f"bad interpreter {path('not-executable')}: Permission denied"),
        ("interp-has-interp", with_interp(path("interp-missing")), 126,
         f"bad interpreter {path('interp-missing')}: the interpreter itself names an interpreter"),
        ("interp-self", with_interp(path("interp-self")), 126,
         f"bad interpreter {path('interp-self')}: the interpreter itself names an interpreter"),
        ("interp-fixed-clash", with_interp(path("valid")), 126,  # both ET_EXEC at 0x400000
         f"bad interpreter {path('valid')}: cannot map its segments at their fixed addresses"),
        ("not-executable", build(), 126, "Permission denied", 0o644),
    ]


def special(out):
    """Cases that are not corpus files: (name, path, cwd, status, expect)."""
    return [
        ("directory", out, out, 126, "is a directory"),
        ("missing", os.path.join(out, "does-not-exist"), out, 127, "No such file or directory"),
        ("missing-relative", "does-not-exist", out, 127, "command not found"),  # no slash: a PATH search
        ("relative-junk", "./junk", out, 126, "not an ELF file"),
        ("path-through-file", os.path.join(out, "junk", "x"), out, 127, "Not a directory"),
        ("char-device", "/dev/null", out, 126, "not a regular file"),
        ("symlink-to-junk", os.path.join(out, "symlink-to-junk"), out, 126, "not an ELF file"),
        ("symlink-dangling", os.path.join(out, "symlink-dangling"), out, 127, "No such file or directory"),
    ]


def generate(out):
    out = os.path.abspath(out)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    manifest = []
    for name, content, status, expect, *mode in cases(out):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, mode[0] if mode else 0o755)
        manifest.append(dict(name=name, path=path, cwd=out, status=status, expect=expect))
    os.symlink("junk", os.path.join(out, "symlink-to-junk"))
    os.symlink("nowhere", os.path.join(out, "symlink-dangling"))
    for name, path, cwd, status, expect in special(out):
        manifest.append(dict(name=name, path=path, cwd=cwd, status=status, expect=expect))
    for case in manifest:
        if case["name"] in KNOWN_BUGS:
            case["known_bug"] = KNOWN_BUGS[case["name"]]
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


# Cases elfin gets wrong today, with the reason; run.py reports them without failing.
KNOWN_BUGS = {}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    print(f"{len(generate(sys.argv[1]))} cases in {sys.argv[1]}")
