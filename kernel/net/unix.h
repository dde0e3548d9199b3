/* The kernel's own AF_UNIX sockets (unix.c, unix_name.c, unix_msg.c): both ends in the
 * program, buffers in kernel memory, blocking on wait queues as pipes do. One lock guards
 * every such socket, its queues and the name table. */
#pragma once
#include "kernel/net/net.h"
#include "kernel/lock.h"
#include "kernel/proc/waitq.h"
#include "kernel/proc/proc.h"

#define SUN_OFF 2
#define SUN_PATH 108
#define SUN_MAX (SUN_OFF + SUN_PATH)
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define MSG_CTRUNC 0x8
#define MSG_EOR 0x80
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SCM_CREDENTIALS 2

struct ucred_k {
	int32_t pid;
	uint32_t uid, gid;
};

/* One message (a datagram, or a stream write's piece) in a receive queue. */
struct umsg {
	struct umsg *next;
	struct usock *from; /* the sender, charged for the message until it is read */
	size_t len, off;    /* data bytes, and how many a stream reader already took */
	size_t charge;      /* what the sender is charged */
	struct file **fds;
	int nfds;
	struct ucred_k cred;
	int addrlen; /* the sender's name (datagrams) */
	char addr[SUN_MAX];
	char data[];
};

enum { US_UNCONN, US_LISTEN, US_CONN };

/* What a section under unix_lock leaves for after it: messages to free (closing the files
 * they carried) and the platform's wakes of the threads it woke. */
struct unix_gc {
	struct umsg *msgs;
	struct wake_list wl;
};

struct usock {
	int refs; /* the file, the peer's link, queued messages it sent, a listener's queue */
	int type, state;
	struct usock *peer;
	struct umsg *head, *tail; /* the receive queue */
	size_t qbytes;            /* unread bytes queued */
	int qlen;                 /* messages queued */
	size_t wbytes;            /* charged for messages it sent that are still queued */
	int sndbuf, rcvbuf, shut, err, backlog;
	bool passcred, closed, reuse, keepalive;
	struct ucred_k peercred;
	struct usock *acc_head, *acc_tail, *acc_next; /* a listener's pending connections */
	int nacc;
	int addrlen; /* the bound name: 0 unbound */
	char addr[SUN_MAX];
	uint64_t fsdev, fsino; /* a path name's socket file */
	uint64_t ino;          /* the socket's own inode number */
	struct usock *name_next;
	/* rq: readers and acceptors of u, woken when something comes or u's state changes; wq:
	 * writers, woken when u may send more (and connectors and datagram senders waiting for
	 * room in u's queue). poll waits on both. */
	struct waitq rq, wq;
};

extern struct spinlock unix_lock;

/* A socket of type, unnamed and unconnected (refs 1), or NULL. */
struct usock *usock_new(int type);
/* Drops a reference (unix_lock held); messages that must be freed go on *gc. */
void usock_unref(struct usock *u, struct unix_gc *gc);
/* Frees a list of messages, closing the files they carried (lock not held). */
void umsg_free_all(struct umsg *m);
/* Wakes q's sleepers (lock held); the platform's part waits for unix_gc_run. */
void unix_wake_q(struct unix_gc *gc, struct waitq *q);
/* Ends a locked section's work once the lock is dropped. */
void unix_gc_run(struct unix_gc *gc);
/* Unlinks a read message (lock held): uncharges its sender, puts it on *gc. */
void umsg_done(struct usock *u, struct umsg *m, struct unix_gc *gc);
/* Copies n bytes between m's iovecs (advanced past them) and buf: out to the program, or in. */
long unix_iov_copy(struct plat_msghdr *m, char *buf, size_t n, bool out);
/* The current credentials, as SO_PEERCRED and SCM_CREDENTIALS give them. */
struct ucred_k unix_cred(void);

/* The collector of sockets that only messages in flight hold (unix_garbage.c). unix_inflight
 * counts n files that enter a queue (d 1) or leave it (d -1), lock held; unix_collect runs
 * the collector when any socket is in flight (a socket's close), unix_collect_busy when many
 * are (a send of files); both without the lock. */
void unix_inflight(struct file **fds, int n, int d);
void unix_collect(void);
void unix_collect_busy(void);

struct usock *unix_of(struct file *f);
/* Waits on q until cond(u): 0, or what ends the wait (-EAGAIN when non-blocking or
 * timed out, -EINTR or -ERESTARTSYS for a signal); *deadline starts at -1. */
long unix_wait(struct waitq *q, bool (*cond)(void *), struct usock *u, bool nonblock, int64_t timeo, int64_t *deadline);
/* Wakes every waiter on u (lock held). */
void unix_wake(struct usock *u, struct unix_gc *gc);
/* The socket of type with the name addr (unix_lock held): NULL and *err when none (an
 * abstract name of another type is none, a path's socket of another type EPROTOTYPE). */
struct usock *unix_find(const char *addr, int len, int type, long *err);
/* Names, bind and the fs file of a path name (unix_name.c). */
long unix_name_check(const char *addr, int len);
void unix_unbind(struct usock *u);
long unix_autobind(struct usock *u);
