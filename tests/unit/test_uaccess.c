/* Host-side tests of arch/x86_64/uaccess.S: the fault-recovering copy gives memcpy's result
 * for every short and long length and alignment, and a copy that meets an unmapped page
 * stops there with -EFAULT, as the kernel's fault handler makes it (here a SIGSEGV handler
 * moves the instruction pointer to arch_uaccess_fixup's answer, as the trap code does). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/unit/check.h"

long arch_uaccess_copy(void *dst, const void *src, size_t len);
long arch_uaccess_clear(void *dst, size_t len);
uintptr_t arch_uaccess_fixup(uintptr_t rip);

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	uintptr_t to = arch_uaccess_fixup((uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
	(void)si;
	if (!to) { /* a fault outside the primitives is a bug of the test */
		signal(sig, SIG_DFL);
		return;
	}
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)to;
}

static void lengths_and_alignments(void)
{
	static unsigned char src[1024], dst[1024], want[1024];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (unsigned char)(i * 7 + 3);
	int bad = 0;
	for (size_t len = 0; len <= 600; len += len < 80 ? 1 : 37)
		for (size_t so = 0; so < 8; so++)
			for (size_t d = 0; d < 8; d++) {
				memset(dst, 0xee, sizeof dst);
				memset(want, 0xee, sizeof want);
				memcpy(want + d, src + so, len);
				long r = arch_uaccess_copy(dst + d, src + so, len);
				bad += r != 0 || memcmp(dst, want, sizeof dst) != 0;
			}
	CHECK(bad == 0, "%d copies differ from memcpy", bad);
}

static void faults(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED && mprotect(m + pg, pg, PROT_NONE) == 0, "mapping the test pages");
	static unsigned char dst[512];
	/* short (the 8-byte moves) and long (rep movsb) copies reading into the hole */
	for (size_t len = 1; len <= 400; len += 13) {
		size_t before = len / 2 + 1;
		memset(m + pg - before, 0x5a, before);
		memset(dst, 0, sizeof dst);
		long r = arch_uaccess_copy(dst, m + pg - before, len);
		CHECK(r == (len > before ? -14 : 0), "read of %zu bytes with %zu mapped: %ld", len, before, r);
	}
	/* and writing into it */
	long r = arch_uaccess_copy(m + pg - 4, dst, 16);
	CHECK(r == -14, "write across into the hole: %ld", r);
	r = arch_uaccess_clear(m + pg - 300, 301);
	CHECK(r == -14, "clear across into the hole: %ld", r);
	CHECK(arch_uaccess_copy(dst, m + pg - 16, 16) == 0, "a copy that ends at the hole: fine");
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	sigaction(SIGSEGV, &sa, NULL);
	lengths_and_alignments();
	faults();
	return check_summary("uaccess");
}
