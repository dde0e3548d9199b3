/* hardlinks.c: link and linkat on a /tmp tree: shared inode, link counts, and their errors. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

#define expect abi_expect

int main(void)
{
	const char *dir = abi_tmpdir("hardlinks");
	struct stat st, st2;
	char buf[16];

	CHECK(chdir(dir) == 0);
	int fd = open("data", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10 && close(fd) == 0);
	CHECK(stat("data", &st) == 0);
	printf("nlink before: %lu\n", (unsigned long)st.st_nlink);

	CHECK(link("data", "hard") == 0);
	CHECK(mkdir("sub", 0700) == 0);
	CHECK(linkat(AT_FDCWD, "data", AT_FDCWD, "sub/hard2", 0) == 0);
	CHECK(stat("hard", &st2) == 0);
	CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev && st2.st_size == 10);
	printf("nlink after two links: %lu\n", (unsigned long)st2.st_nlink);

	/* One inode: a write through one name shows through the others. */
	fd = open("sub/hard2", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "AB", 2) == 2 && close(fd) == 0);
	fd = open("hard", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 12 && memcmp(buf + 10, "AB", 2) == 0);
	CHECK(close(fd) == 0);
	printf("a write through one name shows through another\n");

	CHECK(unlink("data") == 0);
	CHECK(stat("hard", &st2) == 0 && st2.st_size == 12);
	printf("nlink after unlinking the first name: %lu\n", (unsigned long)st2.st_nlink);

	expect("link over an existing name", SYS(SYS_link, "hard", "sub/hard2"), EEXIST);
	expect("link a missing file", SYS(SYS_link, "missing", "new"), ENOENT);
	expect("link a directory", SYS(SYS_link, "sub", "sub-link"), EPERM);
	expect("link into a missing directory", SYS(SYS_link, "hard", "nodir/x"), ENOENT);
	expect("linkat bad flags", SYS(SYS_linkat, AT_FDCWD, "hard", AT_FDCWD, "x", 0x1), EINVAL);

	CHECK(unlink("hard") == 0 && unlink("sub/hard2") == 0 && rmdir("sub") == 0);
	CHECK(chdir("/") == 0 && rmdir(dir) == 0);
	if (*abi_mismatches()) {
		fprintf(stderr, "hardlinks: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
