/* fifo.c: named pipes. mkfifo, mknod and mknodat of each file type with their errors and the
 * umask; a FIFO's stat, rename and unlink; opens that block until the other end comes (between
 * two threads, either end first), O_NONBLOCK opens (ENXIO for a writer alone), O_RDWR; data,
 * EOF, EPIPE and SIGPIPE, readiness, FIONREAD, F_GETPIPE_SZ and F_SETPIPE_SZ (anonymous pipes
 * too); data lost once the last opener closes; blocking opens interrupted by a signal (EINTR,
 * or restarted with SA_RESTART). */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "abi.h"

#define expect abi_expect

static char dir[64];

static const char *at(const char *name)
{
	static char bufs[4][128];
	static int next;
	char *buf = bufs[next++ % 4];

	snprintf(buf, sizeof(bufs[0]), "%s/%s", dir, name);
	return buf;
}

static const char *kind(mode_t m)
{
	return S_ISFIFO(m) ? "fifo" : S_ISREG(m) ? "regular" : S_ISSOCK(m) ? "socket" : S_ISCHR(m) ? "chr" : S_ISDIR(m) ? "dir" : "other";
}

static void show(const char *name)
{
	struct stat st;

	CHECK(lstat(at(name), &st) == 0);
	printf("%s: %s %04o size=%lld nlink=%lu\n", name, kind(st.st_mode), (unsigned)(st.st_mode & 07777),
	       (long long)st.st_size, (unsigned long)st.st_nlink);
}

static void check_make(void)
{
	umask(022);
	CHECK(mkfifo(at("f1"), 0666) == 0);
	show("f1");
	CHECK(mknod(at("f2"), S_IFIFO | 0640, 0) == 0);
	show("f2");
	CHECK(mknodat(AT_FDCWD, at("f3"), S_IFIFO | 0777, makedev(1, 3)) == 0); /* dev ignored */
	show("f3");
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0);
	CHECK(mkfifoat(d, "f4", 0600) == 0 && close(d) == 0);
	show("f4");
	CHECK(mknod(at("reg"), S_IFREG | 0644, 0) == 0);
	show("reg");
	CHECK(SYS(SYS_mknod, at("zero"), 0644, 0) == 0); /* type 0 is a regular file */
	show("zero");
	CHECK(mknod(at("sock"), S_IFSOCK | 0755, 0) == 0);
	show("sock");
	CHECK(SYS(SYS_mknodat, AT_FDCWD, at("wide"), 0x10000 | S_IFIFO | 0600, 0) == 0); /* 16-bit mode */
	show("wide");
	umask(077);
	CHECK(mkfifo(at("masked"), 0666) == 0);
	show("masked");
	umask(022);

	expect("mkfifo existing", mkfifo(at("f1"), 0600), EEXIST);
	expect("mknod S_IFREG existing", mknod(at("reg"), S_IFREG | 0600, 0), EEXIST);
	expect("mknod S_IFDIR", mknod(at("newdir"), S_IFDIR | 0700, 0), EPERM);
	expect("mknod bad type 030000", SYS(SYS_mknod, at("bad"), 030000 | 0600, 0), EINVAL);
	expect("mknod bad type 0170000", SYS(SYS_mknod, at("bad"), 0170000 | 0600, 0), EINVAL);
	expect("mknod S_IFDIR existing", mknod(at("f1"), S_IFDIR | 0700, 0), EPERM);
	expect("mknod S_IFCHR existing", mknod(at("f1"), S_IFCHR | 0600, makedev(1, 3)), EEXIST);
	expect("mkfifo empty path", mkfifo("", 0600), ENOENT);
	expect("mkfifo .", mkfifo(".", 0600), EEXIST);
	expect("mkfifo name/", mkfifo(at("slash/"), 0600), ENOENT);
	expect("mkfifo missing/x", mkfifo(at("missing/x"), 0600), ENOENT);
	expect("mkfifo fifo/x", mkfifo(at("f1/x"), 0600), ENOTDIR);
	expect("mkfifo NULL", SYS(SYS_mknod, NULL, S_IFIFO | 0600, 0), EFAULT);
	expect("mknodat bad dirfd", mknodat(-5, "x", S_IFIFO | 0600, 0), EBADF);
	expect("mknodat file dirfd", mknodat(0, "x", S_IFIFO | 0600, 0), ENOTDIR);
	/* a device file needs CAP_MKNOD: as root natively it is made, under elfin refused */
	int r = mknod(at("dev"), S_IFCHR | 0600, makedev(1, 3));
	printf("mknod S_IFCHR: %s\n", r == 0 || errno == EPERM ? "made or EPERM" : abi_errname(errno));
	if (r == 0)
		CHECK(unlink(at("dev")) == 0);
	CHECK(symlink(at("f1"), at("link")) == 0);
	expect("mkfifo on a symlink", mkfifo(at("link"), 0600), EEXIST);
	expect("mkfifo on a dangling symlink", (symlink(at("nowhere"), at("dangling")), mkfifo(at("dangling"), 0600)), EEXIST);

	DIR *list = opendir(dir);
	struct dirent *e;
	int types[3] = {-1, -1, -1};
	CHECK(list != NULL);
	while ((e = readdir(list)))
		for (int i = 0; i < 3; i++)
			if (!strcmp(e->d_name, (const char *[]){"f1", "reg", "sock"}[i]))
				types[i] = e->d_type;
	CHECK(closedir(list) == 0);
	printf("readdir d_type: fifo %d, regular %d, socket %d\n", types[0], types[1], types[2]);

	CHECK(rename(at("f2"), at("f2-renamed")) == 0);
	show("f2-renamed");
	expect("stat the old name", lstat(at("f2"), &(struct stat){0}), ENOENT);
	const char *gone[] = {"f2-renamed", "f3", "f4", "reg", "zero", "sock", "wide", "masked", "link", "dangling"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		CHECK(unlink(at(gone[i])) == 0);
	printf("mknod: FIFOs, files and sockets made, renamed and removed\n");
}

static int fifo_open(int flags)
{
	return open(at("f1"), flags);
}

static void check_nonblocking_opens(void)
{
	expect("O_WRONLY|O_NONBLOCK without a reader", fifo_open(O_WRONLY | O_NONBLOCK), ENXIO);
	int r = fifo_open(O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	struct pollfd p = {r, POLLIN, 0};
	CHECK(poll(&p, 1, 0) >= 0);
	printf("reader without a writer yet: poll revents=%#x\n", p.revents);
	char buf[16];
	printf("read without a writer: %zd\n", read(r, buf, sizeof(buf)));
	int w = fifo_open(O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	struct stat a, b;
	CHECK(fstat(w, &a) == 0 && stat(at("f1"), &b) == 0);
	printf("fstat: %s size=%lld same inode=%d\n", kind(a.st_mode), (long long)a.st_size,
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK(write(w, "hello", 5) == 5);
	int n = -1;
	CHECK(ioctl(r, FIONREAD, &n) == 0);
	printf("FIONREAD: %d\n", n);
	CHECK(poll(&p, 1, 0) == 1);
	printf("poll with data: revents=%#x\n", p.revents);
	CHECK(read(r, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0);
	printf("read with a writer and no data: %s\n", read(r, buf, 1) < 0 ? abi_errname(errno) : "data");
	CHECK(close(w) == 0);
	CHECK(poll(&p, 1, 0) == 1);
	printf("poll after the writer closed: revents=%#x\n", p.revents);
	printf("read after the writer closed: %zd\n", read(r, buf, sizeof(buf)));

	/* an O_RDWR open never waits and counts as both ends */
	int rw = fifo_open(O_RDWR);
	CHECK(rw >= 0);
	CHECK(write(rw, "abc", 3) == 3 && read(r, buf, 2) == 2);
	CHECK(close(r) == 0);
	CHECK(read(rw, buf, sizeof(buf)) == 1 && buf[0] == 'c');
	p = (struct pollfd){rw, POLLIN | POLLOUT, 0};
	CHECK(poll(&p, 1, 0) == 1);
	printf("O_RDWR alone: poll revents=%#x\n", p.revents);
	/* the data stays while someone has the FIFO open, and goes with the last one */
	CHECK(write(rw, "kept", 4) == 4);
	int r2 = fifo_open(O_RDONLY);	/* does not wait: rw is a writer */
	CHECK(r2 >= 0 && close(rw) == 0);
	CHECK(read(r2, buf, sizeof(buf)) == 4 && memcmp(buf, "kept", 4) == 0);
	rw = fifo_open(O_RDWR);
	CHECK(rw >= 0 && write(rw, "lost", 4) == 4);
	CHECK(close(rw) == 0 && close(r2) == 0);
	rw = fifo_open(O_RDWR);
	CHECK(rw >= 0 && ioctl(rw, FIONREAD, &n) == 0);
	printf("FIONREAD after every opener closed: %d\n", n);
	CHECK(close(rw) == 0);

	int path = fifo_open(O_PATH);	/* no end of the pipe: never waits */
	CHECK(path >= 0);
	expect("read an O_PATH FIFO", read(path, buf, 1), EBADF);
	CHECK(close(path) == 0);
	expect("O_RDONLY|O_DIRECTORY", fifo_open(O_RDONLY | O_DIRECTORY | O_NONBLOCK), ENOTDIR);
	expect("O_CREAT|O_EXCL", open(at("f1"), O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	expect("truncate a FIFO (never waits)", truncate(at("f1"), 0), EINVAL);
	expect("truncate a socket inode", (mknod(at("s"), S_IFSOCK | 0600, 0), truncate(at("s"), 0)), EINVAL);
	CHECK(unlink(at("s")) == 0);
	printf("nonblocking opens: ENXIO, EOF, O_RDWR, data kept while open\n");
}

static volatile sig_atomic_t pipes;
static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

static void check_epipe(void)
{
	int r = fifo_open(O_RDONLY | O_NONBLOCK), w = fifo_open(O_WRONLY | O_NONBLOCK);
	CHECK(r >= 0 && w >= 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0);
	printf("epoll before a write: %d\n", epoll_wait(ep, &out, 1, 0));
	CHECK(write(w, "x", 1) == 1);
	int n = epoll_wait(ep, &out, 1, 0);
	printf("epoll after a write: %d events=%#x\n", n, out.events);
	CHECK(close(ep) == 0 && close(r) == 0);
	struct pollfd p = {w, POLLOUT, 0};
	CHECK(poll(&p, 1, 0) == 1);
	printf("writer after the reader closed: poll revents=%#x\n", p.revents);
	signal(SIGPIPE, on_pipe);
	expect("write without a reader", write(w, "x", 1), EPIPE);
	printf("SIGPIPE caught: %d\n", (int)pipes);
	signal(SIGPIPE, SIG_IGN);
	expect("write without a reader, SIGPIPE ignored", write(w, "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	CHECK(close(w) == 0);
}

/* Prints what fcntl(fd, cmd, arg) gives: the value or the errno. */
static void show_fcntl(const char *what, int fd, int cmd, unsigned arg)
{
	errno = 0;
	int r = fcntl(fd, cmd, arg);
	if (r < 0)
		printf("%s: %s\n", what, errno == EBUSY ? "EBUSY" : abi_errname(errno));
	else
		printf("%s: %d\n", what, r);
}

/* F_GETPIPE_SZ and F_SETPIPE_SZ on fd, a pipe's write end whose reader is rd. */
static void check_size(const char *what, int rd, int fd)
{
	printf("%s:\n", what);
	show_fcntl("F_GETPIPE_SZ", fd, F_GETPIPE_SZ, 0);
	show_fcntl("F_SETPIPE_SZ 5000", fd, F_SETPIPE_SZ, 5000);
	show_fcntl("F_GETPIPE_SZ at the other end", rd, F_GETPIPE_SZ, 0);
	show_fcntl("F_SETPIPE_SZ 0", fd, F_SETPIPE_SZ, 0);
	static char chunk[8192];
	long total = 0;
	ssize_t n;
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	while ((n = write(fd, chunk, 1024)) > 0)
		total += n;
	printf("one page holds %ld bytes, then %s\n", total, abi_errname(errno));
	CHECK(fcntl(fd, F_SETPIPE_SZ, 65536) == 65536);
	CHECK(write(fd, chunk, 4096) == 4096);
	show_fcntl("F_SETPIPE_SZ below the data", fd, F_SETPIPE_SZ, 4096);
	show_fcntl("F_SETPIPE_SZ 2^31+1", fd, F_SETPIPE_SZ, (1u << 31) + 1);
	show_fcntl("F_SETPIPE_SZ 1 MiB (pipe-max-size)", fd, F_SETPIPE_SZ, 1 << 20);
	show_fcntl("F_SETPIPE_SZ 16 KiB", fd, F_SETPIPE_SZ, 16384);
	CHECK(read(rd, chunk, sizeof(chunk)) == 8192 && all_bytes((unsigned char *)chunk, 8192, 0));
	CHECK(read(rd, chunk, sizeof(chunk)) < 0 && errno == EAGAIN);
}

static void check_sizes(void)
{
	int p[2];
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	check_size("pipe", p[0], p[1]);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	int r = fifo_open(O_RDONLY | O_NONBLOCK), w = fifo_open(O_WRONLY);
	CHECK(r >= 0 && w >= 0);
	check_size("fifo", r, w);
	CHECK(close(r) == 0 && close(w) == 0);
	r = fifo_open(O_RDWR);	/* the size went with the pipe */
	show_fcntl("fifo opened again F_GETPIPE_SZ", r, F_GETPIPE_SZ, 0);
	CHECK(close(r) == 0);
	int f = open(at("plain"), O_RDWR | O_CREAT, 0600);
	CHECK(f >= 0);
	show_fcntl("file F_SETPIPE_SZ", f, F_SETPIPE_SZ, 4096);
	show_fcntl("file F_GETPIPE_SZ", f, F_GETPIPE_SZ, 0);
	CHECK(close(f) == 0 && unlink(at("plain")) == 0);
}

/* /proc/self/fd/N and /dev/fd/N open another end of the pipe N is open on, named or not. */
static void check_reopen(void)
{
	char path[64], buf[16];
	int p[2];

	CHECK(pipe(p) == 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	int w = open(path, O_WRONLY);	/* a new writer on the read end's pipe */
	CHECK(w >= 0 && close(p[1]) == 0);
	CHECK(write(w, "via proc", 8) == 8 && close(w) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 8 && memcmp(buf, "via proc", 8) == 0);
	printf("anonymous pipe reopened for writing: data through, then read gives %zd\n", read(p[0], buf, 1));
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	int rw = open(path, O_RDWR);
	CHECK(rw >= 0 && write(rw, "rw", 2) == 2 && read(p[0], buf, sizeof(buf)) == 2);
	CHECK(close(rw) == 0 && close(p[0]) == 0);

	int r = fifo_open(O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0 && mkfifo(at("other"), 0600) == 0);
	CHECK(rename(at("other"), at("f1")) == 0);	/* r's FIFO has no name now */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", r);
	w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0 && write(w, "unnamed", 7) == 7);
	CHECK(read(r, buf, sizeof(buf)) == 7 && memcmp(buf, "unnamed", 7) == 0);
	expect("the new f1 has no reader", fifo_open(O_WRONLY | O_NONBLOCK), ENXIO);
	CHECK(close(w) == 0 && close(r) == 0);
	printf("FIFO reopened through /proc/self/fd after its name went\n");
}

/* Two threads meet on blocking opens; the opener's end and what it carries. */
struct end {
	int flags, fd;
	char got[32];
};

static void *open_end(void *arg)
{
	struct end *e = arg;
	e->fd = fifo_open(e->flags);
	CHECK(e->fd >= 0);
	if (e->flags == O_RDONLY) {
		size_t len = 0;
		ssize_t n;
		while ((n = read(e->fd, e->got + len, sizeof(e->got) - 1 - len)) > 0)
			len += (size_t)n;
		CHECK(n == 0);
		e->got[len] = 0;
	} else {
		CHECK(write(e->fd, "across threads", 14) == 14);
	}
	CHECK(close(e->fd) == 0);
	return NULL;
}

static void check_threads(void)
{
	for (int reader_first = 0; reader_first < 2; reader_first++) {
		struct end rd = {O_RDONLY, -1, ""}, wr = {O_WRONLY, -1, ""};
		pthread_t a, b;
		CHECK(pthread_create(&a, NULL, open_end, reader_first ? &rd : &wr) == 0);
		usleep(20000);	/* the first one is (most likely) waiting in open */
		CHECK(pthread_create(&b, NULL, open_end, reader_first ? &wr : &rd) == 0);
		CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
		printf("%s first: the reader got \"%s\"\n", reader_first ? "reader" : "writer", rd.got);
	}
	/* many rounds, each side blocking in turn */
	for (int i = 0; i < 200; i++) {
		struct end rd = {O_RDONLY, -1, ""}, wr = {O_WRONLY, -1, ""};
		pthread_t a;
		CHECK(pthread_create(&a, NULL, open_end, i % 2 ? &rd : &wr) == 0);
		open_end(i % 2 ? &wr : &rd);
		CHECK(pthread_join(a, NULL) == 0);
		CHECK(strcmp(rd.got, "across threads") == 0);
	}
	printf("200 rounds of blocking opens met\n");
}

static volatile sig_atomic_t hits, opened;
static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

struct nudge {
	pthread_t target;
	int then_open;	/* flags of an open of the other end once the target was hit, or -1 */
};

/* Signals the target until its open returned (or, with then_open, until a handler ran, and
 * then opens the other end). */
static void *nudger(void *arg)
{
	struct nudge *n = arg;
	while (!opened && (n->then_open < 0 || !hits)) {
		usleep(20000);
		CHECK(pthread_kill(n->target, SIGUSR1) == 0);
	}
	if (n->then_open >= 0) {
		int fd = fifo_open(n->then_open);
		CHECK(fd >= 0);
		while (!opened)
			usleep(1000);
		CHECK(close(fd) == 0);
	}
	return NULL;
}

static void interrupt_open(int flags, int restart)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0};
	CHECK(sigemptyset(&sa.sa_mask) == 0 && sigaction(SIGUSR1, &sa, NULL) == 0);
	hits = opened = 0;
	struct nudge n = {pthread_self(), restart ? (flags == O_RDONLY ? O_WRONLY : O_RDONLY) : -1};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, nudger, &n) == 0);
	int fd = fifo_open(flags);
	int e = errno;
	opened = 1;
	CHECK(pthread_join(t, NULL) == 0);
	printf("%s open, %s: %s, handler ran: %d\n", flags == O_RDONLY ? "reader" : "writer",
	       restart ? "SA_RESTART" : "no SA_RESTART", fd >= 0 ? "opened" : abi_errname(e), hits > 0);
	if (fd >= 0)
		CHECK(close(fd) == 0);
	/* an interrupted open left no end behind */
	expect("then O_WRONLY|O_NONBLOCK", fifo_open(O_WRONLY | O_NONBLOCK), ENXIO);
}

/* With "hostdir", the FIFOs are made in the working directory (which elfin runs with --rw),
 * so they are the host's; a blocking open waits in the host there, where no signal
 * interrupts it (docs/architecture.md), so that part is left out. */
int main(int argc, char **argv)
{
	int host = argc > 1 && strcmp(argv[1], "hostdir") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (host)
		CHECK(mkdtemp(strcpy(dir, "fifo-XXXXXX")) != NULL);
	else
		snprintf(dir, sizeof(dir), "%s", abi_tmpdir("fifo"));
	check_make();
	check_nonblocking_opens();
	check_epipe();
	check_sizes();
	check_reopen();
	check_threads();
	if (host) {
		CHECK(unlink(at("f1")) == 0 && rmdir(dir) == 0);
		return *abi_mismatches() ? 1 : 0;
	}
	interrupt_open(O_RDONLY, 0);
	interrupt_open(O_WRONLY, 0);
	interrupt_open(O_RDONLY, 1);
	interrupt_open(O_WRONLY, 1);
	CHECK(unlink(at("f1")) == 0 && rmdir(dir) == 0);
	return *abi_mismatches() ? 1 : 0;
}
