/* Scheduling, priorities, memory locking, children and capabilities as a single program
 * without children sees them: the answers Linux gives such a process. */
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5

static bool is_ours(int pid)
{
	return pid == 0 || pid == curproc()->pid || thread_find(curproc(), pid);
}

static struct kthread *thread_of(int pid)
{
	return pid == 0 ? current() : thread_find(curproc(), pid);
}

static uint64_t all_cpus(void)
{
	unsigned n = plat_info()->ncpus;
	return n >= 64 ? ~0UL : (1UL << n) - 1;
}

/* The mask is kept per thread and reported back; the platform places threads itself. */
long sys_sched_setaffinity(int pid, size_t len, const void *mask)
{
	uint64_t m = 0;
	struct kthread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	if (copy_from_user(&m, mask, MIN(len, sizeof m)) < 0)
		return -EFAULT;
	if (!(m & all_cpus()))
		return -EINVAL;
	t->cpumask = m & all_cpus();
	return 0;
}

long sys_sched_getaffinity(int pid, size_t len, void *mask)
{
	struct kthread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	if (len < 8 || (len & 7))
		return -EINVAL;
	uint64_t m = t->cpumask ? t->cpumask : all_cpus();
	if (clear_user(mask, len) < 0 || copy_to_user(mask, &m, sizeof m) < 0)
		return -EFAULT;
	return 8;
}

long sys_sched_getparam(int pid, void *param)
{
	int prio = 0;
	if (pid < 0)
		return -EINVAL;
	return !is_ours(pid) ? -ESRCH : copy_to_user(param, &prio, sizeof prio);
}

long sys_sched_setparam(int pid, const void *param)
{
	int prio;
	if (pid < 0)
		return -EINVAL;
	if (!is_ours(pid))
		return -ESRCH;
	if (copy_from_user(&prio, param, sizeof prio) < 0)
		return -EFAULT;
	return prio == 0 ? 0 : -EINVAL;
}

long sys_sched_getscheduler(int pid)
{
	if (pid < 0)
		return -EINVAL;
	return is_ours(pid) ? SCHED_OTHER : -ESRCH;
}

long sys_sched_setscheduler(int pid, int policy, const void *param)
{
	int prio;
	if (pid < 0 || !param)
		return -EINVAL;
	if (!is_ours(pid))
		return -ESRCH;
	if (copy_from_user(&prio, param, sizeof prio) < 0)
		return -EFAULT;
	policy &= ~0x40000000; /* SCHED_RESET_ON_FORK */
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return prio == 0 ? 0 : -EINVAL;
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return prio >= 1 && prio <= 99 ? -EPERM : -EINVAL; /* real-time needs privileges */
	return -EINVAL;
}

long sys_sched_get_priority_max(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR ? 99 : policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR ? 1 : policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ? 0 : -EINVAL;
}

long sys_sched_rr_get_interval(int pid, void *ts)
{
	int64_t v[2] = {0, 100000000};
	return is_ours(pid) ? copy_to_user(ts, v, sizeof v) : -ESRCH;
}

/* Priorities: a nice value per process, kept but not acted on. */
static int nice_value;

long sys_getpriority(int which, int who)
{
	if (which < 0 || which > 2)
		return -EINVAL;
	if (which == 0 && !is_ours(who))
		return -ESRCH;
	return 20 - nice_value; /* the raw syscall returns 20 - nice */
}

long sys_setpriority(int which, int who, int prio)
{
	if (which < 0 || which > 2)
		return -EINVAL;
	if (which == 0 && !is_ours(who))
		return -ESRCH;
	prio = MAX(-20, MIN(19, prio));
	if (prio < nice_value && plat_info()->euid != 0)
		return -EACCES;
	nice_value = prio;
	return 0;
}

/* Memory locking: accepted; the platform does not page the program out. */
long sys_mlock(const void *addr, size_t len) { (void)addr, (void)len; return 0; }
long sys_munlock(const void *addr, size_t len) { (void)addr, (void)len; return 0; }
long sys_mlockall(int flags) { return flags && !(flags & ~7) ? 0 : -EINVAL; }
long sys_munlockall(void) { return 0; }
long sys_mlock2(const void *addr, size_t len, int flags) { (void)addr, (void)len; return flags & ~1 ? -EINVAL : 0; }

/* No children, ever: one program per kernel. */
long sys_wait4(int pid, void *status, int options, void *ru)
{
	(void)pid, (void)status, (void)ru;
	return options & ~(1 | 2 | 8 | 0x01000000 | 0x20000000 | 0x40000000 | 0x80000000) ? -EINVAL : -ECHILD;
}

long sys_waitid(int which, int id, void *info, int options, void *ru)
{
	(void)id, (void)ru;
	if (which < 0 || which > 3 || !(options & (4 | 2 | 8)))
		return -EINVAL;
	if (info && clear_user(info, 128) < 0) /* Linux clears infop even when there is no child */
		return -EFAULT;
	return -ECHILD;
}

long sys_personality(unsigned long persona)
{
	return persona == 0xffffffff || persona == 0 ? 0 : -EINVAL;
}

long sys_membarrier(int cmd, unsigned flags, int cpu)
{
	(void)cpu;
	if (flags)
		return -EINVAL;
	if (cmd == 0) /* MEMBARRIER_CMD_QUERY: the global barrier is always available */
		return 1;
	if (cmd == 1) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	}
	return -EINVAL;
}

struct cap_header {
	uint32_t version;
	int pid;
};

long sys_capget(void *hdr, void *data)
{
	struct cap_header h;
	if (copy_from_user(&h, hdr, sizeof h) < 0)
		return -EFAULT;
	if (h.version != 0x20080522 && h.version != 0x20071026 && h.version != 0x19980330) {
		h.version = 0x20080522;
		return copy_to_user(hdr, &h, sizeof h) < 0 ? -EFAULT : -EINVAL;
	}
	uint32_t caps[6] = {0};
	if (plat_info()->euid == 0)
		caps[0] = caps[1] = caps[3] = caps[4] = 0xffffffff, caps[2] = caps[5] = 0;
	return data ? copy_to_user(data, caps, h.version == 0x19980330 ? 12 : 24) : 0;
}
