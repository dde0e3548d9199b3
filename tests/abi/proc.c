/* proc.c: what programs read about themselves: /proc/self/exe, cmdline, fd, and /dev/stdout. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "abi.h"

static void check_exe(const char *prog)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 0);
	exe[n] = 0;
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	size_t bl = strlen(base);
	printf("/proc/self/exe ends with /%s: %d\n", base,
	       (size_t)n > bl && strcmp(exe + n - bl, base) == 0 && exe[n - bl - 1] == '/');
	printf("/proc/self/exe is absolute: %d\n", exe[0] == '/');
	printf("/proc/self/exe is argv[0]'s file: %d\n", access(exe, X_OK) == 0);
}

static void check_cmdline(int argc, char **argv)
{
	static char buf[65536];
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY);

	CHECK(fd >= 0);
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	CHECK(n == 0 && close(fd) == 0);
	size_t want = 0;
	int same = 1;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		same = same && want + l <= len && memcmp(buf + want, argv[i], l) == 0;
		want += l;
	}
	printf("/proc/self/cmdline: %d args, equals argv: %d\n", argc, same && len == want);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void list_fds(const char *what, int hidden)
{
	int fds[256], n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	CHECK(d != NULL);
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d) && fd != hidden && n < 256)
			fds[n++] = fd;
	}
	CHECK(errno == 0 && closedir(d) == 0);
	qsort(fds, n, sizeof(fds[0]), cmp_int);
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
}

static void check_fds(void)
{
	char path[64], target[PATH_MAX];

	list_fds("/proc/self/fd", -1);
	int fd = open("/etc/hostname", O_RDONLY);
	CHECK(fd >= 0 && dup2(fd, 20) == 20);
	list_fds("/proc/self/fd with /etc/hostname open twice", -1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	CHECK(n > 0);
	target[n] = 0;
	printf("readlink /proc/self/fd/N of /etc/hostname: %s\n", target);
	CHECK(close(20) == 0 && close(fd) == 0);
	list_fds("/proc/self/fd after closing", -1);
}

static void check_dev_stdout(void)
{
	static const char *paths[] = { "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char line[64];
		int len = snprintf(line, sizeof(line), "written through %s\n", paths[i]);

		fflush(stdout);
		int fd = open(paths[i], O_WRONLY | O_APPEND);	/* O_APPEND: stdout may be a file */
		CHECK(fd >= 0);
		CHECK(write(fd, line, len) == len);
		CHECK(close(fd) == 0);
	}
}

static void report(const char *what, long r)
{
	printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

/* The session and group are the ones the program was started in (the values depend on who
 * started it, so only their relations are printed); then the program leads a session of its own. */
static void check_session(void)
{
	pid_t pid = getpid(), sid = getsid(0), pgid = getpgid(0);

	printf("session: sid>=0 %d, pgid>0 %d, getsid(pid)==getsid(0) %d, getpgrp()==getpgid(0) %d\n",
	       sid >= 0, pgid > 0, getsid(pid) == sid, getpgrp() == pgid);
	printf("leads its session %d, leads its group %d\n", sid == pid, pgid == pid);
	const char *parent = getenv("ELFIN_TEST_PARENT"); /* the test driver's pid, when it runs us */
	if (parent)
		printf("getppid() is the driver's pid: %d\n", getppid() == atoi(parent));
	report("getsid(-5)", getsid(-5));
	report("setpgid(0, -1)", setpgid(0, -1));
	pid_t r = setsid();
	int err = errno;
	printf("setsid: %s\n", r == pid ? "ok" : strerror(err));
	printf("after: leads its session %d, leads its group %d\n", getsid(0) == pid, getpgrp() == pid);
	report("setpgid(0, 0) as session leader", setpgid(0, 0));
	report("setsid again", setsid());
}

int main(int argc, char **argv)
{
	check_session();
	check_exe(argv[0]);
	check_cmdline(argc, argv);
	check_fds();
	check_dev_stdout();
	return 0;
}
