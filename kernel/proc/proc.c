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
