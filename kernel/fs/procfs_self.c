/* The contents of /proc/self's files, made when they are opened. */
#include "kernel/fs/procfs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/signal.h"
#include "kernel/time/time.h"
#include "kernel/mm/vma.h"
#include "plat/plat.h"

/* A range of the program's memory, as Linux reads argv and the environment. */
static void user_bytes(struct strbuf *sb, uintptr_t start, uintptr_t end)
{
	char buf[256];
	for (uintptr_t p = start; p < end;) {
		size_t n = MIN(end - p, sizeof buf);
		if (copy_from_user(buf, (void *)p, n) < 0)
			return;
		for (size_t i = 0; i < n; i++)
			sb_putc(sb, buf[i]);
		p += n;
	}
}

static void gen_cmdline(struct strbuf *sb)
{
	user_bytes(sb, curproc()->arg_start, curproc()->arg_end);
}

static void gen_environ(struct strbuf *sb)
{
	user_bytes(sb, curproc()->env_start, curproc()->env_end);
}

static void gen_auxv(struct strbuf *sb)
{
	const char *a = (const char *)curproc()->auxv;
	for (size_t i = 0; i < curproc()->auxv_len; i++)
		sb_putc(sb, a[i]);
}

static void gen_comm(struct strbuf *sb)
{
	sb_printf(sb, "%s\n", curproc()->comm);
}

static uint64_t ignored_mask(struct kproc *p, bool ign)
{
	uint64_t m = 0;
	for (int sig = 1; sig <= NSIG; sig++)
		if ((p->act[sig].handler == SIG_IGN) == ign && (ign || p->act[sig].handler > SIG_IGN))
			m |= SIGBIT(sig);
	return m;
}

static void gen_status(struct strbuf *sb)
{
	struct kproc *p = curproc();
	struct kthread *t = current();
	const struct plat_info *pi = plat_info();
	sb_printf(sb, "Name:\t%s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		  "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t%u\n",
		  p->comm, p->umask, p->pid, p->pid, p->ppid, pi->uid, pi->euid, pi->euid, pi->euid, pi->gid, pi->egid,
		  pi->egid, pi->egid, FD_MAX, pi->egid);
	sb_printf(sb, "Threads:\t%d\nSigQ:\t0/63325\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n"
		  "SigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		  p->nthreads, (unsigned long)t->pending.set, (unsigned long)p->pending.set, (unsigned long)t->sigmask,
		  (unsigned long)ignored_mask(p, true), (unsigned long)ignored_mask(p, false));
	/* root holds its bounding set, anyone else nothing (file capabilities cannot apply) */
	unsigned long bnd = p->prctl.capbset, eff = pi->euid == 0 ? bnd : 0;
	sb_printf(sb, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016lx\n"
		  "NoNewPrivs:\t%d\nSeccomp:\t%d\n", 0UL, eff, eff, bnd, 0UL, p->prctl.no_new_privs, pi->seccomp);
	long ru[18] = {0};
	plat_rusage(false, ru);
	unsigned long vm = (unsigned long)(vma_total() >> 10), rss = (unsigned long)ru[4];
	sb_printf(sb, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n", vm, vm, rss, rss);
	unsigned n = pi->ncpus;
	sb_printf(sb, "Cpus_allowed:\t%lx\nCpus_allowed_list:\t0-%u\nvoluntary_ctxt_switches:\t0\n"
		  "nonvoluntary_ctxt_switches:\t0\n", n >= 64 ? ~0UL : (1UL << n) - 1, n - 1);
}

static void gen_stat(struct strbuf *sb)
{
	struct kproc *p = curproc();
	struct timespec64 cpu = time_now(CLOCK_PROCESS_CPUTIME_ID);
	unsigned long ticks = (unsigned long)(cpu.sec * 100 + cpu.nsec / 10000000);
	long ru[18] = {0};
	plat_rusage(false, ru);
	/* fields 1-25, 26-37 (code, stack, signal words: zero), 38-47, 48-52 as proc(5) lists them */
	sb_printf(sb, "%d (%s) R %d %d %d 0 -1 4194304 %lu 0 %lu 0 %lu 0 0 0 20 0 %d 0 %lu %lu %lu 18446744073709551615 ",
		  p->pid, p->comm, p->ppid, p->pgid, p->sid, (unsigned long)ru[6], (unsigned long)ru[7], ticks,
		  p->nthreads, (unsigned long)(p->start_time / 10000000), (unsigned long)vma_total(),
		  (unsigned long)ru[4] / 4);
	sb_printf(sb, "0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 %lu %lu %lu %lu %lu 0\n", (unsigned long)p->brk_start,
		  (unsigned long)p->arg_start, (unsigned long)p->arg_end, (unsigned long)p->env_start,
		  (unsigned long)p->env_end);
}

static void gen_maps(struct strbuf *sb)
{
	vma_describe(sb);
}

static void gen_mounts(struct strbuf *sb)
{
	vfs_describe_mounts(sb);
}

const struct procfs_gen procfs_self_files[] = {
	{"cmdline", gen_cmdline}, {"environ", gen_environ}, {"auxv", gen_auxv}, {"comm", gen_comm},
	{"status", gen_status}, {"stat", gen_stat}, {"mounts", gen_mounts}, {"maps", gen_maps},
	{NULL, NULL},
};

long procfs_gen_open(struct file *f, void (*gen)(struct strbuf *))
{
	struct strbuf sb = {0};
	gen(&sb);
	if (!sb.buf) {
		sb.buf = kmalloc(1);
		if (!sb.buf)
			return -ENOMEM;
	}
	return memfile_open(f, sb.buf, sb.len);
}
