/* locks.c: fcntl record locks. POSIX locks belong to the process (they never conflict with
 * its own, and closing any descriptor of the file drops them); OFD locks belong to one open
 * file, so two opens contend, and they contend with POSIX locks. F_GETLK reports the holder. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "abi.h"

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	CHECK(fcntl(fd, cmd, &fl) == 0);
	return fl;
}

int main(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/f", abi_tmpdir("locks"));
	int a = open(path, O_RDWR | O_CREAT, 0600), b = open(path, O_RDWR);
	CHECK(a >= 0 && b >= 0 && write(a, "0123456789", 10) == 10);

	CHECK(setlk(a, F_SETLK, F_WRLCK, 0, 5) == 0);
	CHECK(setlk(b, F_SETLK, F_WRLCK, 2, 5) == 0); /* the same process: no conflict */
	struct flock fl = getlk(b, F_GETLK, F_WRLCK, 0, 10);
	CHECK(fl.l_type == F_UNLCK);
	printf("POSIX locks of one process never conflict\n");

	CHECK(setlk(b, F_OFD_SETLK, F_RDLCK, 3, 1) == -1 && errno == EAGAIN);
	fl = getlk(b, F_OFD_GETLK, F_RDLCK, 3, 1);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == getpid());
	CHECK(setlk(b, F_OFD_SETLK, F_RDLCK, 9, 1) == 0);
	printf("an OFD lock meets the process's POSIX lock: EAGAIN, F_OFD_GETLK names the process\n");

	int c = dup(a);
	CHECK(close(c) == 0); /* closing any descriptor of the file drops the POSIX locks */
	CHECK(setlk(b, F_OFD_SETLK, F_WRLCK, 0, 9) == 0);
	printf("close of a duplicate dropped the POSIX locks\n");

	CHECK(setlk(a, F_OFD_SETLK, F_RDLCK, 5, 1) == -1 && errno == EAGAIN);
	fl = getlk(a, F_OFD_GETLK, F_WRLCK, 0, 0);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == -1 && fl.l_start == 0 && fl.l_len == 9);
	CHECK(setlk(b, F_OFD_SETLK, F_UNLCK, 4, 1) == 0); /* a hole in the middle */
	CHECK(setlk(a, F_OFD_SETLK, F_RDLCK, 4, 1) == 0);
	CHECK(setlk(a, F_OFD_SETLK, F_RDLCK, 5, 1) == -1 && errno == EAGAIN);
	printf("OFD locks of two opens contend; unlocking a middle range splits the lock\n");

	struct flock bad = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1};
	CHECK(fcntl(a, F_OFD_SETLK, &bad) == -1 && errno == EINVAL);
	bad = (struct flock){.l_type = 7, .l_whence = SEEK_SET};
	CHECK(fcntl(a, F_SETLK, &bad) == -1 && errno == EINVAL);
	int ro = open(path, O_RDONLY);
	CHECK(setlk(ro, F_SETLK, F_WRLCK, 0, 1) == -1 && errno == EBADF);
	printf("bad requests: EINVAL, EBADF\n");

	CHECK(close(b) == 0); /* the OFD's last reference: its locks go */
	CHECK(setlk(ro, F_OFD_SETLK, F_RDLCK, 0, 10) == 0);
	printf("closing an open file drops its OFD locks\n");
	close(a);
	close(ro);
	unlink(path);
	return 0;
}
