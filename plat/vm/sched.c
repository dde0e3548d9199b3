/* Threads on one CPU: each has a kernel stack; a switch moves between kernel stacks (the
 * program's registers stay in the struct uregs at the top of each). Blocking marks the
 * thread asleep and runs another, or idles with interrupts on until a wake, a deadline or
 * console input. The timer preempts a thread running program code at the end of its slice. */
#include "plat/vm/vm.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"

enum { RUNNABLE, BLOCKED, DEAD };

struct vm_thread {
	struct kthread *t;
	char *kstack;
	uint64_t rsp;      /* saved by vm_switch */
	uint64_t fsbase;
	int state;
	bool kicked, polling;
	int64_t deadline;  /* CLOCK_MONOTONIC ns a block ends at, or -1 */
	struct vm_thread *next;
	uint8_t *fpu;      /* the program's FPU state while the thread is in the kernel */
	void *fpu_raw;
};

static struct vm_thread main_thread, *threads, *cur;

static uintptr_t kstack_top(struct vm_thread *vt)
{
	return (uintptr_t)vt->kstack + KSTACK_SIZE - 8; /* keeps the uregs 16-byte aligned */
}

void vm_fpu_save(struct kthread *t)
{
	struct vm_thread *vt = t->plat;
	fpu_save(vt->fpu);
	t->fpstate = vt->fpu;
}

void vm_fpu_restore(struct kthread *t)
{
	struct vm_thread *vt = t->plat;
	fpu_restore(vt->fpu);
}

static void link_thread(struct vm_thread *vt)
{
	vt->next = threads;
	threads = vt;
}

void sched_init_main(struct kthread *t)
{
	main_thread.t = t;
	main_thread.kstack = kmalloc(KSTACK_SIZE);
	kassert(main_thread.kstack);
	main_thread.deadline = -1;
	main_thread.fpu = fpu_area_new(NULL, &main_thread.fpu_raw);
	kassert(main_thread.fpu);
	t->plat = &main_thread;
	link_thread(&main_thread);
	cur = &main_thread;
	cpu_set_kstack(kstack_top(cur));
}

void plat_set_current(struct kthread *t)
{
	cpu_set_gs((uint64_t)t);
	if (!t->plat)
		sched_init_main(t);
}

long plat_set_tls(uintptr_t base)
{
	cpu_set_fs(base);
	return 0;
}

uintptr_t plat_get_tls(void)
{
	return cpu_get_fs();
}

static void switch_to(struct vm_thread *next)
{
	struct vm_thread *prev = cur;
	if (next == prev)
		return;
	/* Entries from the program saved its FPU state already; a direct call (no regs) did not,
	 * and the next thread's way out will load its own. */
	bool direct = !prev->t->regs;
	if (direct)
		fpu_save(prev->fpu);
	prev->fsbase = cpu_get_fs();
	cur = next;
	cpu_set_kstack(kstack_top(next));
	cpu_set_gs((uint64_t)next->t);
	cpu_set_fs(next->fsbase);
	vm_switch(&prev->rsp, next->rsp);
	if (direct)
		fpu_restore(prev->fpu);
}

/* The next runnable thread after cur, round robin (cur itself last). */
static struct vm_thread *pick(void)
{
	struct vm_thread *vt = cur->next ? cur->next : threads;
	for (;;) {
		if (vt->state == RUNNABLE)
			return vt;
		if (vt == cur)
			return NULL;
		vt = vt->next ? vt->next : threads;
	}
}

static void reap(void)
{
	for (struct vm_thread **pp = &threads; *pp;) {
		struct vm_thread *vt = *pp;
		if (vt->state != DEAD || vt == cur || vt == &main_thread) {
			pp = &vt->next;
			continue;
		}
		*pp = vt->next;
		kfree(vt->kstack);
		kfree(vt->fpu_raw);
		kfree(vt->t);
		kfree(vt);
	}
}

/* Runs another thread, or idles until one is runnable (cur included). */
static void schedule(void)
{
	for (;;) {
		struct vm_thread *next = pick();
		if (next) {
			switch_to(next);
			reap();
			return;
		}
		time_arm();
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		sched_wake_due(time_mono_ns());
	}
}

void sched_preempt(void)
{
	if (pick() && pick() != cur)
		schedule();
}

void plat_yield(void)
{
	sched_preempt();
}

void sched_wake_due(int64_t now)
{
	bool input = serial_readable();
	for (struct vm_thread *vt = threads; vt; vt = vt->next)
		if (vt->state == BLOCKED && ((vt->deadline >= 0 && now >= vt->deadline) || (vt->polling && input)))
			vt->state = RUNNABLE;
}

int64_t sched_next_deadline(void)
{
	int64_t d = -1;
	for (struct vm_thread *vt = threads; vt; vt = vt->next)
		if (vt->state == BLOCKED && vt->deadline >= 0 && (d < 0 || vt->deadline < d))
			d = vt->deadline;
	return d;
}

bool sched_polling(void)
{
	for (struct vm_thread *vt = threads; vt; vt = vt->next)
		if (vt->state == BLOCKED && vt->polling)
			return true;
	return false;
}

long vm_console_poll(struct plat_pollfd *p);

static bool any_ready(struct plat_pollfd *fds, int nfds)
{
	bool ready = false;
	for (int i = 0; i < nfds; i++)
		ready |= vm_console_poll(&fds[i]) > 0;
	return ready;
}

long plat_block(struct kthread *t, uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline)
{
	struct vm_thread *vt = t->plat;
	int64_t mono = deadline;
	if (deadline >= 0 && (clk == 0 || clk == 5 || clk == 8 || clk == 11))
		mono = deadline - time_real_offset();
	for (;;) {
		if (__atomic_load_n(&t->wake_seq, __ATOMIC_SEQ_CST) != seq)
			return -EAGAIN;
		if (vt->kicked) {
			vt->kicked = false;
			return -EINTR;
		}
		if (nfds && any_ready(fds, nfds))
			return 0;
		if (mono >= 0 && time_mono_ns() >= mono)
			return -ETIMEDOUT;
		vt->deadline = mono;
		vt->polling = nfds > 0;
		vt->state = BLOCKED;
		schedule();
		vt->deadline = -1;
		vt->polling = false;
	}
}

void plat_wake(struct kthread *t)
{
	struct vm_thread *vt = t->plat;
	if (vt && vt->state == BLOCKED)
		vt->state = RUNNABLE;
}

void plat_thread_kick(struct kthread *t)
{
	struct vm_thread *vt = t->plat;
	if (!vt || vt == cur)
		return;
	vt->kicked = true;
	plat_wake(t);
}

void vm_thread_first(struct uregs *r)
{
	(void)r;
	reap();
	vm_fpu_restore(cur->t);
}

long plat_thread_start(struct kthread *t, const struct uregs *regs, uintptr_t tls)
{
	struct vm_thread *vt = kzalloc(sizeof *vt);
	char *stack = kmalloc(KSTACK_SIZE);
	uint8_t *fpu = vt ? fpu_area_new(cur->fpu, &vt->fpu_raw) : NULL; /* Linux copies it at clone */
	if (!vt || !stack || !fpu) {
		if (vt)
			kfree(vt->fpu_raw);
		kfree(vt);
		kfree(stack);
		return -EAGAIN;
	}
	vt->fpu = fpu;
	vt->t = t;
	vt->kstack = stack;
	vt->fsbase = tls;
	vt->deadline = -1;
	t->plat = vt;
	struct uregs *u = (struct uregs *)(kstack_top(vt) - sizeof *u);
	*u = *regs;
	uint64_t *sp = (uint64_t *)u;
	*--sp = (uint64_t)vm_thread_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp rbx r12-r15 for vm_switch */
	vt->rsp = (uint64_t)sp;
	vt->state = RUNNABLE;
	link_thread(vt);
	return 0;
}

noreturn void plat_thread_exit(void)
{
	cur->state = DEAD;
	schedule();
	kpanic("a dead thread ran again");
}

/* The first entry into the program, from the boot stack. */
noreturn void sched_enter_first(uintptr_t pc, uintptr_t sp)
{
	struct uregs *u = (struct uregs *)(kstack_top(cur) - sizeof *u);
	memset(u, 0, sizeof *u);
	u->rip = pc;
	u->rsp = sp;
	u->eflags = 0x202;
	vm_fpu_restore(cur->t);
	vm_return_uregs(u);
}
