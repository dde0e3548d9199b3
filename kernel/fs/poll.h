/* Readiness: what poll, select and epoll ask of files, and how a waiter registers. */
#pragma once
#include "kernel/types.h"
#include "kernel/proc/waitq.h"

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLRDHUP 0x2000
#define POLL_READY_ALWAYS (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct plat_pollfd;
struct file;

/* One waiter's registrations: on kernel wait queues, and host files the platform watches. */
struct poll_table {
	struct kthread *thread;
	void (*func)(struct waitq_entry *e); /* for epoll: what a wake does; NULL wakes thread */
	void *data;                          /* given to func */
	struct poll_ref {
		struct waitq *q;
		struct waitq_entry e;
	} *refs;
	int nrefs, caprefs;
	struct plat_pollfd *host;
	int nhost, caphost;
};

void poll_wait(struct poll_table *pt, struct waitq *q);
void poll_host(struct poll_table *pt, int host, unsigned events);
void poll_release(struct poll_table *pt);
/* A file's readiness for events (POLLNVAL never: the caller checks the fd). */
unsigned file_poll(struct file *f, unsigned events, struct poll_table *pt);
/* Readiness of a host file, asked of the host without waiting. */
unsigned host_poll(int host, unsigned events);
