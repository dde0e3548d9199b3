/* Host sockets and host readiness sets for the process platform: raw host system calls. */
#include "plat/plat.h"
#include "plat/process/host.h"
#include "kernel/fcntl.h"

#define H_SOCK_NONBLOCK 04000
#define H_SOCK_CLOEXEC 02000000
#define H_MSG_NOSIGNAL 0x4000
#define H_MSG_CMSG_CLOEXEC 0x40000000

enum {
	H_socket = 41, H_connect = 42, H_sendmsg = 46, H_recvmsg = 47, H_shutdown = 48, H_bind = 49,
	H_listen = 50, H_getsockname = 51, H_getpeername = 52, H_socketpair = 53, H_setsockopt = 54,
	H_getsockopt = 55, H_epoll_wait = 232, H_epoll_ctl = 233, H_accept4 = 288, H_epoll_create1 = 291,
};

#define HOST_FLAGS (H_SOCK_NONBLOCK | H_SOCK_CLOEXEC)

long plat_sock_socket(int domain, int type, int proto)
{
	return HOST3(H_socket, domain, type | HOST_FLAGS, proto);
}

long plat_sock_socketpair(int domain, int type, int proto, int h[2])
{
	return HOST4(H_socketpair, domain, type | HOST_FLAGS, proto, h);
}

long plat_sock_bind(int h, const void *addr, int len) { return HOST3(H_bind, h, addr, len); }
long plat_sock_listen(int h, int backlog) { return HOST2(H_listen, h, backlog); }
long plat_sock_accept(int h, void *addr, int *len) { return HOST4(H_accept4, h, addr, len, HOST_FLAGS); }
long plat_sock_connect(int h, const void *addr, int len) { return HOST3(H_connect, h, addr, len); }
long plat_sock_shutdown(int h, int how) { return HOST2(H_shutdown, h, how); }

long plat_sock_sendmsg(int h, const struct plat_msghdr *m, int flags)
{
	return HOST3(H_sendmsg, h, m, flags | H_MSG_NOSIGNAL);
}

long plat_sock_recvmsg(int h, struct plat_msghdr *m, int flags)
{
	long r = HOST3(H_recvmsg, h, m, flags | H_MSG_CMSG_CLOEXEC);
	m->flags &= ~H_MSG_CMSG_CLOEXEC; /* the host echoes it back */
	return r;
}

long plat_sock_name(int h, bool peer, void *addr, int *len)
{
	return HOST3(peer ? H_getpeername : H_getsockname, h, addr, len);
}

long plat_sock_setsockopt(int h, int level, int opt, const void *val, int len)
{
	return HOST5(H_setsockopt, h, level, opt, val, len);
}

long plat_sock_getsockopt(int h, int level, int opt, void *val, int *len)
{
	return HOST5(H_getsockopt, h, level, opt, val, len);
}

/* Asked of a host socket once: the timeout 1 µs reads back as one jiffy. */
long plat_sock_tick_us(void)
{
	static long tick;
	if (tick)
		return tick;
	long h = HOST3(H_socket, 1 /* AF_UNIX */, 2 /* SOCK_DGRAM */ | H_SOCK_CLOEXEC, 0);
	long tv[2] = {0, 1};
	int len = sizeof tv;
	if (h < 0 || HOST5(H_setsockopt, h, 1, 20, tv, len) < 0 || HOST5(H_getsockopt, h, 1, 20, tv, &len) < 0 || tv[1] <= 0)
		tv[1] = 1000;
	if (h >= 0)
		plat_file_close((int)h);
	return tick = tv[1];
}

long plat_sock_buf_max(bool rcv)
{
	static long max[2];
	if (max[rcv])
		return max[rcv];
	char buf[24] = {0};
	long h = plat_file_open(AT_FDCWD, rcv ? "/proc/sys/net/core/rmem_max" : "/proc/sys/net/core/wmem_max",
				O_RDONLY | O_CLOEXEC, 0, 0);
	long n = h < 0 ? -1 : plat_file_read((int)h, buf, sizeof buf - 1), v = 0;
	if (h >= 0)
		plat_file_close((int)h);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	return max[rcv] = v > 0 ? v : 212992;
}

long plat_pollset_create(void) { return HOST1(H_epoll_create1, H_SOCK_CLOEXEC); }

long plat_pollset_ctl(int set, int op, int h, uint32_t events, uint64_t cookie)
{
	struct plat_event ev = {events, cookie};
	return HOST4(H_epoll_ctl, set, op, h, &ev);
}

long plat_pollset_take(int set, struct plat_event *evs, int max)
{
	return HOST4(H_epoll_wait, set, evs, max, 0);
}
