/* tmpfs_more.c: on a /tmp tree: modes, times, renameat2 flags, O_TMPFILE, fallocate and
 * truncate, files that outlive their names, link counts, and the errors around them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

static unsigned mode_of(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st) == 0);
	return st.st_mode & 07777;
}

static void check_modes(void)
{
	abi_write_file("m", "x");
	CHECK(chmod("m", 0751) == 0);
	printf("chmod: %04o\n", mode_of("m"));
	CHECK(fchmodat(AT_FDCWD, "m", 04710, 0) == 0);
	printf("fchmodat with setuid: %04o\n", mode_of("m"));
	int fd = open("m", O_RDONLY);
	CHECK(fd >= 0 && fchmod(fd, 0604) == 0 && close(fd) == 0);
	printf("fchmod: %04o\n", mode_of("m"));
	CHECK(symlink("m", "m-link") == 0 && chmod("m-link", 0640) == 0);
	printf("chmod through a link changes the target: %04o\n", mode_of("m"));
	CHECK(mkdir("md", 0700) == 0 && chmod("md", 0755) == 0);
	printf("chmod a directory: %04o\n", mode_of("md"));
	expect("chmod a missing file", SYS(SYS_chmod, "missing", 0600), ENOENT);
	expect("fchmod a bad fd", SYS(SYS_fchmod, -1, 0600), EBADF);
	fd = open("m", O_PATH);
	CHECK(fd >= 0);
	expect("fchmod an O_PATH fd", SYS(SYS_fchmod, fd, 0600), EBADF);
	CHECK(close(fd) == 0 && unlink("m-link") == 0 && unlink("m") == 0 && rmdir("md") == 0);
}

static void print_times(const char *what, const char *path, int flags)
{
	struct stat st;

	CHECK(fstatat(AT_FDCWD, path, &st, flags) == 0);
	printf("%s: atime=%lld.%09ld mtime=%lld.%09ld\n", what, (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void check_times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 5 } };
	struct stat st, before;

	abi_write_file("t", "x");
	CHECK(utimensat(AT_FDCWD, "t", ts, 0) == 0);
	print_times("utimensat", "t", 0);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1200000000, 0 };
	CHECK(utimensat(AT_FDCWD, "t", ts, 0) == 0);
	print_times("UTIME_OMIT keeps atime", "t", 0);
	int fd = open("t", O_RDONLY);
	ts[0] = (struct timespec){ 1300000000, 42 };
	ts[1].tv_nsec = UTIME_OMIT;
	CHECK(fd >= 0 && futimens(fd, ts) == 0 && close(fd) == 0);
	print_times("futimens", "t", 0);
	struct timeval tv[2] = { { 1400000000, 7 }, { 1500000000, 999999 } };
	CHECK(utimes("t", tv) == 0);
	print_times("utimes", "t", 0);

	CHECK(stat("t", &before) == 0 && utimensat(AT_FDCWD, "t", NULL, 0) == 0 && stat("t", &st) == 0);
	printf("NULL times means now: %d\n", st.st_mtime > before.st_mtime && st.st_atime == st.st_mtime);

	CHECK(symlink("t", "t-link") == 0);
	ts[0] = (struct timespec){ 1600000000, 1 };
	ts[1] = (struct timespec){ 1600000000, 2 };
	CHECK(utimensat(AT_FDCWD, "t-link", ts, AT_SYMLINK_NOFOLLOW) == 0);
	print_times("AT_SYMLINK_NOFOLLOW sets the link's own times", "t-link", AT_SYMLINK_NOFOLLOW);
	CHECK(stat("t", &before) == 0);
	printf("and leaves the target's: %d\n", before.st_mtim.tv_sec == st.st_mtim.tv_sec &&
	       before.st_mtim.tv_nsec == st.st_mtim.tv_nsec);

	ts[0].tv_nsec = 1000000000;
	expect("utimensat with a bad nanosecond count", SYS(SYS_utimensat, AT_FDCWD, "t", ts, 0), EINVAL);
	expect("utimensat with bad flags", SYS(SYS_utimensat, AT_FDCWD, "t", NULL, 0x4), EINVAL);
	expect("utimensat a missing file", SYS(SYS_utimensat, AT_FDCWD, "missing", NULL, 0), ENOENT);
	CHECK(unlink("t-link") == 0 && unlink("t") == 0);
}

static void check_rename_flags(void)
{
	abi_write_file("a", "A");
	abi_write_file("b", "B");
	expect("RENAME_NOREPLACE over an existing name",
	       SYS(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
	CHECK(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE) == 0);
	printf("RENAME_NOREPLACE to a new name: c=%s\n", abi_contents("c"));
	CHECK(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "c", RENAME_EXCHANGE) == 0);
	printf("RENAME_EXCHANGE: b=%s c=%s\n", abi_contents("b"), abi_contents("c"));

	CHECK(mkdir("d", 0700) == 0);
	abi_write_file("d/inside", "I");
	CHECK(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "d", RENAME_EXCHANGE) == 0);
	printf("RENAME_EXCHANGE of a file and a directory: d=%s b/inside=%s\n", abi_contents("d"),
	       abi_contents("b/inside"));
	expect("RENAME_EXCHANGE with a missing name",
	       SYS(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "none", RENAME_EXCHANGE), ENOENT);
	expect("RENAME_NOREPLACE|RENAME_EXCHANGE",
	       SYS(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "d", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	expect("renameat2 unknown flags", SYS(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "d", 0x100), EINVAL);
	expect("rename a directory into itself", SYS(SYS_rename, "b", "b/sub"), EINVAL);
	expect("rename a file over a directory", SYS(SYS_rename, "c", "b"), EISDIR);
	expect("rename a directory over a file", SYS(SYS_rename, "b", "c"), ENOTDIR);
	CHECK(mkdir("e", 0700) == 0);
	expect("rename a directory over a non-empty one", SYS(SYS_rename, "e", "b"), ENOTEMPTY);
	CHECK(rename("b", "e") == 0);
	printf("rename a directory over an empty one: e/inside=%s\n", abi_contents("e/inside"));
	CHECK(link("c", "c2") == 0 && rename("c", "c2") == 0);
	printf("rename between two links of one file keeps both: %d\n",
	       access("c", F_OK) == 0 && access("c2", F_OK) == 0);
	CHECK(unlink("c") == 0 && unlink("c2") == 0 && unlink("d") == 0);
	CHECK(unlink("e/inside") == 0 && rmdir("e") == 0);
}

static void check_tmpfile(const char *dir)
{
	struct stat st;
	char path[128];

	int fd = open(".", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, "unnamed", 7) == 7);
	CHECK(fstat(fd, &st) == 0);
	printf("O_TMPFILE: regular=%d nlink=%lu size=%lld\n", S_ISREG(st.st_mode),
	       (unsigned long)st.st_nlink, (long long)st.st_size);
	CHECK(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH) == 0);
	CHECK(fstat(fd, &st) == 0 && close(fd) == 0);
	printf("linkat AT_EMPTY_PATH names it: nlink=%lu contents=%s\n", (unsigned long)st.st_nlink,
	       abi_contents("named"));
	CHECK(unlink("named") == 0);

	fd = open(dir, O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	CHECK(fd >= 0);
	expect("linkat of an O_TMPFILE|O_EXCL file",
	       SYS(SYS_linkat, fd, "", AT_FDCWD, "named", AT_EMPTY_PATH), ENOENT);
	CHECK(close(fd) == 0);
	expect("O_TMPFILE read-only", SYS(SYS_openat, AT_FDCWD, ".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	expect("O_TMPFILE with O_CREAT", SYS(SYS_openat, AT_FDCWD, ".", O_TMPFILE | O_CREAT | O_RDWR, 0600), EINVAL);
	expect("O_TMPFILE in a missing directory", SYS(SYS_openat, AT_FDCWD, "none", O_TMPFILE | O_RDWR, 0600), ENOENT);
	abi_write_file("f", "");
	snprintf(path, sizeof(path), "%s/f", dir);
	expect("O_TMPFILE on a file", SYS(SYS_openat, AT_FDCWD, path, O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	CHECK(unlink("f") == 0);
}

static int zeros(int fd, off_t off, size_t len)
{
	unsigned char buf[256];

	CHECK(len <= sizeof(buf) && pread(fd, buf, len, off) == (ssize_t)len);
	return all_bytes(buf, len, 0);
}

static void check_sizes(void)
{
	struct stat st;
	int fd = open("s", O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
	CHECK(fallocate(fd, 0, 0, 100) == 0 && fstat(fd, &st) == 0);
	printf("fallocate to 100: size=%lld, new bytes zero=%d\n", (long long)st.st_size, zeros(fd, 10, 90));
	CHECK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 5000) == 0 && fstat(fd, &st) == 0);
	printf("FALLOC_FL_KEEP_SIZE: size=%lld\n", (long long)st.st_size);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 3) == 0);
	char buf[10];
	CHECK(pread(fd, buf, 10, 0) == 10);
	printf("punched bytes 2-4: %d%d%d%d%d%d\n", buf[1] == '1', buf[2] == 0, buf[3] == 0, buf[4] == 0,
	       buf[5] == '5', fstat(fd, &st) == 0 && st.st_size == 100);
	expect("fallocate with a zero length", SYS(SYS_fallocate, fd, 0, 0L, 0L), EINVAL);
	expect("fallocate at a negative offset", SYS(SYS_fallocate, fd, 0, -1L, 10L), EINVAL);
	expect("fallocate PUNCH_HOLE without KEEP_SIZE", SYS(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0L, 10L), EOPNOTSUPP);

	CHECK(ftruncate(fd, 4) == 0 && ftruncate(fd, 300000) == 0 && fstat(fd, &st) == 0);
	printf("ftruncate down then up: size=%lld, kept=%d, zeros=%d\n", (long long)st.st_size,
	       pread(fd, buf, 4, 0) == 4 && memcmp(buf, "01\0\0", 4) == 0, zeros(fd, 4, 200) && zeros(fd, 299800, 200));
	CHECK(pwrite(fd, "end", 3, 299997) == 3 && ftruncate(fd, 3) == 0 && ftruncate(fd, 300000) == 0);
	printf("bytes cut off come back as zeros: %d\n", zeros(fd, 299800, 200));
	CHECK(close(fd) == 0);

	int ro = open("s", O_RDONLY);
	CHECK(ro >= 0);
	expect("fallocate on a read-only fd", SYS(SYS_fallocate, ro, 0, 0L, 10L), EBADF);
	expect("ftruncate on a read-only fd", SYS(SYS_ftruncate, ro, 10L), EINVAL);
	CHECK(close(ro) == 0);
	int p[2];
	CHECK(pipe(p) == 0);
	expect("fallocate on a pipe", SYS(SYS_fallocate, p[1], 0, 0L, 10L), ESPIPE);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	int d = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0);
	expect("fallocate on a directory fd", SYS(SYS_fallocate, d, 0, 0L, 10L), EBADF);
	CHECK(close(d) == 0 && unlink("s") == 0);
}

static void check_orphans(void)
{
	struct stat st;
	char buf[8];

	abi_write_file("o", "orphan");
	int fd = open("o", O_RDWR);
	CHECK(fd >= 0 && unlink("o") == 0 && fstat(fd, &st) == 0);
	printf("an open file outlives its last name: nlink=%lu\n", (unsigned long)st.st_nlink);
	char *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED && pwrite(fd, "O", 1, 0) == 1 && map[0] == 'O');
	map[1] = 'R';
	CHECK(pread(fd, buf, 6, 0) == 6 && memcmp(buf, "ORphan", 6) == 0);
	printf("and its shared map still works both ways\n");
	CHECK(munmap(map, 4096) == 0 && close(fd) == 0);
	expect("the name is gone", SYS(SYS_open, "o", O_RDONLY), ENOENT);

	CHECK(stat(".", &st) == 0);
	nlink_t parent = st.st_nlink;
	CHECK(mkdir("p", 0700) == 0 && mkdir("p/q", 0700) == 0 && stat("p", &st) == 0);
	printf("a directory with one subdirectory: nlink=%lu\n", (unsigned long)st.st_nlink);
	expect("rmdir a non-empty directory", SYS(SYS_rmdir, "p"), ENOTEMPTY);
	int dfd = open("p/q", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && rmdir("p/q") == 0 && fstat(dfd, &st) == 0);
	printf("a removed directory, still open: nlink=%lu\n", (unsigned long)st.st_nlink);
	expect("create in a removed directory", SYS(SYS_openat, dfd, "x", O_CREAT | O_RDWR, 0600), ENOENT);
	CHECK(close(dfd) == 0 && rmdir("p") == 0 && stat(".", &st) == 0);
	printf("the parent's link count is back: %d\n", st.st_nlink == parent);
}

static void check_errors(void)
{
	struct stat st;
	char buf[64];

	CHECK(mkdir("x", 0700) == 0);
	abi_write_file("x/f", "f");
	expect("mkdir over a directory", SYS(SYS_mkdir, "x", 0700), EEXIST);
	expect("mkdir over a file", SYS(SYS_mkdir, "x/f", 0700), EEXIST);
	expect("symlink over a directory", SYS(SYS_symlink, "t", "x"), EEXIST);
	expect("link over a file", SYS(SYS_link, "x/f", "x/f"), EEXIST);
	expect("symlink with an empty target", SYS(SYS_symlink, "", "empty"), ENOENT);
	expect("symlink in a missing directory", SYS(SYS_symlink, "t", "none/l"), ENOENT);
	expect("path through a file", SYS(SYS_stat, "x/f/g", &st), ENOTDIR);
	expect("file with a trailing slash", SYS(SYS_stat, "x/f/", &st), ENOTDIR);
	expect("link to a directory", SYS(SYS_link, "x", "x2"), EPERM);
	expect("link across file systems", SYS(SYS_link, "x/f", "/dev/shm/elfin-cross"), EXDEV);
	expect("rename across file systems", SYS(SYS_rename, "x/f", "/dev/shm/elfin-cross"), EXDEV);
	CHECK(symlink("/dev/shm", "shm") == 0);
	expect("link across file systems through a link", SYS(SYS_link, "x/f", "shm/elfin-cross"), EXDEV);

	CHECK(symlink("a1", "a2") == 0 && symlink("a2", "a1") == 0);
	expect("a loop in a directory position", SYS(SYS_stat, "a1/f", &st), ELOOP);
	expect("mkdir through a loop", SYS(SYS_mkdir, "a1/d", 0700), ELOOP);
	CHECK(lstat("a1", &st) == 0 && S_ISLNK(st.st_mode));
	expect("O_NOFOLLOW on a link to a directory", SYS(SYS_open, "shm", O_RDONLY | O_NOFOLLOW), ELOOP);
	int fd = open("shm", O_PATH | O_NOFOLLOW);
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	printf("O_PATH|O_NOFOLLOW opens the link itself: %d\n", S_ISLNK(st.st_mode));
	ssize_t n = readlinkat(fd, "", buf, sizeof(buf));
	printf("readlinkat on it with an empty path: %.*s\n", (int)(n > 0 ? n : 0), buf);
	CHECK(close(fd) == 0);
	expect("AT_SYMLINK_FOLLOW bad flag mix", SYS(SYS_linkat, AT_FDCWD, "x/f", AT_FDCWD, "y", 0x8000), EINVAL);

	/* A chain of 40 links resolves, the 41st does not. */
	for (int i = 1; i <= 41; i++) {
		char from[16], to[16];
		snprintf(from, sizeof(from), "c%d", i);
		snprintf(to, sizeof(to), i == 1 ? "x/f" : "c%d", i - 1);
		CHECK(symlink(to, from) == 0);
	}
	printf("40 links resolve: %d\n", stat("c40", &st) == 0);
	expect("41 links do not", SYS(SYS_stat, "c41", &st), ELOOP);
	for (int i = 1; i <= 41; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		CHECK(unlink(name) == 0);
	}

	/* ".." after a link leaves the directory the link led to. */
	CHECK(mkdir("x/deep", 0700) == 0 && symlink("x/deep", "deep-link") == 0);
	abi_write_file("x/g", "g");
	printf("deep-link/../g is x/g: %s\n", abi_contents("deep-link/../g"));
	CHECK(link("deep-link/../f", "hard-f") == 0);
	CHECK(linkat(AT_FDCWD, "shm", AT_FDCWD, "shm-hard", 0) == 0 && lstat("shm-hard", &st) == 0);
	printf("link to a symlink links the symlink: %d\n", S_ISLNK(st.st_mode));
	CHECK(symlink("x/f", "f-link") == 0 && linkat(AT_FDCWD, "f-link", AT_FDCWD, "f-hard", AT_SYMLINK_FOLLOW) == 0);
	CHECK(lstat("f-hard", &st) == 0);
	printf("AT_SYMLINK_FOLLOW links the target: regular=%d nlink=%lu\n", S_ISREG(st.st_mode),
	       (unsigned long)st.st_nlink);

	static const char *names[] = { "a1", "a2", "shm", "shm-hard", "deep-link", "hard-f", "f-link",
				       "f-hard", "x/f", "x/g" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(unlink(names[i]) == 0);
	CHECK(rmdir("x/deep") == 0 && rmdir("x") == 0);
}

static void check_cross_mount(void)
{
	char buf[64];

	CHECK(symlink("/dev/shm/elfin-tmpfs-more", "to-shm") == 0);
	int fd = open("to-shm", O_WRONLY | O_CREAT | O_EXCL, 0600);
	expect("O_CREAT|O_EXCL through a link", fd, EEXIST);
	fd = open("to-shm", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "via link", 8) == 8 && close(fd) == 0);
	printf("written through a link into /dev/shm: %s\n", abi_contents("/dev/shm/elfin-tmpfs-more"));
	CHECK(unlink("/dev/shm/elfin-tmpfs-more") == 0 && unlink("to-shm") == 0);

	CHECK(symlink("/etc/hostname", "host") == 0 && readlink("host", buf, sizeof(buf)) == 13);
	struct stat a, b;
	CHECK(stat("host", &a) == 0 && stat("/etc/hostname", &b) == 0);
	printf("a link into the host's tree reaches its file: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK(unlink("host") == 0);
}

int main(void)
{
	const char *dir = abi_tmpdir("tmpfs_more");

	umask(022);
	CHECK(chdir(dir) == 0);
	check_modes();
	check_times();
	check_rename_flags();
	check_tmpfile(dir);
	check_sizes();
	check_orphans();
	check_errors();
	check_cross_mount();
	CHECK(chdir("/") == 0 && rmdir(dir) == 0);
	if (*abi_mismatches()) {
		fprintf(stderr, "tmpfs_more: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
