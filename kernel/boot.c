/* Kernel bring-up for one program on any platform. */
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/decode.h"
#include "plat/plat.h"

static struct kproc proc0;
static struct kthread thread0;

static void setup_process(void)
{
	const struct plat_info *pi = plat_info();
	proc0.pid = pi->pid;
	proc0.pgid = pi->pgid;
	proc0.sid = pi->sid;
	proc0.ppid = pi->ppid;
	proc0.ngroups = pi->ngroups;
	memcpy(proc0.groups, pi->groups, sizeof proc0.groups);
	proc0.fds = fdtable_new();
	proc0.cwd = kstrdup(pi->cwd);
	proc0.umask = 022;
	thread0.self = &thread0;
	thread0.proc = &proc0;
	thread0.tid = pi->pid;
	prctl_init(&proc0, &thread0);
	thread_attach(&proc0, &thread0);
	plat_set_current(&thread0);
	kassert(proc0.fds && proc0.cwd);
}

/* The program's fds 0-2 are the host's, duplicated so the kernel keeps its own. */
static void setup_stdio(void)
{
	static const char *names[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
	for (int fd = 0; fd < 3; fd++) {
		long h = plat_file_dup(fd);
		if (h < 0)
			continue;
		long fl = plat_file_fcntl((int)h, F_GETFL, 0);
		char link[64], name[128];
		ksnprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		long n = plat_file_readlinkat(AT_FDCWD, link, name, sizeof name - 1);
		name[n > 0 ? n : 0] = 0; /* "pipe:[N]", "/dev/pts/0", a file: what Linux shows */
		struct file *f = hostfs_wrap((int)h, fl < 0 ? O_RDWR : (int)fl & ~O_LARGEFILE, n > 0 ? name : names[fd]);
		kassert(f && fd_install(f, fd, false) == fd);
	}
}

static int mount_host(const char *path, bool rw, char *err, size_t errlen)
{
	long h = plat_file_open(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
	if (h < 0) {
		ksnprintf(err, errlen, "%s: cannot grant it (%s)", path, errno_text(-h));
		return 2;
	}
	vfs_mount(path, &hostfs_ops, (int)h, rw, NULL);
	return 0;
}

static int setup_mounts(const struct boot_config *cfg, char *err, size_t errlen)
{
	if (cfg->fill_root)
		vfs_mount("/", &tmpfs_ops, -1, true, tmpfs_new());
	bool root_rw = false;
	for (int i = 0; i < cfg->nrw; i++)
		root_rw |= strcmp(cfg->rw[i], "/") == 0;
	int st = cfg->fill_root ? 0 : mount_host("/", root_rw, err, errlen);
	for (int i = 0; i < cfg->nrw && !st; i++)
		if (strcmp(cfg->rw[i], "/") != 0)
			st = mount_host(cfg->rw[i], true, err, errlen);
	if (st)
		return st;
	void *tmp = tmpfs_new();
	kassert(tmp);
	vfs_mount("/tmp", &tmpfs_ops, -1, true, tmp);
	vfs_mount("/dev", &devfs_ops, -1, true, NULL);
	vfs_mount("/dev/shm", &tmpfs_ops, -1, true, tmpfs_new());
	long proc = plat_file_open(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
	vfs_mount("/proc", &procfs_ops, (int)proc, false, NULL);
	return cfg->fill_root ? cfg->fill_root(err, errlen) : 0;
}

int kernel_boot(const struct boot_config *cfg, struct exec_entry *entry, char *err, size_t errlen)
{
	setup_process();
	proc_rlimits_init();
	trace_init(&cfg->trace);
	int st = setup_mounts(cfg, err, errlen);
	if (st)
		return st;
	setup_stdio();
	char abs[PATH_MAX];
	if (path_normalize(proc0.cwd, cfg->program, abs, sizeof abs) < 0) {
		ksnprintf(err, errlen, "%s", errno_text(ENAMETOOLONG));
		return 126;
	}
	proc0.exe = kstrdup(abs);
	struct exec_args a = {cfg->program, cfg->argv, cfg->envp, cfg->vdso, cfg->preload};
	return exec_load(&a, entry, err, errlen);
}
