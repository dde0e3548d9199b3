/* Instructions per getpid on the vm platform, counted deterministically: run under QEMU's
 * -icount shift=0, where the guest's TSC advances one tick per instruction. Reports the TSC
 * ticks of n calls minus those of n empty turns of the same loop; the calls are raw
 * `syscall`s (the trap path) or, with "direct", calls of elfin's direct entry.
 * usage: getpid_insns [N] [direct]   prints "<ticks> ticks/call" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../abi/vdso_sym.h"

static long (*direct)(long nr, const long *args, void (*on_interrupt)(void));

static inline unsigned long rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long)hi << 32 | lo;
}

static unsigned long loop(long n, int call)
{
	unsigned long t0 = rdtsc();
	for (long i = 0; i < n; i++) {
		static const long none[6];
		long r = 39; /* SYS_getpid */
		if (call && direct)
			r = direct(39, none, 0);
		else if (call)
			__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
		else
			__asm__ volatile("" : "+a"(r) : : "rcx", "r11", "memory");
	}
	return rdtsc() - t0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	if (argc > 2 && strcmp(argv[2], "direct") == 0)
		direct = (long (*)(long, const long *, void (*)(void)))vdso_symbol("__elfin_syscall");
	if (argc > 2 && !direct) {
		fprintf(stderr, "getpid_insns: no direct entry\n");
		return 2;
	}
	loop(n, 1); /* warm: page faults, first calls */
	unsigned long with = loop(n, 1), without = loop(n, 0);
	printf("%.1f ticks/call\n", (double)(with - without) / n);
	return 0;
}
