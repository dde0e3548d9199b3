/* hostlinks.c: links, modes and times in a host directory the program may write (elfin runs
 * it with --rw on its working directory), and links that lead out of that directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

static void check_links(void)
{
	struct stat st, st2;
	char buf[4096];

	abi_write_file("data", "host data");
	CHECK(symlink("data", "link") == 0 && lstat("link", &st) == 0 && S_ISLNK(st.st_mode));
	ssize_t n = readlink("link", buf, sizeof(buf));
	printf("symlink in a granted directory: %.*s -> %s\n", (int)n, buf, abi_contents("link"));
	CHECK(link("data", "hard") == 0 && stat("hard", &st) == 0 && stat("data", &st2) == 0);
	printf("hard link: same inode %d, nlink %lu\n", st.st_ino == st2.st_ino, (unsigned long)st.st_nlink);
	CHECK(mkdir("sub", 0700) == 0 && symlink("../data", "sub/up") == 0);
	printf("relative target with ..: %s\n", abi_contents("sub/up"));
	CHECK(symlink("sub", "sub-link") == 0 && symlink("nowhere", "sub/dangling") == 0);
	CHECK(chdir("sub-link") == 0 && getcwd(buf, sizeof(buf)) && chdir("..") == 0);
	printf("getcwd after chdir through a link ends in /sub: %d\n", strcmp(buf + strlen(buf) - 4, "/sub") == 0);
	int fd = open("sub-link/dangling", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && close(fd) == 0 && stat("sub/nowhere", &st) == 0);
	printf("O_CREAT through two links creates the target\n");
	expect("symlink over an existing name", SYS(SYS_symlink, "x", "data"), EEXIST);
	expect("link a directory", SYS(SYS_link, "sub", "sub2"), EPERM);
	expect("O_NOFOLLOW on a link", SYS(SYS_open, "link", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK(symlink("loop", "loop") == 0);
	expect("a self loop", SYS(SYS_stat, "loop", &st), ELOOP);
	expect("link into /dev/shm", SYS(SYS_link, "data", "/dev/shm/elfin-hostlinks-x"), EXDEV);
	/* ".." is the granted directory itself, which exists */
	expect("symlink named ..", SYS(SYS_symlink, "x", ".."), EEXIST);
	expect("mkdir ..", SYS(SYS_mkdir, "..", 0700), EEXIST);
	expect("link named ..", SYS(SYS_link, "data", ".."), EEXIST);
}

/* creat is open(O_CREAT | O_WRONLY | O_TRUNC); musl's creat calls open, so the raw call. */
static void check_creat(void)
{
	struct stat st;
	int fd = (int)SYS(SYS_creat, "created", 0640);

	CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && fstat(fd, &st) == 0);
	printf("creat: mode %04o size %lld\n", st.st_mode & 07777, (long long)st.st_size);
	expect("read from a creat fd", SYS(SYS_read, fd, &st, 1), EBADF);
	CHECK(close(fd) == 0);
	fd = (int)SYS(SYS_creat, "created", 0600);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && close(fd) == 0);
	printf("creat again: mode %04o size %lld\n", st.st_mode & 07777, (long long)st.st_size);
}

static void check_attrs(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000000000, 1 }, { 1100000000, 2 } };

	CHECK(chmod("data", 0640) == 0 && stat("data", &st) == 0);
	printf("chmod: %04o\n", st.st_mode & 07777);
	CHECK(chmod("link", 0604) == 0 && stat("data", &st) == 0);
	printf("chmod through a link: %04o\n", st.st_mode & 07777);
	CHECK(utimensat(AT_FDCWD, "link", ts, 0) == 0 && stat("data", &st) == 0);
	printf("utimensat through a link: %lld.%09ld %lld.%09ld\n", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	int fd = open("data", O_RDWR);
	CHECK(fd >= 0 && fchmod(fd, 0600) == 0 && futimens(fd, ts) == 0 && fstat(fd, &st) == 0);
	printf("fchmod and futimens: %04o %lld\n", st.st_mode & 07777, (long long)st.st_mtim.tv_sec);
	CHECK(fallocate(fd, 0, 0, 100) == 0 && fstat(fd, &st) == 0 && close(fd) == 0);
	printf("fallocate: size %lld\n", (long long)st.st_size);
	abi_write_file("other", "other");
	expect("RENAME_NOREPLACE", SYS(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "hard", RENAME_NOREPLACE), EEXIST);
	CHECK(syscall(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "sub/nowhere", RENAME_EXCHANGE) == 0);
	printf("RENAME_EXCHANGE: other=[%s] sub/nowhere=[%s]\n", abi_contents("other"), abi_contents("sub/nowhere"));
}

/* Links whose targets lie outside the granted directory. */
static void check_leaving(void)
{
	struct stat a, b;

	CHECK(symlink("/etc/hostname", "out") == 0 && stat("out", &a) == 0 && stat("/etc/hostname", &b) == 0);
	printf("a link out of the grant reads the host file: %d\n", a.st_ino == b.st_ino);
	int fd = open("out", O_RDONLY);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(mkdir("/tmp/elfin-hostlinks", 0700) == 0);
	CHECK(symlink("/tmp/elfin-hostlinks", "to-tmp") == 0);
	abi_write_file("to-tmp/f", "in tmp");
	printf("written through a link to /tmp: %s\n", abi_contents("/tmp/elfin-hostlinks/f"));
	CHECK(unlink("to-tmp/f") == 0 && rmdir("/tmp/elfin-hostlinks") == 0);
}

int main(void)
{
	char dir[64];

	umask(022);
	snprintf(dir, sizeof(dir), "hostlinks-%d", (int)getpid());
	CHECK(mkdir(dir, 0700) == 0 && chdir(dir) == 0);
	check_links();
	check_creat();
	check_attrs();
	check_leaving();
	static const char *names[] = { "data", "link", "hard", "sub/up", "sub/dangling", "sub/nowhere",
				       "sub-link", "loop", "other", "out", "to-tmp", "created" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(unlink(names[i]) == 0);
	CHECK(rmdir("sub") == 0 && chdir("..") == 0 && rmdir(dir) == 0);
	if (*abi_mismatches()) {
		fprintf(stderr, "hostlinks: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
