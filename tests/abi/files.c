/* files.c: file descriptors, stat family, directories, cwd and access on a /tmp tree.
 * Hard links are in hardlinks.c, symbolic links in symlinks.c, /proc in proc.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

static const char *dir;

static void print_fl(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	CHECK(fl >= 0);
	/* Only these bits: Linux also reports O_LARGEFILE, which libc headers hide. */
	printf("F_GETFL: accmode=%d append=%d nonblock=%d\n",
	       fl & O_ACCMODE, !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
}

static void check_io(void)
{
	char buf[16];
	int fd, dfd;

	fd = open("data", O_WRONLY | O_CREAT | O_TRUNC, 0640);
	CHECK(fd >= 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	CHECK(fchmod(fd, 0640) == 0);	/* independent of the umask */
	CHECK(close(fd) == 0);

	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	fd = openat(dfd, "data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0);
	CHECK(pread(fd, buf, 3, 7) == 3 && memcmp(buf, "789", 3) == 0);
	CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "45", 2) == 0);	/* pread kept the offset */
	CHECK(read(fd, buf, sizeof(buf)) == 4);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	printf("open/openat/read/pread ok\n");
	/* Each whence, relative to where the reads left the offset (at the end, 10). */
	printf("lseek -3 SEEK_CUR: %ld\n", (long)lseek(fd, -3, SEEK_CUR));
	printf("lseek +2 SEEK_CUR: %ld\n", (long)lseek(fd, 2, SEEK_CUR));
	printf("lseek 0 SEEK_CUR: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	printf("lseek -4 SEEK_END: %ld\n", (long)lseek(fd, -4, SEEK_END));
	CHECK(read(fd, buf, 2) == 2);
	printf("read there: %.2s\n", buf);
	printf("lseek 3 SEEK_SET: %ld\n", (long)lseek(fd, 3, SEEK_SET));
	long before = (long)lseek(fd, -4, SEEK_CUR);
	printf("lseek -4 SEEK_CUR: %ld %s\n", before, abi_errname(errno));

	int afd = open("data", O_WRONLY | O_APPEND | O_NONBLOCK);
	CHECK(afd >= 0);
	print_fl(fd);
	print_fl(afd);
	CHECK(lseek(afd, 0, SEEK_SET) == 0);
	CHECK(write(afd, "AB", 2) == 2);	/* O_APPEND writes at the end anyway */
	CHECK(pread(fd, buf, 3, 9) == 3 && memcmp(buf, "9AB", 3) == 0);
	CHECK(close(afd) == 0 && close(fd) == 0 && close(dfd) == 0);
}

static void check_dup(void)
{
	char c;
	int fd = open("data", O_RDONLY);

	CHECK(fd >= 0);
	int d = dup(fd);
	CHECK(d > fd);
	CHECK(read(fd, &c, 1) == 1 && c == '0');
	CHECK(read(d, &c, 1) == 1 && c == '1');	/* dup shares the offset */
	CHECK(dup2(fd, 40) == 40);
	CHECK(dup2(40, 40) == 40);
	CHECK(dup3(fd, 41, O_CLOEXEC) == 41);
	printf("FD_CLOEXEC: dup=%d dup2=%d dup3=%d\n",
	       fcntl(d, F_GETFD), fcntl(40, F_GETFD), fcntl(41, F_GETFD));
	CHECK(fcntl(40, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(fcntl(41, F_SETFD, 0) == 0);
	printf("FD_CLOEXEC after F_SETFD: %d %d\n", fcntl(40, F_GETFD), fcntl(41, F_GETFD));
	int c50 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	printf("F_DUPFD_CLOEXEC: fd=%d cloexec=%d\n", c50, fcntl(c50, F_GETFD));
	int c60 = fcntl(fd, F_DUPFD, 60);
	printf("F_DUPFD: fd=%d cloexec=%d\n", c60, fcntl(c60, F_GETFD));
	CHECK(read(c60, &c, 1) == 1 && c == '2');
	CHECK(close(c60) == 0 && close(c50) == 0 && close(41) == 0 && close(40) == 0);
	CHECK(close(d) == 0 && close(fd) == 0);
	CHECK(fcntl(40, F_GETFD) == -1 && errno == EBADF);
}

static void print_stat(const char *what, const struct stat *st)
{
	const char *type = S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir"
			 : S_ISLNK(st->st_mode) ? "symlink" : "other";

	printf("%s: %s mode=%04o size=%lld nlink=%lu\n", what, type,
	       (unsigned)(st->st_mode & 07777),
	       S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size,	/* dir sizes differ by fs */
	       S_ISDIR(st->st_mode) ? 0UL : (unsigned long)st->st_nlink);
}

static void check_stat(void)
{
	struct stat st, st2;
	int fd;

	CHECK(stat("data", &st) == 0);
	print_stat("stat data", &st);
	/* Its 12 bytes take one page of a tmpfs or one block of a disk: never fewer sectors. */
	printf("st_blocks covers a 4 KiB block: %d\n", st.st_blocks >= 8 && st.st_blocks % 8 == 0);

	fd = open("data", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st2) == 0);
	CHECK(st2.st_ino == st.st_ino && st2.st_size == st.st_size);
	CHECK(fstatat(fd, "", &st2, AT_EMPTY_PATH) == 0);
	print_stat("fstatat AT_EMPTY_PATH", &st2);
	CHECK(close(fd) == 0);
	CHECK(fstatat(AT_FDCWD, "data", &st2, AT_SYMLINK_NOFOLLOW) == 0);
	print_stat("fstatat NOFOLLOW data", &st2);
	CHECK(stat(dir, &st) == 0);
	print_stat("stat dir", &st);
	CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/etc/hostname", &st) == 0 && S_ISREG(st.st_mode));
	printf("stat / and /etc/hostname ok\n");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_readdir(void)
{
	char *names[64];
	int n = 0;
	struct dirent *e;

	CHECK(mkdir("sub", 0755) == 0);
	for (int i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "sub/entry-%02d", (i * 7) % 20);
		int fd = open(name, O_CREAT | O_WRONLY, 0600);
		CHECK(fd >= 0 && close(fd) == 0);
	}
	CHECK(mkdir("sub/nested", 0755) == 0);
	DIR *d = opendir("sub");
	CHECK(d != NULL);
	while ((errno = 0, e = readdir(d)) != NULL) {
		CHECK(n < 64);
		char *s = malloc(300);
		CHECK(s != NULL);
		snprintf(s, 300, "%s:%s", e->d_name,
			 e->d_type == DT_DIR ? "dir" : e->d_type == DT_REG ? "reg" : "other");
		names[n++] = s;
	}
	CHECK(errno == 0);
	CHECK(closedir(d) == 0);
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("readdir sub: %d entries:", n);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
	for (int i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "sub/entry-%02d", i);
		CHECK(unlink(name) == 0);
	}
	CHECK(rmdir("sub/nested") == 0 && rmdir("sub") == 0);
}

static void check_cwd_access(void)
{
	char cwd[PATH_MAX];

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	printf("getcwd is the temp dir: %d\n", strcmp(cwd, dir) == 0);
	/* libc hides it: the system call's result is the length with the terminating NUL. */
	long n = syscall(SYS_getcwd, cwd, sizeof(cwd));
	printf("getcwd's system call returns strlen + 1: %d\n", n == (long)strlen(cwd) + 1);
	CHECK(chdir("/") == 0);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	printf("getcwd after chdir /: %s\n", cwd);
	CHECK(chdir(dir) == 0);
	printf("access data R_OK|W_OK: %d\n", access("data", R_OK | W_OK));
	int r = access("missing", F_OK);
	printf("access missing: %d %s\n", r, abi_errname(errno));
	printf("access /etc/hostname R_OK: %d\n", access("/etc/hostname", R_OK));
}

/* umask returns the mask it replaces, and the mask applies to every way of making a file. */
static void check_umask(void)
{
	struct stat st;
	mode_t first = umask(027);
	mode_t second = umask(077);
	mode_t third = umask(first);
	printf("umask returns the old mask: %d %03o %03o\n", second == 027, (unsigned)second,
	       (unsigned)third);
	umask(027);
	int fd = open("masked", O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && close(fd) == 0);
	printf("open 0666 under 027: %03o\n", (unsigned)(st.st_mode & 07777));
	CHECK(mkdir("masked-dir", 0777) == 0 && stat("masked-dir", &st) == 0);
	printf("mkdir 0777 under 027: %03o\n", (unsigned)(st.st_mode & 07777));
	CHECK(unlink("masked") == 0 && rmdir("masked-dir") == 0);
	umask(first);
}

/* chmod through /proc/self/fd/N changes the open file itself, an O_PATH one too: glibc's
 * lchmod and fchmodat(AT_SYMLINK_NOFOLLOW) are built on it. */
static void check_chmod_fd_link(void)
{
	struct stat st;
	char link[64];
	int p = open("data", O_PATH | O_NOFOLLOW);
	CHECK(p >= 0);
	snprintf(link, sizeof link, "/proc/self/fd/%d", p);
	int r = chmod(link, 0604);
	CHECK(stat("data", &st) == 0);
	printf("chmod /proc/self/fd/N of an O_PATH fd: %d, mode %03o\n", r, (unsigned)(st.st_mode & 0777));
	r = fchmodat(AT_FDCWD, "data", 0640, AT_SYMLINK_NOFOLLOW);
	CHECK(stat("data", &st) == 0);
	printf("fchmodat AT_SYMLINK_NOFOLLOW: %d, mode %03o\n", r, (unsigned)(st.st_mode & 0777));
	CHECK(close(p) == 0);
}

/* A last component ".", ".." or none names no entry: the calls that make, remove or rename one
 * refuse it, each with Linux's errno, after the errors of the directory's own lookup. */
static void check_dot_names(void)
{
	CHECK(mkdir("d", 0700) == 0 && mkdir("d2", 0700) == 0);
	abi_expect("mkdir d/.", SYS(SYS_mkdir, "d/.", 0700), EEXIST);
	abi_expect("mkdir missing/.", SYS(SYS_mkdir, "missing/.", 0700), ENOENT);
	abi_expect("mkdir data/.", SYS(SYS_mkdir, "data/.", 0700), ENOTDIR);
	abi_expect("rmdir d/.", SYS(SYS_rmdir, "d/."), EINVAL);
	abi_expect("rmdir d/.//", SYS(SYS_rmdir, "d/.//"), EINVAL);
	abi_expect("rmdir d/..", SYS(SYS_rmdir, "d/.."), ENOTEMPTY);
	abi_expect("unlink d/.", SYS(SYS_unlink, "d/."), EISDIR);
	abi_expect("unlinkat d/. AT_REMOVEDIR", SYS(SYS_unlinkat, AT_FDCWD, "d/.", AT_REMOVEDIR), EINVAL);
	abi_expect("rename d2 d/.", SYS(SYS_rename, "d2", "d/."), EBUSY);
	abi_expect("rename d/. e", SYS(SYS_rename, "d/.", "e"), EBUSY);
	abi_expect("rename missing/. e", SYS(SYS_rename, "missing/.", "e"), ENOENT);
	abi_expect("link data d/.", SYS(SYS_link, "data", "d/."), EEXIST);
	abi_expect("symlink x d/.", SYS(SYS_symlink, "x", "d/."), EEXIST);
	struct stat st;
	printf("after them d and d2 are still directories: %d\n",
	       stat("d", &st) == 0 && S_ISDIR(st.st_mode) && stat("d2", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(rmdir("d") == 0 && rmdir("d2") == 0);
}

static void cleanup(void)
{
	CHECK(unlink("data") == 0);
	CHECK(chdir("/") == 0);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	dir = abi_tmpdir("files");
	CHECK(chdir(dir) == 0);
	check_io();
	check_dup();
	check_stat();
	check_readdir();
	check_cwd_access();
	check_umask();
	check_dot_names();
	check_chmod_fd_link();
	cleanup();
	return 0;
}
