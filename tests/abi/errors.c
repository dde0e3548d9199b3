/* errors.c: negative tests: each bad call must fail with exactly the errno Linux gives.
 * Bad pointers are in badptr.c, pipe errors in pipes.c. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

static void bad_fds(void)
{
	char c;

	expect("close(-1)", SYS(SYS_close, -1), EBADF);
	expect("read(999)", SYS(SYS_read, 999, &c, 1), EBADF);
	expect("fstat(-1)", SYS(SYS_fstat, -1, &(struct stat){0}), EBADF);
	expect("lseek(-1)", SYS(SYS_lseek, -1, 0, SEEK_SET), EBADF);
	expect("dup(12345)", SYS(SYS_dup, 12345), EBADF);
	expect("fcntl(77, F_GETFD)", SYS(SYS_fcntl, 77, F_GETFD), EBADF);
	int fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0);
	expect("write to O_RDONLY fd", SYS(SYS_write, fd, "x", 1), EBADF);
	CHECK(close(fd) == 0);
	expect("read closed fd", SYS(SYS_read, fd, &c, 1), EBADF);
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	expect("read from O_WRONLY fd", SYS(SYS_read, fd, &c, 1), EBADF);
	CHECK(close(fd) == 0);
}

static void bad_values(void)
{
	int fd = open("/dev/zero", O_RDONLY);

	CHECK(fd >= 0);
	expect("lseek whence 99", SYS(SYS_lseek, fd, 0, 99), EINVAL);
	expect("dup3 same fd", SYS(SYS_dup3, fd, fd, 0), EINVAL);
	expect("dup3 bad flags", SYS(SYS_dup3, fd, 30, 0x1234), EINVAL);
	expect("fcntl cmd 9999", SYS(SYS_fcntl, fd, 9999), EINVAL);
	expect("mmap length 0", SYS(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	expect("mmap neither shared nor private", SYS(SYS_mmap, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	expect("mmap unaligned offset", SYS(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	expect("munmap unaligned", SYS(SYS_munmap, 1, 4096), EINVAL);
	expect("madvise advice 12345", SYS(SYS_madvise, 0, 4096, 12345), EINVAL);
	expect("clock_gettime clock 999", SYS(SYS_clock_gettime, 999, &(struct timespec){0}), EINVAL);
	expect("rt_sigaction SIGKILL", SYS(SYS_rt_sigaction, SIGKILL, &(char[32]){0}, NULL, 8), EINVAL);
	expect("rt_sigprocmask how 99", SYS(SYS_rt_sigprocmask, 99, &(long){0}, NULL, 8), EINVAL);
	expect("getrandom bad flags", SYS(SYS_getrandom, &(char[8]){0}, 8, 0x100), EINVAL);
	CHECK(close(fd) == 0);
}

static void bad_paths(const char *dir)
{
	char path[400];
	char buf[16];

	expect("open missing", SYS(SYS_open, "/nonexistent-elfin/file", O_RDONLY), ENOENT);
	expect("open empty path", SYS(SYS_open, "", O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "%s/plain", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && close(fd) == 0);
	expect("O_CREAT|O_EXCL existing", SYS(SYS_open, path, O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	expect("mkdir existing", SYS(SYS_mkdir, dir, 0700), EEXIST);
	snprintf(path, sizeof(path), "%s/plain/below", dir);
	expect("open below a file", SYS(SYS_open, path, O_RDONLY), ENOTDIR);
	snprintf(path, sizeof(path), "%s/plain", dir);
	expect("O_DIRECTORY on a file", SYS(SYS_open, path, O_RDONLY | O_DIRECTORY), ENOTDIR);
	expect("rmdir a file", SYS(SYS_rmdir, path), ENOTDIR);
	expect("unlink a dir", SYS(SYS_unlink, dir), EISDIR);
	expect("rmdir non-empty", SYS(SYS_rmdir, dir), ENOTEMPTY);
	expect("open dir O_WRONLY", SYS(SYS_open, dir, O_WRONLY), EISDIR);
	fd = open(dir, O_RDONLY);
	CHECK(fd >= 0);
	expect("read a dir", SYS(SYS_read, fd, buf, sizeof(buf)), EISDIR);
	CHECK(close(fd) == 0);
	memset(path, 'n', 300);
	path[0] = '/';
	path[300] = 0;
	expect("component of 299 bytes", SYS(SYS_open, path, O_RDONLY), ENAMETOOLONG);
	expect("chdir to a file", SYS(SYS_chdir, "/etc/hostname"), ENOTDIR);
	expect("readlink a non-link", SYS(SYS_readlink, "/etc/hostname", buf, sizeof(buf)), EINVAL);
	snprintf(path, sizeof(path), "%s/plain", dir);
	CHECK(unlink(path) == 0);
}

int main(void)
{
	const char *dir = abi_tmpdir("errors");

	bad_fds();
	bad_values();
	bad_paths(dir);
	expect("syscall 500", SYS(500, 0, 0, 0), ENOSYS);
	expect("syscall 1000", SYS(1000, 0, 0, 0), ENOSYS);
	CHECK(rmdir(dir) == 0);
	if (*abi_mismatches()) {
		fprintf(stderr, "errors: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
