/* elfin's vDSO: the time calls a program makes without entering the kernel. It is its own
 * shared object (vdso.lds, vdso.map), embedded in elfin (image.S) and mapped by the loader
 * right after the data page the kernel keeps (vdso_data.h). What the page cannot answer
 * (CPU-time clocks, unknown clocks) goes to the kernel, as Linux's vDSO does, so every
 * function is complete: by the direct entry (none of these calls blocks), or by a `syscall`
 * where there is none. */
#include "vdso/vdso_data.h"
#include "arch/x86_64/raw_syscall.h"

#define EXPORT(name, weakname) __attribute__((visibility("default"))) typeof(name) weakname \
	__attribute__((weak, alias(#name)))

struct timespec64 {
	int64_t tv_sec, tv_nsec;
};
struct timeval64 {
	int64_t tv_sec, tv_usec;
};
struct timezone32 {
	int32_t minuteswest, dsttime;
};

/* Placed by vdso.lds one page before the image. Not const: the kernel changes it under us,
 * and the compiler must not keep its fields across the sequence count's reads. */
extern struct vdso_data vdso_data __attribute__((visibility("hidden")));

enum { NR_gettimeofday = 96, NR_clock_gettime = 228, NR_clock_getres = 229, NR_getcpu = 309 };

__attribute__((visibility("default"))) long __elfin_syscall(long nr, const long *args, void (*on_interrupt)(void));

static inline long kernel3(long nr, long a, long b, long c)
{
	const long args[6] = {a, b, c};
	return __elfin_syscall(nr, args, 0);
}

__attribute__((visibility("default"))) int __vdso_clock_gettime(int clk, struct timespec64 *ts)
{
	int64_t s, ns;
	if (vdso_unlikely(!vdso_clock_read(&vdso_data, clk, &s, &ns)))
		return (int)kernel3(NR_clock_gettime, clk, (long)ts, 0);
	ts->tv_sec = s;
	ts->tv_nsec = ns;
	return 0;
}
EXPORT(__vdso_clock_gettime, clock_gettime);

__attribute__((visibility("default"))) int __vdso_gettimeofday(struct timeval64 *tv, struct timezone32 *tz)
{
	int64_t s, ns;
	if (tv && vdso_unlikely(!vdso_clock_read(&vdso_data, VDSO_CLOCK_REALTIME, &s, &ns)))
		return (int)kernel3(NR_gettimeofday, (long)tv, (long)tz, 0);
	if (tv) {
		tv->tv_sec = s;
		tv->tv_usec = ns / 1000;
	}
	if (tz) { /* the kernel keeps no time zone: UTC, as it answers itself */
		tz->minuteswest = 0;
		tz->dsttime = 0;
	}
	return 0;
}
EXPORT(__vdso_gettimeofday, gettimeofday);

/* Linux's time() is the wall clock's second as of the last tick; so is ours. */
__attribute__((visibility("default"))) int64_t __vdso_time(int64_t *t)
{
	int64_t s = __atomic_load_n(&vdso_data.coarse[VDSO_CLOCK_REALTIME_COARSE].sec, __ATOMIC_RELAXED);
	if (t)
		*t = s;
	return s;
}
EXPORT(__vdso_time, time);

__attribute__((visibility("default"))) int __vdso_clock_getres(int clk, struct timespec64 *res)
{
	int64_t ns;
	if (vdso_unlikely(!vdso_clock_res(&vdso_data, clk, &ns)))
		return (int)kernel3(NR_clock_getres, clk, (long)res, 0);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = ns;
	}
	return 0;
}
EXPORT(__vdso_clock_getres, clock_getres);

__attribute__((visibility("default"))) int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	uint32_t aux;
	uint32_t how = __atomic_load_n(&vdso_data.getcpu, __ATOMIC_RELAXED);
	if (how == VDSO_GETCPU_RDPID) {
		uint64_t v;
		__asm__ volatile("rdpid %0" : "=r"(v));
		aux = (uint32_t)v;
	} else if (how == VDSO_GETCPU_RDTSCP) {
		__asm__ volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
	} else {
		return (int)kernel3(NR_getcpu, (long)cpu, (long)node, (long)unused);
	}
	if (cpu)
		*cpu = aux & 0xfff;
	if (node)
		*node = aux >> 12;
	return 0;
}
EXPORT(__vdso_getcpu, getcpu);

static inline long trap6(long nr, const long *args)
{
	return raw_syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
}

/* The adapter library's way into the kernel without a trap: a call through the entry the
 * kernel wrote in the page. A call a signal interrupted is made again by a trap, which runs
 * the handler and restarts or fails it as Linux would; a signal that came due meanwhile is
 * taken by one trap of getpid. Without an entry, the ordinary `syscall` serves. For a call
 * that is a pthread cancellation point the caller gives on_interrupt (pthread_testcancel):
 * it runs before the replay, so a cancellation that interrupted the call takes effect. */
__attribute__((visibility("default"))) long __elfin_syscall(long nr, const long *args, void (*on_interrupt)(void))
{
	vdso_direct_fn entry = (vdso_direct_fn)(uintptr_t)vdso_data.direct_entry;
	if (vdso_unlikely(!entry))
		return trap6(nr, args);
	/* The arguments are read here, in the program, like any libc function reads its own:
	 * the kernel receives values and never touches the caller's array. */
	long r = entry(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	if (vdso_unlikely(r == -VDSO_ERESTARTSYS)) {
		if (on_interrupt)
			on_interrupt();
		return trap6(nr, args);
	}
	uint32_t hint;
	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(hint) : "i"(KTHREAD_HINT_OFFSET));
	if (vdso_unlikely(hint)) {
		static const long none[6];
		trap6(39 /* getpid */, none);
	}
	return r;
}
