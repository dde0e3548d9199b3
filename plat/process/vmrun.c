/* `elfin run --vm`, part two: checks the kernel image, packs the initrd into a memfd, and
 * runs qemu-system-x86_64 -M microvm with the program's stdin and stdout on COM1, its stderr
 * on COM2 and the guest's exit record on COM3; the record gives elfin's exit status. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "plat/process/vm.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/sys/decode.h"

enum { H_clone = 56, H_execve = 59, H_wait4 = 61, H_memfd_create = 319 };
#define SIGCHLD 17
#define QEMU "qemu-system-x86_64"
#define EXIT_MAGIC 123 /* QEMU's status for the guest's write of 0x3d to isa-debug-exit */

static bool file_ok(const char *path, int mode)
{
	return HOST3(H_faccessat, AT_FDCWD, path, mode) == 0;
}

static const char *find_qemu(char **envp)
{
	static char buf[4096];
	const char *path = "/usr/local/bin:/usr/bin:/bin";
	for (char **e = envp; *e; e++)
		if (str_starts(*e, "PATH="))
			path = *e + 5;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		if (n && n + sizeof QEMU + 1 < sizeof buf) {
			memcpy(buf, path, n);
			buf[n] = '/';
			strlcpy(buf + n + 1, QEMU, sizeof buf - n - 1);
		}
		if (n && n + sizeof QEMU + 1 < sizeof buf && file_ok(buf, X_OK))
			return buf;
		path += n + (end ? 1 : 0);
	}
	return NULL;
}

/* An x86-64 ELF whose segments are all in the file, with the PVH entry note (namesz 4,
 * descsz 4, type XEN_ELFNOTE_PHYS32_ENTRY, "Xen"). */
static bool kernel_image_ok(int fd)
{
	static const uint8_t pvh[] = {4, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0};
	uint8_t eh[64];
	uint64_t ph[7 * 16], size = (uint64_t)HOST3(H_lseek, fd, 0, 2 /* SEEK_END */);
	if (HOST4(H_pread64, fd, eh, sizeof eh, 0) != sizeof eh || memcmp(eh, "\177ELF\2\1", 6) != 0 ||
	    *(uint16_t *)(eh + 18) != 62 /* EM_X86_64 */)
		return false;
	uint64_t phoff = *(uint64_t *)(eh + 32);
	unsigned phnum = *(uint16_t *)(eh + 56);
	if (phnum > 16 || HOST4(H_pread64, fd, ph, phnum * 56UL, phoff) != (long)(phnum * 56UL))
		return false;
	bool note = false;
	for (unsigned i = 0; i < phnum; i++) {
		const uint64_t *h = (const uint64_t *)((const char *)ph + i * 56);
		if (h[1] + h[4] > size || h[1] + h[4] < h[1])
			return false; /* truncated */
		uint8_t n[sizeof pvh];
		if ((uint32_t)h[0] == 4 && h[4] >= sizeof pvh && HOST4(H_pread64, fd, n, sizeof n, h[1]) == sizeof n)
			note |= memcmp(n, pvh, sizeof pvh) == 0;
	}
	return note;
}

/* The kernel image beside elfin (ELFIN_VM_KERNEL overrides), checked to be a PVH ELF. */
/* A --mem size as QEMU's -m reads it (a number of MiB, or with a K, M or G suffix), in bytes;
 * 0 when it is not one. */
uint64_t vm_mem_bytes(const char *s)
{
	uint64_t n = 0, unit = 1 << 20;
	const char *p = s;
	for (; *p >= '0' && *p <= '9' && n < (1ULL << 40); p++)
		n = n * 10 + (uint64_t)(*p - '0');
	if (p == s)
		return 0;
	if (*p == 'K' || *p == 'k')
		unit = 1 << 10, p++;
	else if (*p == 'M' || *p == 'm')
		p++;
	else if (*p == 'G' || *p == 'g')
		unit = 1 << 30, p++;
	return *p || n >= (1ULL << 40) ? 0 : n * unit;
}

static const char *find_kernel(char **envp, char *err, size_t errlen)
{
	static char k[4096];
	long n = HOST3(89 /* readlink */, "/proc/self/exe", k, sizeof k - 16);
	char *slash = n > 0 ? strrchr((k[n] = 0, k), '/') : NULL;
	if (slash)
		strlcpy(slash + 1, "elfin-vm", sizeof k - (size_t)(slash + 1 - k));
	for (char **e = envp; *e; e++)
		if (str_starts(*e, "ELFIN_VM_KERNEL="))
			strlcpy(k, *e + 16, sizeof k);
	long fd = HOST4(H_openat, AT_FDCWD, k, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		ksnprintf(err, errlen, "%s: cannot read the vm kernel (make builds it)", k);
		return NULL;
	}
	bool ok = kernel_image_ok((int)fd);
	HOST1(H_close, fd);
	if (!ok) {
		ksnprintf(err, errlen, "%s: not a vm kernel image (truncated, or not an ELF with a PVH entry note)", k);
		return NULL;
	}
	return k;
}

/* KVM only where it runs guests at native speed: not under another hypervisor, whose
 * /dev/kvm (as on the machines elfin is built on) may emulate instruction by instruction. */
static const char *choose_accel(const char *asked)
{
	if (asked)
		return asked;
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	bool nested = c & (1u << 31);
	return !nested && file_ok("/dev/kvm", R_OK | W_OK) ? "kvm" : "tcg";
}

static long memfd(const char *name)
{
	return HOST2(H_memfd_create, name, 0); /* no CLOEXEC: QEMU opens it by /proc/self/fd */
}

/* The guest's records on COM3, in order: "elfin-clock SOURCE tsc HZ lapic HZ us COST" (where
 * the clock's rates came from, and the time it took), "elfin-boot NS" (the kernel's share of
 * the boot), with --stats "elfin-stats LEN" and the JSON's LEN bytes, and last "elfin-exit
 * STATUS" or "elfin-exit panic". */
struct vm_records {
	long boot_ns;         /* -1: none */
	const char *stats;    /* the JSON, or NULL */
	size_t stats_len;
	const char *exit;     /* what follows "elfin-exit ", or NULL */
	char clock[96];       /* what follows "elfin-clock ": the clock's source and rates */
};

static long decimal(const char **s)
{
	long v = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++)
		v = v * 10 + (**s - '0');
	return v;
}

/* Reads the records out of buf (NUL-terminated, len bytes); a record cut short is ignored. */
static void parse_records(const char *buf, size_t len, struct vm_records *r)
{
	*r = (struct vm_records){.boot_ns = -1};
	const char *end = buf + len;
	for (const char *s = buf; s < end;) {
		const char *nl = strchr(s, '\n'); /* buf holds no NUL before its end */
		if (!nl)
			break;
		if (str_starts(s, "elfin-boot ")) {
			s += 11;
			r->boot_ns = decimal(&s);
		} else if (str_starts(s, "elfin-stats ")) {
			s += 12;
			size_t n = (size_t)decimal(&s);
			if (n > (size_t)(end - nl - 1))
				break;
			r->stats = nl + 1;
			r->stats_len = n;
			nl += n;
		} else if (str_starts(s, "elfin-exit ")) {
			r->exit = s + 11;
		} else if (str_starts(s, "elfin-clock ")) {
			strlcpy(r->clock, s + 12, MIN(sizeof r->clock, (size_t)(nl - s - 11)));
		}
		s = nl + 1;
	}
}

/* --stats FILE from the guest's JSON, with the process platform's message when it cannot. */
static void write_stats(const char *path, const char *json, size_t len)
{
	long h = HOST4(H_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (h < 0) {
		kprintf("elfin: %s: cannot write statistics (%s)\n", path, errno_text(-h));
		return;
	}
	for (size_t done = 0; done < len;) {
		long n = HOST3(H_write, h, json + done, len - done);
		if (n <= 0 && n != -EINTR) {
			kprintf("elfin: %s: cannot write statistics (%s)\n", path, errno_text(n ? -n : ENOSPC));
			break;
		}
		done += n > 0 ? (size_t)n : 0;
	}
	HOST1(H_close, h);
}

/* elfin's exit status from QEMU's and the records (ELFIN_VM_REPORT: the boot time on stderr);
 * the statistics file is written first. */
static int exit_status(int stfd, long wstatus, struct vm_options *o, bool report)
{
	long len = HOST3(H_lseek, stfd, 0, 2 /* SEEK_END */);
	char *buf = kmalloc(len > 0 ? (size_t)len + 1 : 1);
	if (!buf)
		return ELFIN_EXIT_VM;
	len = len > 0 ? HOST4(H_pread64, stfd, buf, (size_t)len, 0) : 0;
	buf[len > 0 ? len : 0] = 0;
	struct vm_records r;
	parse_records(buf, len > 0 ? (size_t)len : 0, &r);
	if (report && r.clock[0])
		kprintf("elfin: vm: clock %s\n", r.clock);
	if (report && r.boot_ns >= 0)
		kprintf("elfin: vm: kernel boot %ld us (guest TSC, vm_main to the program's first instruction)\n",
			r.boot_ns / 1000);
	if (o->stats_path && r.stats)
		write_stats(o->stats_path, r.stats, r.stats_len);
	bool exited = (wstatus & 0x7f) == 0;
	int code = (int)(wstatus >> 8) & 0xff;
	int st = -1;
	if (exited && code == EXIT_MAGIC && r.exit) {
		const char *s = r.exit;
		st = str_starts(s, "panic") ? ELFIN_EXIT_PANIC : (int)decimal(&s);
	}
	kfree(buf);
	if (st >= 0)
		return st;
	if (!exited) {
		kprintf("elfin: %s was killed by signal %ld\n", QEMU, wstatus & 0x7f);
		return 128 + (int)(wstatus & 0x7f);
	}
	kprintf("elfin: the vm stopped without an exit status (%s exit status %d)\n", QEMU, code);
	return ELFIN_EXIT_VM;
}

enum { H_dup2 = 33 };

/* The strings of the JSON array after key, unescaped, each NUL-terminated, an empty one
 * last (the statistics escape only '"', '\\' and control characters). */
static char *json_paths(const char *json, const char *key)
{
	const char *s = json;
	size_t klen = strlen(key);
	while (*s && strncmp(s, key, klen) != 0)
		s++;
	char *out = kmalloc(strlen(s) + 2), *w = out;
	if (!out)
		return NULL;
	for (s += *s ? klen : 0; *s && *s != ']'; s++) {
		if (*s != '"')
			continue;
		for (s++; *s && *s != '"'; s++)
			*w++ = *s == '\\' && s[1] ? *++s : *s;
		*w++ = 0;
		if (!*s)
			break;
	}
	*w = 0;
	return out;
}

/* --record: the program runs once on the process platform (this elfin, its output thrown
 * away) with --stats into a memfd, whose "used_paths" are what the vm gets packed. */
static long record_run(struct vm_options *o, char **envp)
{
	static char stats[64];
	long sfd = memfd("elfin-record");
	if (sfd < 0)
		return sfd;
	ksnprintf(stats, sizeof stats, "/proc/self/fd/%ld", sfd);
	int n = 0;
	while (o->argv[n])
		n++;
	char **argv = kmalloc((size_t)(n + 8) * sizeof *argv);
	if (!argv)
		return -ENOMEM;
	char *head[] = {"elfin", "run", o->preload ? "--preload" : "--no-preload", "--stats", stats, "--",
			(char *)o->program};
	memcpy(argv, head, sizeof head);
	memcpy(argv + 7, o->argv + 1, (size_t)n * sizeof *argv); /* its NULL too */
	long pid = HOST5(H_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		long null = HOST4(H_openat, AT_FDCWD, "/dev/null", O_RDWR, 0);
		for (int fd = 0; fd < 3 && null >= 0; fd++)
			HOST2(H_dup2, null, fd);
		HOST3(H_execve, "/proc/self/exe", argv, envp);
		HOST1(H_exit_group, 127);
	}
	int ws = 0;
	while (pid > 0 && HOST4(H_wait4, pid, &ws, 0, NULL) == -EINTR)
		;
	kfree(argv);
	long len = HOST3(H_lseek, sfd, 0, 2 /* SEEK_END */);
	char *json = len > 0 ? kmalloc((size_t)len + 1) : NULL;
	if (!json || HOST4(H_pread64, sfd, json, (size_t)len, 0) != len) {
		kfree(json);
		return pid < 0 ? pid : -EIO;
	}
	json[len] = 0;
	HOST1(H_close, sfd);
	o->recorded = json_paths(json, "\"used_paths\": [");
	kfree(json);
	return 0;
}

/* The host's time into the manifest, as late as can be: the guest's wall clock starts there
 * (kvmclock's, under KVM). QEMU's own start is still to come: the guest lags by that much. */
static void stamp_time(int fd, uint64_t at)
{
	char digits[VM_TIME_DIGITS + 1];
	int64_t ts[2] = {0, 0};
	HOST2(H_clock_gettime, 0 /* CLOCK_REALTIME */, ts);
	ksnprintf(digits, sizeof digits, VM_TIME_FMT, (long)(ts[0] * 1000000000 + ts[1]));
	HOST4(H_pwrite64, fd, digits, VM_TIME_DIGITS, at);
}

/* COM4 (0x2e8) into the host file h, which QEMU opens again by /proc/self/fd. */
static void trace_port(char **argv, int h)
{
	static char dev[64];
	int n = 0;
	while (argv[n])
		n++;
	HOST3(H_fcntl, h, F_SETFD, 0); /* open across QEMU's exec */
	ksnprintf(dev, sizeof dev, "file,id=tr,path=/proc/self/fd/%d,append=on", h);
	char *more[] = {"-chardev", dev, "-device", "isa-serial,chardev=tr,iobase=0x2e8,irq=3", NULL};
	memcpy(argv + n, more, sizeof more);
}

/* ELFIN_VM_QEMU_ARGS: more QEMU arguments, separated by spaces (say "-icount shift=0"). */
static void extra_args(char **argv, char **envp)
{
	static char copy[4096];
	int n = 0;
	while (argv[n])
		n++;
	for (char **e = envp; *e; e++)
		if (str_starts(*e, "ELFIN_VM_QEMU_ARGS="))
			strlcpy(copy, *e + 19, sizeof copy);
	for (char *s = copy; *s && n < 64 + 39;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		argv[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[n] = NULL;
}

/* QEMU with stdin from /dev/null when the program's was packed (no_stdin): QEMU reads its
 * stdin for COM1, and a pipe at its end made QEMU drop output bytes once stdout was full. */
static long spawn(const char *path, char **argv, char **envp, bool no_stdin)
{
	long pid = HOST5(H_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		long null = no_stdin ? HOST4(H_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0) : -1;
		if (null >= 0)
			HOST2(H_dup2, null, 0);
		HOST3(H_execve, path, argv, envp);
		HOST1(H_exit_group, 127);
	}
	return pid;
}

/* A serial line has no end-of-file: stdin that is not a terminal is read to its end first
 * and packed, and the guest's stdin reads it (then end-of-file). */
static long read_stdin(struct vm_options *o)
{
	uint8_t termios[64];
	if (HOST3(H_ioctl, 0, 0x5401 /* TCGETS */, termios) == 0)
		return 0;
	size_t cap = 1 << 16;
	o->stdin_data = kmalloc(cap);
	for (;;) {
		if (!o->stdin_data)
			return -ENOMEM;
		if (o->stdin_len == cap) {
			if (cap >= (256UL << 20))
				return -EFBIG;
			o->stdin_data = krealloc(o->stdin_data, cap *= 2);
			continue;
		}
		long n = HOST3(H_read, 0, o->stdin_data + o->stdin_len, cap - o->stdin_len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n == -EBADF ? 0 : n;
		o->stdin_len += (size_t)n;
	}
}

int vm_run(struct vm_options *o, char **envp)
{
	static char err[512], initrd[64], status[64];
	const char *kernel = find_kernel(envp, err, sizeof err), *qemu = find_qemu(envp);
	if (!kernel) {
		kprintf("elfin: %s\n", err);
		return ELFIN_EXIT_VM;
	}
	if (!qemu) {
		kprintf("elfin: --vm needs %s, which is not on PATH (Debian: apt-get install qemu-system-x86)\n", QEMU);
		return ELFIN_EXIT_VM;
	}
	long ifd = memfd("elfin-initrd"), sfd = memfd("elfin-status");
	if (ifd < 0 || sfd < 0) {
		kprintf("elfin: --vm: cannot make a memfd (%ld)\n", ifd < 0 ? ifd : sfd);
		return ELFIN_EXIT_VM;
	}
	bool report = false;
	for (char **e = envp; *e; e++) {
		o->test_panic |= str_starts(*e, "ELFIN_VM_TEST_PANIC=");
		report |= str_starts(*e, "ELFIN_VM_REPORT=");
	}
	long r = o->record ? record_run(o, envp) : 0;
	if (r < 0) {
		kprintf("elfin: --record: the run on the process platform failed (%ld)\n", r);
		return ELFIN_EXIT_VM;
	}
	r = read_stdin(o);
	if (r < 0) {
		kprintf("elfin: --vm: cannot read stdin to pack it (%ld)\n", r);
		return ELFIN_EXIT_VM;
	}
	int st = vm_pack(o, (int)ifd, err, sizeof err);
	if (st) {
		kprintf("elfin: %s\n", err);
		return st;
	}
	/* QEMU loads the initrd into the machine's memory, and the kernel unpacks it there: an
	 * initrd near the memory's size cannot boot. Say so rather than let the guest fault. */
	uint64_t isize = (uint64_t)HOST3(H_lseek, ifd, 0, 2 /* SEEK_END */);
	uint64_t mem = vm_mem_bytes(o->mem ? o->mem : "512M");
	if (isize + VM_KERNEL_RESERVE > mem) {
		kprintf("elfin: %s: the program and its files (%lu KiB packed) do not fit in --mem %s\n",
			o->program, (unsigned long)(isize >> 10), o->mem ? o->mem : "512M");
		return 2;
	}
	const char *accel = choose_accel(o->accel);
	long kvm = strcmp(accel, "kvm") == 0 ? HOST3(H_faccessat, AT_FDCWD, "/dev/kvm", R_OK | W_OK) : 0;
	if (kvm < 0) { /* said here in one line, rather than QEMU's two and an exit without a status */
		kprintf("elfin: --accel kvm: /dev/kvm: %s (KVM is not available here; --accel tcg runs without it)\n",
			errno_text(-kvm));
		return ELFIN_EXIT_VM;
	}
	if (report)
		kprintf("elfin: vm: initrd %ld bytes, accelerator %s\n", HOST3(H_lseek, ifd, 0, 2 /* SEEK_END */), accel);
	ksnprintf(initrd, sizeof initrd, "/proc/self/fd/%ld", ifd);
	ksnprintf(status, sizeof status, "file,id=st,path=/proc/self/fd/%ld", sfd);
	char *argv[64 + 40] = {
		(char *)qemu, "-M", "microvm", "-accel", (char *)accel, "-cpu", strcmp(accel, "kvm") == 0 ? "host" : "max", "-m",
		(char *)(o->mem ? o->mem : "512M"), "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-kernel", (char *)kernel, "-initrd", initrd,
		"-chardev", "stdio,id=con", "-serial", "chardev:con",
		"-chardev", "file,id=err,path=/proc/self/fd/2,append=on",
		"-device", "isa-serial,chardev=err,iobase=0x2f8,irq=3",
		"-chardev", status, "-device", "isa-serial,chardev=st,iobase=0x3e8,irq=4",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=4", NULL,
	};
	if (o->strace_fd > 2) /* --strace=FILE: COM4 appends to the file elfin opened */
		trace_port(argv, o->strace_fd);
	extra_args(argv, envp);
	stamp_time((int)ifd, o->time_at);
	long pid = spawn(qemu, argv, envp, o->stdin_data != NULL);
	if (pid < 0) {
		kprintf("elfin: cannot start %s (%ld)\n", qemu, pid);
		return ELFIN_EXIT_VM;
	}
	int wstatus = 0;
	while (HOST4(H_wait4, pid, &wstatus, 0, NULL) == -EINTR)
		;
	return exit_status((int)sfd, wstatus, o, report);
}
