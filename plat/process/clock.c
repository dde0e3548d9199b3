/* The process platform's services for the vDSO's clock: what the TSC and TSC_AUX can be
 * trusted with (CPUID, checked against the host), the data page as host shared memory, and
 * the ticker, a host thread of elfin's own that wakes at every tick and at once when the
 * host's wall clock is set (a timerfd with TFD_TIMER_CANCEL_ON_SET). */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/signal.h"
#include "kernel/mm/kalloc.h"
#include "kernel/sys/syscall.h"
#include <cpuid.h>

enum { H_timerfd_create = 283, H_timerfd_settime = 286, H_getcpu = 309, H_memfd_create = 319 };
#define H_ECANCELED 125
#define H_CLOCK_REALTIME 0
#define H_CLOCK_MONOTONIC 1
#define H_CLOCK_MONOTONIC_COARSE 6
#define MFD_CLOEXEC 1
#define MFD_ALLOW_SEALING 2
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_FUTURE_WRITE 16
#define TFD_CLOEXEC 02000000
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define CLONE_THREAD_FLAGS 0x3d0f00 /* VM FS FILES SIGHAND THREAD SYSVSEM PARENT_SETTID CHILD_CLEARTID */
#define ARCH_SET_GS 0x1001
#define NSEC 1000000000LL
#define TICKER_STACK (32 * 1024)
#define SIG(name) (1UL << (SIG##name - 1))

long host_clone(unsigned long flags, void *stack, volatile int32_t *tid, void (*fn)(void *), void *arg);

static uint32_t tsc_aux(bool rdpid)
{
	uint32_t aux;
	if (rdpid) {
		uint64_t v;
		__asm__ volatile("rdpid %0" : "=r"(v));
		return (uint32_t)v;
	}
	__asm__ volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
	return aux;
}

/* Linux programs IA32_TSC_AUX with cpu | node << 12 where the CPU has RDTSCP; a hypervisor
 * may hide RDTSCP and leave other values there, so compare with getcpu. */
static bool tsc_aux_is_cpu(bool rdpid)
{
	for (int i = 0; i < 4; i++) {
		unsigned c0, n0, c1, n1;
		if (HOST3(H_getcpu, &c0, &n0, NULL) < 0)
			return false;
		uint32_t aux = tsc_aux(rdpid);
		HOST3(H_getcpu, &c1, &n1, NULL);
		if (c0 == c1)
			return aux == (n0 << 12 | c0);
	}
	return false; /* it kept moving: do without */
}

static int64_t host_res(int clk, int64_t dflt)
{
	int64_t ts[2] = {0, 0};
	return HOST2(H_clock_getres, clk, ts) == 0 && ts[0] == 0 && ts[1] > 0 ? ts[1] : dflt;
}

void plat_clock_info(struct plat_clock_info *ci)
{
	unsigned a, b, c, d, maxext = __get_cpuid_max(0x80000000, NULL);
	bool invariant = false, rdtscp = false, rdpid = false;
	if (maxext >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d))
		invariant = d & (1u << 8);
	if (maxext >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d))
		rdtscp = d & (1u << 27);
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		rdpid = c & (1u << 22);
	ci->tsc_stable = invariant;
	ci->getcpu = !(rdtscp || rdpid) || !tsc_aux_is_cpu(rdpid) ? PLAT_GETCPU_SYSCALL
		     : rdpid ? PLAT_GETCPU_RDPID : PLAT_GETCPU_RDTSCP;
	ci->hres_ns = host_res(H_CLOCK_MONOTONIC, 1);
	ci->tick_ns = MIN(MAX(host_res(H_CLOCK_MONOTONIC_COARSE, 4000000), 1000000), 10000000);
}

plat_direct_fn plat_direct_entry(void)
{
	return syscall_direct;
}

long plat_getcpu(unsigned *cpu, unsigned *node)
{
	return HOST3(H_getcpu, cpu, node, NULL);
}

/* A sealed memfd: the kernel's view is mapped before the seal, so it alone stays writable. */
long plat_shared_ro(size_t len, void **kview)
{
	long h = HOST2(H_memfd_create, "elfin-vdso-data", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (h < 0)
		return h;
	long k = HOST2(H_ftruncate, h, len);
	if (k == 0)
		k = HOST6(H_mmap, NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
	long r = k < 0 ? k : HOST3(H_fcntl, h, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE);
	if (r < 0 || pp.nkernel == (int)ARRAY_SIZE(pp.kernel)) {
		if (k >= 0)
			HOST2(H_munmap, k, len);
		HOST1(H_close, h);
		return r < 0 ? r : -ENOMEM;
	}
	pp.kernel[pp.nkernel++] = (struct range){(uintptr_t)k, (uintptr_t)k + len};
	*kview = (void *)k;
	return h;
}

static struct {
	void (*fn)(void *, bool);
	void *arg;
	int fd;
	int64_t period_ns;
	volatile int32_t tid;
} ticker;

/* Absolute on CLOCK_REALTIME, as TFD_TIMER_CANCEL_ON_SET requires; re-armed after each set. */
static long ticker_arm(int64_t first_ns)
{
	int64_t now[2] = {0, 0};
	HOST2(H_clock_gettime, H_CLOCK_REALTIME, now);
	int64_t at = now[0] * NSEC + now[1] + first_ns;
	int64_t its[4] = {ticker.period_ns / NSEC, ticker.period_ns % NSEC, at / NSEC, at % NSEC};
	return HOST4(H_timerfd_settime, ticker.fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, its, NULL);
}

/* Should the timerfd ever fail, the ticks go on from a sleep, without word of clock steps. */
static noreturn void ticker_main(void *arg unused)
{
	HOST2(H_arch_prctl, ARCH_SET_GS, 0); /* no kernel thread here: current() must fault */
	bool sleeping = false;
	for (;;) {
		uint64_t n;
		int64_t period[2] = {ticker.period_ns / NSEC, ticker.period_ns % NSEC};
		long r = sleeping ? HOST4(H_clock_nanosleep, H_CLOCK_MONOTONIC, 0, period, NULL)
				  : HOST3(H_read, ticker.fd, &n, sizeof n);
		bool stepped = !sleeping && r == -H_ECANCELED;
		if (r == -EINTR)
			continue;
		if (!sleeping && ((r < 0 && !stepped) || (stepped && ticker_arm(ticker.period_ns) < 0)))
			sleeping = true;
		ticker.fn(ticker.arg, stepped);
	}
}

long plat_ticker_start(void (*fn)(void *arg, bool stepped), void *arg, int64_t first_ns, int64_t period_ns)
{
	ticker.fn = fn;
	ticker.arg = arg;
	ticker.period_ns = period_ns;
	long r = ticker.fd = (int)HOST2(H_timerfd_create, H_CLOCK_REALTIME, TFD_CLOEXEC);
	if (r >= 0)
		r = ticker_arm(first_ns);
	char *stack = r < 0 ? NULL : kmalloc(TICKER_STACK);
	if (stack) {
		/* The ticker takes no signal meant for the program; faults (a kernel bug) still panic. */
		uint64_t only_faults = ~(SIG(SEGV) | SIG(BUS) | SIG(FPE) | SIG(ILL) | SIG(TRAP));
		uint64_t old;
		HOST4(H_rt_sigprocmask, 2 /* SIG_SETMASK */, &only_faults, &old, 8);
		r = host_clone(CLONE_THREAD_FLAGS, stack + TICKER_STACK, &ticker.tid, ticker_main, NULL);
		HOST4(H_rt_sigprocmask, 2, &old, NULL, 8);
	} else if (r >= 0) {
		r = -ENOMEM;
	}
	if (r < 0) {
		kfree(stack);
		if (ticker.fd >= 0)
			HOST1(H_close, ticker.fd);
	}
	return r < 0 ? r : 0;
}
