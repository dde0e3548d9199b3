/* The platform interface implemented with host system calls. */
#include "plat/plat.h"
#include "plat/process/host.h"
#include "plat/process/process.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/mman.h"
#include "kernel/proc/proc.h"

struct plat_process pp;

void plat_console_write(const char *buf, size_t len)
{
	while (len) {
		long n = HOST3(H_write, 2, buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

noreturn void plat_exit(int status)
{
	for (;;)
		HOST1(H_exit_group, status);
}

noreturn void plat_panic(void)
{
	plat_exit(ELFIN_EXIT_PANIC);
}

long plat_map(void *addr, size_t len, int prot, int flags, int hostfd, off_t off)
{
	int hf = (flags & PLAT_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE) | (hostfd < 0 ? MAP_ANONYMOUS : 0) |
		 (flags & PLAT_MAP_FIXED ? MAP_FIXED : 0) | (flags & PLAT_MAP_NOREPLACE ? MAP_FIXED_NOREPLACE : 0) |
		 (flags & PLAT_MAP_RESERVE ? MAP_NORESERVE : 0);
	return HOST6(H_mmap, addr, len, prot, hf, hostfd, off);
}

long plat_unmap(void *addr, size_t len)
{
	return HOST2(H_munmap, addr, len);
}

long plat_protect(void *addr, size_t len, int prot)
{
	return HOST3(H_mprotect, addr, len, prot);
}

long plat_remap(void *old, size_t oldlen, size_t newlen, int flags, void *newaddr)
{
	return HOST5(H_mremap, old, oldlen, newlen, flags, newaddr);
}

long plat_advise(void *addr, size_t len, int advice)
{
	return HOST3(H_madvise, addr, len, advice);
}

long plat_clock_gettime(int clk, int64_t *sec, int64_t *nsec)
{
	int64_t ts[2];
	long r = HOST2(H_clock_gettime, clk, ts);
	*sec = ts[0];
	*nsec = ts[1];
	return r;
}

long plat_clock_getres(int clk, int64_t *sec, int64_t *nsec)
{
	int64_t ts[2] = {0, 0};
	long r = HOST2(H_clock_getres, clk, ts);
	*sec = ts[0];
	*nsec = ts[1];
	return r;
}

long plat_random(void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		long n = HOST3(H_getrandom, (char *)buf + done, len - done, 0);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		done += n;
	}
	return (long)len;
}

struct open_how {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10

long plat_file_open(int dirh, const char *path, int flags, mode_t mode, int resolve)
{
	if (!resolve)
		return HOST4(H_openat, dirh, path, flags, mode);
	struct open_how how = {(uint64_t)(unsigned)flags, (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
			       RESOLVE_NO_MAGICLINKS |
				       (resolve & PLAT_RESOLVE_BENEATH ? RESOLVE_BENEATH : RESOLVE_IN_ROOT)};
	return HOST4(H_openat2, dirh, path, &how, sizeof how);
}

long plat_file_close(int h) { return HOST1(H_close, h); }
long plat_file_read(int h, void *buf, size_t len) { return HOST3(H_read, h, buf, len); }
long plat_file_write(int h, const void *buf, size_t len) { return HOST3(H_write, h, buf, len); }
long plat_file_pread(int h, void *buf, size_t len, off_t off) { return HOST4(H_pread64, h, buf, len, off); }
long plat_file_pwrite(int h, const void *buf, size_t len, off_t off) { return HOST4(H_pwrite64, h, buf, len, off); }
long plat_file_lseek(int h, off_t off, int whence) { return HOST3(H_lseek, h, off, whence); }
long plat_file_fstatat(int dirh, const char *path, void *st, int flags) { return HOST4(H_newfstatat, dirh, path, st, flags); }
long plat_file_statx(int dirh, const char *path, int flags, unsigned mask, void *stx) { return HOST5(H_statx, dirh, path, flags, mask, stx); }
long plat_file_fstatfs(int h, void *buf) { return HOST2(H_fstatfs, h, buf); }
long plat_file_getdents(int h, void *buf, size_t len) { return HOST3(H_getdents64, h, buf, len); }
long plat_file_readlinkat(int dirh, const char *path, char *buf, size_t len) { return HOST4(H_readlinkat, dirh, path, buf, len); }
long plat_file_faccessat(int dirh, const char *path, int mode) { return HOST3(H_faccessat, dirh, path, mode); }
long plat_file_mkdirat(int dirh, const char *path, mode_t mode) { return HOST3(H_mkdirat, dirh, path, mode); }
long plat_file_mknodat(int dirh, const char *path, mode_t mode, unsigned dev) { return HOST4(H_mknodat, dirh, path, mode, dev); }
long plat_file_unlinkat(int dirh, const char *path, int flags) { return HOST3(H_unlinkat, dirh, path, flags); }
long plat_file_renameat(int od, const char *old, int nd, const char *new) { return HOST4(H_renameat, od, old, nd, new); }
long plat_file_ftruncate(int h, off_t len) { return HOST2(H_ftruncate, h, len); }
long plat_file_fsync(int h, bool data_only) { return HOST1(data_only ? H_fdatasync : H_fsync, h); }
long plat_file_ioctl(int h, unsigned long req, void *arg) { return HOST3(H_ioctl, h, req, arg); }
long plat_file_fcntl(int h, int cmd, long arg) { return HOST3(H_fcntl, h, cmd, arg); }
long plat_file_dup(int h) { return HOST3(H_fcntl, h, F_DUPFD_CLOEXEC, 3); }
long plat_file_poll(struct plat_pollfd *p) { return HOST3(7 /* poll */, p, 1, 0); }

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

void plat_set_current(struct kthread *t)
{
	HOST2(H_arch_prctl, ARCH_SET_GS, t);
	if (!t->plat) /* the first thread: later ones come with their platform data */
		thread_init_main(t);
}

long plat_set_tls(uintptr_t base)
{
	return HOST2(H_arch_prctl, ARCH_SET_FS, base);
}

uintptr_t plat_get_tls(void)
{
	uintptr_t v = 0;
	HOST2(H_arch_prctl, ARCH_GET_FS, &v);
	return v;
}

long plat_rusage(bool thread, void *ru)
{
	return HOST2(98 /* getrusage */, thread ? 1 : 0, ru);
}

const struct plat_info *plat_info(void)
{
	return &pp.info;
}

unsigned long host_calls;

uint64_t plat_host_calls(void)
{
	return __atomic_load_n(&host_calls, __ATOMIC_RELAXED);
}

bool plat_is_kernel_range(uintptr_t addr, size_t len)
{
	for (int i = 0; i < pp.nkernel; i++)
		if (addr < pp.kernel[i].end && addr + len > pp.kernel[i].start)
			return true;
	return false;
}

#include "kernel/lib.h"

enum {
	H_msync = 26, H_fchmod = 91, H_prlimit64 = 302, H_linkat = 265, H_symlinkat = 266,
	H_fchmodat = 268, H_utimensat = 280, H_fallocate = 285, H_renameat2 = 316, H_memfd_create = 319,
};
#define MFD_CLOEXEC 1
#define RLIMIT_NOFILE 7

/* Every tmpfs file that is mapped or large holds a host fd: allow as many as the host lets. */
static long raise_fd_limit(void)
{
	uint64_t lim[2];
	long r = HOST4(H_prlimit64, 0, RLIMIT_NOFILE, NULL, lim);
	if (r < 0 || lim[0] == lim[1])
		return -EMFILE;
	lim[0] = lim[1];
	return HOST4(H_prlimit64, 0, RLIMIT_NOFILE, lim, NULL);
}

long plat_shm_create(size_t size)
{
	long h = HOST2(H_memfd_create, "elfin-tmpfs", MFD_CLOEXEC);
	if (h == -EMFILE && raise_fd_limit() == 0)
		h = HOST2(H_memfd_create, "elfin-tmpfs", MFD_CLOEXEC);
	if (h < 0 || !size)
		return h;
	long r = HOST2(H_ftruncate, h, size);
	if (r < 0) {
		HOST1(H_close, h);
		return r;
	}
	return h;
}

long plat_shm_resize(int h, size_t size) { return HOST2(H_ftruncate, h, size); }
void plat_shm_close(int h) { HOST1(H_close, h); }
long plat_msync(void *addr, size_t len, int flags) { return HOST3(H_msync, addr, len, flags); }

long plat_file_symlinkat(const char *target, int dirh, const char *path) { return HOST3(H_symlinkat, target, dirh, path); }
long plat_file_linkat(int od, const char *old, int nd, const char *new, int flags) { return HOST5(H_linkat, od, old, nd, new, flags); }
long plat_file_renameat2(int od, const char *old, int nd, const char *new, unsigned flags) { return HOST5(H_renameat2, od, old, nd, new, flags); }
long plat_file_fallocate(int h, int mode, off_t off, off_t len) { return HOST4(H_fallocate, h, mode, off, len); }

/* An O_PATH handle refuses fchmod; its /proc/self/fd link reaches the same inode. */
long plat_file_fchown(int h, uid_t uid, gid_t gid)
{
	return HOST5(260 /* fchownat */, h, "", uid, gid, AT_EMPTY_PATH);
}

long plat_file_fchmod(int h, mode_t mode)
{
	long r = HOST2(H_fchmod, h, mode);
	if (r == -EBADF) {
		char path[32];
		ksnprintf(path, sizeof path, "/proc/self/fd/%d", h);
		r = HOST4(H_fchmodat, AT_FDCWD, path, mode, 0);
	}
	return r;
}

long plat_file_reopen(int h, int flags)
{
	char path[32];
	ksnprintf(path, sizeof path, "/proc/self/fd/%d", h);
	return HOST4(H_openat, AT_FDCWD, path, flags | O_CLOEXEC | O_NOCTTY, 0);
}

long plat_file_utimens(int h, const void *times) { return HOST4(H_utimensat, h, "", times, AT_EMPTY_PATH); }
