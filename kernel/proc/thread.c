/* Threads: clone and clone3 with the flags glibc and musl use, thread exit with the
 * CLONE_CHILD_CLEARTID wake and robust-list processing, and the wait/wake primitive every
 * blocking call is built on. */
#include "kernel/proc/proc.h"
#include "kernel/proc/futex.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_PIDFD 0x1000
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000
#define CSIGNAL 0xff

/* What a new thread may ask for; the rest (namespaces, ptrace, ...) is refused. */
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
		      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |       \
		      CLONE_CHILD_SETTID)
#define THREAD_NEEDS (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)

static pid_t next_tid;

void thread_attach(struct kproc *p, struct kthread *t)
{
	spin_lock(&p->threads_lock);
	t->next = p->threads;
	p->threads = t;
	p->nthreads++;
	spin_unlock(&p->threads_lock);
}

/* Takes t off its process's list; returns how many threads remain. */
static int thread_detach(struct kthread *t)
{
	struct kproc *p = t->proc;
	spin_lock(&p->threads_lock);
	struct kthread **pp = &p->threads;
	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	int left = --p->nthreads;
	spin_unlock(&p->threads_lock);
	return left;
}

struct kthread *thread_find(struct kproc *p, pid_t tid)
{
	spin_lock(&p->threads_lock);
	struct kthread *t = p->threads;
	while (t && t->tid != tid)
		t = t->next;
	spin_unlock(&p->threads_lock);
	return t;
}

uint32_t thread_wake_seq(void)
{
	return __atomic_load_n(&current()->wake_seq, __ATOMIC_ACQUIRE);
}

long thread_sleep(uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline)
{
	struct kthread *t = current();
	if (signal_pending(t))
		return -EINTR;
	long r = plat_block(t, seq, fds, nfds, clk, deadline);
	return r == -EINTR && !signal_pending(t) ? 0 : r == -EAGAIN ? 0 : r;
}

long thread_wait(bool (*cond)(void *), void *arg, int clk, int64_t deadline)
{
	for (;;) {
		uint32_t seq = thread_wake_seq();
		if (cond && cond(arg))
			return 0;
		long r = thread_sleep(seq, NULL, 0, clk, deadline);
		if (r == -EINTR)
			return r;
		if (r == -ETIMEDOUT)
			return cond && cond(arg) ? 0 : -ETIMEDOUT;
	}
}

void thread_wake(struct kthread *t)
{
	__atomic_add_fetch(&t->wake_seq, 1, __ATOMIC_SEQ_CST);
	plat_wake(t);
}

void wake_list_add(struct wake_list *wl, struct kthread *t)
{
	if (wl->n == WAKE_LIST_MAX) { /* full: this one is woken at once */
		thread_wake(t);
		return;
	}
	__atomic_add_fetch(&t->wake_seq, 1, __ATOMIC_SEQ_CST);
	wl->t[wl->n++] = t;
}

void wake_list_run(struct wake_list *wl)
{
	for (int i = 0; i < wl->n; i++)
		plat_wake(wl->t[i]);
	wl->n = 0;
}

static long do_clone(unsigned long flags, uintptr_t sp, void *parent_tid, void *child_tid, uintptr_t tls)
{
	if ((flags & THREAD_NEEDS) != THREAD_NEEDS)
		return -EAGAIN; /* a new process: refused as Linux refuses a fork it cannot afford */
	if (flags & ~(THREAD_FLAGS | CSIGNAL))
		return -EINVAL;
	struct kthread *self = current(), *t = kzalloc(sizeof *t);
	if (!t)
		return -EAGAIN;
	struct kproc *p = self->proc;
	t->self = t;
	t->proc = p;
	t->tid = p->pid + __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED);
	t->sigmask = self->sigmask;
	t->timerslack_ns = self->timerslack_ns;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uintptr_t)child_tid;
	long r = 0;
	if (flags & CLONE_PARENT_SETTID)
		r = copy_to_user(parent_tid, &t->tid, sizeof t->tid);
	if (r == 0 && (flags & CLONE_CHILD_SETTID))
		r = copy_to_user(child_tid, &t->tid, sizeof t->tid);
	if (r < 0) {
		kfree(t);
		return r;
	}
	struct uregs regs = *self->regs;
	regs.rax = 0;
	if (sp)
		regs.rsp = sp;
	thread_attach(p, t);
	r = plat_thread_start(t, &regs, (flags & CLONE_SETTLS) ? tls : plat_get_tls());
	if (r < 0) {
		thread_detach(t);
		kfree(t);
		return r;
	}
	return t->tid;
}

long sys_clone(unsigned long flags, void *stack, void *parent_tid, void *child_tid, unsigned long tls)
{
	return do_clone(flags, (uintptr_t)stack, parent_tid, child_tid, tls);
}

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

long sys_clone3(void *uargs, size_t size)
{
	struct clone_args a = {0};
	if (size < 64 || size > 4096)
		return -EINVAL;
	if (copy_from_user(&a, uargs, MIN(size, sizeof a)) < 0)
		return -EFAULT;
	if (a.exit_signal & ~(uint64_t)CSIGNAL || a.set_tid || a.set_tid_size || (a.flags >> 32))
		return -EINVAL;
	uintptr_t sp = a.stack ? a.stack + a.stack_size : 0;
	return do_clone(a.flags | a.exit_signal, sp, (void *)a.parent_tid, (void *)a.child_tid, a.tls);
}

/* One program per kernel: fork and vfork fail as on a Linux out of processes. */
long sys_fork(void)
{
	return -EAGAIN;
}

long sys_vfork(void)
{
	return -EAGAIN;
}

long sys_gettid(void)
{
	return current()->tid;
}

long sys_set_tid_address(void *tidptr)
{
	current()->clear_child_tid = (uintptr_t)tidptr;
	return current()->tid;
}

long sys_set_robust_list(void *head, size_t len)
{
	if (len != 24)
		return -EINVAL;
	current()->robust_list = (uintptr_t)head;
	current()->robust_len = len;
	return 0;
}

long sys_get_robust_list(int pid, void *head, void *len)
{
	struct kthread *t = pid ? thread_find(curproc(), pid) : current();
	if (!t)
		return -ESRCH;
	size_t n = 24;
	if (copy_to_user(head, &t->robust_list, sizeof t->robust_list) < 0 || copy_to_user(len, &n, sizeof n) < 0)
		return -EFAULT;
	return 0;
}

/* The robust-list ABI: struct robust_list_head { next, futex_offset, list_op_pending }. */
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_TID_MASK 0x3fffffff
#define ROBUST_LIMIT 2048

static void robust_release(uintptr_t entry, long offset, pid_t tid)
{
	uint32_t *word = (uint32_t *)(entry + offset), v;
	if (copy_from_user(&v, word, sizeof v) < 0 || (v & FUTEX_TID_MASK) != (uint32_t)tid)
		return;
	v = (v & ~FUTEX_TID_MASK) | FUTEX_OWNER_DIED;
	if (copy_to_user(word, &v, sizeof v) == 0)
		futex_wake_addr(word, 1);
}

/* Marks the robust futexes a dying thread still holds, so their next owner learns it. */
static void robust_exit(struct kthread *t)
{
	struct {
		uintptr_t next;
		long offset;
		uintptr_t pending;
	} head;
	if (!t->robust_list || copy_from_user(&head, (void *)t->robust_list, sizeof head) < 0)
		return;
	uintptr_t e = head.next;
	for (int n = 0; e && e != t->robust_list && n < ROBUST_LIMIT; n++) {
		uintptr_t next;
		if (copy_from_user(&next, (void *)e, sizeof next) < 0)
			break;
		if (e != head.pending)
			robust_release(e, head.offset, t->tid);
		e = next;
	}
	if (head.pending)
		robust_release(head.pending, head.offset, t->tid);
}

long sys_exit(int status)
{
	struct kthread *t = current();
	robust_exit(t);
	if (thread_detach(t) == 0)
		proc_exit_group(status);
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_to_user((void *)t->clear_child_tid, &zero, sizeof zero) == 0)
			futex_wake_addr((void *)t->clear_child_tid, 1);
	}
	plat_thread_exit();
}

long sys_exit_group(int status)
{
	proc_exit_group(status);
}
