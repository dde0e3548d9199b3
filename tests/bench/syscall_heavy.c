/* A program that is mostly system calls, timed whole by bench.py natively and under elfin.
 *
 *   syscall_heavy file N       N small writes, then N small preads, of a file under /tmp
 *                               (elfin's tmpfs; natively the host's /tmp)
 *   syscall_heavy pingpong N   N round trips of one byte between two threads over two pipes
 *   syscall_heavy unixpair N   the same over one AF_UNIX stream socketpair
 *
 * Prints a checksum of what it read, so that both runs can be compared. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long n;
/* The main thread writes to out[0] and reads in[0]; the echo thread reads out[1] and writes in[1]. */
static int out[2], in[2];

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
		if (read(out[1], &c, 1) != 1)
			die("read ping");
		c++;
		if (write(in[1], &c, 1) != 1)
			die("write pong");
	}
	return NULL;
}

static unsigned long pingpong(bool unix_pair)
{
	pthread_t t;
	unsigned long sum = 0;
	int ping[2], pong[2], sv[2];
	if (unix_pair && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("syscall_heavy: socketpair");
	if (!unix_pair && (pipe2(ping, O_CLOEXEC) || pipe2(pong, O_CLOEXEC)))
		die("syscall_heavy: pipes");
	out[0] = unix_pair ? sv[0] : ping[1];
	out[1] = unix_pair ? sv[1] : ping[0];
	in[0] = unix_pair ? sv[0] : pong[0];
	in[1] = unix_pair ? sv[1] : pong[1];
	if (pthread_create(&t, NULL, echo, NULL))
		die("syscall_heavy: thread");
	for (long i = 0; i < n; i++) {
		char c = (char)i;
		if (write(out[0], &c, 1) != 1 || read(in[0], &c, 1) != 1)
			die("ping");
		sum += (unsigned char)c;
	}
	pthread_join(t, NULL);
	return sum;
}

int main(int argc, char **argv)
{
	n = argc == 3 ? atol(argv[2]) : 0;
	bool file = argc > 1 && !strcmp(argv[1], "file"), unix_pair = argc > 1 && !strcmp(argv[1], "unixpair");
	if (n <= 0 || (!file && !unix_pair && strcmp(argv[1], "pingpong") != 0)) {
		fprintf(stderr, "usage: syscall_heavy file|pingpong|unixpair N\n");
		return 2;
	}
	printf("%s %ld: %lu\n", argv[1], n, file ? file_io() : pingpong(unix_pair));
	return 0;
}
