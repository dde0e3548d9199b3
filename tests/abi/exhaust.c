/* exhaust.c: running out of file descriptors and memory, in parts named by the argument (none:
 * all), each a case of tests/run.py of its own:
 *   fds        opening files until the table is full gives EMFILE at the RLIMIT_NOFILE soft
 *              limit (whatever it is: elfin's and the host's differ, so the output compares
 *              against the limit and never prints it); every call that makes a descriptor
 *              then fails the same way; closing one makes room for exactly one
 *   nofile     the same under a lowered soft limit, and one lowered below open descriptors
 *   memory     absurd sizes give ENOMEM (mmap, mremap, brk, malloc), reservations do not
 *   rlimit_as  mapping under a lowered RLIMIT_AS stops with ENOMEM within the limit
 *   threads    starting threads under a lowered RLIMIT_AS until pthread_create fails: it fails
 *              with EAGAIN (the count depends on the libc's stack size, so it is not printed),
 *              every thread started runs and is joined, and a thread starts again after
 * and the program is still able to exit cleanly after each (exhaust.h runs the parts).
 * exhaust_errno.c: the errnos of invalid flags and descriptors. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "exhaust.h"

/* The most descriptors the test opens: a host with a larger soft limit is lowered to this. */
#define MAX_FILL 65536

static const char *yes(int cond)
{
	return cond ? "yes" : "NO";
}

static void set_nofile(rlim_t soft)
{
	struct rlimit r;

	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0);
	r.rlim_cur = soft;
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0);
}

/* Opens /dev/null until the table is full, checks what fails and how, then closes them all. */
static void fill(const char *label, rlim_t soft)
{
	int open_before = 0, opened = 0, highest = -1;
	int *fds = malloc((soft + 1) * sizeof *fds);

	CHECK(fds != NULL);
	for (rlim_t fd = 0; fd < soft; fd++)
		open_before += fcntl((int)fd, F_GETFD) != -1;
	for (;;) {
		errno = 0;
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		fds[opened++] = fd;
		if (fd > highest)
			highest = fd;
		if ((rlim_t)(open_before + opened) > soft)
			break;
	}
	if (errno == 0) {
		printf("%s: open did not fail at the soft limit\n", label);
		while (opened > 0)
			close(fds[--opened]);
		free(fds);
		return;
	}
	printf("%s: open until it fails: %s\n", label, abi_errname(errno));
	printf("%s: every free descriptor below the soft limit was opened: %s\n", label,
	       yes((rlim_t)(open_before + opened) == soft && (rlim_t)highest == soft - 1));

	/* Every call that makes a descriptor now fails with EMFILE. */
	int p[2];
	char what[96];
#define FULL(call, ret) \
	snprintf(what, sizeof what, "%s: %s", label, call); \
	abi_expect(what, ret, EMFILE)
	FULL("open", SYS(SYS_open, "/dev/null", O_RDONLY));
	FULL("openat", SYS(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY));
	FULL("dup", SYS(SYS_dup, 0));
	FULL("fcntl F_DUPFD", SYS(SYS_fcntl, 0, F_DUPFD, 0));
	FULL("pipe", SYS(SYS_pipe, p));
	FULL("pipe2", SYS(SYS_pipe2, p, O_CLOEXEC));
	FULL("epoll_create1", SYS(SYS_epoll_create1, 0));
	FULL("eventfd2", SYS(SYS_eventfd2, 0, 0));
	FULL("timerfd_create", SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0));
#undef FULL
	/* A descriptor number at or above the limit is not a slot: EBADF, not EMFILE. */
	snprintf(what, sizeof what, "%s: dup2 to the soft limit", label);
	abi_expect(what, SYS(SYS_dup2, 0, (long)soft), EBADF);
	snprintf(what, sizeof what, "%s: fcntl F_DUPFD from the soft limit", label);
	abi_expect(what, SYS(SYS_fcntl, 0, F_DUPFD, (long)soft), EINVAL);

	/* Closing one makes room for one, at that number. */
	int victim = fds[opened / 2];
	CHECK(close(victim) == 0);
	int again = open("/dev/null", O_RDONLY | O_CLOEXEC);
	printf("%s: after closing one, open reuses its number: %s\n", label, yes(again == victim));
	errno = 0;
	printf("%s: and the next open fails again: %s\n", label,
	       abi_errname(open("/dev/null", O_RDONLY) < 0 ? errno : 0));
	int closed = 0;
	for (int i = 0; i < opened; i++)
		closed += close(fds[i]) == 0;
	printf("%s: closed them all: %s\n", label, yes(closed == opened));
	free(fds);
}

/* The soft limit lowered below descriptors already open: they stay usable, new ones fail. */
static void below_open(void)
{
	int fds[40];

	set_nofile(64);
	for (int i = 0; i < 40; i++)
		CHECK((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	set_nofile(16);
	long fd = SYS(SYS_open, "/dev/null", O_RDONLY);
	abi_expect("limit 16 with 40 open: open", fd, EMFILE);
	if (fd >= 0)
		close((int)fd);
	struct stat st;
	printf("limit 16 with 40 open: the highest still works: %s\n",
	       yes(fstat(fds[39], &st) == 0 && S_ISCHR(st.st_mode)));
	abi_expect("limit 16 with 40 open: dup2 to 20", SYS(SYS_dup2, 0, 20), EBADF);
	/* Onto one of its own below the limit (the lowest free descriptor at start is below 16). */
	CHECK(fds[0] < 16 && dup2(0, fds[0]) == fds[0]);
	printf("limit 16 with 40 open: dup2 below the limit works\n");
	for (int i = 0; i < 40; i++)
		CHECK(close(fds[i]) == 0);
}

static void fds(void)
{
	struct rlimit r;

	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0);
	printf("soft limit within the hard one: %s\n", yes(r.rlim_cur <= r.rlim_max));
	if (r.rlim_cur > MAX_FILL)
		set_nofile(MAX_FILL);
	fill("inherited soft limit", r.rlim_cur > MAX_FILL ? MAX_FILL : r.rlim_cur);
	set_nofile(r.rlim_cur);
}

static void nofile(void)
{
	struct rlimit r;

	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0);
	rlim_t inherited = r.rlim_cur;
	set_nofile(64);
	fill("soft limit 64", 64);
	below_open();
	if (r.rlim_max != RLIM_INFINITY) {
		r.rlim_cur = r.rlim_max + 1;
		abi_expect("soft limit above the hard one", setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	}
	set_nofile(inherited);
	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == inherited);
	printf("soft limit restored\n");
}

static void memory(void)
{
	const size_t huge = (size_t)1 << 46, beyond = (size_t)1 << 47;
	static volatile size_t size_max = SIZE_MAX; /* out of the compiler's sight */

	/* 64 TiB: more than memory and swap (ENOMEM under the default heuristic overcommit);
	 * 128 TiB: more than the whole user address space. */
	abi_expect("mmap 64 TiB", (long)mmap(NULL, huge, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	abi_expect("mmap 128 TiB", (long)mmap(NULL, beyond, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	abi_expect("mmap SIZE_MAX", (long)mmap(NULL, SIZE_MAX, PROT_READ,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	/* What is not committed is not counted: a PROT_NONE or MAP_NORESERVE reservation of
	 * 64 TiB succeeds (runtimes reserve address space so), and unmaps. */
	void *p = mmap(NULL, huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("reserve 64 TiB PROT_NONE: %s\n", p == MAP_FAILED ? abi_errname(errno) : "OK");
	if (p != MAP_FAILED)
		CHECK(munmap(p, huge) == 0);
	p = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	printf("map 64 TiB MAP_NORESERVE: %s\n", p == MAP_FAILED ? abi_errname(errno) : "OK");
	if (p != MAP_FAILED)
		CHECK(munmap(p, huge) == 0);

	/* Nor can a mapping grow to such sizes (past the address space, the size is invalid). */
	char *small = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(small != MAP_FAILED);
	small[0] = 's';
	abi_expect("mremap to 64 TiB", (long)mremap(small, 4096, huge, MREMAP_MAYMOVE), ENOMEM);
	abi_expect("mremap to 128 TiB", (long)mremap(small, 4096, beyond, MREMAP_MAYMOVE), EINVAL);
	printf("the mapping is intact after: %s\n", yes(small[0] == 's'));
	CHECK(munmap(small, 4096) == 0);

	/* brk past the address space: refused, the break does not move. */
	long cur = syscall(SYS_brk, 0);
	long after = syscall(SYS_brk, cur + (long)beyond);
	printf("brk +128 TiB leaves the break alone: %s\n", yes(after == cur));

	/* malloc and friends: NULL and ENOMEM, never a crash. */
	errno = 0;
	void *m = malloc(beyond);
	printf("malloc 128 TiB: %s, %s\n", m ? "not NULL" : "NULL", abi_errname(errno));
	free(m);
	errno = 0;
	m = malloc(size_max);
	printf("malloc SIZE_MAX: %s, %s\n", m ? "not NULL" : "NULL", abi_errname(errno));
	free(m);
	errno = 0;
	m = calloc(size_max / 2, 4);
	printf("calloc overflowing: %s, %s\n", m ? "not NULL" : "NULL", abi_errname(errno));
	free(m);
	char *keep = malloc(16);
	CHECK(keep != NULL);
	strcpy(keep, "still here");
	errno = 0;
	char *grown = realloc(keep, beyond);
	if (grown == NULL) {
		printf("realloc to 128 TiB: NULL, %s; the old block intact: %s\n", abi_errname(errno),
		       yes(strcmp(keep, "still here") == 0));
		free(keep);
	} else {
		printf("realloc to 128 TiB: not NULL\n");
		free(grown);
	}
	/* And ordinary allocation still works after all that. */
	char *ok = malloc(1 << 20);
	CHECK(ok != NULL);
	memset(ok, 1, 1 << 20);
	free(ok);
	printf("a 1 MiB malloc still works\n");
}

/* Mapping 16 MiB at a time under a 1 GiB RLIMIT_AS (the program itself takes a few MiB). */
static void rlimit_as(void)
{
	enum { CHUNK = 16 << 20, MOST = 256 };
	struct rlimit r, low;
	static void *maps[MOST];
	int n = 0, e = 0;

	CHECK(getrlimit(RLIMIT_AS, &r) == 0);
	low = r;
	low.rlim_cur = (rlim_t)1 << 30;
	CHECK(setrlimit(RLIMIT_AS, &low) == 0);
	while (n < MOST) {
		void *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			e = errno;
			break;
		}
		maps[n++] = p;
	}
	if (n == MOST)
		printf("RLIMIT_AS 1 GiB: mapping 16 MiB at a time did not fail by 4 GiB\n");
	else
		printf("RLIMIT_AS 1 GiB: mapping 16 MiB at a time stops with %s, within the limit: "
		       "%s\n", abi_errname(e), yes((size_t)n * CHUNK <= (size_t)1 << 30));
	errno = 0;
	void *m = malloc((size_t)2 << 30);
	printf("RLIMIT_AS 1 GiB: malloc 2 GiB: %s, %s\n", m ? "not NULL" : "NULL",
	       abi_errname(m ? 0 : errno));
	free(m);
	while (n > 0)
		CHECK(munmap(maps[--n], CHUNK) == 0);
	CHECK(setrlimit(RLIMIT_AS, &r) == 0);
	m = mmap(NULL, (size_t)2 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("limit restored: 2 GiB maps: %s\n", m == MAP_FAILED ? abi_errname(errno) : "OK");
	if (m != MAP_FAILED)
		CHECK(munmap(m, (size_t)2 << 30) == 0);
}

static int gate[2];
static int started;

/* Counts itself in, then waits for the gate to close (end of file) and exits. */
static void *parked(void *arg)
{
	char c;
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *one(void *arg)
{
	return arg;
}

/* Starting threads under a 128 MiB RLIMIT_AS, at most MOST of them. */
static void threads(void)
{
	enum { MOST = 1024 };
	static pthread_t t[MOST];
	struct rlimit r, low;
	int n = 0, e = 0;

	CHECK(pipe(gate) == 0);
	CHECK(getrlimit(RLIMIT_AS, &r) == 0);
	low = r;
	low.rlim_cur = (rlim_t)128 << 20;
	CHECK(setrlimit(RLIMIT_AS, &low) == 0);
	while (n < MOST && (e = pthread_create(&t[n], NULL, parked, NULL)) == 0)
		n++;
	CHECK(setrlimit(RLIMIT_AS, &r) == 0);
	if (n == MOST)
		printf("threads: %d started under RLIMIT_AS 128 MiB without a failure\n", MOST);
	else
		printf("threads: pthread_create stops with %s, after more than 8: %s\n",
		       abi_errname(e), yes(n > 8));
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
		sched_yield();
	printf("threads: every thread started runs: yes\n");
	CHECK(close(gate[1]) == 0);
	int joined = 0;
	for (int i = 0; i < n; i++)
		joined += pthread_join(t[i], NULL) == 0;
	printf("threads: all joined: %s\n", yes(joined == n));
	CHECK(close(gate[0]) == 0);
	static int mark;
	void *back = NULL;
	pthread_t again;
	e = pthread_create(&again, NULL, one, &mark);
	printf("threads: a thread starts after: %s\n", abi_errname(e));
	if (e == 0)
		printf("threads: and is joined: %s\n", yes(pthread_join(again, &back) == 0 && back == &mark));
}

int main(int argc, char **argv)
{
	static const struct exhaust_part parts[] = {
		{ "fds", fds }, { "nofile", nofile }, { "memory", memory }, { "rlimit_as", rlimit_as },
		{ "threads", threads },
	};

	return exhaust_run("exhaust", parts, sizeof parts / sizeof parts[0], argc, argv);
}
