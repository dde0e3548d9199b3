/* Process-wide system calls: ids, exit, limits, signals' bookkeeping, TLS, scheduling,
 * system information. */
#include "kernel/proc/proc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/signal.h"
#include "kernel/uaccess.h"
#include "kernel/time/time.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

long sys_getpid(void) { return curproc()->pid; }
long sys_getppid(void) { return curproc()->ppid; }
long sys_getuid(void) { return plat_info()->uid; }
long sys_geteuid(void) { return plat_info()->euid; }
long sys_getgid(void) { return plat_info()->gid; }
long sys_getegid(void) { return plat_info()->egid; }
long sys_getpgrp(void) { return curproc()->pgid; }

static bool is_self(int pid)
{
	return pid == 0 || pid == curproc()->pid;
}

long sys_getpgid(int pid)
{
	return is_self(pid) ? curproc()->pgid : -ESRCH;
}

long sys_getsid(int pid)
{
	return is_self(pid) ? curproc()->sid : -ESRCH;
}

/* The program is the only process: it can lead a new session, or move into a group of its own,
 * but no other group of its session exists for it to join. */
long sys_setsid(void)
{
	struct kproc *p = curproc();
	if (p->pgid == p->pid)
		return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->pid;
}

long sys_setpgid(int pid, int pgid)
{
	struct kproc *p = curproc();
	if (!is_self(pid))
		return -ESRCH;
	if (pgid < 0)
		return -EINVAL;
	if (pgid == 0)
		pgid = p->pid;
	if (p->sid == p->pid) /* a session leader cannot move, not even into its own group */
		return -EPERM;
	if (pgid == p->pgid)
		return 0;
	if (pgid != p->pid)
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_setuid(unsigned uid)
{
	return uid == plat_info()->uid ? 0 : -EPERM;
}

long sys_setgid(unsigned gid)
{
	return gid == plat_info()->gid ? 0 : -EPERM;
}

static long put_ids(void *r, void *e, void *s, unsigned real, unsigned eff)
{
	if (copy_to_user(r, &real, 4) < 0 || copy_to_user(e, &eff, 4) < 0 || copy_to_user(s, &eff, 4) < 0)
		return -EFAULT;
	return 0;
}

long sys_getresuid(void *r, void *e, void *s)
{
	return put_ids(r, e, s, plat_info()->uid, plat_info()->euid);
}

long sys_getresgid(void *r, void *e, void *s)
{
	return put_ids(r, e, s, plat_info()->gid, plat_info()->egid);
}

long sys_getgroups(int size, void *list)
{
	struct kproc *p = curproc();
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return p->ngroups;
	if (size < p->ngroups)
		return -EINVAL;
	return copy_to_user(list, p->groups, p->ngroups * sizeof(gid_t)) < 0 ? -EFAULT : p->ngroups;
}

/* Only root may change the list, as Linux (CAP_SETGID); the kernel keeps at most 32. */
long sys_setgroups(int size, const void *list)
{
	struct kproc *p = curproc();
	gid_t g[32];
	if (size < 0 || size > 65536)
		return -EINVAL;
	if (plat_info()->euid != 0)
		return -EPERM;
	for (int i = 0; i < size; i += 32) /* Linux reads the whole list first */
		if (copy_from_user(g, (const gid_t *)list + i, (size_t)MIN(size - i, 32) * sizeof(gid_t)) < 0)
			return -EFAULT;
	if (size > 32)
		return -ENOMEM;
	copy_from_user(g, list, (size_t)size * sizeof(gid_t));
	memcpy(p->groups, g, (size_t)size * sizeof(gid_t));
	p->ngroups = size;
	return 0;
}



struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(void *buf)
{
	struct utsname u = {0};
	strlcpy(u.sysname, "Linux", sizeof u.sysname);
	strlcpy(u.nodename, plat_info()->hostname, sizeof u.nodename);
	strlcpy(u.release, plat_info()->release, sizeof u.release);
	strlcpy(u.version, "#1 SMP elfin", sizeof u.version);
	strlcpy(u.machine, "x86_64", sizeof u.machine);
	strlcpy(u.domainname, "(none)", sizeof u.domainname);
	return copy_to_user(buf, &u, sizeof u);
}

/* Resource limits: what the kernel enforces (fds) and what a Linux process is given. */
#define RLIM_INFINITY (~0UL)
#define RLIMIT_NLIMITS 16

static struct rlimit {
	unsigned long cur, max;
} limits[RLIMIT_NLIMITS] = {
#define INF {RLIM_INFINITY, RLIM_INFINITY}
	INF, INF, INF,                         /* CPU, FSIZE, DATA */
	{8 << 20, RLIM_INFINITY},              /* STACK */
	{0, RLIM_INFINITY},                    /* CORE */
	INF,                                   /* RSS */
	{63325, 63325},                        /* NPROC */
	{1024, 1024},                          /* NOFILE: the fd table's size */
	{8 << 20, 8 << 20},                    /* MEMLOCK */
	INF, INF,                              /* AS, LOCKS */
	{63325, 63325},                        /* SIGPENDING */
	{819200, 819200},                      /* MSGQUEUE */
	{0, 0}, {0, 0},                        /* NICE, RTPRIO */
	INF,                                   /* RTTIME */
#undef INF
};

/* The program starts with the stack limit elfin was given, as a child of the shell would. */
void proc_rlimits_init(void)
{
	limits[RLIMIT_STACK].cur = plat_info()->stack_cur;
	limits[RLIMIT_STACK].max = plat_info()->stack_max;
}

uint64_t proc_rlimit(int res)
{
	return __atomic_load_n(&limits[res].cur, __ATOMIC_RELAXED);
}

long sys_prlimit64(int pid, int res, const void *new, void *old)
{
	if (!is_self(pid))
		return -ESRCH;
	if (res < 0 || res >= RLIMIT_NLIMITS)
		return -EINVAL;
	struct rlimit n;
	if (new && copy_from_user(&n, new, sizeof n) < 0)
		return -EFAULT;
	if (new && (n.cur > n.max || n.max > limits[res].max))
		return n.cur > n.max ? -EINVAL : -EPERM;
	if (new && res == RLIMIT_NOFILE && n.max > 1024)
		return -EPERM;
	if (old && copy_to_user(old, &limits[res], sizeof limits[res]) < 0)
		return -EFAULT;
	if (new)
		limits[res] = n;
	return 0;
}

long sys_getrlimit(int res, void *rlim)
{
	return sys_prlimit64(0, res, NULL, rlim);
}

long sys_getrusage(int who, void *ru)
{
	if (who != 0 && who != -1 && who != 1)
		return -EINVAL;
	long u[18] = {0}; /* RUSAGE_CHILDREN: there are none */
	if (who != -1) {
		long r = plat_rusage(who == 1, u);
		if (r < 0)
			return r;
	}
	return copy_to_user(ru, u, sizeof u);
}

long sys_times(void *buf)
{
	struct timespec64 cpu = time_now(CLOCK_PROCESS_CPUTIME_ID), mono = time_now(CLOCK_MONOTONIC);
	long t[4] = {cpu.sec * 100 + cpu.nsec / 10000000, 0, 0, 0};
	if (buf && copy_to_user(buf, t, sizeof t) < 0)
		return -EFAULT;
	return mono.sec * 100 + mono.nsec / 10000000;
}

struct sysinfo {
	long uptime;
	unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	unsigned short procs, pad;
	unsigned long totalhigh, freehigh;
	unsigned mem_unit;
	char f[4];
};

long sys_sysinfo(void *info)
{
	struct sysinfo s = {0};
	s.uptime = time_now(CLOCK_BOOTTIME).sec;
	s.totalram = plat_info()->mem_total;
	s.freeram = s.totalram / 2;
	s.procs = 1;
	s.mem_unit = 1;
	return copy_to_user(info, &s, sizeof s);
}

/* Threads that spin on sched_yield wait for one another: the CPU must really go to another. */
long sys_sched_yield(void)
{
	plat_yield();
	return 0;
}

long sys_getrandom(void *buf, size_t len, unsigned flags)
{
	if (flags & ~7u)
		return -EINVAL;
	return random_to_user(buf, MIN(len, (size_t)33554431));
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long sys_arch_prctl(int code, unsigned long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= 0x800000000000UL)
			return -EPERM;
		return plat_set_tls(addr);
	case ARCH_GET_FS: {
		unsigned long v = plat_get_tls();
		return copy_to_user((void *)addr, &v, sizeof v);
	}
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EPERM; /* %gs belongs to the kernel */
	default:
		return -EINVAL;
	}
}

