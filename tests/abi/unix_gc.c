/* unix_gc.c: AF_UNIX sockets held only by SCM_RIGHTS messages in each other's queues (or their
 * own) are garbage once the program closes them, and Linux's collector frees them: a pipe's
 * write end carried inside the cycle is closed, so its reader sees the end. Sockets still
 * reachable (open in the program, or in flight to a reachable socket) keep their messages and
 * descriptors. Stream, datagram and seqpacket; nested cycles; a listener's pending
 * connection; many cycles without running out of anything; threads making cycles while
 * others pass sockets, or close the read ends of the pipes the collector closes. One part per
 * argument. Linux may collect from a workqueue, after close returns: every wait for an end
 * allows a few seconds. */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "abi.h"
#include "rights.h"

static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};

static const char *tname(int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

static void pair(int type, int sv[2])
{
	CHECK(socketpair(AF_UNIX, type, 0, sv) == 0);
}

/* Sends data (and n fds, n may be 0) over sock in one message. */
static void send_fds(int sock, const char *data, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)] = {0};
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n)
		rights_put(&m, ctl, fds, n);
	CHECK(sendmsg(sock, &m, 0) == (ssize_t)strlen(data));
}

/* Receives one message (without waiting) into buf as a string; its fds into out (their
 * count returned), or -1 and errno. */
static int recv_fds(int sock, char *buf, size_t len, int *out, int flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = {buf, len - 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t r = recvmsg(sock, &m, flags | MSG_DONTWAIT);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return rights_take(&m, out);
}

/* Whether the pipe read end r sees the end (read returns 0) within ms milliseconds. */
static int ends_within(int r, int ms)
{
	struct pollfd p = {r, POLLIN, 0};
	int n = poll(&p, 1, ms);
	char c;
	return n == 1 && read(r, &c, 1) == 0;
}

/* Whether the pipe read end r sees the end within about 5 s. Linux's collector runs from a
 * workqueue, and a close while it runs may not run it again (other threads closing cycles,
 * or the program's previous close), so a cycle can wait for the next close of a socket:
 * after each wait another garbage socket is made and closed. */
static int ends_eventually(int r)
{
	for (int i = 0; i < 10; i++) {
		if (ends_within(r, 500))
			return 1;
		int sv[2];
		pair(SOCK_DGRAM, sv);
		send_fds(sv[1], "t", sv, 1);
		close(sv[0]), close(sv[1]);
	}
	return 0;
}

/* Reports whether the pipe's reader saw the end (expected), and closes it. */
static int report_end(const char *what, int r, int expected)
{
	int ended = expected ? ends_eventually(r) : ends_within(r, 100);
	printf("%s: pipe %s\n", what, ended ? "ended (collected)" : "still open");
	if (ended != expected) {
		fprintf(stderr, "%s: expected the pipe %s\n", what, expected ? "to end" : "to stay open");
		(*abi_mismatches())++;
	}
	close(r);
	return ended == expected;
}

/* A pair of type whose first end holds in its queue itself and a pipe's write end; the pipe's
 * read end is returned. The pair's ends are closed when close_all. */
static int self_cycle(int type, bool close_all, int sv[2])
{
	int p[2];
	pair(type, sv);
	CHECK(pipe(p) == 0);
	int fds[2] = {sv[0], p[1]};
	send_fds(sv[1], "self", fds, 2);
	close(p[1]);
	if (close_all) {
		close(sv[0]);
		close(sv[1]);
	}
	return p[0];
}

/* A garbage cycle whose pipe must end: run after a reachable structure is made, it makes the
 * collector run (Linux's too) and waits for it. */
static void collect_now(const char *what)
{
	int sv[2];
	report_end(what, self_cycle(SOCK_DGRAM, true, sv), 1);
}

static void cycles(void)
{
	for (int t = 0; t < 3; t++) {
		int type = types[t], sv[2], a[2], b[2], p[2];
		char what[64];
		snprintf(what, sizeof(what), "%s: its own queue holds it", tname(type));
		report_end(what, self_cycle(type, true, sv), 1);

		/* a's queue holds b and b's holds a (and the pipe) */
		pair(type, a);
		pair(type, b);
		CHECK(pipe(p) == 0);
		send_fds(b[1], "a", a, 1);
		int fds[2] = {b[0], p[1]};
		send_fds(a[1], "b", fds, 2);
		close(p[1]);
		close(a[0]), close(b[0]), close(b[1]);
		snprintf(what, sizeof(what), "%s: two sockets, one end still open", tname(type));
		report_end(what, p[0], 1);
		close(a[1]);

		/* the peer closed first: closing the last end frees no socket, so the cycle waits for
		 * the next collection (another socket's close) */
		pair(type, a);
		CHECK(pipe(p) == 0);
		fds[0] = a[0], fds[1] = p[1];
		send_fds(a[1], "x", fds, 2);
		close(p[1]), close(a[1]), close(a[0]);
		collect_now("  another cycle");
		snprintf(what, sizeof(what), "%s: the peer closed first", tname(type));
		report_end(what, p[0], 1);
	}
	/* a listener whose pending connection holds the listener itself */
	for (int t = 0; t < 3; t += 2) {
		int l = socket(AF_UNIX, types[t], 0), c = socket(AF_UNIX, types[t], 0), p[2];
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "elfin-unixgc-%d-%d", getpid(), t);
		socklen_t al = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
		CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 4) == 0);
		CHECK(connect(c, (struct sockaddr *)&a, al) == 0);
		CHECK(pipe(p) == 0);
		int fds[2] = {l, p[1]};
		send_fds(c, "l", fds, 2);
		close(p[1]), close(l), close(c);
		char what[64];
		snprintf(what, sizeof(what), "%s: a pending connection holds its listener", tname(types[t]));
		report_end(what, p[0], 1);
	}
}

/* Three sockets, each carried by the one before; the first holds itself, the last a pipe. */
static void nested(void)
{
	for (int t = 0; t < 3; t++) {
		int a[2], b[2], c[2], p[2];
		pair(types[t], a), pair(types[t], b), pair(types[t], c);
		CHECK(pipe(p) == 0);
		send_fds(c[1], "pipe", p + 1, 1);
		send_fds(b[1], "c", c, 1);
		int fds[2] = {b[0], a[0]};
		send_fds(a[1], "b and a", fds, 2);
		close(p[1]), close(a[0]), close(b[0]), close(c[0]), close(c[1]), close(b[1]), close(a[1]);
		char what[64];
		snprintf(what, sizeof(what), "%s: a cycle carrying a socket carrying a socket", tname(types[t]));
		report_end(what, p[0], 1);

		/* no cycle: a chain freed as its head closes */
		pair(types[t], a), pair(types[t], b);
		CHECK(pipe(p) == 0);
		send_fds(b[1], "pipe", p + 1, 1);
		send_fds(a[1], "b", b, 1);
		close(p[1]), close(b[0]), close(b[1]), close(a[1]), close(a[0]);
		snprintf(what, sizeof(what), "%s: a chain without a cycle", tname(types[t]));
		report_end(what, p[0], 1);
	}
}

/* Receives the message "want" with one fd or more from sock; the first fd is returned. */
static int take(int sock, const char *want, int *more)
{
	char buf[32];
	int fds[8] = {-1, -1};
	int n = recv_fds(sock, buf, sizeof(buf), fds, 0);
	if (n < 1 || strcmp(buf, want) != 0) {
		printf("  expected \"%s\" with a fd: got %d fds, \"%s\" (%s)\n", want, n, n < 0 ? "" : buf,
		       n < 0 ? abi_errname(errno) : "OK");
		return -1;
	}
	if (more)
		*more = n > 1 ? fds[1] : -1;
	return fds[0];
}

/* Writes through the pipe write end w and reads it back at r: whether it still works. */
static int pipe_works(int w, int r)
{
	char c = 0;
	return w >= 0 && write(w, "!", 1) == 1 && read(r, &c, 1) == 1 && c == '!';
}

static void reachable(void)
{
	for (int t = 0; t < 3; t++) {
		int type = types[t], sv[2], a[2], b[2], c[2], p[2], w;
		printf("%s:\n", tname(type));

		/* its own queue holds it, but the program still has it open */
		int r = self_cycle(type, false, sv);
		close(sv[1]);
		collect_now("  another cycle");
		int got = take(sv[0], "self", &w);
		printf("  held by itself and open: received %d, pipe works %d\n", got >= 0, pipe_works(w, r));
		close(got), close(w), close(sv[0]), close(r);

		/* b (carrying a pipe and data) is in flight to a, which is open */
		pair(type, a), pair(type, b);
		CHECK(pipe(p) == 0);
		send_fds(b[1], "to b", p + 1, 1);
		send_fds(a[1], "b", b, 1);
		close(p[1]), close(b[0]), close(b[1]), close(a[1]);
		collect_now("  another cycle");
		got = take(a[0], "b", NULL);
		int pw = got >= 0 ? take(got, "to b", NULL) : -1;
		printf("  in flight to an open socket: pipe works %d\n", pipe_works(pw, p[0]));
		close(got), close(pw), close(a[0]), close(p[0]);

		/* a (open) holds b; b and c hold each other, c a pipe: b and c are reachable */
		pair(type, a), pair(type, b), pair(type, c);
		CHECK(pipe(p) == 0);
		int fds[2] = {b[0], p[1]};
		send_fds(c[1], "b", fds, 2);
		send_fds(b[1], "c", c, 1);
		send_fds(a[1], "b", b, 1);
		close(p[1]), close(b[0]), close(b[1]), close(c[0]), close(c[1]), close(a[1]);
		collect_now("  another cycle");
		report_end("  a cycle reachable from an open socket", dup(p[0]), 0);
		int gb = take(a[0], "b", NULL), gc = gb >= 0 ? take(gb, "c", NULL) : -1;
		int gb2 = gc >= 0 ? take(gc, "b", &w) : -1;
		printf("  received b, c, b again: %d %d %d, pipe works %d\n", gb >= 0, gc >= 0, gb2 >= 0, pipe_works(w, p[0]));
		close(gb), close(gc), close(gb2), close(w), close(a[0]);
		report_end("  then closed", p[0], 1);

		/* a cycle of two with a duplicate of one end open */
		pair(type, a), pair(type, b);
		CHECK(pipe(p) == 0);
		int keep = dup(a[0]);
		send_fds(b[1], "a", a, 1);
		fds[0] = b[0], fds[1] = p[1];
		send_fds(a[1], "b", fds, 2);
		close(p[1]), close(a[0]), close(a[1]), close(b[0]), close(b[1]);
		collect_now("  another cycle");
		gb = take(keep, "b", &w);
		int ga = gb >= 0 ? take(gb, "a", NULL) : -1;
		printf("  a cycle with a duplicate open: received %d %d, pipe works %d\n", gb >= 0, ga >= 0, pipe_works(w, p[0]));
		close(ga), close(gb), close(w), close(keep), close(p[0]);
	}
}

/* Resident memory in kB (VmRSS of /proc/self/status). */
static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Whether resident memory grew less than 32 MB since before (kB); says so. */
static void grew_little(const char *what, long before)
{
	long grew = rss_kb() - before;
	if (getenv("UNIX_GC_SHOW"))
		fprintf(stderr, "%s: %ld kB\n", what, grew);
	printf("%s; memory grew under 32 MB: %d\n", what, grew < 32768);
	if (grew >= 32768) {
		fprintf(stderr, "%s: memory grew by %ld kB\n", what, grew);
		(*abi_mismatches())++;
	}
}

/* Sets the soft descriptor limit (a small one for the loops: -1 puts back the first one). */
static void nofile(long soft)
{
	static struct rlimit old;
	if (!old.rlim_max)
		CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	struct rlimit lim = {soft < 0 ? old.rlim_cur : (rlim_t)soft, old.rlim_max};
	CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
}

/* 100 000 cycles made and abandoned under a small descriptor limit, each freed by its last
 * close (of the peer, which is not in flight) and carrying a pipe: every call succeeds and
 * memory stays where it was; the last one's pipe ends. */
static void many(void)
{
	nofile(64);
	long before = rss_kb();
	int last = -1;
	for (int i = 0; i < 100000; i++) {
		int sv[2];
		if (last >= 0)
			close(last);
		last = self_cycle(types[i % 3], true, sv);
	}
	grew_little("100000 cycles made and abandoned", before);
	report_end("  the last one", last, 1);
	nofile(-1);
}

/* Cycles of two sockets both in flight, which no close frees: they wait until so many
 * descriptors are in flight that a send runs the collector, and memory stays bounded. */
static void inflight(void)
{
	nofile(64);
	long before = rss_kb();
	for (int i = 0; i < 25000; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, types[i % 3], 0, sv) < 0) {
			printf("cycle %d: %s\n", i, abi_errname(errno));
			break;
		}
		send_fds(sv[1], "both", sv, 2);
		close(sv[0]), close(sv[1]);
	}
	grew_little("25000 cycles of two sockets in flight", before);
	nofile(-1);
}

enum { THREAD_CYCLES = 300, PASSES = 3000 };
static int makers_done;

/* A thread making cycles and waiting for each to be collected: how many were. */
static void *cycle_maker(void *arg)
{
	long n = 0, ended = 1;
	for (int i = 0; i < THREAD_CYCLES && ended; i++) {
		int sv[2], r = self_cycle(types[(i + (int)(long)arg) % 3], true, sv);
		n += ended = ends_eventually(r);
		close(r);
	}
	__atomic_add_fetch(&makers_done, 1, __ATOMIC_RELEASE);
	return (void *)n;
}

/* Passes a socket (with a pipe in its queue) to and fro over a pair, peeking at times, while
 * other threads make garbage and until they are done: the socket and its message always
 * arrive intact. */
static void threads(void)
{
	pthread_t th[2];
	for (long i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, cycle_maker, (void *)i) == 0);
	int x[2], y[2], p[2], ok = 1, i = 0;
	pair(SOCK_DGRAM, x);
	pair(SOCK_SEQPACKET, y);
	CHECK(pipe(p) == 0);
	send_fds(y[1], "pipe", p + 1, 1);
	close(p[1]), close(y[1]);
	int cur = y[0];
	for (; ok && (i < PASSES || __atomic_load_n(&makers_done, __ATOMIC_ACQUIRE) < 2); i++) {
		send_fds(x[i % 2], "y", &cur, 1);
		close(cur);
		char buf[8];
		int peeked[8];
		if (i % 3 == 0 && recv_fds(x[1 - i % 2], buf, sizeof(buf), peeked, MSG_PEEK) == 1)
			close(peeked[0]);
		cur = take(x[1 - i % 2], "y", NULL);
		ok = cur >= 0;
	}
	int w = cur >= 0 ? take(cur, "pipe", NULL) : -1;
	printf("a socket passed %d times or more, intact every time: %d; its pipe works %d\n", PASSES, ok && i >= PASSES,
	       pipe_works(w, p[0]));
	for (int i = 0; i < 2; i++) {
		void *n;
		CHECK(pthread_join(th[i], &n) == 0);
		printf("thread %d: %ld of %d cycles collected\n", i, (long)n, THREAD_CYCLES);
	}
	close(w), close(cur), close(x[0]), close(x[1]);
	report_end("the pipe, all closed", p[0], 1);
}

enum { HANDOFFS = 500 };
static int channel[2]; /* a pipe carrying the numbers of the read ends handed to the reaper */

/* Takes each handed read end, waits for its end and closes it at once: while the collector,
 * in the maker's close, may still be closing the write end. */
static void *reaper(void *arg)
{
	long n = 0;
	(void)arg;
	for (int i = 0, r; i < HANDOFFS && read(channel[0], &r, sizeof(r)) == sizeof(r); i++) {
		n += ends_eventually(r);
		close(r);
	}
	return (void *)n;
}

/* Cycles whose pipe's read end another thread holds: the two ends close at the same time in
 * two threads (the collector's, and the reader's as soon as it sees the end). */
static void handoff(void)
{
	pthread_t th;
	CHECK(pipe(channel) == 0);
	CHECK(pthread_create(&th, NULL, reaper, NULL) == 0);
	for (int i = 0; i < HANDOFFS; i++) {
		int sv[2], p[2];
		pair(types[i % 3], sv);
		CHECK(pipe(p) == 0);
		int fds[2] = {sv[0], p[1]};
		send_fds(sv[1], "self", fds, 2);
		close(p[1]);
		CHECK(write(channel[1], &p[0], sizeof(p[0])) == sizeof(p[0]));
		close(sv[0]), close(sv[1]);
	}
	void *n;
	CHECK(pthread_join(th, &n) == 0);
	printf("%ld of %d pipes ended, read ends closed by another thread\n", (long)n, HANDOFFS);
	close(channel[0]), close(channel[1]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	static const struct abi_part parts[] = {
		{"cycles", cycles}, {"nested", nested}, {"reachable", reachable}, {"many", many},
		{"inflight", inflight}, {"threads", threads}, {"handoff", handoff},
	};
	return abi_run_parts(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
