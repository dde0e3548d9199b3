/* Host sockets on the vm platform: none yet. The machine has no network device driver and no
 * TCP/IP stack (docs/vm.md), so every family the kernel passes to the platform is refused as
 * a Linux built without it refuses it (AF_UNIX is the kernel's own and never comes here); no
 * socket handle can exist, so the other calls are never reached. Nor are there host
 * readiness sets: epoll watches the core's own files, which call back. */
#include "plat/plat.h"
#include "kernel/errno.h"

long plat_sock_socket(int domain, int type, int proto)
{
	(void)domain, (void)type, (void)proto;
	return -EAFNOSUPPORT;
}

long plat_sock_socketpair(int domain, int type, int proto, int h[2])
{
	(void)domain, (void)type, (void)proto, (void)h;
	return -EAFNOSUPPORT;
}

long plat_sock_bind(int h, const void *addr, int len) { (void)h, (void)addr, (void)len; return -EBADF; }
long plat_sock_listen(int h, int backlog) { (void)h, (void)backlog; return -EBADF; }
long plat_sock_accept(int h, void *addr, int *len) { (void)h, (void)addr, (void)len; return -EBADF; }
long plat_sock_connect(int h, const void *addr, int len) { (void)h, (void)addr, (void)len; return -EBADF; }
long plat_sock_shutdown(int h, int how) { (void)h, (void)how; return -EBADF; }
long plat_sock_sendmsg(int h, const struct plat_msghdr *m, int flags) { (void)h, (void)m, (void)flags; return -EBADF; }
long plat_sock_recvmsg(int h, struct plat_msghdr *m, int flags) { (void)h, (void)m, (void)flags; return -EBADF; }
long plat_sock_name(int h, bool peer, void *addr, int *len) { (void)h, (void)peer, (void)addr, (void)len; return -EBADF; }
long plat_sock_setsockopt(int h, int level, int opt, const void *val, int len)
{
	(void)h, (void)level, (void)opt, (void)val, (void)len;
	return -EBADF;
}
long plat_sock_getsockopt(int h, int level, int opt, void *val, int *len)
{
	(void)h, (void)level, (void)opt, (void)val, (void)len;
	return -EBADF;
}

long plat_sock_tick_us(void)
{
	return 1000; /* HZ=1000 */
}

long plat_sock_buf_max(bool rcv)
{
	(void)rcv;
	return 212992; /* Linux's default net.core.wmem_max and rmem_max */
}

long plat_pollset_create(void)
{
	return -ENOSYS;
}

long plat_pollset_ctl(int set, int op, int h, uint32_t events, uint64_t cookie)
{
	(void)set, (void)op, (void)h, (void)events, (void)cookie;
	return -EBADF;
}

long plat_pollset_take(int set, struct plat_event *evs, int max)
{
	(void)set, (void)evs, (void)max;
	return 0;
}

long plat_pollset_wait(struct kthread *t, uint32_t seq, int set, uint64_t id, struct plat_event *evs,
		       int max, int64_t timeout)
{
	(void)t, (void)seq, (void)set, (void)id, (void)evs, (void)max, (void)timeout;
	return -ENOSYS;
}
