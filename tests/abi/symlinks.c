/* symlinks.c: symbolic links on a /tmp tree: create, lstat, follow, readlink, loops, NOFOLLOW. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

static void print_stat(const char *what, const struct stat *st)
{
	const char *type = S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir"
			 : S_ISLNK(st->st_mode) ? "symlink" : "other";

	printf("%s: %s mode=%04o size=%lld\n", what, type, (unsigned)(st->st_mode & 07777),
	       S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size);
}

static void check_basics(void)
{
	struct stat st, st2;
	char target[64], buf[16];

	int fd = open("data", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "0123456789AB", 12) == 12 && close(fd) == 0);
	CHECK(stat("data", &st) == 0);
	CHECK(symlink("data", "link") == 0);
	CHECK(lstat("link", &st2) == 0);
	print_stat("lstat link", &st2);
	CHECK(stat("link", &st2) == 0);
	print_stat("stat link", &st2);
	CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
	CHECK(fstatat(AT_FDCWD, "link", &st2, AT_SYMLINK_NOFOLLOW) == 0);
	print_stat("fstatat NOFOLLOW link", &st2);

	ssize_t n = readlink("link", target, sizeof(target));
	CHECK(n == 4);
	printf("readlink link: %.*s\n", (int)n, target);
	n = readlinkat(AT_FDCWD, "link", target, 2);	/* truncated, never terminated */
	printf("readlink into 2 bytes: %zd %.2s\n", n, target);

	fd = open("link", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0 && close(fd) == 0);
	printf("open through a link reads the target\n");
	expect("symlink over an existing name", SYS(SYS_symlink, "data", "link"), EEXIST);
	expect("open O_NOFOLLOW on a link", SYS(SYS_open, "link", O_RDONLY | O_NOFOLLOW), ELOOP);
	expect("readlink on a file", SYS(SYS_readlink, "data", target, sizeof(target)), EINVAL);
}

static void check_paths(void)
{
	char buf[PATH_MAX];
	struct stat st;

	/* Relative targets resolve against the link's directory, absolute ones from the root. */
	CHECK(mkdir("d", 0700) == 0 && symlink("../data", "d/up") == 0);
	CHECK(stat("d/up", &st) == 0 && st.st_size == 12);
	CHECK(symlink("/etc", "etc-link") == 0);
	CHECK(stat("etc-link/hostname", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(symlink("d", "dir-link") == 0);
	CHECK(chdir("dir-link") == 0 && getcwd(buf, sizeof(buf)) != NULL);
	printf("getcwd after chdir through a link ends in /d: %d\n",
	       strlen(buf) > 2 && strcmp(buf + strlen(buf) - 2, "/d") == 0);
	CHECK(chdir("..") == 0);
	printf("relative, absolute and directory links resolve\n");

	CHECK(symlink("nowhere", "dangling") == 0);
	expect("stat a dangling link", SYS(SYS_stat, "dangling", &st), ENOENT);
	CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(symlink("loop-b", "loop-a") == 0 && symlink("loop-a", "loop-b") == 0);
	expect("stat a link loop", SYS(SYS_stat, "loop-a", &st), ELOOP);
	expect("open a link loop", SYS(SYS_open, "loop-a", O_RDONLY), ELOOP);

	/* O_CREAT through a dangling link creates its target. */
	int fd = open("dangling", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && close(fd) == 0);
	CHECK(stat("nowhere", &st) == 0 && S_ISREG(st.st_mode));
	printf("O_CREAT through a dangling link creates the target\n");

	/* Unlinking a link leaves its target; renaming moves the link itself. */
	CHECK(unlink("link") == 0 && stat("data", &st) == 0);
	CHECK(rename("dangling", "moved") == 0 && lstat("moved", &st) == 0 && S_ISLNK(st.st_mode));
	printf("unlink and rename act on the link\n");
}

static void cleanup(const char *dir)
{
	static const char *names[] = { "d/up", "etc-link", "dir-link", "moved", "nowhere",
				       "loop-a", "loop-b", "data" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(unlink(names[i]) == 0);
	CHECK(rmdir("d") == 0 && chdir("/") == 0 && rmdir(dir) == 0);
}

int main(void)
{
	const char *dir = abi_tmpdir("symlinks");

	CHECK(chdir(dir) == 0);
	check_basics();
	check_paths();
	cleanup(dir);
	if (*abi_mismatches()) {
		fprintf(stderr, "symlinks: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
