/* unix.c: AF_UNIX sockets with both ends in the program: socketpair of every type, message
 * boundaries and flags, shutdown and close, buffer sizes, SCM_RIGHTS with every kind of
 * file and SCM_CREDENTIALS, abstract and path names, backlog, datagram addresses, blocked
 * threads woken, poll and epoll readiness mixed with pipes, and Linux's errors. One part per
 * argument; nothing printed depends on pids, inode numbers or timing. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <stddef.h>

#include "abi.h"
#include "kick.h"
#include "rights.h"

#define expect abi_expect

static volatile sig_atomic_t pipes;
static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

static void pair(int type, int sv[2])
{
	CHECK(socketpair(AF_UNIX, type, 0, sv) == 0);
}

static void closep(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

static const char *tname(int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

/* recvmsg of up to len bytes: prints the length, the data and the flags that matter. */
static void show_recv(const char *what, int fd, size_t len, int flags)
{
	char buf[64] = {0};
	struct iovec iov = {buf, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(fd, &m, flags);
	if (n < 0) {
		printf("%s: %s\n", what, abi_errname(errno));
		return;
	}
	printf("%s: %zd \"%.*s\"%s\n", what, n, (int)(n < (ssize_t)len ? n : (ssize_t)len), buf,
	       m.msg_flags & MSG_TRUNC ? " MSG_TRUNC" : "");
}

static void types_and_flags(void)
{
	int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 3; i++) {
		int sv[2], v;
		socklen_t l = sizeof(v);
		pair(types[i] | SOCK_NONBLOCK | SOCK_CLOEXEC, sv);
		struct stat st;
		CHECK(fstat(sv[0], &st) == 0);
		printf("%s: S_ISSOCK %d nonblock %d cloexec %d", tname(types[i]), S_ISSOCK(st.st_mode),
		       !!(fcntl(sv[0], F_GETFL) & O_NONBLOCK), !!(fcntl(sv[1], F_GETFD) & FD_CLOEXEC));
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l) == 0);
		printf(" type %d", v == types[i]);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &l) == 0);
		printf(" domain %d", v == AF_UNIX);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0);
		printf(" protocol %d", v);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0);
		printf(" error %d\n", v);
		char b;
		expect("  empty recv", recv(sv[0], &b, 1, 0), EAGAIN);
		struct sockaddr_un a;
		socklen_t al = sizeof(a);
		CHECK(getsockname(sv[0], (struct sockaddr *)&a, &al) == 0);
		printf("  getsockname len %u family %d\n", al, a.sun_family);
		al = sizeof(a);
		CHECK(getpeername(sv[0], (struct sockaddr *)&a, &al) == 0);
		printf("  getpeername len %u family %d\n", al, a.sun_family);
		struct ucred c;
		socklen_t cl = sizeof(c);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &c, &cl) == 0);
		printf("  SO_PEERCRED len %u pid is mine %d uid %d gid %d\n", cl, c.pid == getpid(),
		       c.uid == getuid(), c.gid == getgid());
		closep(sv);
	}
}

static void boundaries(void)
{
	int sv[2], n;
	int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 2; i++) {
		printf("%s:\n", tname(types[i]));
		pair(types[i], sv);
		CHECK(send(sv[0], "hello", 5, 0) == 5);
		CHECK(send(sv[0], "", 0, 0) == 0);
		CHECK(send(sv[0], "abc", 3, 0) == 3);
		CHECK(send(sv[0], "truncated", 9, 0) == 9);
		CHECK(send(sv[0], "whole", 5, 0) == 5);
		CHECK(ioctl(sv[1], FIONREAD, &n) == 0);
		printf("  FIONREAD %d\n", n);
		show_recv("  peek", sv[1], 64, MSG_PEEK);
		show_recv("  recv", sv[1], 64, 0);
		show_recv("  empty message", sv[1], 64, 0);
		show_recv("  recv", sv[1], 64, 0);
		show_recv("  short buffer", sv[1], 4, 0);
		show_recv("  MSG_TRUNC", sv[1], 2, MSG_TRUNC);
		show_recv("  MSG_DONTWAIT", sv[1], 64, MSG_DONTWAIT);
		closep(sv);
	}
	printf("stream:\n");
	pair(SOCK_STREAM, sv);
	CHECK(send(sv[0], "abc", 3, 0) == 3);
	CHECK(send(sv[0], "defgh", 5, 0) == 5);
	CHECK(ioctl(sv[1], FIONREAD, &n) == 0);
	printf("  FIONREAD %d\n", n);
	show_recv("  peek", sv[1], 64, MSG_PEEK);
	show_recv("  recv 5", sv[1], 5, 0);
	show_recv("  recv rest", sv[1], 64, 0);
	struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
	CHECK(writev(sv[0], iov, 3) == 13);
	char a[5], b[8];
	struct iovec in[2] = {{a, 5}, {b, 8}};
	printf("  readv %zd \"%.5s\" \"%.8s\"\n", readv(sv[1], in, 2), a, b);
	closep(sv);
}

static void ends(void)
{
	int sv[2];
	char b[16];
	pair(SOCK_STREAM, sv);
	CHECK(send(sv[0], "bye", 3, 0) == 3);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	printf("stream after SHUT_WR: recv %zd, then %zd\n", recv(sv[1], b, 16, 0), recv(sv[1], b, 16, 0));
	expect("  send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	printf("  peer still sends: %zd\n", send(sv[1], "y", 1, 0));
	CHECK(shutdown(sv[0], SHUT_RD) == 0);
	expect("  peer send after SHUT_RD", send(sv[1], "z", 1, MSG_NOSIGNAL), EPIPE);
	printf("  queued data still read after SHUT_RD: %zd\n", recv(sv[0], b, 16, 0));
	printf("  then EOF: %zd\n", recv(sv[0], b, 16, 0));
	closep(sv);

	pair(SOCK_STREAM, sv);
	close(sv[1]);
	printf("stream after close: recv %zd\n", recv(sv[0], b, 16, 0));
	pipes = 0;
	signal(SIGPIPE, on_pipe);
	expect("  send", send(sv[0], "x", 1, 0), EPIPE);
	expect("  write", write(sv[0], "x", 1), EPIPE);
	expect("  send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	printf("  SIGPIPEs %d\n", (int)pipes);
	signal(SIGPIPE, SIG_IGN);
	close(sv[0]);

	pair(SOCK_STREAM, sv);
	CHECK(send(sv[0], "unread", 6, 0) == 6);
	close(sv[1]);
	expect("stream peer closed with unread data: recv", recv(sv[0], b, 16, 0), ECONNRESET);
	printf("  then %zd\n", recv(sv[0], b, 16, 0));
	close(sv[0]);

	pair(SOCK_SEQPACKET, sv);
	CHECK(send(sv[1], "last", 4, 0) == 4);
	close(sv[1]);
	printf("seqpacket after close: recv %zd, then %zd\n", recv(sv[0], b, 16, 0), recv(sv[0], b, 16, 0));
	expect("  send", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[0]);

	pair(SOCK_DGRAM, sv);
	close(sv[1]);
	expect("dgram after close: send", send(sv[0], "x", 1, 0), ECONNREFUSED);
	expect("  send again", send(sv[0], "x", 1, 0), ENOTCONN);
	close(sv[0]);

	pair(SOCK_DGRAM | SOCK_NONBLOCK, sv);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	expect("dgram after SHUT_WR: send", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	printf("  peer sends: %zd\n", send(sv[1], "y", 1, 0));
	CHECK(shutdown(sv[0], SHUT_RD) == 0);
	printf("  recv after SHUT_RD: %zd\n", recv(sv[0], b, 16, 0));
	printf("  then %zd\n", recv(sv[0], b, 16, 0));
	closep(sv);
}

static void buffers(void)
{
	int sv[2], v;
	socklen_t l = sizeof(v);
	pair(SOCK_STREAM | SOCK_NONBLOCK, sv);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l) == 0);
	printf("SO_SNDBUF default %d\n", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l) == 0);
	printf("SO_RCVBUF default %d\n", v);
	static char big[1 << 20];
	long total = 0, n;
	while ((n = send(sv[0], big, 4096, 0)) > 0)
		total += n;
	printf("stream fills with %s after between 100 KiB and 400 KiB: %d\n", abi_errname(errno),
	       total > 100000 && total < 400000);
	struct pollfd p = {sv[0], POLLOUT, 0};
	printf("  POLLOUT when full: %d\n", poll(&p, 1, 0));
	while (recv(sv[1], big, sizeof(big), 0) > 0)
		;
	printf("  POLLOUT when drained: %d\n", poll(&p, 1, 0));
	v = 16384;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l) == 0);
	printf("SO_SNDBUF 16384 reads back %d\n", v);
	v = 1;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l) == 0);
	printf("SO_SNDBUF 1 reads back %d\n", v);
	v = 20000;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l) == 0);
	printf("SO_RCVBUF 20000 reads back %d\n", v);
	v = 1 << 30;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l) == 0);
	printf("SO_RCVBUF 1 GiB reads back %d (twice net.core.rmem_max)\n", v);
	v = 16384;
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	total = 0;
	while ((n = send(sv[0], big, 4096, 0)) > 0)
		total += n;
	printf("  with 16384 it fills after less than 64 KiB: %d\n", total > 0 && total < 65536);
	closep(sv);

	pair(SOCK_STREAM, sv);
	struct timeval tv = {0, 20000};
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
	n = send(sv[0], big, sizeof(big), 0);
	printf("blocking send of 1 MiB with SO_SNDTIMEO: part of it %d\n", n > 0 && n < (long)sizeof(big));
	expect("  then", send(sv[0], big, sizeof(big), 0), EAGAIN);
	closep(sv);

	pair(SOCK_DGRAM | SOCK_NONBLOCK, sv);
	expect("dgram of 300000 bytes", send(sv[0], big, 300000, 0), EMSGSIZE);
	int count = 0;
	while (send(sv[0], big, 100000, 0) == 100000)
		count++;
	printf("dgrams of 100000 bytes: %d fit, then %s\n", count, abi_errname(errno));
	while (recv(sv[1], big, sizeof(big), 0) > 0)
		;
	count = 0;
	while (send(sv[0], "x", 1, 0) == 1)
		count++;
	printf("small dgrams queue until %s, more than 100: %d\n", abi_errname(errno), count > 100);
	closep(sv);
	pair(SOCK_SEQPACKET, sv);
	expect("seqpacket of 300000 bytes", send(sv[0], big, 300000, 0), EMSGSIZE);
	closep(sv);
}

/* Fills a control message header field by field (musl's has padding fields). */
static void set_cmsg(struct cmsghdr *c, size_t len, int level, int type)
{
	c->cmsg_len = len;
	c->cmsg_level = level;
	c->cmsg_type = type;
}

/* Sends fds over sock in one SCM_RIGHTS message with one data byte. */
static long send_fds(int sock, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * 16)] = {0};
	struct iovec iov = {"F", 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	rights_put(&m, ctl, fds, n);
	return sendmsg(sock, &m, 0);
}

/* Receives with room for room fds; the fds into out, their count returned (or -1). */
static int recv_fds(int sock, int *out, int room, int flags, int *mflags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 16)], b[4];
	struct iovec iov = {b, sizeof(b)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			   .msg_controllen = room ? CMSG_SPACE(sizeof(int) * room) : 0};
	if (recvmsg(sock, &m, flags) < 0)
		return -1;
	*mflags = m.msg_flags;
	return rights_take(&m, out);
}

static void rights(void)
{
	int sv[2], p[2], got[16], fl;
	pair(SOCK_STREAM, sv);
	CHECK(pipe(p) == 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/file", abi_tmpdir("unix"));
	int file = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(file >= 0 && write(file, "0123456789", 10) == 10);
	int ev = eventfd(5, 0), ep = epoll_create1(0), other[2];
	pair(SOCK_DGRAM, other);
	int fds[5] = {p[0], file, ev, other[0], ep};
	printf("sendmsg with 5 fds: %ld\n", send_fds(sv[0], fds, 5));
	int n = recv_fds(sv[1], got, 16, 0, &fl);
	printf("received %d fds, MSG_CTRUNC %d, all new %d\n", n, !!(fl & MSG_CTRUNC),
	       n == 5 && got[0] > ep && got[4] > got[3]);
	CHECK(write(p[1], "via pipe", 8) == 8);
	char b[16] = {0};
	printf("  pipe: %zd \"%s\"\n", read(got[0], b, 8), b);
	CHECK(lseek(got[1], 3, SEEK_SET) == 3);
	printf("  file offset shared: %ld\n", (long)lseek(file, 0, SEEK_CUR));
	uint64_t v;
	printf("  eventfd: %zd %lu\n", read(got[2], &v, 8), (unsigned long)v);
	CHECK(send(other[1], "sock", 4, 0) == 4);
	printf("  socket: %zd\n", recv(got[3], b, 16, 0));
	struct epoll_event e = {EPOLLIN, {.u32 = 7}};
	CHECK(epoll_ctl(got[4], EPOLL_CTL_ADD, p[0], &e) == 0);
	CHECK(write(p[1], "!", 1) == 1);
	printf("  epoll: %d\n", epoll_wait(ep, &e, 1, 0));
	for (int i = 0; i < n; i++)
		close(got[i]);

	printf("sendmsg 3 fds, room for 1: %ld", send_fds(sv[0], fds, 3));
	n = recv_fds(sv[1], got, 1, 0, &fl);
	printf(" → %d fds, MSG_CTRUNC %d\n", n, !!(fl & MSG_CTRUNC));
	close(got[0]);
	printf("sendmsg 2 fds, no control buffer: %ld", send_fds(sv[0], fds, 2));
	n = recv_fds(sv[1], got, 0, 0, &fl);
	printf(" → %d fds, MSG_CTRUNC %d\n", n, !!(fl & MSG_CTRUNC));
	send_fds(sv[0], fds, 1);
	n = recv_fds(sv[1], got, 4, MSG_CMSG_CLOEXEC, &fl);
	printf("MSG_CMSG_CLOEXEC: %d fds, FD_CLOEXEC %d\n", n, fcntl(got[0], F_GETFD) & FD_CLOEXEC);
	close(got[0]);
	send_fds(sv[0], fds, 1);
	n = recv_fds(sv[1], got, 4, MSG_PEEK, &fl);
	int m = recv_fds(sv[1], got + 1, 4, 0, &fl);
	printf("MSG_PEEK gives the fds too: %d then %d, distinct %d\n", n, m, got[0] != got[1]);
	close(got[0]);
	close(got[1]);

	int bad[2] = {p[0], 999};
	expect("SCM_RIGHTS with a closed fd", send_fds(sv[0], bad, 2), EBADF);
	printf("  nothing was sent: %zd\n", recv(sv[1], b, 16, MSG_DONTWAIT));

	/* a message with fds is never glued to what follows */
	CHECK(send(sv[0], "ab", 2, 0) == 2);
	send_fds(sv[0], fds, 1);
	CHECK(send(sv[0], "cd", 2, 0) == 2);
	char ctl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = {b, 16};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	memset(b, 0, sizeof(b));
	ssize_t r = recvmsg(sv[1], &mh, 0);
	printf("stream read stops after the fds' message: %zd \"%.*s\" control %d\n", r, (int)r, b, mh.msg_controllen > 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c)
		close(*(int *)CMSG_DATA(c));
	printf("  then %zd\n", recv(sv[1], b, 16, 0));

	/* the fd limit: what does not fit is dropped, MSG_CTRUNC */
	struct rlimit old, lim;
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	send_fds(sv[0], fds, 3);
	int top = dup(0);
	lim = (struct rlimit){top + 2, old.rlim_max};
	close(top);
	CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
	n = recv_fds(sv[1], got, 4, 0, &fl);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	printf("room for 2 more fds, 3 sent: %d received, MSG_CTRUNC %d\n", n, !!(fl & MSG_CTRUNC));
	for (int i = 0; i < n; i++)
		close(got[i]);
	closep(sv);
	closep(other);
	close(p[0]), close(p[1]), close(file), close(ev), close(ep);
}

/* One message with a struct ucred in SCM_CREDENTIALS (given) or none; received with
 * SO_PASSCRED set on the receiver. */
static void creds_case(const char *what, int type, const struct ucred *given)
{
	int sv[2], one = 1;
	pair(type, sv);
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
	char ctl[CMSG_SPACE(sizeof(struct ucred))] = {0};
	struct iovec iov = {"c", 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (given) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		set_cmsg(c, CMSG_LEN(sizeof(struct ucred)), SOL_SOCKET, SCM_CREDENTIALS);
		memcpy(CMSG_DATA(c), given, sizeof(*given));
	}
	CHECK(sendmsg(sv[0], &m, 0) == 1);
	char b[4], in[CMSG_SPACE(sizeof(struct ucred)) + 16];
	struct iovec iv = {b, 4};
	struct msghdr r = {.msg_iov = &iv, .msg_iovlen = 1, .msg_control = in, .msg_controllen = sizeof(in)};
	CHECK(recvmsg(sv[1], &r, 0) == 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&r);
	struct ucred u = {0};
	if (c)
		memcpy(&u, CMSG_DATA(c), sizeof(u));
	printf("%s: cmsg %d type %d len %zu pid mine %d uid mine %d gid mine %d\n", what, c != NULL,
	       c ? c->cmsg_type : 0, c ? (size_t)c->cmsg_len : 0, u.pid == getpid(), u.uid == getuid(), u.gid == getgid());
	int v;
	socklen_t l = sizeof(v);
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l) == 0);
	printf("  SO_PASSCRED reads %d\n", v);
	closep(sv);
}

static void credentials(void)
{
	creds_case("stream, implicit", SOCK_STREAM, NULL);
	creds_case("dgram, implicit", SOCK_DGRAM, NULL);
	struct ucred me = {getpid(), getuid(), getgid()};
	creds_case("seqpacket, explicit", SOCK_SEQPACKET, &me);
	int sv[2];
	pair(SOCK_STREAM, sv);
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {"c", 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	set_cmsg(c, CMSG_LEN(sizeof(int)), SOL_SOCKET, 99);
	expect("unknown SOL_SOCKET control message", sendmsg(sv[0], &m, 0), EINVAL);
	c->cmsg_len = sizeof(ctl) + 8;
	expect("control message longer than the buffer", sendmsg(sv[0], &m, 0), EINVAL);
	set_cmsg(c, CMSG_LEN(sizeof(int)), 6 /* SOL_TCP */, 1);
	printf("other levels are ignored: %zd\n", sendmsg(sv[0], &m, 0));
	closep(sv);
}

static socklen_t abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "elfin-unix-%d-%s", getpid(), name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1);
}

static socklen_t pathname(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	CHECK(n > 0 && n < (int)sizeof(a->sun_path));
	return sizeof(*a);
}

/* A stream server and client on address a: connect, accept, names, a message each way. */
static void stream_names(const char *what, struct sockaddr_un *a, socklen_t al)
{
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && c >= 0);
	expect("  listen before bind", listen(l, 5), EINVAL);
	CHECK(bind(l, (struct sockaddr *)a, al) == 0);
	expect("  connect to a bound socket that does not listen", connect(c, (struct sockaddr *)a, al), ECONNREFUSED);
	CHECK(listen(l, 5) == 0);
	int v;
	socklen_t vl = sizeof(v);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl) == 0);
	printf("%s: SO_ACCEPTCONN %d\n", what, v);
	CHECK(connect(c, (struct sockaddr *)a, al) == 0);
	struct sockaddr_un n;
	socklen_t nl = sizeof(n);
	int s = accept(l, (struct sockaddr *)&n, &nl);
	CHECK(s >= 0);
	printf("  accept: peer unnamed, len %u\n", nl);
	nl = sizeof(n);
	CHECK(getsockname(l, (struct sockaddr *)&n, &nl) == 0);
	printf("  getsockname: len matches %d, same name %d\n", nl == (a->sun_path[0] ? offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1 : al),
	       memcmp(n.sun_path, a->sun_path, nl - offsetof(struct sockaddr_un, sun_path) - (a->sun_path[0] != 0)) == 0);
	nl = sizeof(n);
	CHECK(getpeername(c, (struct sockaddr *)&n, &nl) == 0);
	printf("  client's getpeername: same name %d\n", memcmp(n.sun_path, a->sun_path, 4) == 0);
	nl = sizeof(n);
	CHECK(getsockname(s, (struct sockaddr *)&n, &nl) == 0);
	printf("  accepted socket's getsockname: same name %d\n", memcmp(n.sun_path, a->sun_path, 4) == 0);
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0);
	printf("  SO_PEERCRED pid mine %d\n", cr.pid == getpid());
	char b[8] = {0};
	CHECK(send(c, "ping", 4, 0) == 4 && recv(s, b, 8, 0) == 4);
	CHECK(send(s, "pong", 4, 0) == 4 && recv(c, b + 4, 4, 0) == 4);
	printf("  exchanged \"%.8s\"\n", b);
	expect("  connect again", connect(c, (struct sockaddr *)a, al), EISCONN);
	expect("  sendto on a connected stream", sendto(c, "x", 1, 0, (struct sockaddr *)a, al), EISCONN);
	int d = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("  bind the same name", bind(d, (struct sockaddr *)a, al), EADDRINUSE);
	int g = socket(AF_UNIX, SOCK_DGRAM, 0);
	expect("  connect a datagram socket to it", connect(g, (struct sockaddr *)a, al), a->sun_path[0] ? EPROTOTYPE : ECONNREFUSED);
	close(s), close(c), close(d), close(g);
	close(l);
}

static void names(void)
{
	struct sockaddr_un a;
	socklen_t al = abstract(&a, "stream");
	stream_names("abstract", &a, al);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("  connect after the listener closed", connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	close(c);

	const char *dir = abi_tmpdir("unixnames");
	al = pathname(&a, dir, "sock");
	stream_names("path", &a, al);
	struct stat st;
	CHECK(stat(a.sun_path, &st) == 0);
	printf("  the name stays: S_ISSOCK %d\n", S_ISSOCK(st.st_mode));
	expect("  open it", open(a.sun_path, O_RDONLY), ENXIO);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("  connect after the listener closed", connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	expect("  bind the name again", bind(c, (struct sockaddr *)&a, al), EADDRINUSE);
	CHECK(unlink(a.sun_path) == 0);
	expect("  connect after unlink", connect(c, (struct sockaddr *)&a, al), ENOENT);
	CHECK(bind(c, (struct sockaddr *)&a, al) == 0);
	printf("  bind after unlink: ok\n");
	expect("  bind a bound socket to its own name", bind(c, (struct sockaddr *)&a, al), EADDRINUSE);
	struct sockaddr_un o;
	socklen_t ol = pathname(&o, dir, "other");
	expect("  bind a bound socket to a new name", bind(c, (struct sockaddr *)&o, ol), EINVAL);
	printf("  which leaves no file: %d\n", access(o.sun_path, F_OK) == -1 && errno == ENOENT);
	close(c);
	unlink(a.sun_path);
	char rel[160];
	CHECK(chdir(dir) == 0);
	struct sockaddr_un r = {.sun_family = AF_UNIX, .sun_path = "relative"};
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&r, sizeof(r)) == 0 && listen(l, 1) == 0);
	socklen_t rl = sizeof(r);
	CHECK(getsockname(l, (struct sockaddr *)&r, &rl) == 0);
	printf("relative name reads back: %u \"%s\"\n", rl, r.sun_path);
	snprintf(rel, sizeof(rel), "%s/relative", dir);
	pathname(&a, dir, "relative");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  connect by absolute path: %d\n", connect(c, (struct sockaddr *)&a, sizeof(a)));
	close(c), close(l);
	CHECK(chdir("/") == 0);
	int f = open(rel, O_RDONLY);
	printf("  unlinked by nobody, still a socket file: %d\n", f < 0 && errno == ENXIO);

	al = pathname(&a, dir, "regular");
	CHECK((f = open(a.sun_path, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(f);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("connect to a regular file", connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	expect("bind over a regular file", bind(c, (struct sockaddr *)&a, al), EADDRINUSE);
	al = pathname(&a, dir, "missing/sock");
	expect("bind in a missing directory", bind(c, (struct sockaddr *)&a, al), ENOENT);
	close(c);

	/* autobind */
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un au = {.sun_family = AF_UNIX};
	CHECK(bind(s, (struct sockaddr *)&au, offsetof(struct sockaddr_un, sun_path)) == 0);
	socklen_t aul = sizeof(au);
	CHECK(getsockname(s, (struct sockaddr *)&au, &aul) == 0);
	printf("autobind: len %u abstract %d\n", aul, au.sun_path[0] == 0);
	close(s);
}

static void backlog(void)
{
	struct sockaddr_un a;
	socklen_t al = abstract(&a, "backlog");
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c[4];
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 1) == 0);
	for (int i = 0; i < 4; i++) {
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		long r = connect(c[i], (struct sockaddr *)&a, al);
		printf("backlog 1, connect %d: %s\n", i, r == 0 ? "ok" : abi_errname(errno));
	}
	CHECK(send(c[0], "early", 5, 0) == 5);
	struct pollfd p = {l, POLLIN, 0};
	printf("listener readable: %d\n", poll(&p, 1, 0));
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	char b[8];
	printf("accepted; data sent before accept: %zd\n", recv(s, b, 8, 0));
	printf("connect after an accept: %d\n", connect(c[2], (struct sockaddr *)&a, al));
	close(s);
	close(l);
	printf("pending connection after the listener closed: recv %zd\n", recv(c[1], b, 8, 0));
	for (int i = 0; i < 4; i++)
		close(c[i]);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 1) == 0);
	expect("accept with nothing pending", accept(l, NULL, NULL), EAGAIN);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	expect("listen on a datagram socket", listen(d, 1), EOPNOTSUPP);
	expect("accept on a datagram socket", accept(d, NULL, NULL), EOPNOTSUPP);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("accept on a socket that does not listen", accept(u, NULL, NULL), EINVAL);
	close(d), close(u), close(l);
}

static void datagrams(void)
{
	struct sockaddr_un a, b, n;
	socklen_t al = abstract(&a, "dga"), bl = abstract(&b, "dgb"), nl;
	int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0), z = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK(bind(x, (struct sockaddr *)&a, al) == 0 && bind(y, (struct sockaddr *)&b, bl) == 0);
	expect("send unconnected", send(x, "x", 1, 0), ENOTCONN);
	CHECK(sendto(x, "from x", 6, 0, (struct sockaddr *)&b, bl) == 6);
	CHECK(sendto(z, "from z", 6, 0, (struct sockaddr *)&b, bl) == 6);
	char buf[16] = {0};
	nl = sizeof(n);
	ssize_t r = recvfrom(y, buf, 16, 0, (struct sockaddr *)&n, &nl);
	printf("recvfrom: %zd \"%.*s\" name len matches %d same %d\n", r, (int)r, buf, nl == al, memcmp(&n, &a, al) == 0);
	nl = sizeof(n);
	r = recvfrom(y, buf, 16, 0, (struct sockaddr *)&n, &nl);
	printf("recvfrom an unnamed sender: %zd namelen %u\n", r, nl);
	CHECK(connect(x, (struct sockaddr *)&b, bl) == 0);
	printf("connected send: %zd\n", send(x, "c", 1, 0));
	nl = sizeof(n);
	CHECK(getpeername(x, (struct sockaddr *)&n, &nl) == 0);
	printf("getpeername len matches %d\n", nl == bl);
	CHECK(connect(y, (struct sockaddr *)&a, al) == 0);
	expect("send to a socket connected elsewhere", sendto(z, "z", 1, 0, (struct sockaddr *)&a, al), EPERM);
	struct sockaddr un = {.sa_family = AF_UNSPEC};
	CHECK(connect(y, &un, sizeof(un)) == 0);
	nl = sizeof(n);
	expect("getpeername after AF_UNSPEC", getpeername(y, (struct sockaddr *)&n, &nl), ENOTCONN);
	while (recv(y, buf, 16, MSG_DONTWAIT) > 0)
		;
	int count = 0;
	while (sendto(z, "q", 1, 0, (struct sockaddr *)&b, bl) == 1)
		count++;
	printf("an unconnected receiver's queue takes %d then %s\n", count, abi_errname(errno));
	struct sockaddr_un none;
	socklen_t nonel = abstract(&none, "nobody");
	expect("sendto a name nobody has", sendto(z, "q", 1, 0, (struct sockaddr *)&none, nonel), ECONNREFUSED);
	nonel = pathname(&none, "/tmp", "elfin-no-such-socket");
	expect("sendto a missing path", sendto(z, "q", 1, 0, (struct sockaddr *)&none, nonel), ENOENT);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("connect a stream socket to a datagram name", connect(s, (struct sockaddr *)&b, bl), ECONNREFUSED);
	close(s), close(x), close(y), close(z);
}

static void errors(void)
{
	int sv[2], p[2];
	char b[8];
	CHECK(pipe(p) == 0);
	pair(SOCK_STREAM, sv);
	expect("send on a closed fd", send(99, "x", 1, 0), EBADF);
	expect("send on a pipe", send(p[1], "x", 1, 0), ENOTSOCK);
	expect("recv on a pipe", recv(p[0], b, 1, 0), ENOTSOCK);
	expect("send from a bad buffer", SYS(SYS_sendto, sv[0], (void *)8, 4, 0, NULL, 0), EFAULT);
	CHECK(send(sv[0], "abcd", 4, 0) == 4);
	expect("recv into a bad buffer", SYS(SYS_recvfrom, sv[1], (void *)8, 4, 0, NULL, NULL), EFAULT);
	expect("bind a bad address", SYS(SYS_bind, sv[0], (void *)8, 10), EFAULT);
	expect("socketpair to a bad pointer", SYS(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (void *)8), EFAULT);
	expect("shutdown how 5", shutdown(sv[0], 5), EINVAL);
	expect("getsockopt at SOL_TCP", getsockopt(sv[0], 6, 1, b, &(socklen_t){4}), EOPNOTSUPP);
	expect("setsockopt at SOL_TCP", setsockopt(sv[0], 6, 1, &(int){1}, 4), EOPNOTSUPP);
	expect("getsockopt unknown", getsockopt(sv[0], SOL_SOCKET, 999, b, &(socklen_t){4}), ENOPROTOOPT);
	expect("setsockopt short", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, b, 2), EINVAL);
	struct timeval tv = {0, 2000000};
	expect("SO_RCVTIMEO usec out of range", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	expect("SO_RCVTIMEO short", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
	closep(sv);

	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("send on an unconnected stream", send(s, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	expect("recv on an unconnected stream", recv(s, b, 1, 0), EINVAL);
	struct sockaddr_un a;
	socklen_t al = abstract(&a, "err");
	expect("sendto on an unconnected stream", sendto(s, "x", 1, 0, (struct sockaddr *)&a, al), EOPNOTSUPP);
	socklen_t nl = sizeof(a);
	expect("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &nl), ENOTCONN);
	int q = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	expect("send on an unconnected seqpacket", send(q, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	expect("recv on an unconnected seqpacket", recv(q, b, 1, 0), ENOTCONN);
	close(q);
	expect("bind with length 1", bind(s, (struct sockaddr *)&a, 1), EINVAL);
	expect("bind with length 111", bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL);
	a.sun_family = AF_INET;
	expect("bind AF_INET address", bind(s, (struct sockaddr *)&a, al), EINVAL);
	expect("connect AF_INET address", connect(s, (struct sockaddr *)&a, al), EINVAL);
	struct sockaddr_un full = {.sun_family = AF_UNIX};
	memset(full.sun_path, 'x', sizeof(full.sun_path));
	expect("connect with a 108-byte path that names nothing", connect(s, (struct sockaddr *)&full, sizeof(full)), ENOENT);
	close(s);
	expect("socket AF_UNIX type 7", socket(AF_UNIX, 7, 0), ESOCKTNOSUPPORT);
	expect("socket AF_UNIX protocol 5", socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT);
	expect("socketpair AF_UNIX protocol 5", socketpair(AF_UNIX, SOCK_STREAM, 5, sv), EPROTONOSUPPORT);
	expect("socket AF_UNIX bad flags", socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	expect("socketpair family 99", socketpair(99, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	expect("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	s = socket(AF_UNIX, SOCK_RAW, 0);
	int v;
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &(socklen_t){4}) == 0);
	printf("SOCK_RAW is a datagram socket: %d\n", v == SOCK_DGRAM);
	close(s);
	close(p[0]), close(p[1]);
}

/* Threads: a blocked reader woken by a write, by shutdown, by a signal; a blocked writer woken
 * by a reader; MSG_WAITALL across writes; a blocked accept woken by connect. */
struct later {
	int fd, what;
};

static void *act_later(void *arg)
{
	struct later *l = arg;
	static char big[300000];
	usleep(30000);
	if (l->what == 0)
		CHECK(send(l->fd, "wake", 4, 0) == 4);
	else if (l->what == 1)
		CHECK(shutdown(l->fd, SHUT_WR) == 0);
	else if (l->what == 2) {
		long got = 0, n;
		while (got < (long)sizeof(big) && (n = recv(l->fd, big, sizeof(big), 0)) > 0)
			got += n;
	}
	else if (l->what == 3) {
		CHECK(send(l->fd, "part1-", 6, 0) == 6);
		usleep(20000);
		CHECK(send(l->fd, "part2", 5, 0) == 5);
	} else if (l->what == 5) {
		int s = accept(l->fd, NULL, NULL);
		CHECK(s >= 0);
		close(s);
	} else if (l->what == 6) {
		close(l->fd);
	} else {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un a;
		socklen_t al = abstract(&a, "thread");
		CHECK(connect(c, (struct sockaddr *)&a, al) == 0);
		close(c);
	}
	return NULL;
}

static long with_later(int fd, int what, long (*call)(int), int callfd)
{
	pthread_t t;
	struct later l = {fd, what};
	CHECK(pthread_create(&t, NULL, act_later, &l) == 0);
	long r = call(callfd);
	CHECK(pthread_join(t, NULL) == 0);
	return r;
}

static long recv16(int fd)
{
	char b[16];
	return recv(fd, b, sizeof(b), 0);
}

static long waitall(int fd)
{
	char b[16] = {0};
	long r = recv(fd, b, 11, MSG_WAITALL);
	printf("  \"%s\"", b);
	return r;
}

static long send_big(int fd)
{
	static char big[300000];
	return send(fd, big, sizeof(big), 0);
}

static long accept_fd(int fd)
{
	int s = accept(fd, NULL, NULL);
	close(s);
	return s >= 0;
}

static long connect_backlog(int fd)
{
	(void)fd;
	struct sockaddr_un a;
	socklen_t al = abstract(&a, "full");
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	long r = connect(c, (struct sockaddr *)&a, al);
	if (r < 0)
		printf(" %s", abi_errname(errno));
	close(c);
	return r;
}

static void threads(void)
{
	int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 3; i++) {
		int sv[2];
		pair(types[i], sv);
		printf("%s: blocked recv woken by send: %ld\n", tname(types[i]), with_later(sv[0], 0, recv16, sv[1]));
		if (types[i] != SOCK_DGRAM)
			printf("  woken by the peer's shutdown: %ld\n", with_later(sv[0], 1, recv16, sv[1]));
		closep(sv);
	}
	int sv[2];
	pair(SOCK_STREAM, sv);
	printf("MSG_WAITALL across two sends:");
	printf(" %ld\n", with_later(sv[0], 3, waitall, sv[1]));
	printf("blocked send woken by a reader: %ld\n", with_later(sv[1], 2, send_big, sv[0]));
	closep(sv);

	struct sockaddr_un a;
	socklen_t al = abstract(&a, "thread");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 1) == 0);
	printf("blocked accept woken by connect: %ld\n", with_later(-1, 4, accept_fd, l));
	close(l);
	al = abstract(&a, "full");
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	int first = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 0) == 0);
	CHECK(connect(first, (struct sockaddr *)&a, al) == 0);
	printf("connect blocked on a full backlog, woken by accept:");
	printf(" %ld\n", with_later(l, 5, connect_backlog, -1));
	printf("connect blocked on a full backlog, woken by the listener's close:");
	printf(" %ld\n", with_later(l, 6, connect_backlog, -1));
	close(first);

	/* signals: EINTR without SA_RESTART, a restart with it, EAGAIN on SO_RCVTIMEO */
	pair(SOCK_STREAM, sv);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	struct kick k = {pthread_self(), -1};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
	char b;
	expect("recv interrupted", recv(sv[1], &b, 1, 0), EINTR);
	pthread_join(t, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	k.fd = sv[0];
	CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
	printf("recv with SA_RESTART: %zd after %d signals\n", recv(sv[1], &b, 1, 0), (int)hits);
	pthread_join(t, NULL);
	struct timeval tv = {0, 20000};
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	expect("recv with SO_RCVTIMEO", recv(sv[1], &b, 1, 0), EAGAIN);
	tv = (struct timeval){0, 0};
	socklen_t tl = sizeof(tv);
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) == 0);
	printf("SO_RCVTIMEO reads back %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	k.fd = -1;
	tv = (struct timeval){2, 0};
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
	expect("recv with a timeout interrupted even with SA_RESTART", recv(sv[1], &b, 1, 0), EINTR);
	pthread_join(t, NULL);
	closep(sv);
}

/* poll and epoll over unix sockets and pipes together. */
static void readiness(void)
{
	int sv[2], p[2];
	pair(SOCK_STREAM, sv);
	CHECK(pipe(p) == 0);
	struct pollfd f[3] = {{sv[0], POLLIN | POLLOUT, 0}, {sv[1], POLLIN | POLLRDHUP, 0}, {p[0], POLLIN, 0}};
	printf("poll idle: %d revents %#x %#x %#x\n", poll(f, 3, 0), f[0].revents, f[1].revents, f[2].revents);
	CHECK(send(sv[0], "x", 1, 0) == 1 && write(p[1], "y", 1) == 1);
	printf("poll with data: %d revents %#x %#x %#x\n", poll(f, 3, 0), f[0].revents, f[1].revents, f[2].revents);
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	printf("poll after SHUT_WR: %d revents %#x %#x\n", poll(f, 3, 0), f[0].revents, f[1].revents);
	close(sv[0]);
	printf("poll after close: revents %#x\n", (poll(f + 1, 1, 0), f[1].revents));
	close(sv[1]);
	int u = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0), q = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct pollfd g[3] = {{u, POLLIN | POLLOUT, 0}, {d, POLLIN | POLLOUT, 0}, {q, POLLIN | POLLOUT, 0}};
	printf("poll unconnected stream, dgram, seqpacket: %#x %#x %#x\n", (poll(g, 3, 0), g[0].revents), g[1].revents, g[2].revents);
	close(u), close(d), close(q);

	pair(SOCK_STREAM | SOCK_NONBLOCK, sv);
	int lt = epoll_create1(0), et = epoll_create1(0);
	struct epoll_event e = {EPOLLIN, {.u32 = 1}}, out[4];
	CHECK(epoll_ctl(lt, EPOLL_CTL_ADD, sv[1], &e) == 0);
	e.data.u32 = 2;
	CHECK(epoll_ctl(lt, EPOLL_CTL_ADD, p[0], &e) == 0);
	e = (struct epoll_event){EPOLLIN | EPOLLET | EPOLLRDHUP, {.u32 = 3}};
	CHECK(epoll_ctl(et, EPOLL_CTL_ADD, sv[1], &e) == 0);
	printf("epoll level, pipe ready: %d\n", epoll_wait(lt, out, 4, 0));
	char b[8];
	CHECK(read(p[0], b, 8) == 1);
	printf("epoll level, nothing: %d, edge: %d\n", epoll_wait(lt, out, 4, 0), epoll_wait(et, out, 4, 0));
	CHECK(send(sv[0], "ab", 2, 0) == 2);
	printf("epoll level after send: %d (%u), again %d\n", epoll_wait(lt, out, 4, 0), out[0].data.u32, epoll_wait(lt, out, 4, 0));
	printf("epoll edge after send: %d, again %d\n", epoll_wait(et, out, 4, 0), epoll_wait(et, out, 4, 0));
	CHECK(recv(sv[1], b, 1, 0) == 1);
	CHECK(send(sv[0], "c", 1, 0) == 1);
	printf("epoll edge after more data: %d\n", epoll_wait(et, out, 4, 0));
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	int n = epoll_wait(et, out, 4, 0);
	printf("epoll edge after SHUT_WR: %d events %#x\n", n, n > 0 ? out[0].events : 0);
	closep(sv);

	/* a thread blocked in epoll_wait on a socket and a pipe, woken by a send */
	pair(SOCK_DGRAM, sv);
	int ep = epoll_create1(0);
	e = (struct epoll_event){EPOLLIN, {.u32 = 9}};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == 0);
	pthread_t t;
	struct later l = {sv[0], 0};
	CHECK(pthread_create(&t, NULL, act_later, &l) == 0);
	printf("epoll_wait woken by a datagram: %d\n", epoll_wait(ep, out, 4, 5000));
	pthread_join(t, NULL);
	closep(sv);
	close(lt), close(et), close(ep), close(p[0]), close(p[1]);
}

static void *epoll_waiter(void *arg)
{
	struct epoll_event out[4];
	int n = epoll_wait(*(int *)arg, out, 4, 5000);
	return (void *)(long)(n == 1 ? (long)out[0].data.u32 : -n);
}

/* A name in the working directory, which the driver lets elfin write (--rw): there the socket
 * file is the host's own, which programs outside could reach. The names hold the pid: the
 * driver runs the variants side by side in one working directory. Epoll items added before
 * the sockets were named there still report. */
static void hostdir(void)
{
	char cwd[80];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	struct sockaddr_un a, n;
	char sname[32], dname[32];
	snprintf(sname, sizeof(sname), "hostdir.%d.sock", getpid());
	snprintf(dname, sizeof(dname), "hostdir.%d.dgram", getpid());
	socklen_t al = pathname(&a, cwd, sname), nl = sizeof(n);
	unlink(a.sun_path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	int ep = epoll_create1(0), ep2 = epoll_create1(0);
	struct epoll_event e = {EPOLLIN, {.u32 = 1}}, out[4];
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &e) == 0);
	e = (struct epoll_event){EPOLLIN | EPOLLET, {.u32 = 2}};
	CHECK(epoll_ctl(ep2, EPOLL_CTL_ADD, c, &e) == 0);
	epoll_wait(ep2, out, 4, 0); /* the unconnected socket's hang-up */
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 4) == 0);
	struct stat st;
	printf("socket file in the working directory: %d\n", stat(sname, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK(getsockname(l, (struct sockaddr *)&n, &nl) == 0);
	printf("getsockname gives the path: %d\n", strcmp(n.sun_path, a.sun_path) == 0);
	CHECK(connect(c, (struct sockaddr *)&a, al) == 0);
	int k = epoll_wait(ep, out, 4, 0);
	printf("epoll, listener with a connection pending: %d data=%u\n", k, k > 0 ? out[0].data.u32 : 0u);
	int s = accept(l, NULL, NULL);
	printf("epoll, none pending: %d\n", epoll_wait(ep, out, 4, 0));
	char b[8] = {0};
	CHECK(s >= 0 && send(s, "back", 4, 0) == 4);
	k = epoll_wait(ep2, out, 4, 1000);
	printf("epoll, connected socket with data: %d data=%u in=%d", k, k > 0 ? out[0].data.u32 : 0u,
	       k > 0 && (out[0].events & EPOLLIN));
	printf(", edge again: %d\n", epoll_wait(ep2, out, 4, 0));
	CHECK(recv(c, b, 8, 0) == 4);
	CHECK(s >= 0 && send(c, "host", 4, 0) == 4 && recv(s, b, 8, 0) == 4);
	printf("exchanged \"%s\"\n", b);
	close(ep), close(ep2);
	int d = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("bind the name again", bind(d, (struct sockaddr *)&a, al), EADDRINUSE);
	close(s), close(c), close(l), close(d);
	CHECK(unlink(sname) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("connect after unlink", connect(c, (struct sockaddr *)&a, al), ENOENT);
	close(c);

	al = pathname(&a, cwd, dname);
	unlink(a.sun_path);
	int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM, 0);
	ep = epoll_create1(0);
	e = (struct epoll_event){EPOLLIN, {.u32 = 3}};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r, &e) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, epoll_waiter, &ep) == 0);
	usleep(50000); /* the thread sleeps in epoll_wait while r becomes a host socket */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(bind(r, (struct sockaddr *)&a, al) == 0);
	printf("sendto a datagram socket file there: %zd", sendto(w, "dgram", 5, 0, (struct sockaddr *)&a, al));
	void *got;
	pthread_join(t, &got);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf(", epoll_wait asleep meanwhile woken for %ld within a second: %d", (long)got,
	       t1.tv_sec - t0.tv_sec < 1 || (t1.tv_sec - t0.tv_sec == 1 && t1.tv_nsec < t0.tv_nsec));
	close(ep);
	memset(b, 0, sizeof(b));
	printf(", received %zd \"%s\"\n", recv(r, b, 8, 0), b);
	close(r), close(w);
	CHECK(unlink(a.sun_path) == 0);
}

/* Much traffic in one thread: 20 000 messages of each type, 1 000 descriptors passed and 200
 * connections on names; the run's host calls (tests/run.py bounds them) stay what loading the
 * program takes. */
static void bulk(void)
{
	int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 3; i++) {
		int sv[2];
		long ok = 0;
		pair(types[i], sv);
		for (int j = 0; j < 20000; j++) {
			char b[32], c[32];
			int len = snprintf(b, sizeof(b), "message %d", j);
			CHECK(send(sv[0], b, len, 0) == len);
			ok += recv(sv[1], c, sizeof(c), 0) == len && memcmp(b, c, len) == 0;
		}
		printf("%s: 20000 messages, %ld right\n", tname(types[i]), ok);
		closep(sv);
	}
	int sv[2], p[2], got[4], fl, ok = 0;
	pair(SOCK_DGRAM, sv);
	CHECK(pipe(p) == 0);
	for (int j = 0; j < 1000; j++) {
		CHECK(send_fds(sv[0], p, 2) == 1);
		ok += recv_fds(sv[1], got, 4, 0, &fl) == 2 && write(got[1], "x", 1) == 1 && read(p[0], got + 2, 1) == 1;
		close(got[0]), close(got[1]);
	}
	printf("1000 pipes passed and used: %d\n", ok);
	closep(sv), close(p[0]), close(p[1]);
	const char *dir = abi_tmpdir("unixbulk");
	ok = 0;
	for (int j = 0; j < 200; j++) {
		struct sockaddr_un a;
		char name[16];
		snprintf(name, sizeof(name), "s%d", j);
		socklen_t al = j % 2 ? pathname(&a, dir, name) : abstract(&a, name);
		int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(bind(l, (struct sockaddr *)&a, al) == 0 && listen(l, 1) == 0);
		CHECK(connect(c, (struct sockaddr *)&a, al) == 0);
		int s = accept(l, NULL, NULL);
		ok += s >= 0 && send(c, "x", 1, 0) == 1 && recv(s, name, 1, 0) == 1;
		close(s), close(c), close(l);
		if (j % 2)
			unlink(a.sun_path);
	}
	printf("200 connections on names: %d\n", ok);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	static const struct abi_part parts[] = {
		{"pair", types_and_flags}, {"boundaries", boundaries}, {"ends", ends}, {"buffers", buffers},
		{"rights", rights}, {"credentials", credentials}, {"names", names}, {"backlog", backlog},
		{"datagrams", datagrams}, {"errors", errors}, {"threads", threads}, {"readiness", readiness},
		{"hostdir", hostdir}, {"bulk", bulk},
	};
	return abi_run_parts(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
