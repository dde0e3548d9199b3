/* The command line: `elfin run [options] PROGRAM [ARGS...]`. */
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fcntl.h"
#include "kernel/mm/kalloc.h"
#include "kernel/fs/vfs.h"

static const char usage[] =
	"usage: elfin run [options] PROGRAM [ARGS...]\n"
	"Runs an unmodified Linux x86-64 program on the elfin kernel.\n"
	"options:\n"
	"  --rw DIR         let the program write under host directory DIR (repeatable)\n"
	"  --strace[=FILE]  print each system call, strace-style, to stderr or FILE\n"
	"  --stats FILE     write per-syscall counts, errors and entry paths as JSON\n"
	"  --no-vdso        do not map elfin's vDSO (time calls then trap)\n"
	"  --preload, --no-preload   inject the adapter library into dynamic programs (default on)\n"
	"  --vm             run on the vm platform (QEMU microvm)\n";

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
		kprintf("elfin: %s: cannot open for --strace (%ld)\n", file, -h);
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

/* Fills cfg; returns -1 to go on, else the exit status for elfin. */
int cli_parse(int argc, char **argv, char **envp, struct boot_config *cfg)
{
	int preload = 0; /* 1 --preload, -1 --no-preload, 0 the default: preload */
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
			kprintf("elfin: %s: not available in this build yet\n", o);
			return 2;
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
	cfg->program = prog;
	cfg->argv = argv + i;
	cfg->envp = envp;
	return preload >= 0 ? find_preload(cfg, preload > 0) : -1;
}
