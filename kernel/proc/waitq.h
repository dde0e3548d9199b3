/* Wait queues: threads sleeping until some kernel object changes (a pipe, later a socket). */
#pragma once
#include "kernel/lock.h"
#include "kernel/types.h"

struct kthread;

struct waitq_entry {
	struct kthread *thread;
	void (*func)(struct waitq_entry *e); /* called on a wake instead of waking thread */
	void *data;                          /* for func */
	struct waitq_entry *next;
};

struct waitq {
	struct spinlock lock;
	struct waitq_entry *head;
};

/* Sleeps on q until cond(arg) holds (checked without q's lock: cond reads the object under
 * its own lock), a signal is pending, or the deadline: 0, -EINTR or -ETIMEDOUT. */
long waitq_wait(struct waitq *q, bool (*cond)(void *), void *arg, int clk, int64_t deadline);
void waitq_add(struct waitq *q, struct waitq_entry *e);
void waitq_remove(struct waitq *q, struct waitq_entry *e);
/* Wakes every thread sleeping on q; they recheck their conditions. */
void waitq_wake_all(struct waitq *q);
/* The same, but the platform's wakes go on wl, for wake_list_run once the caller's own lock
 * is dropped (so a woken thread does not find it held). */
struct wake_list;
void waitq_wake_into(struct waitq *q, struct wake_list *wl);
