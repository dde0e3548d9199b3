/* Per-call cost of a system call: getpid through a raw `syscall` instruction (the trap path
 * under elfin), or with "direct" through elfin's direct entry (__elfin_syscall in its vDSO;
 * natively there is none and the raw syscall serves), timed with CLOCK_MONOTONIC.
 * usage: getpid_loop [N] [direct]   prints "<N> calls <ns> ns/call" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../abi/vdso_sym.h"

static long (*direct)(long nr, const long *args, void (*on_interrupt)(void));

static inline long raw_getpid(void)
{
	static const long none[6];
	if (direct)
		return direct(39, none, 0);
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(39L /* SYS_getpid */) : "rcx", "r11", "memory");
	return r;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	if (argc > 2 && strcmp(argv[2], "direct") == 0)
		direct = (long (*)(long, const long *, void (*)(void)))vdso_symbol("__elfin_syscall");
	if (n <= 0) {
		fprintf(stderr, "getpid_loop: bad count\n");
		return 2;
	}
	long pid = raw_getpid();
	for (int i = 0; i < 1000; i++) /* warm up */
		raw_getpid();
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (raw_getpid() != pid) {
			fprintf(stderr, "getpid_loop: getpid changed\n");
			return 1;
		}
	double t1 = now_ns();
	printf("%ld calls %.1f ns/call\n", n, (t1 - t0) / n);
	return 0;
}
