/* misc.c: identity, uname, randomness, clocks, ioctl on non-ttys and the /dev character devices.
 * Pipes are in pipes.c. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

static void check_ids(void)
{
	struct utsname u;

	CHECK(uname(&u) == 0);
	printf("uname: sysname=%s machine=%s\n", u.sysname, u.machine);
	CHECK(u.nodename[0] != 0 && u.release[0] != 0);
	CHECK(getpid() > 0 && getppid() >= 0);
	CHECK(syscall(SYS_gettid) == getpid());	/* single-threaded: tid is the pid */
	/* Values depend on the user running the test; only their relations are compared. */
	printf("uid==euid %d, gid==egid %d\n", getuid() == geteuid(), getgid() == getegid());
	printf("pagesize %ld\n", sysconf(_SC_PAGESIZE));
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_random(void)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };

	CHECK(syscall(SYS_getrandom, a, sizeof(a), 0) == (long)sizeof(a));
	CHECK(syscall(SYS_getrandom, b, sizeof(b), 0) == (long)sizeof(b));
	CHECK(!all_zero(a, sizeof(a)) && memcmp(a, b, sizeof(a)) != 0);
	printf("getrandom: 64 bytes, not zero, differ between calls\n");
}

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void check_clocks(void)
{
	struct timespec prev, now, real;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &prev) == 0);
	for (int i = 0; i < 10000; i++) {
		CHECK(clock_gettime(CLOCK_MONOTONIC, &now) == 0);
		CHECK(ns(&now) >= ns(&prev));
		CHECK(now.tv_nsec >= 0 && now.tv_nsec < 1000000000L);
		prev = now;
	}
	CHECK(clock_gettime(CLOCK_REALTIME, &real) == 0);
	time_t t = time(NULL);
	CHECK(real.tv_sec - t <= 2 && t - real.tv_sec <= 2);
	CHECK(t > 1600000000);	/* after 2020: a real wall clock */

	struct timespec nap = { 0, 20 * 1000000L };
	CHECK(clock_gettime(CLOCK_MONOTONIC, &prev) == 0);
	CHECK(nanosleep(&nap, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &now) == 0);
	CHECK(ns(&now) - ns(&prev) >= 20 * 1000000LL);
	CHECK(clock_getres(CLOCK_MONOTONIC, &now) == 0 && ns(&now) > 0);
	printf("clocks: monotonic non-decreasing, realtime matches time(), nanosleep sleeps\n");
}

/* Prints a call's result and errno name; errno is read only after the call returned. */
static void show(const char *what, long ret)
{
	if (ret < 0)
		printf("%s: %ld %s\n", what, ret, abi_errname(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static void check_ioctl(void)
{
	struct termios tio;
	int fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0);
	show("TCGETS on /dev/null", ioctl(fd, TCGETS, &tio));
	printf("isatty(/dev/null): %d\n", isatty(fd));
	CHECK(close(fd) == 0);
}

static void check_devices(void)
{
	unsigned char buf[4096];
	int fd;

	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0);
	CHECK(write(fd, "discarded", 9) == 9);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(close(fd) == 0);

	fd = open("/dev/zero", O_RDWR);
	CHECK(fd >= 0);
	memset(buf, 0xff, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	CHECK(all_zero(buf, sizeof(buf)));
	CHECK(write(fd, buf, 100) == 100);
	CHECK(close(fd) == 0);

	fd = open("/dev/urandom", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, 256) == 256);
	CHECK(!all_zero(buf, 256));
	CHECK(close(fd) == 0);

	fd = open("/dev/full", O_WRONLY);
	CHECK(fd >= 0);
	show("write /dev/full", write(fd, "x", 1));
	CHECK(close(fd) == 0);
	printf("devices: null discards and reads EOF, zero reads zeros, urandom reads bytes\n");
}

int main(void)
{
	check_ids();
	check_random();
	check_clocks();
	check_ioctl();
	check_devices();
	return 0;
}
