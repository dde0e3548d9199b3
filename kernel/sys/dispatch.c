/* The one dispatcher every path into the kernel ends in: trap, direct call, rewritten site. */
#include "kernel/sys/syscall.h"
#include "kernel/sys/trace.h"
#include "kernel/errno.h"
#include "kernel/proc/proc.h"

long syscall_direct(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const long args[6] = {a0, a1, a2, a3, a4, a5};
	struct kthread *t = current();
	t->regs = NULL;
	t->fpstate = NULL;
	long r = syscall_dispatch(nr, args, PATH_DIRECT);
	if (signal_pending(t)) /* e.g. a mask just lifted: the vDSO traps to take it */
		__atomic_store_n(&t->deliver_hint, 1, __ATOMIC_RELEASE);
	return r;
}

long syscall_dispatch(long nr, const long *args, enum entry_path path)
{
	struct kthread *t = current();
	t->sysnr = nr;
	const struct syscall_desc *d = NULL;
	if (nr >= 0 && nr < SYSCALL_MAX && syscall_table[nr].name)
		d = &syscall_table[nr];
	if (__builtin_expect(trace_any, 0))
		trace_enter(nr, d, args);
	long ret = d && d->fn ? d->fn(args) : -ENOSYS;
	if (__builtin_expect(trace_any, 0))
		trace_exit(nr, d, args, ret, path);
	if (ret == -ERESTARTSYS || signal_pending(t)) /* on the way out, as Linux does */
		ret = signal_deliver(ret);
	return ret;
}
