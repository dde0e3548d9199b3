/* The ELF loader: maps the program and its interpreter through the VFS and the platform,
 * then builds the initial stack exactly as Linux does (LINUX-ABI.md §1). */
#include "kernel/exec/exec.h"
#include "kernel/exec/elf.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/uaccess.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/decode.h"
#include "kernel/time/time.h"
#include "kernel/time/vclock.h"
#include "plat/plat.h"
#include "vdso/image.h"
#include "vdso/vdso_data.h"

#define PIE_BASE 0x555555554000UL
#define USER_LIMIT 0x7ffffffff000UL
#define STACK_MIN (128UL << 10)
#define STACK_MAX (1UL << 30)
#define STACK_EXPAND (128UL << 10)
#define STACK_VECTORS 1024 /* the end marker, "x86_64", AT_RANDOM's bytes, argc and the auxv */
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

struct loaded {
	uintptr_t bias, entry, phdr, end;
	uint16_t phnum;
	char interp[PATH_MAX];
};

struct ctx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return status;
}

/* Reads exactly len bytes at off from a file into kernel memory. */
static long kread(struct file *f, void *buf, size_t len, off_t off)
{
	current()->kernel_access = true;
	long r = f->ops->pread ? f->ops->pread(f, buf, len, off) : -EINVAL;
	current()->kernel_access = false;
	return r < 0 ? r : (size_t)r == len ? 0 : -EIO;
}

static int open_exec(const char *path, struct file **out, uint64_t *size, struct ctx *c)
{
	struct lookup lk;
	struct kstat st;
	long r = vfs_resolve(AT_FDCWD, path, &lk);
	if (r == 0)
		r = vfs_stat(&lk, &st, true);
	if (r == 0 && S_ISDIR(st.mode))
		return fail(c, EXIT_NOEXEC, "is a directory");
	if (r == 0 && !S_ISREG(st.mode))
		return fail(c, EXIT_NOEXEC, "not a regular file");
	if (r == 0)
		r = vfs_access(&lk, X_OK, true);
	if (r == 0)
		r = vfs_realpath(&lk); /* /proc/self/exe and the maps name the file itself */
	if (r == 0)
		r = vfs_open(&lk, O_RDONLY, 0, out);
	if (r < 0)
		return fail(c, r == -ENOENT || r == -ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC, "%s", errno_text(-r));
	*size = (uint64_t)st.size;
	return 0;
}

static int read_headers(struct file *f, uint64_t size, struct elf_ehdr *eh, struct elf_phdr *ph,
			struct elf_image *img, struct ctx *c)
{
	unsigned char buf[ELF_EHDR_SIZE] = {0};
	size_t n = MIN(size, sizeof buf);
	if (kread(f, buf, n, 0) < 0)
		return fail(c, EXIT_NOEXEC, "cannot read the file");
	if (elf_check_header(buf, n, size, c->err, c->errlen))
		return EXIT_NOEXEC;
	memcpy(eh, buf, sizeof *eh);
	if (kread(f, ph, (size_t)eh->phnum * ELF_PHDR_SIZE, (off_t)eh->phoff) < 0)
		return fail(c, EXIT_NOEXEC, "cannot read the program headers");
	if (elf_check_phdrs(eh, ph, size, img, c->err, c->errlen))
		return EXIT_NOEXEC;
	return 0;
}

/* Maps one PT_LOAD segment at bias: the file part, then zeroed memory to memsz. */
static long map_segment(struct file *f, const struct elf_seg *s, uintptr_t bias)
{
	uintptr_t start = PAGE_DOWN(s->vaddr + bias);
	uintptr_t file_end = s->vaddr + bias + s->filesz, mem_end = PAGE_UP(s->vaddr + bias + s->memsz);
	int prot = s->prot;
	if (s->filesz) {
		bool tail = s->memsz > s->filesz && (file_end & (PAGE_SIZE - 1));
		long r = mm_map_file(f, (void *)start, PAGE_UP(file_end) - start, tail ? prot | PROT_WRITE : prot,
				     MAP_PRIVATE | MAP_FIXED, (off_t)PAGE_DOWN(s->offset));
		if (r < 0)
			return r;
		if (tail) { /* the rest of the last file page belongs to .bss */
			memset((void *)file_end, 0, PAGE_UP(file_end) - file_end);
			plat_protect((void *)start, PAGE_UP(file_end) - start, prot);
			vma_protect(start, PAGE_UP(file_end), prot);
		}
		start = PAGE_UP(file_end);
	}
	if (mem_end > start)
		return mm_map_named((void *)start, mem_end - start, prot, MAP_PRIVATE | MAP_FIXED, NULL);
	return 0;
}

static int load_elf(const char *path, bool is_interp, struct loaded *out, struct ctx *c)
{
	struct file *f;
	uint64_t size;
	struct elf_ehdr eh;
	static struct elf_phdr ph[ELF_MAX_PHNUM];
	static struct elf_image img;
	int st = open_exec(path, &f, &size, c);
	if (st)
		return st;
	st = read_headers(f, size, &eh, ph, &img, c);
	if (!st && img.has_interp && is_interp)
		st = fail(c, EXIT_NOEXEC, "the interpreter itself names an interpreter");
	out->interp[0] = 0;
	if (!st && img.has_interp) {
		if (kread(f, out->interp, img.interp_len, (off_t)img.interp_off) < 0)
			st = fail(c, EXIT_NOEXEC, "cannot read the interpreter path");
		else if (elf_check_interp(out->interp, img.interp_len, c->err, c->errlen))
			st = EXIT_NOEXEC;
	}
	if (st) {
		file_put(f);
		return st;
	}
	size_t span = img.hi - img.lo;
	uintptr_t want = img.type == ET_EXEC ? img.lo : is_interp ? 0 : PIE_BASE;
	int flags = img.type == ET_EXEC ? PLAT_MAP_NOREPLACE : 0;
	long base = plat_map((void *)want, span, PROT_NONE, flags | PLAT_MAP_RESERVE, -1, 0);
	if (base < 0 || (img.type == ET_EXEC && plat_is_kernel_range(img.lo, span))) {
		file_put(f);
		return fail(c, EXIT_NOEXEC, "cannot map its segments at their fixed addresses (%s)",
			    base < 0 ? errno_text(-base) : "in use by elfin");
	}
	uintptr_t bias = img.type == ET_EXEC ? 0 : (uintptr_t)base - img.lo;
	for (int i = 0; i < img.nsegs && !st; i++) {
		long r = map_segment(f, &img.segs[i], bias);
		if (r < 0)
			st = fail(c, EXIT_NOEXEC, "cannot map a segment (%s)", errno_text(-r));
	}
	if (!is_interp && !st) {
		kfree(curproc()->exe);
		curproc()->exe = kstrdup(f->path);
	}
	file_put(f);
	if (!st && img.entry + bias >= USER_LIMIT)
		st = fail(c, EXIT_NOEXEC, "entry point out of range");
	out->bias = bias;
	out->entry = img.entry + bias;
	out->phdr = img.phdr_vaddr + bias;
	out->phnum = img.phnum;
	out->end = img.hi + bias;
	return st;
}

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
	AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
	AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33,
	AT_MINSIGSTKSZ = 51,
};

struct stack {
	char *top, *sp;
};

static char *push_bytes(struct stack *s, const void *p, size_t n)
{
	s->sp -= n;
	memcpy(s->sp, p, n);
	return s->sp;
}

static size_t count(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* The program's name for /proc/self/comm and prctl(PR_GET_NAME). */
static void set_comm(char *const *argv)
{
	struct kproc *p = curproc();
	const char *name = argv[0] ? argv[0] : "";
	const char *base = strrchr(name, '/');
	strlcpy(p->comm, base ? base + 1 : name, sizeof p->comm);
}

/* Maps the vDSO's data page and a copy of the vDSO right after it, where the image expects
 * its data; returns the image's address for AT_SYSINFO_EHDR, or 0 to run without. */
static uintptr_t map_vdso(void)
{
	size_t size = (size_t)(vdso_image_end - vdso_image), len = VDSO_DATA_SIZE + PAGE_UP(size);
	long base = plat_map(NULL, len, PROT_NONE, PLAT_MAP_RESERVE, -1, 0);
	if (base < 0)
		return 0;
	uintptr_t text = (uintptr_t)base + VDSO_DATA_SIZE;
	if (vclock_map((void *)base) < 0 ||
	    mm_map_copy((void *)text, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, vdso_image, size) < 0) {
		plat_unmap((void *)base, len);
		return 0;
	}
	vma_map(base, text, &(struct vma_desc){.prot = PROT_READ, .name = "[vvar]"});
	vma_map(text, base + len, &(struct vma_desc){.prot = PROT_READ | PROT_EXEC, .name = "[vdso]"});
	return text;
}

/* Builds argc, argv, envp and the auxiliary vector in Linux's order; returns the entry sp. */
static uintptr_t build_stack(struct stack *s, const struct exec_args *a, const struct loaded *prog,
			     const struct loaded *interp, uintptr_t vdso)
{
	const struct plat_info *pi = plat_info();
	size_t argc = count(a->argv), envc = count(a->envp);
	char *execfn = push_bytes(s, a->path, strlen(a->path) + 1);
	char **uenv = kmalloc((envc + 1) * sizeof(char *)), **uarg = kmalloc((argc + 1) * sizeof(char *));
	kassert(uenv && uarg);
	struct kproc *p = curproc();
	p->env_end = (uintptr_t)s->sp;
	for (size_t i = envc; i-- > 0;)
		uenv[i] = push_bytes(s, a->envp[i], strlen(a->envp[i]) + 1);
	p->env_start = p->arg_end = (uintptr_t)s->sp;
	for (size_t i = argc; i-- > 0;)
		uarg[i] = push_bytes(s, a->argv[i], strlen(a->argv[i]) + 1);
	p->arg_start = (uintptr_t)s->sp;
	char *platform = push_bytes(s, "x86_64", 7);
	s->sp = (char *)((uintptr_t)s->sp & ~15UL);
	unsigned char rnd[16];
	plat_random(rnd, sizeof rnd);
	char *random = push_bytes(s, rnd, sizeof rnd);

	unsigned long av[2 * 24], *v = av;
#define AUX(t, val) (*v++ = (t), *v++ = (unsigned long)(val))
	if (vdso)
		AUX(AT_SYSINFO_EHDR, vdso);
	AUX(AT_MINSIGSTKSZ, pi->minsigstksz);
	AUX(AT_HWCAP, pi->hwcap);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, prog->phdr);
	AUX(AT_PHENT, ELF_PHDR_SIZE);
	AUX(AT_PHNUM, prog->phnum);
	AUX(AT_BASE, interp ? interp->bias : 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, prog->entry);
	AUX(AT_UID, pi->uid);
	AUX(AT_EUID, pi->euid);
	AUX(AT_GID, pi->gid);
	AUX(AT_EGID, pi->egid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random);
	AUX(AT_HWCAP2, pi->hwcap2);
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, platform);
	AUX(AT_NULL, 0);
#undef AUX
	p->auxv_len = MIN((size_t)(v - av) * 8, sizeof p->auxv);
	memcpy(p->auxv, av, p->auxv_len);
	size_t words = 1 + argc + 1 + envc + 1 + (size_t)(v - av);
	s->sp -= words * 8;
	s->sp = (char *)((uintptr_t)s->sp & ~15UL);
	unsigned long *w = (unsigned long *)s->sp;
	*w++ = argc;
	for (size_t i = 0; i < argc; i++)
		*w++ = (unsigned long)uarg[i];
	*w++ = 0;
	for (size_t i = 0; i < envc; i++)
		*w++ = (unsigned long)uenv[i];
	*w++ = 0;
	memcpy(w, av, (size_t)(v - av) * 8);
	kfree(uenv);
	kfree(uarg);
	return (uintptr_t)s->sp;
}

static long args_size(const struct exec_args *a)
{
	long n = 0;
	for (size_t i = 0; a->argv[i]; i++)
		n += (long)strlen(a->argv[i]) + 1 + 8;
	for (size_t i = 0; a->envp && a->envp[i]; i++)
		n += (long)strlen(a->envp[i]) + 1 + 8;
	return n;
}

/* envp with lib first in LD_PRELOAD (before what the program asked for), or NULL. */
static char *const *with_preload(char *const *envp, const char *lib)
{
	const char *old = NULL;
	size_t n = 0;
	for (; envp && envp[n]; n++)
		if (str_starts(envp[n], "LD_PRELOAD="))
			old = envp[n] + 11;
	size_t len = strlen(lib) + (old ? strlen(old) : 0) + 16;
	char **env = kmalloc((n + 2) * sizeof *env), *var = kmalloc(len);
	if (!env || !var) {
		kfree(env);
		kfree(var);
		return NULL;
	}
	ksnprintf(var, len, old && *old ? "LD_PRELOAD=%s:%s" : "LD_PRELOAD=%s", lib, old);
	size_t k = 0;
	env[k++] = var;
	for (size_t i = 0; i < n; i++)
		if (!str_starts(envp[i], "LD_PRELOAD="))
			env[k++] = envp[i];
	env[k] = NULL;
	return env;
}

int exec_load(const struct exec_args *a, struct exec_entry *out, char *err, size_t errlen)
{
	struct ctx c = {err, errlen};
	static struct loaded prog, interp;
	/* the main stack may grow as large as RLIMIT_STACK allows now (reserved, grown on faults) */
	size_t stack_size = PAGE_UP(MIN(MAX(proc_rlimit(RLIMIT_STACK), STACK_MIN), STACK_MAX));
	if (args_size(a) > (long)MAX(stack_size / 4, (size_t)32 * PAGE_SIZE))
		return fail(&c, EXIT_NOEXEC, "%s", errno_text(E2BIG));
	bool vdso = a->vdso && vclock_start() == 0; /* calibrates while the program loads */
	int st = load_elf(a->path, false, &prog, &c);
	if (st)
		return st;
	if (prog.interp[0]) {
		char path[PATH_MAX];
		strlcpy(path, prog.interp, sizeof path);
		char sub[256];
		st = load_elf(path, true, &interp, &(struct ctx){sub, sizeof sub});
		if (st) {
			ksnprintf(err, errlen, "%s interpreter %s: %s", st == EXIT_NOTFOUND ? "cannot find its" : "bad",
				  path, sub);
			return st;
		}
	}
	struct exec_args args = *a; /* a dynamic program gets the adapter library preloaded */
	char *const *env = prog.interp[0] && a->preload ? with_preload(a->envp, a->preload) : NULL;
	if (env)
		args.envp = env;
	/* as Linux, the stack starts with the arguments' pages and 128 KiB below them */
	size_t initial = (size_t)args_size(&args) + strlen(a->path) + STACK_VECTORS + STACK_EXPAND;
	long top = mm_stack_init(stack_size, initial);
	if (top < 0)
		return fail(&c, EXIT_NOEXEC, "cannot map the stack (%s)", errno_text(-top));
	struct stack s = {(char *)top, (char *)top - 8};
	*(unsigned long *)s.sp = 0; /* end marker */
	set_comm(a->argv);
	struct timespec64 boot = time_now(CLOCK_BOOTTIME);
	curproc()->start_time = boot.sec * 1000000000 + boot.nsec;
	mm_brk_init(prog.end);
	out->sp = build_stack(&s, &args, &prog, prog.interp[0] ? &interp : NULL, vdso ? map_vdso() : 0);
	out->pc = prog.interp[0] ? interp.entry : prog.entry;
	return 0;
}
