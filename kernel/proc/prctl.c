/* prctl(2): the process attributes a program may set and read back. elfin keeps each one as
 * Linux defines it; the options that would need hardware or security machinery elfin does
 * not have (seccomp, speculation control, memory tagging...) answer -EINVAL, as on a Linux
 * built without them. Attributes Linux keeps per thread are per thread here too, except the
 * security ones (dumpable, keepcaps, no_new_privs, the bounding set), which one program's
 * threads always share under elfin since none can gain privileges. */
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "plat/plat.h"

enum {
	PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
	PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_GET_TIMING = 13, PR_SET_TIMING = 14,
	PR_SET_NAME = 15, PR_GET_NAME = 16, PR_GET_SECCOMP = 21, PR_CAPBSET_READ = 23,
	PR_CAPBSET_DROP = 24, PR_GET_SECUREBITS = 27, PR_SET_TIMERSLACK = 29, PR_GET_TIMERSLACK = 30,
	PR_TASK_PERF_EVENTS_DISABLE = 31, PR_TASK_PERF_EVENTS_ENABLE = 32,
	PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38,
	PR_GET_NO_NEW_PRIVS = 39, PR_GET_TID_ADDRESS = 40, PR_SET_THP_DISABLE = 41,
	PR_GET_THP_DISABLE = 42, PR_CAP_AMBIENT = 47,
};
enum { PR_CAP_AMBIENT_IS_SET = 1, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_LOWER = 3,
       PR_CAP_AMBIENT_CLEAR_ALL = 4 };

#define TIMER_SLACK_DEFAULT_NS 50000

void prctl_init(struct kproc *p, struct kthread *t)
{
	p->prctl.dumpable = true;
	p->prctl.capbset = plat_info()->capbset;
	t->timerslack_ns = TIMER_SLACK_DEFAULT_NS;
}

static bool cap_valid(unsigned long cap)
{
	return cap <= (unsigned long)plat_info()->cap_last;
}

static long put_int(unsigned long uaddr, int v)
{
	return copy_to_user((void *)uaddr, &v, sizeof v);
}

/* An attribute that is 0 or 1, nothing else. */
static long set_bool(bool *attr, unsigned long v)
{
	if (v > 1)
		return -EINVAL;
	*attr = v;
	return 0;
}

static long set_name(struct kproc *p, const char *uname)
{
	char name[16] = {0};
	long n = copy_str_from_user(name, uname, sizeof name);
	if (n == -ENAMETOOLONG) { /* Linux keeps the first 15 bytes */
		if (copy_from_user(name, uname, 15) < 0)
			return -EFAULT;
		name[15] = 0;
	} else if (n < 0) {
		return n;
	}
	memcpy(p->comm, name, sizeof name);
	return 0;
}

static long cap_ambient(unsigned long op, unsigned long cap, unsigned long a4, unsigned long a5)
{
	if (a4 || a5)
		return -EINVAL;
	switch (op) {
	case PR_CAP_AMBIENT_CLEAR_ALL: return cap ? -EINVAL : 0;
	case PR_CAP_AMBIENT_IS_SET: return cap_valid(cap) ? 0 : -EINVAL; /* the ambient set is empty */
	case PR_CAP_AMBIENT_RAISE: /* only a permitted and inheritable capability may be raised */
	case PR_CAP_AMBIENT_LOWER: return !cap_valid(cap) ? -EINVAL : op == PR_CAP_AMBIENT_LOWER ? 0 : -EPERM;
	default: return -EINVAL;
	}
}

long sys_prctl(int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	struct kthread *t = current();
	struct kproc *p = t->proc;
	struct prctl_state *ps = &p->prctl;
	switch (op) {
	case PR_SET_PDEATHSIG:
		if (a2 > NSIG)
			return -EINVAL;
		ps->pdeathsig = (int)a2; /* the parent is outside the program: it never dies first here */
		return 0;
	case PR_GET_PDEATHSIG: return put_int(a2, ps->pdeathsig);
	case PR_GET_DUMPABLE: return ps->dumpable;
	case PR_SET_DUMPABLE: return set_bool(&ps->dumpable, a2);
	case PR_GET_KEEPCAPS: return ps->keepcaps;
	case PR_SET_KEEPCAPS: return set_bool(&ps->keepcaps, a2);
	case PR_GET_TIMING: return 0; /* PR_TIMING_STATISTICAL */
	case PR_SET_TIMING: return a2 ? -EINVAL : 0;
	case PR_SET_NAME: return set_name(p, (const char *)a2);
	case PR_GET_NAME: return copy_to_user((void *)a2, p->comm, sizeof p->comm);
	case PR_GET_SECCOMP: return plat_info()->seccomp;
	case PR_CAPBSET_READ: return cap_valid(a2) ? (long)((ps->capbset >> a2) & 1) : -EINVAL;
	case PR_CAPBSET_DROP:
		if (!cap_valid(a2))
			return -EINVAL;
		if (!((ps->capbset >> 8) & 1)) /* CAP_SETPCAP */
			return -EPERM;
		ps->capbset &= ~(1ULL << a2);
		return 0;
	case PR_GET_SECUREBITS: return ps->keepcaps ? 1 << 4 : 0; /* SECBIT_KEEP_CAPS */
	case PR_SET_TIMERSLACK:
		t->timerslack_ns = (long)a2 <= 0 ? TIMER_SLACK_DEFAULT_NS : a2;
		return 0;
	case PR_GET_TIMERSLACK: return (long)t->timerslack_ns;
	case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE: return 0;
	case PR_SET_CHILD_SUBREAPER:
		ps->subreaper = a2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: return put_int(a2, ps->subreaper);
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		ps->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return ps->no_new_privs;
	case PR_GET_TID_ADDRESS: {
		uintptr_t v = t->clear_child_tid;
		return copy_to_user((void *)a2, &v, sizeof v);
	}
	case PR_SET_THP_DISABLE:
		if (a3 || a4 || a5)
			return -EINVAL;
		ps->thp_disable = a2 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return ps->thp_disable;
	case PR_CAP_AMBIENT: return cap_ambient(a2, a3, a4, a5);
	default: return -EINVAL;
	}
}
