/* `elfin run --vm`, part one: the initrd. A newc cpio written into a memfd: the boot
 * manifest, the program with its interpreter and shared libraries (found as ld.so finds
 * them: RPATH, RUNPATH, /etc/ld.so.cache, the standard directories), the files named with
 * --file and the /etc files common programs read. Every path is packed with the symbolic
 * links on its way, so the guest sees the host's layout. */
#include "plat/process/host.h"
#include "plat/process/vm.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "kernel/fs/vfs.h"

#define MAX_PACKED 4096
#define MAX_FILE_SIZE (1UL << 30)

struct hstat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	uint64_t rest[9]; /* Linux struct stat: 144 bytes */
};
struct pack {
	int fd;
	uint64_t off;
	char *done[MAX_PACKED];
	int ndone;
	struct vm_options *o;
	const struct hstat *owner; /* the host file being packed: its owner and times */
	char *cache;   /* /etc/ld.so.cache */
	size_t cache_len;
};


/* out = the first n bytes of a, then b (the kernel's printf has no %.*s). */
static void join(char *out, size_t outlen, const char *a, size_t n, const char *b)
{
	n = MIN(n, outlen - 1);
	memcpy(out, a, n);
	strlcpy(out + n, b, outlen - n);
}

static void put(struct pack *p, const void *buf, size_t len)
{
	while (len) {
		long n = HOST3(H_write, p->fd, buf, len);
		if (n <= 0)
			return;
		buf = (const char *)buf + n;
		len -= (size_t)n;
		p->off += (uint64_t)n;
	}
}

static void pad4(struct pack *p)
{
	static const char zero[4];
	put(p, zero, (4 - (p->off & 3)) & 3);
}

/* One newc entry; the data follows from the caller (len bytes) and then pad4. */
static void header(struct pack *p, const char *name, uint32_t mode, uint64_t len)
{
	static uint32_t ino = 1;
	char h[111];
	size_t nl = strlen(name) + 1;
	const struct hstat *o = p->owner;
	ksnprintf(h, sizeof h, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", ino++, mode,
		  o ? o->uid : 0, o ? o->gid : 0, 1, o ? (uint32_t)o->rest[2] : 0, (uint32_t)len, 0, 0, 0, 0,
		  (uint32_t)nl, 0);
	put(p, h, 110);
	put(p, name, nl);
	pad4(p);
}

static void entry(struct pack *p, const char *name, uint32_t mode, const void *data, size_t len)
{
	header(p, name, mode, len);
	put(p, data, len);
	pad4(p);
}

/* The whole of a host file in the kernel heap (NULL if unreadable). */
static char *slurp(const char *path, size_t *len)
{
	struct hstat st;
	long fd = HOST4(H_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (HOST4(H_newfstatat, fd, "", &st, AT_EMPTY_PATH) == 0 && (uint64_t)st.size <= MAX_FILE_SIZE)
		buf = kmalloc((size_t)st.size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.size) {
		long n = HOST3(H_read, fd, buf + got, (size_t)st.size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	HOST1(H_close, fd);
	if (buf) {
		buf[got] = 0;
		*len = got;
	}
	return buf;
}

static bool seen(struct pack *p, const char *path)
{
	for (int i = 0; i < p->ndone; i++)
		if (strcmp(p->done[i], path) == 0)
			return true;
	if (p->ndone < MAX_PACKED)
		p->done[p->ndone++] = kstrdup(path);
	return false;
}

static long add_path(struct pack *p, const char *host, const char *guest);

/* A symbolic link at guest (from host), and what it points to, resolved on the host. */
static long add_link(struct pack *p, const char *host, const char *guest)
{
	char target[4096], next[4096];
	long n = HOST4(H_readlinkat, AT_FDCWD, host, target, sizeof target - 1);
	if (n < 0)
		return n;
	target[n] = 0;
	entry(p, guest + 1, 0120777, target, (size_t)n);
	p->owner = NULL;
	const char *slash = strrchr(host, '/');
	if (target[0] == '/')
		strlcpy(next, target, sizeof next);
	else
		join(next, sizeof next, host, (size_t)(slash - host) + 1, target);
	char norm[4096];
	if (path_normalize("/", next, norm, sizeof norm) < 0)
		return -ENAMETOOLONG;
	return strcmp(host, guest) == 0 ? add_path(p, norm, norm) : 0;
}

static long add_file(struct pack *p, const char *host, const char *guest, uint32_t mode)
{
	size_t len;
	char *data = slurp(host, &len);
	if (!data)
		return -EACCES;
	entry(p, guest + 1, mode, data, len);
	kfree(data);
	return 0;
}

/* Packs the directories above guest (each as the host has it: a directory or a link). */
static long add_parents(struct pack *p, const char *guest, bool same)
{
	char dir[4096];
	for (const char *s = strchr(guest + 1, '/'); s; s = strchr(s + 1, '/')) {
		size_t n = (size_t)(s - guest);
		memcpy(dir, guest, n);
		dir[n] = 0;
		long r = same ? add_path(p, dir, dir) : 0;
		if (!same && !seen(p, dir))
			entry(p, dir + 1, 040755, NULL, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Packs host path host at guest path guest (both absolute and normalized). */
static long add_path(struct pack *p, const char *host, const char *guest)
{
	if (strcmp(guest, "/") == 0 || seen(p, guest))
		return 0;
	long r = add_parents(p, guest, strcmp(host, guest) == 0);
	struct hstat st;
	if (r == 0)
		r = HOST4(H_newfstatat, AT_FDCWD, host, &st, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return r;
	p->owner = &st;
	if (S_ISLNK(st.mode))
		r = add_link(p, host, guest);
	else if (S_ISDIR(st.mode))
		entry(p, guest + 1, st.mode, NULL, 0);
	else if (S_ISREG(st.mode))
		r = add_file(p, host, guest, st.mode);
	else if (S_ISFIFO(st.mode)) /* a FIFO in the guest's tmpfs: nothing to read from the host's */
		entry(p, guest + 1, st.mode, NULL, 0);
	p->owner = NULL;
	return r;
}

/* A --file: a file, or a directory with everything below it. */
static long add_tree(struct pack *p, const char *host, const char *guest, int depth)
{
	long r = add_path(p, host, guest);
	struct hstat st;
	if (r < 0 || depth > 32 || HOST4(H_newfstatat, AT_FDCWD, host, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.mode))
		return r;
	long fd = HOST4(H_openat, AT_FDCWD, host, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	char *buf = kmalloc(16384), *h = kmalloc(2 * 4096), *g = h + 4096;
	long n = buf && h ? 1 : -ENOMEM;
	while (n > 0 && (n = HOST3(H_getdents64, fd, buf, 16384)) > 0) {
		for (long at = 0; at < n && r >= 0;) {
			const char *name = buf + at + 19;
			at += *(uint16_t *)(buf + at + 16);
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			ksnprintf(h, 4096, "%s/%s", host, name);
			ksnprintf(g, 4096, "%s/%s", guest, name);
			r = add_tree(p, h, g, depth + 1);
		}
	}
	kfree(buf);
	kfree(h);
	HOST1(H_close, fd);
	return r < 0 ? r : n;
}

/* The dependencies of an ELF file. */
struct elf_deps {
	char interp[256];
	const char *needed[64];
	int nneeded;
	const char *rpath, *runpath;
	char *buf;
};

static const char *elf_string(const char *buf, size_t len, const uint64_t *ph, int phnum, uint64_t strtab, uint64_t off)
{
	for (int i = 0; i < phnum; i++) {
		const uint64_t *h = ph + i * 7; /* p_type|p_flags, offset, vaddr, paddr, filesz, memsz, align */
		if ((uint32_t)h[0] == 1 && strtab >= h[2] && strtab < h[2] + h[4]) {
			uint64_t at = strtab - h[2] + h[1] + off;
			return at < len ? buf + at : NULL;
		}
	}
	return NULL;
}

/* Reads PT_INTERP and the dynamic section's DT_NEEDED, DT_RPATH and DT_RUNPATH. */
static long elf_deps(const char *path, struct elf_deps *d)
{
	size_t len;
	memset(d, 0, sizeof *d);
	char *buf = d->buf = slurp(path, &len);
	if (!buf)
		return -EACCES;
	if (len < 64 || memcmp(buf, "\177ELF\2\1", 6) != 0)
		return -ENOEXEC;
	uint64_t phoff = *(uint64_t *)(buf + 32);
	int phnum = *(uint16_t *)(buf + 56);
	if (phoff > len || (uint64_t)phnum * 56 > len - phoff)
		return -ENOEXEC;
	const uint64_t *ph = (const uint64_t *)(buf + phoff);
	uint64_t dyn = 0, dynsz = 0;
	for (int i = 0; i < phnum; i++) {
		const uint64_t *h = ph + i * 7;
		if ((uint32_t)h[0] == 3 && h[1] + h[4] <= len) /* PT_INTERP */
			strlcpy(d->interp, buf + h[1], MIN(sizeof d->interp, (size_t)h[4] + 1));
		if ((uint32_t)h[0] == 2 && h[1] + h[4] <= len) { /* PT_DYNAMIC */
			dyn = h[1];
			dynsz = h[4];
		}
	}
	const uint64_t *dt = (const uint64_t *)(buf + dyn);
	uint64_t strtab = 0;
	for (uint64_t i = 0; dyn && i < dynsz / 16 && dt[2 * i]; i++)
		if (dt[2 * i] == 5)
			strtab = dt[2 * i + 1];
	for (uint64_t i = 0; dyn && strtab && i < dynsz / 16 && dt[2 * i]; i++) {
		const char *s = elf_string(buf, len, ph, phnum, strtab, dt[2 * i + 1]);
		if (!s)
			continue;
		if (dt[2 * i] == 1 && d->nneeded < 64)
			d->needed[d->nneeded++] = s;
		else if (dt[2 * i] == 15)
			d->rpath = s;
		else if (dt[2 * i] == 29)
			d->runpath = s;
	}
	return 0;
}

static bool try_dir(const char *dir, size_t dlen, const char *name, const char *origin, char *out, size_t outlen)
{
	char d[4096], rest[4096];
	if (dlen >= 7 && memcmp(dir, "$ORIGIN", 7) == 0) {
		join(rest, sizeof rest, dir + 7, dlen - 7, "");
		join(d, sizeof d, origin, strlen(origin), rest);
	} else {
		join(d, sizeof d, dir, dlen, "");
	}
	ksnprintf(out, outlen, "%s/%s", d, name);
	return HOST3(H_faccessat, AT_FDCWD, out, R_OK) == 0;
}

static bool search_list(const char *list, const char *name, const char *origin, char *out, size_t outlen)
{
	while (list && *list) {
		const char *end = strchr(list, ':');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		if (n && try_dir(list, n, name, origin, out, outlen))
			return true;
		list += n + (end ? 1 : 0);
	}
	return false;
}

/* glibc's cache, new format ("glibc-ld.so.cache1.1"): entries of flags, key, value. */
static bool search_cache(struct pack *p, const char *name, char *out, size_t outlen)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	if (!p->cache)
		return false;
	size_t base = 0;
	while (base + 48 <= p->cache_len && memcmp(p->cache + base, magic, sizeof magic - 1) != 0)
		base += 4;
	if (base + 48 > p->cache_len)
		return false;
	uint32_t n = *(uint32_t *)(p->cache + base + 20);
	for (uint32_t i = 0; i < n && base + 48 + (i + 1) * 24 <= p->cache_len; i++) {
		const uint32_t *e = (const uint32_t *)(p->cache + base + 48 + i * 24);
		if ((e[0] & 0xffff) != 0x0303 || e[1] >= p->cache_len || e[2] >= p->cache_len)
			continue; /* x86-64 libc6 objects only */
		if (strcmp(p->cache + base + e[1], name) == 0) {
			strlcpy(out, p->cache + base + e[2], outlen);
			return true;
		}
	}
	return false;
}

static const char std_dirs[] = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib:"
			       "/usr/local/lib:/usr/lib/x86_64-linux-musl";

static long add_elf(struct pack *p, const char *path, int depth);

static bool strstr_simple(const char *s, const char *w)
{
	for (size_t n = strlen(w); *s; s++)
		if (strncmp(s, w, n) == 0)
			return true;
	return false;
}

static void add_needed(struct pack *p, const struct elf_deps *d, const char *path, int depth)
{
	char origin[4096], lib[4096];
	strlcpy(origin, path, sizeof origin);
	char *slash = strrchr(origin, '/');
	if (slash)
		*slash = 0;
	for (int i = 0; i < d->nneeded; i++) {
		const char *name = d->needed[i];
		bool found = strchr(name, '/') ? (strlcpy(lib, name, sizeof lib), true)
			     : (!d->runpath && search_list(d->rpath, name, origin, lib, sizeof lib)) ||
				       search_list(d->runpath, name, origin, lib, sizeof lib) ||
				       search_cache(p, name, lib, sizeof lib) ||
				       search_list(std_dirs, name, origin, lib, sizeof lib);
		if (found) /* not found: the guest's loader reports it, as natively */
			add_elf(p, lib, depth + 1);
	}
}

static long add_elf(struct pack *p, const char *path, int depth)
{
	char norm[4096];
	if (depth > 16 || path_normalize(p->o->cwd, path, norm, sizeof norm) < 0)
		return -ELOOP;
	bool again = false;
	for (int i = 0; i < p->ndone; i++)
		again |= strcmp(p->done[i], norm) == 0;
	long r = add_path(p, norm, norm);
	if (r < 0 || again)
		return r;
	struct elf_deps d;
	if (elf_deps(norm, &d) == 0) {
		if (d.interp[0])
			add_elf(p, d.interp, depth + 1);
		/* glibc loads libgcc_s at run time for unwinding (pthread_cancel, pthread_exit) */
		if (depth == 0 && strstr_simple(d.interp, "ld-linux") && d.nneeded < 64)
			d.needed[d.nneeded++] = "libgcc_s.so.1";
		add_needed(p, &d, norm, depth);
	}
	kfree(d.buf);
	return 0;
}

static void manifest(struct pack *p)
{
	struct vm_options *o = p->o;
	size_t cap = 1 << 16, len = 0;
	char *m = kmalloc(cap);
	static char num[64];
	for (int pass = 0; m; pass++) {
		const char *keys[] = {"prog", "cwd", "host", "release", "uid", "gid", "pid", "ppid", "pgid", "sid", "time", "seed"};
		const char *vals[ARRAY_SIZE(keys)] = {o->program, o->cwd, o->hostname, o->release};
		long nums[ARRAY_SIZE(keys)] = {0, 0, 0, 0, o->uid, o->gid, o->pid, o->ppid, o->pgid, o->sid, o->realtime, o->seed};
		len = 0;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			const char *v = vals[i] ? vals[i] : (ksnprintf(num, sizeof num, "%ld", nums[i]), num);
			if (strcmp(keys[i], "time") == 0) { /* fixed width: vm_stamp_time rewrites it */
				ksnprintf(num, sizeof num, VM_TIME_FMT, nums[i]);
				o->time_at = len + 5;
			}
			len += (size_t)ksnprintf(m + MIN(len, cap), cap - MIN(len, cap), "%s=%s", keys[i], v) + 1;
		}
		for (char *const *a = o->argv; *a; a++)
			len += (size_t)ksnprintf(m + MIN(len, cap), cap - MIN(len, cap), "arg=%s", *a) + 1;
		for (char *const *e = o->envp; *e; e++)
			len += (size_t)ksnprintf(m + MIN(len, cap), cap - MIN(len, cap), "env=%s", *e) + 1;
		if (len <= cap)
			break;
		kfree(m);
		m = kmalloc(cap = len + 8192); /* room for the optional keys below */
	}
	if (o->test_panic && len + 16 <= cap)
		len += (size_t)ksnprintf(m + len, cap - len, "test-panic=1") + 1;
	if (o->preload && len + strlen(o->preload) + 16 <= cap)
		len += (size_t)ksnprintf(m + len, cap - len, "preload=%s", o->preload) + 1;
	if (o->strace_fd >= 0 && len + 16 <= cap)
		len += (size_t)ksnprintf(m + len, cap - len, "strace=%s", o->strace_fd == 2 ? "stderr" : "file") + 1;
	if (o->stats_path && len + strlen(o->stats_path) + 16 <= cap)
		len += (size_t)ksnprintf(m + len, cap - len, "stats=%s", o->stats_path) + 1;
	entry(p, ".elfin", 040755, NULL, 0);
	header(p, ".elfin/boot", 0100644, len);
	o->time_at += p->off; /* where the manifest's data starts in the initrd */
	put(p, m, len);
	pad4(p);
	kfree(m);
}

static const char *const etc_files[] = {
	"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/hostname", "/etc/nsswitch.conf", "/etc/ld.so.cache",
	"/etc/localtime", "/etc/os-release", "/etc/ld-musl-x86_64.path",
};

/* Writes the initrd into fd; returns 0 or a one-line error in err. */
int vm_pack(struct vm_options *o, int fd, char *err, size_t errlen)
{
	static struct pack p;
	p.fd = fd;
	p.o = o;
	p.cache = slurp("/etc/ld.so.cache", &p.cache_len);
	manifest(&p);
	long r = add_elf(&p, o->program, 0);
	if (r < 0) {
		ksnprintf(err, errlen, "%s: cannot pack it (error %ld)", o->program, -r);
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_files); i++)
		add_path(&p, etc_files[i], etc_files[i]);
	if (o->preload)
		add_path(&p, o->preload, o->preload);
	for (int i = 0; i < o->nfiles; i++) {
		if (add_tree(&p, o->files[i].host, o->files[i].guest, 0) < 0) {
			ksnprintf(err, errlen, "--file %s: cannot read it", o->files[i].host);
			return 2;
		}
	}
	for (const char *r = o->recorded; r && *r; r += strlen(r) + 1)
		if (!str_starts(r, "/proc/") && !str_starts(r, "/dev/") && !str_starts(r, "/tmp/") &&
		    !str_starts(r, "/sys/"))
			add_path(&p, r, r); /* what is gone since the record run is just left out */
	add_path(&p, o->cwd, o->cwd);
	if (o->stdin_data)
		entry(&p, ".elfin/stdin", 0100644, o->stdin_data, o->stdin_len);
	entry(&p, "TRAILER!!!", 0, NULL, 0);
	return 0;
}
