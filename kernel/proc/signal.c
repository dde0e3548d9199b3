/* Signals: actions, masks, pending sets, sending, delivery through a Linux x86-64 rt_sigframe
 * (siginfo, ucontext, FPU state) and rt_sigreturn; SA_SIGINFO, SA_RESTART, SA_ONSTACK,
 * SA_NODEFER, SA_RESETHAND; default actions end the program with 128+N. */
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/vma.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SYNCHRONOUS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define IGNORED_BY_DEFAULT (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))
/* Job control is the host's business: stopping signals sent inside the program are ignored. */
#define STOPPING (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define SI_USER 0
#define SI_TKILL (-6)
#define SI_KERNEL 0x80
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2

static bool ignored(struct kproc *p, int sig)
{
	uintptr_t h = p->act[sig].handler;
	return h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & (IGNORED_BY_DEFAULT | STOPPING)));
}

static void make_pending(struct sigpending *q, int sig, const struct ksiginfo *info)
{
	if (q->set & SIGBIT(sig))
		return; /* one instance of each signal waits */
	q->set |= SIGBIT(sig);
	if (info)
		q->info[sig - 1] = *info;
	else
		q->info[sig - 1] = (struct ksiginfo){.signo = sig, .code = SI_KERNEL};
}

bool signal_pending(struct kthread *t)
{
	uint64_t p = __atomic_load_n(&t->pending.set, __ATOMIC_ACQUIRE) | __atomic_load_n(&t->proc->pending.set, __ATOMIC_ACQUIRE);
	return p & ~t->sigmask;
}

static void notify(struct kthread *t)
{
	__atomic_store_n(&t->deliver_hint, 1, __ATOMIC_RELEASE);
	thread_wake(t);
	if (t != current())
		plat_thread_kick(t);
}

void signal_send_thread(struct kthread *t, int sig, const struct ksiginfo *info)
{
	struct kproc *p = t->proc;
	if (sig == SIGKILL)
		proc_kill_by_signal(sig);
	spin_lock(&p->siglock);
	bool drop = ignored(p, sig) && !(t->sigmask & SIGBIT(sig));
	if (!drop)
		make_pending(&t->pending, sig, info);
	spin_unlock(&p->siglock);
	if (!drop) {
		notify(t);
		waitq_wake_all(&p->sigwq);
	}
}

/* A process-directed signal goes to a thread that does not block it, the caller first. */
void signal_send_process(struct kproc *p, int sig, const struct ksiginfo *info)
{
	if (sig == SIGKILL)
		proc_kill_by_signal(sig);
	spin_lock(&p->siglock);
	struct kthread *target = NULL;
	if (!ignored(p, sig)) {
		make_pending(&p->pending, sig, info);
		struct kthread *self = current();
		if (self->proc == p && self->tid && (!(self->sigmask & SIGBIT(sig)) || (self->sigwait & SIGBIT(sig))))
			target = self;
		spin_lock(&p->threads_lock);
		for (struct kthread *t = p->threads; t && !target; t = t->next)
			if (!(t->sigmask & SIGBIT(sig)) || (t->sigwait & SIGBIT(sig)))
				target = t;
		spin_unlock(&p->threads_lock);
	}
	spin_unlock(&p->siglock);
	if (target)
		notify(target);
	waitq_wake_all(&p->sigwq);
}

bool signal_would_interrupt(void)
{
	struct kthread *t = current();
	struct kproc *p = t->proc;
	uint64_t ready = (t->pending.set | p->pending.set) & ~t->sigmask;
	for (int sig = 1; sig <= NSIG; sig++)
		if ((ready & SIGBIT(sig)) && !ignored(p, sig))
			return true;
	return false;
}

void proc_raise(int sig)
{
	struct kthread *t = current();
	struct ksiginfo info = {.signo = sig, .code = SI_KERNEL};
	signal_send_thread(t, sig, &info);
}

/* Takes the next signal of mask: synchronous ones first, then the lowest number. */
int signal_dequeue_mask(struct kthread *t, uint64_t mask, struct ksiginfo *info)
{
	struct kproc *p = t->proc;
	spin_lock(&p->siglock);
	int sig = 0;
	for (int pass = 0; pass < 2 && !sig; pass++) {
		struct sigpending *q = pass ? &p->pending : &t->pending;
		uint64_t ready = q->set & mask;
		if (ready & SYNCHRONOUS)
			ready &= SYNCHRONOUS;
		if (ready) {
			sig = __builtin_ctzl(ready) + 1;
			q->set &= ~SIGBIT(sig);
			*info = q->info[sig - 1];
		}
	}
	spin_unlock(&p->siglock);
	return sig;
}

static int dequeue(struct kthread *t, struct ksiginfo *info)
{
	return signal_dequeue_mask(t, ~t->sigmask, info);
}

/* The kernel's rt_sigframe on x86-64: the restorer's address, ucontext, siginfo; the FPU
 * state lies above it, 64-byte aligned. */
struct kucontext {
	uint64_t flags, link;
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} stack;
	struct uregs mc;
	uint64_t fpstate, reserved1[8];
	uint64_t sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct kucontext uc;
	struct ksiginfo info;
};

#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define FP_XSTATE_MAGIC1 0x46505853u
#define FXSAVE_SIZE 512
#define SW_RESERVED 464 /* offset of the software-reserved bytes in the fxsave area */
#define SW_RESERVED_SIZE 48
#define FIX_EFLAGS 0x50dd5u /* AC OF DF TF SF ZF AF PF CF RF: what sigreturn may change */

/* The size of an FPU state in signal-frame format (XSAVE when the magic says so). */
static size_t fpstate_size(const void *fp, bool *xstate)
{
	const uint32_t *sw = (const uint32_t *)((const char *)fp + SW_RESERVED);
	*xstate = sw[0] == FP_XSTATE_MAGIC1 && sw[1] > FXSAVE_SIZE && sw[1] < 64 * 1024;
	return *xstate ? sw[1] : FXSAVE_SIZE;
}

static bool on_altstack(struct kthread *t, uintptr_t sp)
{
	return t->altstack_size && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
}

static int altstack_flags(struct kthread *t, uintptr_t sp)
{
	if (!t->altstack_size || (t->altstack_flags & SS_DISABLE))
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

size_t signal_frame_bytes(size_t fpsize)
{
	return fpsize + 63 + sizeof(struct rt_sigframe) + 15 + 8; /* setup_frame's alignments */
}

static long setup_frame(struct kthread *t, int sig, const struct ksigaction *act, const struct ksiginfo *info)
{
	struct uregs *r = t->regs;
	if (!(act->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no vDSO trampoline: libcs always give one */
	uintptr_t sp = r->rsp - 128; /* the red zone */
	if ((act->flags & SA_ONSTACK) && altstack_flags(t, r->rsp) == 0)
		sp = t->altstack_sp + t->altstack_size;
	bool xstate = false;
	size_t fpsize = t->fpstate ? fpstate_size(t->fpstate, &xstate) : 0;
	uintptr_t fp = 0;
	if (fpsize) {
		sp = (sp - fpsize) & ~63UL;
		fp = sp;
		if (copy_to_user((void *)fp, t->fpstate, fpsize) < 0)
			return -EFAULT;
	}
	sp = ((sp - sizeof(struct rt_sigframe)) & ~15UL) - 8;
	struct rt_sigframe f = {
		.pretcode = act->restorer,
		.uc = {
			.flags = (xstate ? UC_FP_XSTATE : 0) | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
			.stack = {t->altstack_sp, altstack_flags(t, r->rsp), 0, t->altstack_size},
			.mc = *r,
			.fpstate = fp,
			.sigmask = t->restore_mask ? t->saved_mask : t->sigmask,
		},
		.info = *info,
	};
	f.uc.mc.oldmask = f.uc.sigmask;
	if (copy_to_user((void *)sp, &f, sizeof f) < 0)
		return -EFAULT;
	struct rt_sigframe *uf = (struct rt_sigframe *)sp;
	r->rdi = (uint64_t)sig;
	r->rsi = (uint64_t)&uf->info;
	r->rdx = (uint64_t)&uf->uc;
	r->rax = 0;
	r->rip = act->handler;
	r->rsp = sp;
	r->eflags &= ~0x10500UL; /* DF, TF and RF off in the handler */
	return 0;
}

/* Runs the action for sig: default, or a handler frame. Returns whether a handler was set up. */
static bool act_on(struct kthread *t, int sig, const struct ksiginfo *info, long *ret, bool restartable)
{
	struct kproc *p = t->proc;
	spin_lock(&p->siglock);
	struct ksigaction act = p->act[sig];
	if (act.handler > SIG_IGN && (act.flags & SA_RESETHAND))
		p->act[sig].handler = SIG_DFL;
	spin_unlock(&p->siglock);
	if (act.handler == SIG_IGN || (act.handler == SIG_DFL && (SIGBIT(sig) & (IGNORED_BY_DEFAULT | STOPPING))))
		return false;
	if (act.handler == SIG_DFL)
		proc_kill_by_signal(sig);
	struct uregs *r = t->regs;
	if (restartable && (act.flags & SA_RESTART)) {
		r->rip -= UREG_SYSCALL_INSN_LEN;
		r->rax = (uint64_t)t->sysnr;
	} else if (t->sysnr >= 0) {
		r->rax = (uint64_t)(restartable ? -EINTR : *ret);
	}
	if (setup_frame(t, sig, &act, info) < 0)
		proc_kill_by_signal(SIGSEGV); /* no room for the frame: Linux forces SIGSEGV */
	spin_lock(&p->siglock);
	t->sigmask |= (act.mask | ((act.flags & SA_NODEFER) ? 0 : SIGBIT(sig))) & ~UNBLOCKABLE;
	spin_unlock(&p->siglock);
	t->restore_mask = false;
	*ret = (long)r->rax;
	return true;
}

long signal_deliver(long ret)
{
	struct kthread *t = current();
	bool restartable = t->sysnr >= 0 && ret == -ERESTARTSYS;
	if (!t->regs) /* the direct path: its caller traps to take the signal (ERESTARTSYS: replays) */
		return ret;
	__atomic_store_n(&t->deliver_hint, 0, __ATOMIC_RELEASE);
	struct ksiginfo info;
	int sig;
	while ((sig = dequeue(t, &info)))
		if (act_on(t, sig, &info, &ret, restartable)) {
			t->sysnr = -1;
			return ret;
		}
	if (t->restore_mask) {
		t->sigmask = t->saved_mask;
		t->restore_mask = false;
	}
	if (restartable) { /* no handler ran: the call starts again, unseen by the program */
		t->regs->rip -= UREG_SYSCALL_INSN_LEN;
		ret = t->sysnr;
	}
	t->sysnr = -1;
	return ret;
}

void signal_fault(int sig, int code, uintptr_t addr)
{
	struct kthread *t = current();
	struct kproc *p = t->proc;
	if (sig == SIGSEGV && mm_stack_grow(addr))
		return; /* the main stack grew over the address: the access is made again */
	if (sig == SIGSEGV && code == SEGV_ACCERR && !vma_busy(addr, addr + 1))
		code = SEGV_MAPERR; /* a reservation of the kernel's (the stack's guard gap) is no mapping */
	uintptr_t h = p->act[sig].handler;
	if (h == SIG_DFL || h == SIG_IGN || (t->sigmask & SIGBIT(sig)))
		proc_kill_by_signal(sig); /* a fault's signal cannot be ignored or blocked */
	struct ksiginfo info = {.signo = sig, .code = code, .fault = {addr}};
	spin_lock(&p->siglock);
	make_pending(&t->pending, sig, &info);
	t->pending.info[sig - 1] = info;
	spin_unlock(&p->siglock);
	t->sysnr = -1;
	signal_deliver((long)t->regs->rax);
}

/* System calls. */

long sys_rt_sigaction(int sig, const void *act, void *oact, size_t sigsetsize)
{
	if (sigsetsize != 8 || sig < 1 || sig > NSIG)
		return -EINVAL;
	struct ksigaction n;
	if (act && copy_from_user(&n, act, sizeof n) < 0)
		return -EFAULT;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct kproc *p = curproc();
	spin_lock(&p->siglock);
	struct ksigaction o = p->act[sig];
	if (act) {
		n.mask &= ~UNBLOCKABLE;
		p->act[sig] = n;
		if (ignored(p, sig)) { /* setting SIG_IGN discards what is pending */
			p->pending.set &= ~SIGBIT(sig);
			for (struct kthread *t = p->threads; t; t = t->next)
				t->pending.set &= ~SIGBIT(sig);
		}
	}
	spin_unlock(&p->siglock);
	if (oact && copy_to_user(oact, &o, sizeof o) < 0)
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, const void *set, void *oset, size_t sigsetsize)
{
	if (sigsetsize != 8)
		return -EINVAL;
	struct kthread *t = current();
	uint64_t n = 0, old = t->sigmask;
	if (set && copy_from_user(&n, set, sizeof n) < 0)
		return -EFAULT;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (oset && copy_to_user(oset, &old, sizeof old) < 0)
		return -EFAULT;
	if (set) {
		n &= ~UNBLOCKABLE;
		spin_lock(&t->proc->siglock);
		t->sigmask = how == SIG_BLOCK ? old | n : how == SIG_UNBLOCK ? old & ~n : n;
		spin_unlock(&t->proc->siglock);
	}
	return 0;
}

long sys_rt_sigpending(void *set, size_t sigsetsize)
{
	if (sigsetsize > 8)
		return -EINVAL;
	struct kthread *t = current();
	uint64_t pending = (t->pending.set | t->proc->pending.set) & t->sigmask;
	return copy_to_user(set, &pending, sigsetsize);
}

long sys_rt_sigsuspend(const void *mask, size_t sigsetsize)
{
	if (sigsetsize != 8)
		return -EINVAL;
	uint64_t n;
	if (copy_from_user(&n, mask, sizeof n) < 0)
		return -EFAULT;
	struct kthread *t = current();
	t->saved_mask = t->sigmask;
	t->restore_mask = true;
	t->sigmask = n & ~UNBLOCKABLE;
	thread_wait(NULL, NULL, 0, -1);
	return -EINTR;
}

struct timedwait {
	struct kthread *t;
	uint64_t set;
};

static bool wanted_pending(void *arg)
{
	struct timedwait *w = arg;
	return (w->t->pending.set | w->t->proc->pending.set) & w->set;
}

long sys_rt_sigtimedwait(const void *uset, void *uinfo, const void *uts, size_t sigsetsize)
{
	uint64_t set;
	if (sigsetsize != 8)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof set) < 0)
		return -EFAULT;
	int64_t ts[2], deadline = -1;
	if (uts && copy_from_user(ts, uts, sizeof ts) < 0)
		return -EFAULT;
	if (uts && (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000))
		return -EINVAL;
	if (uts) {
		int64_t s, ns;
		plat_clock_gettime(1 /* CLOCK_MONOTONIC */, &s, &ns);
		deadline = (s + ts[0]) * 1000000000 + ns + ts[1];
	}
	struct kthread *t = current();
	struct timedwait w = {t, set & ~UNBLOCKABLE};
	t->sigwait = w.set;
	long r = thread_wait(wanted_pending, &w, 1, deadline);
	t->sigwait = 0;
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	struct ksiginfo info;
	int sig = signal_dequeue_mask(t, w.set, &info);
	if (!sig)
		return -ERESTARTSYS; /* something else woke us: let a handler run, then wait again */
	if (uinfo && copy_to_user(uinfo, &info, sizeof info) < 0)
		return -EFAULT;
	return sig;
}

long sys_rt_sigreturn(void)
{
	struct kthread *t = current();
	struct uregs *r = t->regs;
	struct kucontext uc;
	if (!r || copy_from_user(&uc, (void *)r->rsp, sizeof uc) < 0)
		proc_kill_by_signal(SIGSEGV);
	uint64_t eflags = (r->eflags & ~(uint64_t)FIX_EFLAGS) | (uc.mc.eflags & FIX_EFLAGS);
	uint16_t cs = r->cs, ss = r->ss;
	*r = uc.mc;
	r->eflags = eflags;
	r->cs = cs;
	r->ss = ss;
	if (uc.fpstate && t->fpstate) {
		bool xstate;
		size_t size = fpstate_size(t->fpstate, &xstate);
		char sw[SW_RESERVED_SIZE]; /* the host's own description of its format stays */
		memcpy(sw, (char *)t->fpstate + SW_RESERVED, sizeof sw);
		if (copy_from_user(t->fpstate, (void *)uc.fpstate, size) < 0)
			proc_kill_by_signal(SIGSEGV);
		memcpy((char *)t->fpstate + SW_RESERVED, sw, sizeof sw);
	}
	spin_lock(&t->proc->siglock);
	t->sigmask = uc.sigmask & ~UNBLOCKABLE;
	spin_unlock(&t->proc->siglock);
	if (!on_altstack(t, r->rsp) && !(uc.stack.flags & ~(SS_DISABLE | SS_AUTODISARM))) {
		t->altstack_sp = uc.stack.sp;
		t->altstack_size = uc.stack.size;
		t->altstack_flags = (unsigned)uc.stack.flags;
	}
	t->sysnr = -1;
	return (long)r->rax;
}

long sys_sigaltstack(const void *ss, void *oss)
{
	struct kthread *t = current();
	struct {
		uintptr_t sp;
		int flags, pad;
		size_t size;
	} n, o = {t->altstack_sp, 0, 0, t->altstack_size};
	uintptr_t sp = t->regs ? t->regs->rsp : 0;
	o.flags = altstack_flags(t, sp);
	if (ss && copy_from_user(&n, ss, sizeof n) < 0)
		return -EFAULT;
	if (ss && on_altstack(t, sp))
		return -EPERM;
	if (ss && (n.flags & ~(SS_DISABLE | SS_ONSTACK | (int)SS_AUTODISARM)))
		return -EINVAL;
	if (ss && !(n.flags & SS_DISABLE) && n.size < 2048)
		return -ENOMEM;
	if (oss && copy_to_user(oss, &o, sizeof o) < 0)
		return -EFAULT;
	if (ss) {
		bool off = n.flags & SS_DISABLE;
		t->altstack_sp = off ? 0 : n.sp;
		t->altstack_size = off ? 0 : n.size;
		t->altstack_flags = off ? SS_DISABLE : (unsigned)n.flags & SS_AUTODISARM;
	}
	return 0;
}

static struct ksiginfo user_info(int sig, int code)
{
	return (struct ksiginfo){.signo = sig, .code = code,
				 .kill = {curproc()->pid, plat_info()->uid, 0}};
}

long sys_kill(int pid, int sig)
{
	struct kproc *p = curproc();
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid != p->pid && pid != 0 && pid != -1 && pid != -p->pgid)
		return -ESRCH;
	if (sig) {
		struct ksiginfo info = user_info(sig, SI_USER);
		signal_send_process(p, sig, &info);
	}
	return 0;
}

static long kill_thread(int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	struct kproc *p = curproc();
	struct kthread *t = (tgid < 0 || tgid == p->pid) ? thread_find(p, tid) : NULL;
	if (!t)
		return -ESRCH;
	if (sig) {
		struct ksiginfo info = user_info(sig, SI_TKILL);
		signal_send_thread(t, sig, &info);
	}
	return 0;
}

long sys_tgkill(int tgid, int tid, int sig)
{
	return tgid <= 0 ? -EINVAL : kill_thread(tgid, tid, sig);
}

long sys_tkill(int tid, int sig)
{
	return kill_thread(-1, tid, sig);
}

static long queue_info(struct kthread *t, int sig, const void *uinfo)
{
	struct ksiginfo info;
	if (sig <= 0 || sig > NSIG)
		return -EINVAL;
	if (copy_from_user(&info, uinfo, sizeof info) < 0)
		return -EFAULT;
	if (info.code >= 0 || info.code == SI_TKILL)
		return -EPERM; /* only the kernel may claim those origins */
	info.signo = sig;
	if (t)
		signal_send_thread(t, sig, &info);
	else
		signal_send_process(curproc(), sig, &info);
	return 0;
}

long sys_rt_sigqueueinfo(int pid, int sig, const void *uinfo)
{
	return pid != curproc()->pid ? -ESRCH : queue_info(NULL, sig, uinfo);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const void *uinfo)
{
	struct kthread *t = tgid == curproc()->pid ? thread_find(curproc(), tid) : NULL;
	return t ? queue_info(t, sig, uinfo) : -ESRCH;
}

long sys_pause(void)
{
	thread_wait(NULL, NULL, 0, -1);
	return -EINTR;
}
