/* Sockets: kernel files, either the kernel's own AF_UNIX sockets (unix*.c) or backed by host
 * sockets through the platform (plat_sock_*), for which the kernel keeps what the host cannot
 * know about the program's view: blocking mode, timeouts, and AF_UNIX names outside the host's
 * directories. */
#pragma once
#include "kernel/types.h"
#include "kernel/fs/vfs.h"
#include "plat/plat.h"

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000
#define MSG_CMSG_COMPAT 0x80000000U /* 32-bit callers only: EINVAL from a 64-bit one */
#define SCM_RIGHTS 1
#define SOCKADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define UIO_MAXIOV 1024

struct usock;
struct sock;

/* What the collector of AF_UNIX garbage (unix_garbage.c) keeps of a socket file, under
 * unix_lock. */
struct sock_gc {
	int inflight;              /* references held by messages queued on kernel AF_UNIX sockets */
	int outside;               /* a run's: those of them from queues other than its candidates' */
	bool candidate, live;      /* a run's: held only in flight; reachable after all */
	struct sock *next, *prev;  /* the sockets in flight */
	struct sock *work;         /* a run's stack and list of garbage */
};

struct sock {
	int domain, type;
	int64_t rcvtimeo, sndtimeo; /* SO_RCVTIMEO, SO_SNDTIMEO in ns; 0: none */
	struct usock *u;            /* the kernel's own AF_UNIX socket, or NULL: a host socket */
	struct usock *gone;         /* the one it was before it became a host socket: poll and epoll
				     * registrations may still name its wait queues until close */
	struct file *file;          /* its file (kernel AF_UNIX sockets) */
	struct sock_gc gc;
};

struct iovec;
struct kstat;
struct poll_table;

/* A socket file for s (its priv), named name; NULL when out of memory. */
struct file *sock_file_new(struct sock *s, const char *name, int flags);
/* The total length of m's iovecs, each checked against the program's memory; and the iovecs
 * advanced past n bytes. */
long sock_iov_total(const struct plat_msghdr *m);
void sock_iov_advance(struct plat_msghdr *m, size_t n);

/* The socket behind fd, with a reference in *fp: -EBADF, -ENOTSOCK. */
long sock_get(int fd, struct file **fp);
bool is_sock(struct file *f);
/* A new socket file around the host handle h (closed on failure); installs it as an fd. */
long sock_install(int h, int domain, int type, int flags);
/* Wraps a host handle received in SCM_RIGHTS as a new file: a socket or a host file. */
struct file *sock_wrap_received(int h);
/* Waits for events on f's host socket after an operation said -EAGAIN: 0 to try again,
 * -EAGAIN (non-blocking or timed out), -ERESTARTSYS or -EINTR (a signal). *deadline starts
 * at -1 and is set from timeo (ns; 0 none) at the first wait. */
long sock_wait(struct file *f, short events, bool nonblock, int64_t timeo, int64_t *deadline);
/* The transfer behind send*, recv*, read and write: iov (kernel copy, user buffers checked
 * here) and the message's name and control already in kernel memory. */
long sock_send(struct file *f, struct plat_msghdr *m, int flags);
long sock_recv(struct file *f, struct plat_msghdr *m, int flags);
/* readv and writev on a socket: one message. */
long sock_rwv(struct file *f, bool wr, const void *uiov, int cnt);

/* An address from the program, as Linux's move_addr_to_kernel takes it, into buf
 * (SOCKADDR_MAX bytes): its length or -errno. sock_addr_in then turns it into the host's
 * address for f (AF_UNIX names), returning the new length. */
long sock_addr_copy(const void *uaddr, int len, char *buf);
long sock_addr_in(struct file *f, char *buf, int len);
/* Copies an address out as Linux's move_addr_to_user: truncated to the length at ulen, the
 * full length written back there. */
long sock_addr_out(struct file *f, void *buf, int len, void *uaddr, int *ulen);

/* The kernel's own files in SCM_RIGHTS (passfd.c). passfd_token gives a host handle that
 * stands for f (holding a reference) while a message carries it; passfd_claim turns a
 * received handle back into its file (the reference passes to the caller, h is closed), or
 * gives NULL for a handle that is no token; passfd_drop forgets a token that was not sent
 * (and closes h either way). */
long passfd_token(struct file *f);
struct file *passfd_claim(int h);
void passfd_drop(int h);

/* AF_UNIX names of host sockets (unix_addr.c): a path in a host directory is the host's own
 * path there; other paths become host abstract names private to this kernel, and back. *len
 * is updated; returns 0 or -errno. */
long unix_addr_in(void *addr, int *len, int cap);
void unix_addr_out(void *addr, int *len);

/* The kernel's own AF_UNIX sockets (unix*.c), behind the socket calls when sock.u is set. */
long unix_socket(int type, int proto);
long unix_socketpair(int type, int proto, int sv[2]);
void unix_release(struct usock *u);
long unix_bind(struct usock *u, const char *addr, int len);
/* Whether addr is a path in a host directory where a socket is a host socket, bound or
 * connected at the host's own path: bind, in a writable one; connect, to a socket file there
 * that no kernel socket holds. */
bool unix_name_on_host(const char *addr, int len, bool bind);
long unix_listen(struct file *f, int backlog);
long unix_accept(struct file *f, int flags, char *addr, int *len);
long unix_connect(struct file *f, const char *addr, int len);
long unix_shutdown(struct file *f, int how);
long unix_name(struct file *f, bool peer, char *addr, int *len);
unsigned unix_poll(struct file *f, unsigned events, struct poll_table *pt);
long unix_ioctl(struct file *f, unsigned long req, void *uarg);
long unix_stat(struct file *f, struct kstat *st);
long unix_setsockopt(struct file *f, int opt, int v);
long unix_getsockopt(struct file *f, int opt, void *buf);
long unix_send(struct file *f, struct plat_msghdr *m, int flags);
long unix_recv(struct file *f, struct plat_msghdr *m, int flags);
