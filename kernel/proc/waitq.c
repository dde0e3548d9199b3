/* Wait queues on top of the per-thread wake word: a sleeper is queued before it checks its
 * condition, so a wake-up between the check and the sleep is never lost. */
#include "kernel/proc/waitq.h"
#include "kernel/proc/proc.h"

void waitq_add(struct waitq *q, struct waitq_entry *e)
{
	spin_lock(&q->lock);
	e->next = q->head;
	q->head = e;
	spin_unlock(&q->lock);
}

void waitq_remove(struct waitq *q, struct waitq_entry *e)
{
	spin_lock(&q->lock);
	struct waitq_entry **pp = &q->head;
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	spin_unlock(&q->lock);
}

long waitq_wait(struct waitq *q, bool (*cond)(void *), void *arg, int clk, int64_t deadline)
{
	struct waitq_entry e = {current(), NULL, NULL, NULL};
	waitq_add(q, &e);
	long r = thread_wait(cond, arg, clk, deadline);
	waitq_remove(q, &e);
	return r;
}

void waitq_wake_into(struct waitq *q, struct wake_list *wl)
{
	if (!__atomic_load_n(&q->head, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&q->lock);
	for (struct waitq_entry *e = q->head; e; e = e->next) {
		if (e->func)
			e->func(e);
		else
			wake_list_add(wl, e->thread);
	}
	spin_unlock(&q->lock);
}

/* The wakes are made once the lock is dropped (wake_list in proc.h). */
void waitq_wake_all(struct waitq *q)
{
	struct wake_list wl = {0};
	waitq_wake_into(q, &wl);
	wake_list_run(&wl);
}
