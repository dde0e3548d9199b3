/* The program's lifetime and its signals' default actions. */
#include "kernel/proc/proc.h"
#include "kernel/signal.h"
#include "kernel/sys/trace.h"
#include "plat/plat.h"

noreturn void proc_exit_group(int status)
{
	trace_finish(status & 0xff, 0);
	plat_exit(status & 0xff);
}

noreturn void proc_kill_by_signal(int sig)
{
	trace_finish(0, sig);
	plat_exit(128 + sig);
}

static bool ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

/* Delivery to program handlers comes with the signals work; until then a caught signal
 * raised this way is dropped, as if the handler returned at once. */
void proc_raise(int sig)
{
	struct ksigaction *a = &curproc()->act[sig];
	if (a->handler == SIG_IGN || (a->handler == SIG_DFL && ignored_by_default(sig)))
		return;
	if (a->handler == SIG_DFL)
		proc_kill_by_signal(sig);
}
