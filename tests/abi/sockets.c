/* sockets.c: TCP and UDP over 127.0.0.1 and ::1, AF_UNIX stream and datagram with SCM_RIGHTS,
 * non-blocking connect, epoll over sockets and pipes, signals interrupting blocked calls, and
 * the errors Linux gives for bad input. One part per argument; ports are chosen by the
 * system and never printed, so the output is the same on every run. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <stddef.h>

#include "abi.h"
#include "kick.h"

#define expect abi_expect

/* A loopback address of family fam with port 0. */
static socklen_t loopback(int fam, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_addr = in6addr_loopback;
	return sizeof(*a);
}

static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					      : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* A listening socket on loopback; its address in *ss. */
static int listener(int fam, int type, struct sockaddr_storage *ss, socklen_t *len)
{
	int s = socket(fam, type, 0), one = 1;
	CHECK(s >= 0);
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	*len = loopback(fam, ss);
	CHECK(bind(s, (struct sockaddr *)ss, *len) == 0);
	CHECK(getsockname(s, (struct sockaddr *)ss, len) == 0);
	if (type == SOCK_STREAM)
		CHECK(listen(s, 8) == 0);
	return s;
}

static void tcp(int fam)
{
	struct sockaddr_storage ss, peer, name;
	socklen_t len, plen = sizeof(peer), nlen = sizeof(name);
	int l = listener(fam, SOCK_STREAM, &ss, &len);
	printf("tcp%d: bound port nonzero=%d addrlen=%u\n", fam == AF_INET ? 4 : 6, port_of(&ss) != 0, len);
	int c = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(c >= 0);
	printf("SOCK_CLOEXEC: %d\n", fcntl(c, F_GETFD));
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	int a = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK);
	CHECK(a >= 0);
	CHECK(getsockname(c, (struct sockaddr *)&name, &nlen) == 0);
	printf("accept4: peer is the client: %d, nonblock=%d, family=%d\n",
	       port_of(&peer) == port_of(&name), !!(fcntl(a, F_GETFL) & O_NONBLOCK), peer.ss_family == fam);
	nlen = sizeof(name);
	CHECK(getpeername(c, (struct sockaddr *)&name, &nlen) == 0);
	printf("getpeername is the listener: %d\n", port_of(&name) == port_of(&ss));
	int one = 1, v = 0;
	socklen_t vl = sizeof(v);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0);
	printf("TCP_NODELAY: %d, len %u\n", v != 0, vl);
	vl = sizeof(v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl) == 0);
	printf("SO_TYPE: %d\n", v);
	struct stat st;
	CHECK(fstat(c, &st) == 0);
	printf("fstat: socket=%d\n", S_ISSOCK(st.st_mode));

	char buf[256];
	CHECK(write(c, "hello", 5) == 5);
	CHECK(send(c, " world", 6, 0) == 6);
	struct pollfd p = {a, POLLIN, 0};
	CHECK(poll(&p, 1, 1000) == 1);
	usleep(10000);
	int avail = 0;
	CHECK(ioctl(a, FIONREAD, &avail) == 0);
	printf("FIONREAD: %d\n", avail);
	CHECK(recv(a, buf, 5, MSG_PEEK) == 5);
	ssize_t n = read(a, buf, sizeof(buf));
	printf("read: %zd '%.*s'\n", n, (int)n, buf);
	printf("recv empty nonblocking: ");
	expect("recv", recv(a, buf, sizeof(buf), 0), EAGAIN);
	struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 3};
	CHECK(sendmsg(a, &m, 0) == 6);
	char x[3], y[8];
	struct iovec rio[2] = {{x, 3}, {y, 3}};
	struct msghdr rm = {.msg_iov = rio, .msg_iovlen = 2};
	CHECK(recvmsg(c, &rm, MSG_WAITALL) == 6);
	printf("recvmsg: '%.3s' '%.3s' flags=%d\n", x, y, rm.msg_flags);
	CHECK(writev(c, iov, 3) == 6);
	CHECK(poll(&p, 1, 1000) == 1);
	CHECK(readv(a, rio, 2) == 6);
	/* A big transfer through a blocking write: all of it arrives. */
	size_t big = 1 << 20, got = 0;
	char *data = malloc(big);
	CHECK(data != NULL);
	memset(data, 'q', big);
	CHECK(shutdown(a, SHUT_RD) == 0 || errno == ENOTCONN);
	int fl = fcntl(a, F_GETFL);
	CHECK(fcntl(a, F_SETFL, fl & ~O_NONBLOCK) == 0);
	/* the reader drains in this thread between writes of 64 KiB */
	for (size_t off = 0; off < big; off += 65536) {
		CHECK(write(a, data + off, 65536) == 65536);
		while (got < off + 65536) {
			n = recv(c, buf, sizeof(buf), 0);
			CHECK(n > 0);
			got += (size_t)n;
		}
	}
	printf("1 MiB through: %d\n", got == big);
	free(data);
	CHECK(shutdown(a, SHUT_WR) == 0);
	printf("recv after peer's shutdown: %zd\n", recv(c, buf, sizeof(buf), 0));
	CHECK(close(a) == 0 && close(c) == 0 && close(l) == 0);
}

static void udp(int fam)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen = sizeof(from);
	int s = listener(fam, SOCK_DGRAM, &ss, &len), c = socket(fam, SOCK_DGRAM, 0);
	CHECK(c >= 0);
	CHECK(sendto(c, "ping", 4, 0, (struct sockaddr *)&ss, len) == 4);
	char buf[64];
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	printf("udp%d: recvfrom %zd '%.*s' from family ok=%d len=%u\n", fam == AF_INET ? 4 : 6, n, (int)n, buf,
	       from.ss_family == fam, flen);
	CHECK(sendto(s, "pong!", 5, 0, (struct sockaddr *)&from, flen) == 5);
	n = recv(c, buf, 2, 0);
	printf("truncated datagram: %zd\n", n);
	expect("udp recv empty MSG_DONTWAIT", recv(c, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* sendmmsg and recvmmsg */
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	struct iovec iv[3] = {{"one", 3}, {"two!", 4}, {"three", 5}};
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++)
		mm[i].msg_hdr = (struct msghdr){.msg_iov = &iv[i], .msg_iovlen = 1};
	printf("sendmmsg: %d\n", sendmmsg(c, mm, 3, 0));
	char rb[3][16];
	struct iovec ri[3] = {{rb[0], 16}, {rb[1], 16}, {rb[2], 16}};
	struct mmsghdr rmm[3];
	memset(rmm, 0, sizeof(rmm));
	for (int i = 0; i < 3; i++)
		rmm[i].msg_hdr = (struct msghdr){.msg_iov = &ri[i], .msg_iovlen = 1};
	usleep(20000);
	int got = recvmmsg(s, rmm, 3, MSG_WAITFORONE, NULL);
	printf("recvmmsg: %d:", got);
	for (int i = 0; i < got; i++)
		printf(" %.*s", (int)rmm[i].msg_len, rb[i]);
	printf("\n");
	/* writev on a datagram socket sends one datagram; readv takes one */
	struct iovec two[2] = {{"first+", 6}, {"second", 6}};
	CHECK(writev(c, two, 2) == 12);
	char p1[4], p2[32];
	struct iovec rtwo[2] = {{p1, 4}, {p2, sizeof(p2)}};
	ssize_t got1 = readv(s, rtwo, 2);
	printf("writev/readv one datagram: %zd '%.4s' '%.*s'\n", got1, p1, (int)(got1 - 4), p2);
	CHECK(close(c) == 0 && close(s) == 0);
}

/* Sends fd over the unix socket s, with a byte of data. */
static void send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {"F", 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	CHECK(sendmsg(s, &m, 0) == 1);
}

static int recv_fd(int s)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = {&b, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	CHECK(recvmsg(s, &m, MSG_CMSG_CLOEXEC) == 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK(c && c->cmsg_type == SCM_RIGHTS && m.msg_controllen == CMSG_SPACE(sizeof(int)));
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void unix_sockets(void)
{
	int sv[2];
	char buf[64];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[0], "pair", 4) == 4);
	printf("socketpair stream: %zd\n", read(sv[1], buf, sizeof(buf)));
	/* SCM_RIGHTS: a socket of another pair travels and works at the other end */
	int other[2];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, other) == 0);
	send_fd(sv[0], other[0]);
	int got = recv_fd(sv[1]);
	printf("SCM_RIGHTS: new fd %d, cloexec=%d\n", got != other[0] && got >= 0, fcntl(got, F_GETFD));
	CHECK(write(got, "via passed fd", 13) == 13);
	ssize_t n = read(other[1], buf, sizeof(buf));
	printf("through the passed socket: '%.*s'\n", (int)n, buf);
	/* and a file from the host tree */
	int f = open("/etc/hostname", O_RDONLY);
	CHECK(f >= 0);
	send_fd(sv[0], f);
	int g = recv_fd(sv[1]);
	struct stat a, b;
	CHECK(fstat(f, &a) == 0 && fstat(g, &b) == 0);
	printf("passed file is the same file: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(f), close(g), close(got), close(other[0]), close(other[1]);
	/* the kernel's own objects: a pipe's read end and an eventfd */
	int pp[2], ev = eventfd(5, 0);
	CHECK(pipe(pp) == 0 && ev >= 0);
	send_fd(sv[0], pp[0]);
	send_fd(sv[0], ev);
	int rp = recv_fd(sv[1]), rev = recv_fd(sv[1]);
	CHECK(write(pp[1], "through a passed pipe", 21) == 21);
	n = read(rp, buf, sizeof(buf));
	uint64_t count = 0;
	CHECK(read(rev, &count, sizeof(count)) == sizeof(count));
	printf("passed pipe: '%.*s', passed eventfd: %llu, new fds: %d\n", (int)n, buf,
	       (unsigned long long)count, rp != pp[0] && rev != ev);
	close(pp[0]), close(pp[1]), close(ev), close(rp), close(rev);
	/* SCM_CREDENTIALS */
	int one = 1;
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
	CHECK(write(sv[0], "c", 1) == 1);
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {buf, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	CHECK(recvmsg(sv[1], &m, 0) == 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct ucred cr;
	memcpy(&cr, CMSG_DATA(c), sizeof(cr));
	printf("SCM_CREDENTIALS: type ok=%d uid ok=%d gid ok=%d\n", c->cmsg_type == SCM_CREDENTIALS,
	       cr.uid == getuid(), cr.gid == getgid());
	close(sv[0]), close(sv[1]);

	/* A named stream socket, bound by path in a directory of the program's own */
	struct sockaddr_un sun = {.sun_family = AF_UNIX}, peer;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", abi_tmpdir("unix"));
	int l = socket(AF_UNIX, SOCK_STREAM, 0), cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0 && cl >= 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0 && listen(l, 4) == 0);
	socklen_t plen = sizeof(peer);
	CHECK(getsockname(l, (struct sockaddr *)&peer, &plen) == 0);
	printf("getsockname: len %u (path %zu) same path %d\n", plen, strlen(sun.sun_path),
	       strcmp(peer.sun_path, sun.sun_path) == 0);
	CHECK(connect(cl, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	int ac = accept(l, NULL, NULL);
	CHECK(ac >= 0);
	CHECK(send(cl, "named", 5, 0) == 5);
	n = recv(ac, buf, sizeof(buf), 0);
	printf("named unix stream: '%.*s'\n", (int)n, buf);
	close(ac), close(cl), close(l);
	/* datagram, abstract name */
	struct sockaddr_un an = {.sun_family = AF_UNIX};
	snprintf(an.sun_path + 1, sizeof(an.sun_path) - 1, "elfin-test-%d", getpid());
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(an.sun_path + 1);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0), e = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(d, (struct sockaddr *)&an, alen) == 0);
	CHECK(sendto(e, "dgram", 5, 0, (struct sockaddr *)&an, alen) == 5);
	n = recv(d, buf, sizeof(buf), 0);
	printf("abstract unix dgram: '%.*s'\n", (int)n, buf);
	close(d), close(e);
}

static void nonblocking_connect(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, SOCK_STREAM, &ss, &len);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&ss, len);
	printf("nonblocking connect: %s\n", r == 0 ? "at once" : errno == EINPROGRESS ? "EINPROGRESS" : abi_errname(errno));
	struct pollfd p = {c, POLLOUT, 0};
	CHECK(poll(&p, 1, 2000) == 1);
	int err = -1;
	socklen_t el = sizeof(err);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0);
	printf("writable, SO_ERROR %d\n", err);
	close(c);
	close(l);
	/* refused: the listener is gone */
	c = socket(AF_INET, SOCK_STREAM, 0);
	r = connect(c, (struct sockaddr *)&ss, len);
	printf("connect to a closed port: %s\n", r == 0 ? "succeeded" : abi_errname(errno));
	close(c);
	/* FIONBIO */
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	CHECK(ioctl(s, FIONBIO, &on) == 0);
	printf("FIONBIO: nonblock=%d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK));
	close(s);
}

static void epoll_mixed(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET6, SOCK_STREAM, &ss, &len), p[2];
	CHECK(pipe(p) == 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = 2};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	struct epoll_event out[4];
	printf("epoll nothing ready: %d\n", epoll_wait(ep, out, 4, 20));
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
	int n = epoll_wait(ep, out, 4, 1000);
	printf("epoll after connect: %d data=%u\n", n, out[0].data.u32);
	CHECK(write(p[1], "x", 1) == 1);
	usleep(10000);
	n = epoll_wait(ep, out, 4, 1000);
	printf("epoll level-triggered, both: %d sum=%u\n", n, n == 2 ? out[0].data.u32 + out[1].data.u32 : 0);
	int a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u32 = 3};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0);
	printf("edge: nothing yet: %d\n", epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u32 == 2);
	CHECK(send(c, "ab", 2, 0) == 2);
	usleep(10000);
	n = epoll_wait(ep, out, 4, 1000);
	int seen = 0;
	for (int i = 0; i < n; i++)
		seen |= out[i].data.u32 == 3;
	printf("edge: data arrives: %d\n", seen);
	n = epoll_wait(ep, out, 4, 10);
	seen = 0;
	for (int i = 0; i < n; i++)
		seen |= out[i].data.u32 == 3;
	printf("edge: not again until more: %d\n", seen);
	CHECK(send(c, "cd", 2, 0) == 2);
	usleep(10000);
	n = epoll_wait(ep, out, 4, 1000);
	seen = 0;
	for (int i = 0; i < n; i++)
		seen |= out[i].data.u32 == 3;
	printf("edge: more data, again: %d\n", seen);
	/* one-shot */
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 4};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev) == 0);
	int k = 0;
	for (int round = 0; round < 2; round++) {
		n = epoll_wait(ep, out, 4, 10);
		for (int i = 0; i < n; i++)
			k += out[i].data.u32 == 4;
	}
	printf("oneshot: reported %d time(s)\n", k);
	/* closing the peer: EPOLLRDHUP/EPOLLHUP */
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP, .data.u32 = 5};
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL) == 0);
	close(c);
	n = epoll_wait(ep, out, 4, 1000);
	printf("peer closed: %d events=%#x\n", n, n == 1 ? out[0].events : 0);
	/* select sees the socket too */
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(a, &rd);
	struct timeval tv = {1, 0};
	printf("select: %d\n", select(a + 1, &rd, NULL, NULL, &tv));
	close(a), close(l), close(ep), close(p[0]), close(p[1]);
}

static int blocked_call(int kind, int fd)
{
	char b;
	return kind == 0 ? accept(fd, NULL, NULL) : (int)recv(fd, &b, 1, 0);
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, SOCK_STREAM, &ss, &len), sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	for (int restart = 0; restart < 2; restart++) {
		sa.sa_flags = restart ? SA_RESTART : 0;
		CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
		for (int kind = 0; kind < 2; kind++) {
			struct kick k = {pthread_self(), restart && kind == 1 ? sv[0] : -1};
			pthread_t t;
			hits = 0;
			CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
			int r = restart && kind == 0 ? (close(-1), -2) : blocked_call(kind, kind ? sv[1] : l);
			pthread_join(t, NULL);
			if (r == -2)
				continue;
			printf("%s %s: %s, handler ran %d\n", kind ? "recv" : "accept",
			       restart ? "SA_RESTART" : "no SA_RESTART", r >= 0 ? "completed" : abi_errname(errno), hits);
		}
	}
	/* SO_RCVTIMEO: EAGAIN after the timeout */
	struct timeval tv = {0, 50000};
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	char b;
	expect("recv with SO_RCVTIMEO", recv(sv[1], &b, 1, 0), EAGAIN);
	expect("accept with SO_RCVTIMEO", (setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), accept(l, NULL, NULL)), EAGAIN);
	struct timeval back;
	socklen_t bl = sizeof(back);
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &back, &bl) == 0);
	printf("SO_RCVTIMEO reads back: %ld.%06ld\n", (long)back.tv_sec, (long)back.tv_usec);
	/* SIGPIPE, or EPIPE with MSG_NOSIGNAL */
	signal(SIGPIPE, SIG_IGN);
	close(sv[1]);
	expect("send to a closed peer, MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	expect("write to a closed peer, SIGPIPE ignored", write(sv[0], "x", 1), EPIPE);
	close(sv[0]), close(l);
}

static void errors(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int s = socket(AF_INET, SOCK_STREAM, 0), f = open("/etc/hostname", O_RDONLY);
	socklen_t len = sizeof(a);
	char buf[8];
	expect("socket(12345)", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	expect("socket bad type flags", SYS(SYS_socket, AF_INET, SOCK_STREAM | 0x100, 0), EINVAL);
	expect("socket(AF_INET, 99)", socket(AF_INET, 99, 0), EINVAL);
	expect("bind bad fd", bind(99, (struct sockaddr *)&a, sizeof(a)), EBADF);
	expect("bind on a file", bind(f, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	expect("bind addrlen 3", bind(s, (struct sockaddr *)&a, 3), EINVAL);
	expect("bind addrlen -1", SYS(SYS_bind, s, &a, -1), EINVAL);
	expect("bind addrlen 1000", SYS(SYS_bind, s, &a, 1000), EINVAL);
	expect("bind bad pointer", SYS(SYS_bind, s, (void *)8, sizeof(a)), EFAULT);
	expect("connect bad pointer", SYS(SYS_connect, s, (void *)8, sizeof(a)), EFAULT);
	expect("accept on unlistened", accept(s, NULL, NULL), EINVAL);
	expect("getsockname bad len pointer", SYS(SYS_getsockname, s, &a, (void *)8), EFAULT);
	int neg = -1;
	expect("getsockname negative len", SYS(SYS_getsockname, s, &a, &neg), EINVAL);
	expect("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
	expect("recv unconnected", recv(s, buf, sizeof(buf), 0), ENOTCONN);
	expect("send unconnected", send(s, buf, 1, MSG_NOSIGNAL), EPIPE);
	expect("listen on a file", listen(f, 1), ENOTSOCK);
	expect("shutdown bad how", shutdown(s, 7), EINVAL);
	expect("setsockopt bad level", setsockopt(s, 12345, 1, &neg, sizeof(neg)), ENOPROTOOPT);
	expect("getsockopt bad len pointer", SYS(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, buf, (void *)8), EFAULT);
	expect("socketpair AF_INET", SYS(SYS_socketpair, AF_INET, SOCK_STREAM, 0, buf), EOPNOTSUPP);
	expect("socketpair bad pointer", SYS(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (void *)8), EFAULT);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	expect("send bad buffer", send(sv[0], (void *)8, 4, 0), EFAULT);
	struct msghdr m = {.msg_iov = (void *)8, .msg_iovlen = 1};
	expect("sendmsg bad iovec", sendmsg(sv[0], &m, 0), EFAULT);
	expect("sendmsg bad msghdr", SYS(SYS_sendmsg, sv[0], (void *)8, 0), EFAULT);
	expect("ioctl unknown on socket", ioctl(sv[0], 0x1234, buf), ENOTTY);
	expect("accept4 bad flags", accept4(s, NULL, NULL, 0x1), EINVAL);
	close(sv[0]), close(sv[1]), close(s), close(f);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *part = argc > 1 ? argv[1] : "all";
	if (!strcmp(part, "tcp4") || !strcmp(part, "all"))
		tcp(AF_INET);
	if (!strcmp(part, "tcp6") || !strcmp(part, "all"))
		tcp(AF_INET6);
	if (!strcmp(part, "udp") || !strcmp(part, "all"))
		udp(AF_INET), udp(AF_INET6);
	if (!strcmp(part, "unix") || !strcmp(part, "all"))
		unix_sockets();
	if (!strcmp(part, "nonblock") || !strcmp(part, "all"))
		nonblocking_connect();
	if (!strcmp(part, "epoll") || !strcmp(part, "all"))
		epoll_mixed();
	if (!strcmp(part, "signals") || !strcmp(part, "all"))
		signals();
	if (!strcmp(part, "errors") || !strcmp(part, "all"))
		errors();
	return *abi_mismatches() ? 1 : 0;
}
