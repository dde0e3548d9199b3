#!/usr/bin/env python3
"""badvm.py: bad input to the vm platform gives a one-line error and a distinct exit status:
a truncated or foreign kernel image, a missing QEMU, --accel kvm where /dev/kvm is missing, and an initrd that is not a newc cpio
(booted directly, since elfin only ever packs good ones); and a kernel panic (a deliberate
fault, ELFIN_VM_TEST_PANIC) reports registers, the faulting address and a backtrace, and
exits 125. --stats to a path that cannot be written gives the process platform's one line and
the program's status; --strace's lines on stderr are the process platform's. The guest's wall
clock is the host's: never ahead of it, nor before the launch's end (stdin that ends late)."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ELFIN_EXIT_VM = 124   # plat/process/vm.h
BOOT_FAILED = 2       # the guest's exit record when the initrd is unusable
QEMU_MAGIC = 123      # QEMU's status when the guest wrote its exit record


CHECKS = 17  # the expectations main checks, each adding at most one problem


def run(argv, env=None):
    p = subprocess.run(argv, capture_output=True, env=env, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expect(name, got, status, words, problems, usage=False):
    """One line naming the cause (and the usage after it for a bad command line)."""
    code, _, err = got
    lines = [l for l in err.splitlines() if l.strip()]
    if usage and len(lines) > 1 and lines[1].startswith("usage:"):
        lines = lines[:1]
    if code != status or len(lines) != 1 or not all(w in lines[0] for w in words):
        problems.append(f"{name}: status {code} (want {status}), stderr {err.strip()!r} (want one line with {words})")


def check_strace_stderr(elfin, hello, problems):
    """--strace --vm: the same lines on stderr as on the process platform, but for addresses
    and the pid."""
    def lines(*opts):
        code, out, err = run([elfin, "run", *opts, "--strace", hello])
        return code, out, re.sub(r"(?<=set_tid_address\(ADDR\) = )\d+", "PID",
                                 re.sub(r"0x[0-9a-f]+", "ADDR", err))
    here, vm = lines(), lines("--vm")
    if here != vm or "+++ exited with 0 +++" not in vm[2] or "writev(1, " not in vm[2]:
        problems.append(f"--strace --vm: {vm!r}, on the process platform {here!r}")


def check_wall_clock(elfin, problems):
    """The guest's CLOCK_REALTIME when its program runs lies between the end of its stdin (the
    launcher waits for it before it boots the machine) and the host's time at its output."""
    p = subprocess.Popen([elfin, "run", "--vm", "/usr/bin/date", "+%s%N"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    p.stdin.close()
    end = time.time_ns()
    line = p.stdout.readline()
    seen = time.time_ns()
    p.stdout.read()
    p.stderr.read()
    p.wait(timeout=120)
    guest = int(line) if line.strip().isdigit() else 0
    if not end <= guest <= seen:
        problems.append(f"wall clock: the guest's {guest} is not between the end of stdin {end} and {seen}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elfin", required=True)
    ap.add_argument("--hello", required=True, help="a static hello-world program")
    ap.add_argument("--dynamic", required=True, help="a dynamic (glibc) hello-world program")
    opts = ap.parse_args()
    elfin = os.path.abspath(opts.elfin)
    kernel = os.path.join(os.path.dirname(elfin), "elfin-vm")
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        trunc = os.path.join(tmp, "truncated")
        with open(kernel, "rb") as f, open(trunc, "wb") as g:
            g.write(f.read()[:8192])
        env = dict(os.environ, ELFIN_VM_KERNEL=trunc)
        expect("truncated kernel", run([elfin, "run", "--vm", opts.hello], env), ELFIN_EXIT_VM,
               ["not a vm kernel image"], problems)
        env = dict(os.environ, ELFIN_VM_KERNEL=elfin)  # an ELF, but no PVH note
        expect("foreign kernel", run([elfin, "run", "--vm", opts.hello], env), ELFIN_EXIT_VM,
               ["not a vm kernel image"], problems)
        env = dict(os.environ, PATH=tmp)
        expect("missing qemu", run([elfin, "run", "--vm", opts.hello], env), ELFIN_EXIT_VM,
               ["qemu-system-x86_64", "not on PATH"], problems)
        expect("bad --accel", run([elfin, "run", "--vm", "--accel", "xen", opts.hello]), 2,
               ["--accel"], problems, usage=True)
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):  # as on the machines elfin is built on
            expect("--accel kvm without KVM", run([elfin, "run", "--vm", "--accel", "kvm", opts.hello]),
                   ELFIN_EXIT_VM, ["--accel kvm", "/dev/kvm", "--accel tcg"], problems)
        for mem in ("1M", "2G", "lots"):
            expect(f"--mem {mem}", run([elfin, "run", "--vm", "--mem", mem, opts.hello]), 2,
                   ["--mem", mem], problems, usage=True)
        # a program and libraries that do not fit the machine: the launcher sees it from the
        # initrd's size, or the guest when unpacking it, and says so in one line
        expect("oversized initrd", run([elfin, "run", "--vm", "--mem", "3M", opts.dynamic]), 2,
               ["do not fit in --mem 3M"], problems)
        expect("oversized program", run([elfin, "run", "--vm", "--mem", "5M", opts.dynamic]), 2,
               ["initrd", "No space left on device"], problems)
        bad = os.path.join(tmp, "no-such-dir", "stats.json")
        expect("--stats unwritable", run([elfin, "run", "--vm", "--stats", bad, opts.hello]), 0,
               [bad, "cannot write statistics (No such file or directory)"], problems)
        expect("--strace=FILE unwritable", run([elfin, "run", "--vm", f"--strace={bad}", opts.hello]), 2,
               [bad, "cannot open for --strace (No such file or directory)"], problems)
        check_strace_stderr(elfin, opts.hello, problems)
        check_wall_clock(elfin, problems)
        env = dict(os.environ, ELFIN_VM_TEST_PANIC="1")
        code, _, err = run([elfin, "run", "--vm", opts.hello], env)
        if code != 125 or not all(w in err for w in ("kernel panic", "rip=", "address", "r15=", "backtrace:")):
            problems.append(f"kernel panic: status {code} (want 125), report {err.strip()!r}")
        qemu = shutil.which("qemu-system-x86_64")
        for name, data in (("garbage initrd", b"not a cpio archive\n" * 10),
                           ("truncated initrd", b"070701" + b"0" * 40)):
            initrd, status = os.path.join(tmp, "initrd"), os.path.join(tmp, "status")
            with open(initrd, "wb") as f:
                f.write(data)
            argv = [qemu, "-M", "microvm", "-accel", "tcg", "-m", "128M", "-nodefaults", "-no-user-config",
                    "-display", "none", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
                    "-chardev", "null,id=con", "-serial", "chardev:con",
                    "-chardev", "stdio,id=err", "-device", "isa-serial,chardev=err,iobase=0x2f8,irq=3",
                    "-chardev", f"file,id=st,path={status}", "-device", "isa-serial,chardev=st,iobase=0x3e8,irq=4",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
            code, out, _ = run(argv)
            with open(status) as f:
                record = f.read().strip().splitlines()[-1:]  # the exit record is the last
                record = record[0] if record else ""
            if code != QEMU_MAGIC or record != f"elfin-exit {BOOT_FAILED}" or "initrd" not in out \
                    or len(out.strip().splitlines()) != 1:
                problems.append(f"{name}: qemu status {code}, record {record!r}, console {out.strip()!r}")
    for p in problems:
        print("FAIL", p)
    print(f"badvm: {CHECKS - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
