/* vdso_clock.c: the time calls the vDSO serves: every clock reads, has its resolution and
 * keeps its relations to the others; the monotonic ones never go back, in one thread or
 * across four; CPU-time and unknown clocks behave as Linux's.
 *
 *   vdso_clock            the checks, with output that native and elfin runs must share
 *   vdso_clock loop N     reads each common clock N times (for counting kernel entries)
 *   vdso_clock threads    4 threads reading the monotonic clocks against each other
 *   vdso_clock ping       prints the clocks in ns, one line per line of input */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "abi.h"

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

static const struct {
	clockid_t id;
	const char *name;
	int monotonic;
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME", 0 },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC", 1 },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", 1 },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", 0 },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", 1 },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME", 1 },
	{ CLOCK_TAI, "CLOCK_TAI", 0 },
};
enum { NCLOCKS = sizeof(clocks) / sizeof(clocks[0]) };

static int64_t ns_of(clockid_t clk)
{
	struct timespec ts;

	CHECK(clock_gettime(clk, &ts) == 0);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Each clock reads and reports a resolution; the monotonic ones never go back. */
static void check_each(void)
{
	for (int i = 0; i < NCLOCKS; i++) {
		struct timespec res;
		int64_t last = ns_of(clocks[i].id);

		CHECK(clock_getres(clocks[i].id, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
		CHECK(clock_getres(clocks[i].id, NULL) == 0);
		for (int n = 0; n < 20000 && clocks[i].monotonic; n++) {
			int64_t now = ns_of(clocks[i].id);

			CHECK(now >= last);
			last = now;
		}
		printf("%s: ok, resolution %ld ns\n", clocks[i].name, res.tv_nsec);
	}
}

/* Readings taken in order keep the order Linux guarantees between the clocks. */
static void check_relations(void)
{
	int64_t coarse = ns_of(CLOCK_REALTIME_COARSE), real = ns_of(CLOCK_REALTIME);
	int64_t mcoarse = ns_of(CLOCK_MONOTONIC_COARSE), mono = ns_of(CLOCK_MONOTONIC);
	int64_t boot = ns_of(CLOCK_BOOTTIME), tai = ns_of(CLOCK_TAI), real2 = ns_of(CLOCK_REALTIME);
	/* TAI is REALTIME plus whole seconds (37 where the offset is set, else 0) */
	int64_t taioff = tai - real - (real2 - real) / 2, secs = (taioff + 500000000) / 1000000000;
	int64_t miss = taioff - secs * 1000000000;
	struct timeval tv;
	time_t t = time(NULL);

	CHECK(coarse <= real && real - coarse < 100000000);
	CHECK(mcoarse <= mono && mono - mcoarse < 100000000);
	CHECK(mono <= boot);
	CHECK(real <= real2);
	CHECK(taioff > -1000000 && miss > -(real2 - real) - 1000 && miss < real2 - real + 1000);
	CHECK(gettimeofday(&tv, NULL) == 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	/* time() is the second as of the last tick, so it may trail gettimeofday */
	CHECK(t <= tv.tv_sec && t >= tv.tv_sec - 1);
	CHECK(time(&t) == t);
	CHECK(tv.tv_sec * INT64_C(1000000000) + tv.tv_usec * 1000 >= real2 - 1000);
	printf("relations: ok, TAI - REALTIME = %ld s\n", (long)secs);
}

/* What the vDSO leaves to the kernel: CPU-time clocks work, unknown clocks are EINVAL. */
static void check_fallbacks(void)
{
	struct timespec ts;
	unsigned cpu = ~0u, node = ~0u;

	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0 && ts.tv_sec >= 0);
	CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 && ts.tv_sec >= 0);
	CHECK(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
	abi_expect("clock_gettime(99)", clock_gettime(99, &ts), EINVAL);
	abi_expect("clock_getres(99)", clock_getres(99, &ts), EINVAL);
	CHECK(sched_getcpu() >= 0 && sched_getcpu() < CPU_SETSIZE);
	CHECK(SYS(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu < CPU_SETSIZE && node < 4096);
	CHECK(SYS(SYS_getcpu, NULL, NULL, NULL) == 0);
	printf("fallbacks: ok\n");
}

/* Every common clock n times over; for counting kernel entries under elfin --stats. */
static void loop(long n)
{
	for (int i = 0; i < NCLOCKS; i++) {
		int64_t last = ns_of(clocks[i].id);

		for (long k = 0; k < n; k++) {
			int64_t now = ns_of(clocks[i].id);

			CHECK(now >= last || !clocks[i].monotonic);
			last = now;
		}
	}
	for (long k = 0; k < n; k++) {
		struct timeval tv;

		CHECK(gettimeofday(&tv, NULL) == 0);
		CHECK(time(NULL) > 0);
	}
	printf("loop: ok\n");
}

enum { NTHREADS = 4, ROUNDS = 1000000 };
static const clockid_t shared_clocks[] = {
	CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE,
};
static int64_t latest[4];

/* Each reading must be at least the latest any thread published before it was taken. */
static void *reader(void *arg)
{
	int c = (int)(long)arg % 4;

	for (int i = 0; i < ROUNDS; i++) {
		int64_t seen = __atomic_load_n(&latest[c], __ATOMIC_ACQUIRE);
		int64_t now = ns_of(shared_clocks[c]);

		CHECK(now >= seen);
		while (seen < now && !__atomic_compare_exchange_n(&latest[c], &seen, now, 0,
								   __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
			;
		if (i % 4 == 3)
			c = (c + 1) % 4;
	}
	return NULL;
}

static void threads(void)
{
	pthread_t t[NTHREADS];

	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, reader, (void *)i) == 0);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("threads: ok, %d threads x %d readings\n", NTHREADS, ROUNDS);
}

static void ping(void)
{
	char line[64];

	while (fgets(line, sizeof(line), stdin)) {
		for (int i = 0; i < NCLOCKS; i++)
			printf("%s%lld", i ? " " : "", (long long)ns_of(clocks[i].id));
		printf("\n");
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "loop") == 0) {
		loop(atol(argv[2]));
	} else if (argc == 2 && strcmp(argv[1], "threads") == 0) {
		threads();
	} else if (argc == 2 && strcmp(argv[1], "ping") == 0) {
		ping();
	} else {
		check_each();
		check_relations();
		check_fallbacks();
	}
	return *abi_mismatches() ? 1 : 0;
}
