/* Per-call cost of the time calls a vDSO serves, through libc as programs make them:
 * clock_gettime(CLOCK_MONOTONIC), clock_gettime(CLOCK_REALTIME_COARSE), gettimeofday, time.
 * The loop is timed with CLOCK_MONOTONIC.
 * usage: clock_loop CALL N   (CALL: monotonic, realtime-coarse, gettimeofday, time)
 * prints "<N> calls <ns> ns/call" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Each returns something the loop sums, so the calls cannot be dropped. */
static long monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_nsec;
}

static long realtime_coarse(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return ts.tv_nsec;
}

static long tod(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return tv.tv_usec;
}

static long seconds(void)
{
	return (long)time(NULL);
}

static const struct {
	const char *name;
	long (*fn)(void);
} calls[] = {
	{"monotonic", monotonic}, {"realtime-coarse", realtime_coarse}, {"gettimeofday", tod}, {"time", seconds},
};

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	for (size_t c = 0; argc > 2 && n > 0 && c < sizeof calls / sizeof calls[0]; c++) {
		if (strcmp(argv[1], calls[c].name) != 0)
			continue;
		volatile long sink = 0;
		for (int i = 0; i < 1000; i++) /* warm up */
			sink += calls[c].fn();
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			sink += calls[c].fn();
		double t1 = now_ns();
		printf("%ld calls %.1f ns/call\n", n, (t1 - t0) / n);
		return 0;
	}
	fprintf(stderr, "usage: clock_loop monotonic|realtime-coarse|gettimeofday|time N\n");
	return 2;
}
