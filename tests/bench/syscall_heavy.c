/* A program that is mostly system calls, timed whole by bench.py natively and under elfin.
 *
 *   syscall_heavy file N       N small writes, then N small preads, of a file under /tmp
 *                               (elfin's tmpfs; natively the host's /tmp)
 *   syscall_heavy pingpong N   N round trips of one byte between two threads over two pipes
 *
 * Prints a checksum of what it read, so that both runs can be compared. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long n;
static int ping[2], pong[2];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static unsigned long file_io(void)
{
	char path[64], rec[16];
	unsigned long sum = 0;
	snprintf(path, sizeof path, "/tmp/syscall_heavy.%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || unlink(path) != 0)
		die("syscall_heavy: /tmp file");
	for (long i = 0; i < n; i++) {
		snprintf(rec, sizeof rec, "%015ld", i);
		if (write(fd, rec, sizeof rec) != sizeof rec)
			die("write");
	}
	for (long i = 0; i < n; i++) {
		if (pread(fd, rec, sizeof rec, i * (off_t)sizeof rec) != sizeof rec)
			die("pread");
		sum += strtoul(rec, NULL, 10);
	}
	close(fd);
	return sum;
}

static void *echo(void *arg)
{
	(void)arg;
	char c;
	for (long i = 0; i < n; i++) {
		if (read(ping[0], &c, 1) != 1)
			die("read ping");
		c++;
		if (write(pong[1], &c, 1) != 1)
			die("write pong");
	}
	return NULL;
}

static unsigned long pingpong(void)
{
	pthread_t t;
	unsigned long sum = 0;
	if (pipe2(ping, O_CLOEXEC) || pipe2(pong, O_CLOEXEC) || pthread_create(&t, NULL, echo, NULL))
		die("syscall_heavy: pipes and thread");
	for (long i = 0; i < n; i++) {
		char c = (char)i;
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			die("ping");
		sum += (unsigned char)c;
	}
	pthread_join(t, NULL);
	return sum;
}

int main(int argc, char **argv)
{
	n = argc == 3 ? atol(argv[2]) : 0;
	if (n <= 0 || (strcmp(argv[1], "file") != 0 && strcmp(argv[1], "pingpong") != 0)) {
		fprintf(stderr, "usage: syscall_heavy file|pingpong N\n");
		return 2;
	}
	printf("%s %ld: %lu\n", argv[1], n, strcmp(argv[1], "file") == 0 ? file_io() : pingpong());
	return 0;
}
