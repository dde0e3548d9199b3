/* The vDSO's data page: the layout the kernel writes (kernel/time/vclock.c) and the vDSO
 * reads, and the lock-free reader that both the vDSO and the kernel's clock calls use.
 *
 * The page lies just before the vDSO's text. A clock's value at TSC t is
 *   base.sec + (base.snsec + (t - cycle_last) * base.mult) >> VDSO_SHIFT  nanoseconds,
 * with base.snsec the nanoseconds within the second shifted left, so no precision is lost
 * between updates. The writer makes seq odd while it changes the page. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VDSO_DATA_SIZE 4096
#define VDSO_SHIFT 24
#define VDSO_NSEC 1000000000LL
#define VDSO_NCLOCKS 12 /* Linux clock ids 0..11 */

/* Linux clock ids. */
#define VDSO_CLOCK_REALTIME 0
#define VDSO_CLOCK_MONOTONIC 1
#define VDSO_CLOCK_MONOTONIC_RAW 4
#define VDSO_CLOCK_REALTIME_COARSE 5
#define VDSO_CLOCK_MONOTONIC_COARSE 6
#define VDSO_CLOCK_BOOTTIME 7
#define VDSO_CLOCK_TAI 11

/* The clocks the page answers: from the TSC, and as of the last tick. */
#define VDSO_HRES ((1u << VDSO_CLOCK_REALTIME) | (1u << VDSO_CLOCK_MONOTONIC) | (1u << VDSO_CLOCK_MONOTONIC_RAW) | \
		   (1u << VDSO_CLOCK_BOOTTIME) | (1u << VDSO_CLOCK_TAI))
#define VDSO_COARSE ((1u << VDSO_CLOCK_REALTIME_COARSE) | (1u << VDSO_CLOCK_MONOTONIC_COARSE))

/* What the page can answer besides the coarse clocks, time() and clock_getres, which it
 * always answers; everything else goes to the kernel. */
enum {
	VDSO_MODE_COARSE, /* no more: the TSC cannot be trusted */
	VDSO_MODE_TSC,    /* all the clocks of VDSO_HRES too */
};

/* How getcpu learns the CPU: IA32_TSC_AUX holds cpu | node << 12 when the host programs it. */
enum { VDSO_GETCPU_SYSCALL, VDSO_GETCPU_RDTSCP, VDSO_GETCPU_RDPID };

struct vdso_base {
	int64_t sec;
	uint64_t snsec; /* nanoseconds within sec, << VDSO_SHIFT */
	uint64_t mult;  /* nanoseconds per TSC cycle, << VDSO_SHIFT */
};

struct vdso_coarse {
	int64_t sec, nsec;
};

struct vdso_data {
	uint32_t seq;
	uint32_t mode;
	uint64_t cycle_last; /* the TSC value at which the bases hold */
	uint64_t max_cycles; /* a page older than this is stale: ask the kernel */
	struct vdso_base base[VDSO_NCLOCKS];
	struct vdso_coarse coarse[VDSO_NCLOCKS];
	int64_t hres_ns, coarse_ns; /* what clock_getres reports */
	uint32_t getcpu;
	/* The kernel's direct entry (a vdso_direct_fn) for the adapter library through
	 * __elfin_syscall; 0 when there is none. */
	uint64_t direct_entry;
};

/* The kernel's direct entry: system call nr with its six arguments, by value. */
typedef long (*vdso_direct_fn)(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

_Static_assert(sizeof(struct vdso_data) <= VDSO_DATA_SIZE, "the vDSO data fits its page");

/* The direct entry's contract with __elfin_syscall: -ERESTARTSYS means "a signal interrupted
 * the call: make it again by a trap", and a nonzero 32-bit word at %gs:KTHREAD_HINT_OFFSET
 * (the kernel's per-thread state) means "a signal may be due: trap once to take it". */
#define VDSO_ERESTARTSYS 512
#define KTHREAD_HINT_OFFSET 8

#define vdso_unlikely(x) __builtin_expect(!!(x), 0)

static inline uint64_t vdso_rdtsc(void)
{
	uint32_t lo, hi;
	/* lfence orders the read after the loads before it (the sequence count). */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint32_t vdso_read_begin(const struct vdso_data *d)
{
	uint32_t seq;
	while ((seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE)) & 1)
		__asm__ volatile("pause");
	return seq;
}

static inline bool vdso_read_retry(const struct vdso_data *d, uint32_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq;
}

static inline bool vdso_read_hres(const struct vdso_data *d, int clk, int64_t *sec, int64_t *nsec)
{
	const struct vdso_base *b = &d->base[clk];
	uint32_t seq;
	uint64_t ns;
	int64_t s;
	do {
		seq = vdso_read_begin(d);
		if (vdso_unlikely(d->mode != VDSO_MODE_TSC))
			return false;
		uint64_t now = vdso_rdtsc(), last = d->cycle_last;
		uint64_t delta = now > last ? now - last : 0; /* never before the base */
		if (vdso_unlikely(delta > d->max_cycles))
			return false;
		ns = b->snsec + delta * b->mult;
		s = b->sec;
	} while (vdso_read_retry(d, seq));
	ns >>= VDSO_SHIFT;
	while (ns >= (uint64_t)VDSO_NSEC) { /* at most a few seconds past the base */
		ns -= VDSO_NSEC;
		s++;
	}
	*sec = s;
	*nsec = (int64_t)ns;
	return true;
}

static inline void vdso_read_coarse(const struct vdso_data *d, int clk, int64_t *sec, int64_t *nsec)
{
	uint32_t seq;
	do {
		seq = vdso_read_begin(d);
		*sec = d->coarse[clk].sec;
		*nsec = d->coarse[clk].nsec;
	} while (vdso_read_retry(d, seq));
}

/* The value of clock clk; false when the page cannot answer and the kernel must. */
static inline bool vdso_clock_read(const struct vdso_data *d, int clk, int64_t *sec, int64_t *nsec)
{
	if ((unsigned)clk >= VDSO_NCLOCKS)
		return false;
	if (VDSO_HRES & (1u << clk))
		return vdso_read_hres(d, clk, sec, nsec);
	if (!(VDSO_COARSE & (1u << clk)))
		return false;
	vdso_read_coarse(d, clk, sec, nsec);
	return true;
}

/* The resolution of clock clk; false when the kernel must answer. */
static inline bool vdso_clock_res(const struct vdso_data *d, int clk, int64_t *nsec)
{
	if ((unsigned)clk >= VDSO_NCLOCKS)
		return false;
	if (VDSO_HRES & (1u << clk))
		*nsec = d->hres_ns;
	else if (VDSO_COARSE & (1u << clk))
		*nsec = d->coarse_ns;
	else
		return false;
	return true;
}
