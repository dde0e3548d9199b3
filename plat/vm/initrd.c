/* The initrd: a newc cpio that the launcher packed. Its ".elfin/boot" entry is the boot
 * manifest (NUL-separated key=value strings: the program, its arguments and environment,
 * the host facts); every other entry is unpacked into the tmpfs root. */
#include "plat/vm/vm.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/decode.h"

#define MAX_STRINGS 4096
#define MANIFEST ".elfin/boot"

struct cpio_entry {
	const char *name;
	const char *data;
	uint32_t mode, uid, gid;
	int64_t mtime;
	size_t size;
};

bool vm_test_panic; /* the manifest asks for a deliberate kernel fault (tests/vm/badvm.py) */
static const char *image;
static size_t image_len;
const char *vm_stdin; /* stdin packed by the launcher, or NULL: the serial line */
size_t vm_stdin_len;
extern struct plat_info vm_info;
void vm_random_seed(uint64_t seed);

static uint64_t hex(const char *s)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		v = v << 4 | (uint64_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v;
}

/* The entry at *off; false at the end or on a malformed header (*bad set). */
static bool next_entry(size_t *off, struct cpio_entry *e, bool *bad)
{
	*bad = true;
	if (*off + 110 > image_len || memcmp(image + *off, "070701", 6) != 0)
		return false;
	const char *h = image + *off;
	e->mode = (uint32_t)hex(h + 14);
	e->uid = (uint32_t)hex(h + 22);
	e->gid = (uint32_t)hex(h + 30);
	e->mtime = (int64_t)hex(h + 46);
	e->size = hex(h + 54);
	size_t namesize = hex(h + 94), name_at = *off + 110;
	size_t data_at = ((name_at + namesize + 3) & ~3UL);
	if (namesize == 0 || data_at > image_len || e->size > image_len - data_at || image[name_at + namesize - 1])
		return false;
	e->name = image + name_at;
	e->data = image + data_at;
	*off = (data_at + e->size + 3) & ~3UL;
	*bad = false;
	return strcmp(e->name, "TRAILER!!!") != 0;
}

static long num(const char *s)
{
	long v = 0, sign = *s == '-' ? -1 : 1;
	for (s += sign < 0; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return v * sign;
}

static int parse_manifest(const struct cpio_entry *m, struct boot_config *cfg, char *err, size_t errlen)
{
	static char *argv[MAX_STRINGS], *envp[MAX_STRINGS];
	int argc = 0, envc = 0;
	char *s = kmalloc(m->size + 1);
	kassert(s);
	memcpy(s, m->data, m->size);
	s[m->size] = 0;
	for (char *p = s, *next; p < s + m->size; p = next) {
		next = p + strlen(p) + 1;
		char *eq = strchr(p, '=');
		if (!eq)
			continue;
		*eq = 0;
		char *v = eq + 1;
		if (strcmp(p, "arg") == 0 && argc < MAX_STRINGS - 1)
			argv[argc++] = v;
		else if (strcmp(p, "env") == 0 && envc < MAX_STRINGS - 1)
			envp[envc++] = v;
		else if (strcmp(p, "prog") == 0)
			cfg->program = v;
		else if (strcmp(p, "cwd") == 0)
			vm_info.cwd = v;
		else if (strcmp(p, "host") == 0)
			vm_info.hostname = v;
		else if (strcmp(p, "release") == 0)
			vm_info.release = v;
		else if (strcmp(p, "uid") == 0)
			vm_info.uid = vm_info.euid = (uid_t)num(v);
		else if (strcmp(p, "gid") == 0)
			vm_info.gid = vm_info.egid = (gid_t)num(v);
		else if (strcmp(p, "pid") == 0)
			vm_info.pid = (pid_t)num(v);
		else if (strcmp(p, "ppid") == 0)
			vm_info.ppid = (pid_t)num(v);
		else if (strcmp(p, "pgid") == 0)
			vm_info.pgid = (pid_t)num(v);
		else if (strcmp(p, "sid") == 0)
			vm_info.sid = (pid_t)num(v);
		else if (strcmp(p, "time") == 0)
			vm_info.stack_cur = (uint64_t)num(v); /* parked here until time_init */
		else if (strcmp(p, "seed") == 0)
			vm_random_seed((uint64_t)num(v));
		else if (strcmp(p, "preload") == 0)
			cfg->preload = v;
		else if (strcmp(p, "test-panic") == 0)
			vm_test_panic = true;
		else if (strcmp(p, "strace") == 0) /* "stderr" or "file": COM2 or COM4 */
			cfg->trace.strace_fd = strcmp(v, "file") == 0 ? VM_H_TRACE : 2;
		else if (strcmp(p, "stats") == 0) /* the host's path, for messages: the launcher writes it */
			cfg->trace.stats_path = v, cfg->trace.stats_write = vm_stats_write;
	}
	cfg->argv = argv;
	cfg->envp = envp;
	if (!cfg->program || !argc) {
		ksnprintf(err, errlen, "the initrd's boot manifest names no program");
		return 2;
	}
	return 0;
}

/* Finds the initrd and reads its manifest into cfg and the machine facts. */
int initrd_config(const struct hvm_start_info *si, struct boot_config *cfg, char *err, size_t errlen)
{
	cfg->program = "(none)";
	if (si->nr_modules < 1) {
		ksnprintf(err, errlen, "no initrd (the launcher passes one with -initrd)");
		return 2;
	}
	const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
	image = phys_to_virt(mod->paddr);
	image_len = mod->size;
	cfg->program = NULL;
	size_t off = 0;
	struct cpio_entry e;
	bool bad;
	int st = -1;
	while (next_entry(&off, &e, &bad)) {
		if (strcmp(e.name, ".elfin/stdin") == 0) { /* kept: the initrd is given back later */
			char *copy = kmalloc(e.size + 1);
			kassert(copy);
			memcpy(copy, e.data, e.size);
			vm_stdin = copy;
			vm_stdin_len = e.size;
		} else if (strcmp(e.name, MANIFEST) == 0) {
			st = parse_manifest(&e, cfg, err, errlen);
		}
	}
	if (st >= 0 && !bad)
		return st;
	if (!cfg->program)
		cfg->program = "(none)";
	if (bad)
		ksnprintf(err, errlen, "the initrd is not a valid newc cpio archive (truncated or malformed at byte %lu)",
			  (unsigned long)off);
	else if (st < 0)
		ksnprintf(err, errlen, "the initrd has no boot manifest (%s)", MANIFEST);
	return 2;
}

static long add_file(struct lookup *lk, const struct cpio_entry *e)
{
	struct file *f;
	long r = vfs_open(lk, O_CREAT | O_WRONLY | O_TRUNC, e->mode & 07777, &f);
	if (r < 0)
		return r;
	struct kthread *t = current();
	t->kernel_access = true;
	for (size_t done = 0; done < e->size && r >= 0; done += (size_t)r)
		r = f->ops->write(f, e->data + done, e->size - done);
	t->kernel_access = false;
	file_put(f);
	return r < 0 ? r : 0;
}

/* The host file's owner and modification time (also its access time). */
static long set_owner(const struct cpio_entry *e)
{
	static struct lookup lk;
	static char path[PATH_MAX];
	ksnprintf(path, sizeof path, "/%s", e->name);
	struct kattr a = {.valid = KATTR_UID | KATTR_GID | KATTR_MTIME | KATTR_ATIME, .uid = e->uid, .gid = e->gid,
			  .atime = {e->mtime, 0}, .mtime = {e->mtime, 0}};
	long r = vfs_resolve(AT_FDCWD, path, &lk);
	return r < 0 ? r : vfs_setattr(&lk, &a, false);
}

static long add_entry(const struct cpio_entry *e)
{
	static struct lookup lk;
	static char path[PATH_MAX], target[PATH_MAX];
	if (ksnprintf(path, sizeof path, "/%s", e->name) >= (int)sizeof path)
		return -ENAMETOOLONG;
	long r = vfs_resolve(AT_FDCWD, path, &lk);
	if (r < 0)
		return r;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		r = vfs_mkdir(&lk, e->mode & 07777);
		return r == -EEXIST ? 0 : r < 0 ? r : set_owner(e);
	case S_IFREG:
		r = add_file(&lk, e);
		return r < 0 ? r : set_owner(e);
	case S_IFLNK:
		if (e->size >= sizeof target)
			return -ENAMETOOLONG;
		memcpy(target, e->data, e->size);
		target[e->size] = 0;
		return vfs_symlink(&lk, target);
	case S_IFIFO:
		r = vfs_mknod(&lk, e->mode & (S_IFMT | 07777));
		return r < 0 ? r : set_owner(e);
	default:
		return 0; /* devices and sockets: /dev is the kernel's own, a socket's name needs its socket */
	}
}

/* Fills the tmpfs root from the initrd (kernel_boot's fill_root). */
int initrd_unpack(char *err, size_t errlen)
{
	size_t off = 0;
	struct cpio_entry e;
	bool bad;
	while (next_entry(&off, &e, &bad)) {
		if (strcmp(e.name, ".") == 0 || str_starts(e.name, ".elfin/") || strcmp(e.name, ".elfin") == 0)
			continue;
		long r = add_entry(&e);
		if (r < 0) {
			ksnprintf(err, errlen, "initrd: %s: %s", e.name, errno_text(-r));
			return 2;
		}
		/* what lies before the next entry is in the tmpfs now: its pages go back */
		uint64_t base = (uintptr_t)image - DMAP_BASE;
		pmem_release(base, PAGE_DOWN(base + off));
	}
	if (bad) {
		ksnprintf(err, errlen, "the initrd is truncated or malformed at byte %lu", (unsigned long)off);
		return 2;
	}
	pmem_release((uintptr_t)image - DMAP_BASE, (uintptr_t)image - DMAP_BASE + image_len);
	return 0;
}
