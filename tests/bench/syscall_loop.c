/* Per-call cost of one system call by each way into a kernel, timed with CLOCK_MONOTONIC.
 *
 *   syscall_loop OP WAY N     prints "<N> calls <ns> ns/call"
 *
 * OP: getpid; clock (clock_gettime(CLOCK_MONOTONIC) as a system call, no vDSO); zero (a 1-byte
 * read of /dev/zero); futex (FUTEX_WAKE with no waiter); tmpfs (a 4 KiB pread of a file under
 * /tmp, which is elfin's own tmpfs); call (no system call: an indirect call of a function that
 * does nothing, the floor a direct entry is compared with).
 * WAY: syscall (the `syscall` instruction: natively Linux, under elfin the trap path); direct
 * (elfin's direct entry, __elfin_syscall in its vDSO; natively there is none and the syscall
 * serves); direct-wrfsbase and direct-arch_prctl (the direct entry with the fs base switched
 * away and back around each call, by the wrfsbase instruction or by arch_prctl, which is what
 * a kernel keeping its thread pointer in %fs would pay; elfin's is in %gs and pays nothing). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "../abi/vdso_sym.h"

enum { NR_read = 0, NR_pread64 = 17, NR_getpid = 39, NR_arch_prctl = 158, NR_futex = 202,
       NR_clock_gettime = 228 };
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define HWCAP2_FSGSBASE 2

static long (*direct)(long nr, const long *args, void (*on_interrupt)(void));
static int fs_switch; /* 0, 'w' (wrfsbase) or 'a' (arch_prctl) */

static inline long raw6(long nr, const long *a)
{
	long r;
	register long r10 __asm__("r10") = a[3], r8 __asm__("r8") = a[4], r9 __asm__("r9") = a[5];
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long enter(long nr, const long *args)
{
	return direct ? direct(nr, args, 0) : raw6(nr, args);
}

static long call(long nr, const long *args)
{
	if (fs_switch == 'w') {
		unsigned long fs;
		__asm__ volatile("rdfsbase %0" : "=r"(fs));
		__asm__ volatile("wrfsbase %0" : : "r"(fs ^ 0x1000) : "memory"); /* "the kernel's" */
		long r = enter(nr, args);
		__asm__ volatile("wrfsbase %0" : : "r"(fs) : "memory");
		return r;
	}
	if (fs_switch == 'a') { /* the same value back and forth: the cost is the call itself */
		unsigned long fs;
		long get[6] = {ARCH_GET_FS, (long)&fs};
		enter(NR_arch_prctl, get);
		long set[6] = {ARCH_SET_FS, (long)fs};
		enter(NR_arch_prctl, set);
		long r = enter(nr, args);
		enter(NR_arch_prctl, set);
		return r;
	}
	return enter(nr, args);
}

static long nothing(long nr, const long *args)
{
	__asm__ volatile("" : : "r"(nr), "r"(args) : "memory");
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: syscall_loop getpid|clock|zero|futex|tmpfs|call syscall|direct|direct-wrfsbase|direct-arch_prctl N\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	const char *op = argv[1], *way = argv[2];
	long n = atol(argv[3]);
	if (n <= 0)
		return usage();
	if (strncmp(way, "direct", 6) == 0)
		direct = (long (*)(long, const long *, void (*)(void)))vdso_symbol("__elfin_syscall");
	if (strcmp(way, "direct-wrfsbase") == 0) {
		if (!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)) {
			fprintf(stderr, "syscall_loop: wrfsbase unavailable (the kernel has not enabled FSGSBASE)\n");
			return 3;
		}
		fs_switch = 'w';
	} else if (strcmp(way, "direct-arch_prctl") == 0) {
		fs_switch = 'a';
	} else if (strcmp(way, "syscall") != 0 && strcmp(way, "direct") != 0) {
		return usage();
	}

	static char buf[4096];
	static int futex_word;
	struct timespec ts;
	long args[6] = {0};
	long nr, want = 0;
	long (*fn)(long, const long *) = call;
	if (strcmp(op, "getpid") == 0) {
		nr = NR_getpid;
		want = getpid();
	} else if (strcmp(op, "clock") == 0) {
		nr = NR_clock_gettime;
		args[0] = CLOCK_MONOTONIC;
		args[1] = (long)&ts;
	} else if (strcmp(op, "zero") == 0) {
		nr = NR_read;
		args[0] = open("/dev/zero", O_RDONLY);
		args[1] = (long)buf;
		args[2] = want = 1;
	} else if (strcmp(op, "futex") == 0) {
		nr = NR_futex;
		args[0] = (long)&futex_word;
		args[1] = 1 | 128; /* FUTEX_WAKE_PRIVATE */
		args[2] = 1;
	} else if (strcmp(op, "tmpfs") == 0) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/syscall_loop.%d", getpid());
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf || unlink(path) != 0) {
			perror("syscall_loop: tmpfs file");
			return 1;
		}
		nr = NR_pread64;
		args[0] = fd;
		args[1] = (long)buf;
		args[2] = want = sizeof buf;
	} else if (strcmp(op, "call") == 0) {
		nr = 0;
		fn = nothing;
	} else {
		return usage();
	}
	long (*volatile vfn)(long, const long *) = fn; /* an indirect call the compiler cannot see through */
	for (int i = 0; i < 1000; i++) /* warm up */
		vfn(nr, args);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		long r = vfn(nr, args);
		if (r != want) {
			fprintf(stderr, "syscall_loop: %s returned %ld, not %ld\n", op, r, want);
			return 1;
		}
	}
	double t1 = now_ns();
	printf("%ld calls %.1f ns/call\n", n, (t1 - t0) / n);
	return 0;
}
