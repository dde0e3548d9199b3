/* The command line: `elfin run [options] PROGRAM [ARGS...]`. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "plat/process/vm.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fcntl.h"
#include "kernel/mm/kalloc.h"
#include "kernel/fs/vfs.h"
#include "kernel/sys/decode.h"

static const char usage[] =
	"usage: elfin run [options] PROGRAM [ARGS...]\n"
	"Runs an unmodified Linux x86-64 program on the elfin kernel.\n"
	"options:\n"
	"  --rw DIR         let the program write under host directory DIR (repeatable)\n"
	"  --strace[=FILE]  print each system call, strace-style, to stderr or FILE\n"
	"  --stats FILE     write per-syscall counts, errors and entry paths as JSON\n"
	"  --no-vdso        do not map elfin's vDSO (time calls then trap)\n"
	"  --preload, --no-preload   inject the adapter library into dynamic programs (default on)\n"
	"  --vm             run on the vm platform: the program boots in a QEMU microvm\n"
	"  --mem SIZE       the vm's memory (QEMU -m; default 512M, from 2M to 1G)\n"
	"  --accel kvm|tcg  the vm's accelerator (default: kvm where it runs at native speed)\n"
	"  --file HOST[:GUEST]  pack a host file or directory into the vm (repeatable)\n"
	"  --record         run the program here first and pack every file it used into the vm\n";

static const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (; *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static bool executable_file(const char *path)
{
	struct {
		uint64_t dev, ino, nlink;
		uint32_t mode, uid, gid, pad;
		uint64_t rest[12];
	} st;
	return HOST4(H_newfstatat, AT_FDCWD, path, &st, 0) == 0 && S_ISREG(st.mode) &&
	       HOST3(H_faccessat, AT_FDCWD, path, X_OK) == 0;
}

/* Finds PROGRAM like a shell: a name with a slash is a path, others are looked up in PATH. */
static const char *find_program(const char *name, char **envp)
{
	if (strchr(name, '/'))
		return name;
	const char *path = env_get(envp, "PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	static char buf[4096];
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (len && len + strlen(name) + 2 <= sizeof buf) {
			memcpy(buf, path, len);
			buf[len] = '/';
			strlcpy(buf + len + 1, name, sizeof buf - len - 1);
			if (executable_file(buf))
				return buf;
		}
		path += len + (end ? 1 : 0);
	}
	return NULL;
}

static int fail(const char *msg, const char *arg)
{
	kprintf("elfin: %s%s\n%s", msg, arg, usage);
	return 2;
}

static int open_strace(const char *file)
{
	if (!file)
		return 2;
	long h = HOST4(H_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (h < 0)
		kprintf("elfin: %s: cannot open for --strace (%s)\n", file, errno_text(-h));
	return (int)h;
}

/* The adapter library beside the elfin binary, for the kernel to preload into a dynamic
 * program. Asked for explicitly, a missing library is an error; by default it is skipped. */
static int find_preload(struct boot_config *cfg, bool asked)
{
	static char lib[4096];
	long n = HOST3(89 /* readlink */, "/proc/self/exe", lib, sizeof lib - 32);
	char *slash = n > 0 ? strrchr((lib[n] = 0, lib), '/') : NULL;
	if (slash) {
		strlcpy(slash + 1, "libelfin-direct.so", sizeof lib - (size_t)(slash + 1 - lib));
		if (HOST3(H_faccessat, AT_FDCWD, lib, R_OK) == 0) {
			cfg->preload = lib;
			return -1;
		}
	}
	if (!asked)
		return -1;
	kprintf("elfin: --preload: %s: not found (make builds it)\n", slash ? lib : "libelfin-direct.so");
	return 2;
}

/* --file HOST[:GUEST]: both made absolute; GUEST defaults to HOST. */
static int add_file(struct vm_options *vo, const char *arg)
{
	static char paths[VM_MAX_FILES][2][4096];
	if (vo->nfiles == VM_MAX_FILES)
		return fail("too many --file options", "");
	char host[4096];
	strlcpy(host, arg, sizeof host);
	char *colon = strchr(host, ':');
	if (colon)
		*colon = 0;
	char (*p)[4096] = paths[vo->nfiles];
	if (path_normalize(plat_info()->cwd, host, p[0], sizeof p[0]) < 0 ||
	    path_normalize("/", colon ? colon + 1 : p[0], p[1], sizeof p[1]) < 0)
		return fail("path too long: ", arg);
	vo->files[vo->nfiles].host = p[0];
	vo->files[vo->nfiles].guest = p[1];
	vo->nfiles++;
	return -1;
}

/* --vm: the program boots in a VM instead; returns elfin's exit status. */
static int run_vm(struct vm_options *vo, const char *prog, char **argv, char **envp)
{
	static char abs[4096];
	const struct plat_info *pi = plat_info();
	if (path_normalize(pi->cwd, prog, abs, sizeof abs) < 0)
		return fail("path too long: ", prog);
	int64_t ts[2] = {0, 0};
	HOST2(H_clock_gettime, 0 /* CLOCK_REALTIME */, ts);
	vo->program = abs;
	vo->argv = argv;
	vo->envp = envp;
	vo->cwd = pi->cwd;
	vo->hostname = pi->hostname;
	vo->release = pi->release;
	vo->uid = pi->uid;
	vo->gid = pi->gid;
	vo->pid = pi->pid;
	vo->ppid = pi->ppid;
	vo->pgid = pi->pgid;
	vo->sid = pi->sid;
	vo->realtime = ts[0] * 1000000000 + ts[1];
	HOST3(H_getrandom, &vo->seed, sizeof vo->seed, 0);
	return vm_run(vo, envp);
}

/* Fills cfg; returns -1 to go on, else the exit status for elfin. */
int cli_parse(int argc, char **argv, char **envp, struct boot_config *cfg)
{
	int preload = 0; /* 1 --preload, -1 --no-preload, 0 the default: preload */
	static struct vm_options vo;
	bool vm = false;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		plat_console_write(usage, strlen(usage));
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return fail("expected a command: ", "run");
	cfg->trace.strace_fd = -1;
	cfg->vdso = true;
	int i = 2;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		} else if (strcmp(o, "--strace") == 0) {
			cfg->trace.strace_fd = 2;
		} else if (str_starts(o, "--strace=")) {
			if ((cfg->trace.strace_fd = open_strace(o + 9)) < 0)
				return 2;
		} else if (strcmp(o, "--stats") == 0 && i + 1 < argc) {
			cfg->trace.stats_path = argv[++i];
		} else if (strcmp(o, "--rw") == 0 && i + 1 < argc) {
			if (cfg->nrw == BOOT_MAX_RW)
				return fail("too many --rw directories", "");
			static char dirs[BOOT_MAX_RW][4096];
			if (path_normalize(plat_info()->cwd, argv[++i], dirs[cfg->nrw], sizeof dirs[0]) < 0)
				return fail("path too long: ", argv[i]);
			cfg->rw[cfg->nrw] = dirs[cfg->nrw];
			cfg->nrw++;
		} else if (strcmp(o, "--no-vdso") == 0) {
			cfg->vdso = false;
		} else if (strcmp(o, "--no-preload") == 0) {
			preload = -1;
		} else if (strcmp(o, "--preload") == 0) {
			preload = 1;
		} else if (strcmp(o, "--vm") == 0) {
			vm = true;
		} else if (strcmp(o, "--mem") == 0 && i + 1 < argc) {
			vo.mem = argv[++i];
			uint64_t bytes = vm_mem_bytes(vo.mem);
			if (bytes < (2 << 20) || bytes > (1ULL << 30)) /* the least a program runs in; the most the kernel uses */
				return fail("--mem takes a size from 2M to 1G, not ", vo.mem);
		} else if (strcmp(o, "--accel") == 0 && i + 1 < argc) {
			vo.accel = argv[++i];
			if (strcmp(vo.accel, "kvm") != 0 && strcmp(vo.accel, "tcg") != 0)
				return fail("--accel takes kvm or tcg, not ", vo.accel);
		} else if (strcmp(o, "--record") == 0) {
			vo.record = true;
		} else if (strcmp(o, "--file") == 0 && i + 1 < argc) {
			int st = add_file(&vo, argv[++i]);
			if (st >= 0)
				return st;
		} else {
			return fail("unknown option or missing argument: ", o);
		}
	}
	if (i >= argc)
		return fail("no program given", "");
	const char *prog = find_program(argv[i], envp);
	if (!prog) {
		kprintf("elfin: %s: command not found\n", argv[i]);
		return 127;
	}
	if (vm) { /* the adapter library goes into the vm too (it is packed at its host path) */
		int st = preload >= 0 ? find_preload(cfg, preload > 0) : -1;
		vo.preload = cfg->preload;
		vo.strace_fd = cfg->trace.strace_fd;
		vo.stats_path = cfg->trace.stats_path;
		return st >= 0 ? st : run_vm(&vo, prog, argv + i, envp);
	}
	if (vo.mem || vo.accel || vo.nfiles || vo.record)
		return fail("--mem, --accel, --file and --record go with ", "--vm");
	cfg->program = prog;
	cfg->argv = argv + i;
	cfg->envp = envp;
	return preload >= 0 ? find_preload(cfg, preload > 0) : -1;
}
