/* badptr.c: bad user pointers: every call given one must fail with EFAULT, not crash.
 * Bad means: NULL, (void *)1, a kernel-half address, an unmapped page, a PROT_NONE page, and a
 * read-only page as the destination of a copy out. (A pointer into elfin's own memory would
 * belong here too, but natively there is nothing special there to compare with.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

#define PAGE 4096UL

static const char *dir;
static void *unmapped, *noaccess, *readonly;

struct bad {
	const char *name;
	void *p;
};

static struct bad bads[6];
static int nbad;

static void setup(void)
{
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	memset(p, 'r', 3 * PAGE);
	CHECK(munmap(p, PAGE) == 0);
	unmapped = p;
	noaccess = p + PAGE;
	readonly = p + 2 * PAGE;
	CHECK(mprotect(noaccess, PAGE, PROT_NONE) == 0);
	CHECK(mprotect(readonly, PAGE, PROT_READ) == 0);
	bads[nbad++] = (struct bad){ "NULL", NULL };
	bads[nbad++] = (struct bad){ "(void*)1", (void *)1 };
	bads[nbad++] = (struct bad){ "kernel address", (void *)0xffff888000000000UL };
	bads[nbad++] = (struct bad){ "unmapped page", unmapped };
	bads[nbad++] = (struct bad){ "PROT_NONE page", noaccess };
}

/* Calls that read from user memory: every bad pointer, the read-only page is fine. */
static void reads_from_user(int fd)
{
	char what[128];

	for (int i = 0; i < nbad; i++) {
		void *b = bads[i].p;
#define TRY(call, ...) \
		snprintf(what, sizeof(what), "%s from %s", call, bads[i].name); \
		abi_expect(what, SYS(__VA_ARGS__), EFAULT)
/* For calls where NULL means "no argument" rather than a bad one. */
#define TRY_NN(call, ...) \
		if (b != NULL) { \
			TRY(call, __VA_ARGS__); \
		}
		TRY("write", SYS_write, fd, b, 10);
		TRY("pwrite", SYS_pwrite64, fd, b, 10, 0);
		TRY("open path", SYS_open, b, O_RDONLY);
		TRY("openat path", SYS_openat, AT_FDCWD, b, O_RDONLY);
		TRY("stat path", SYS_stat, b, &(struct stat){ 0 });
		TRY("lstat path", SYS_lstat, b, &(struct stat){ 0 });
		TRY("access path", SYS_access, b, F_OK);
		TRY("mkdir path", SYS_mkdir, b, 0700);
		TRY("chdir path", SYS_chdir, b);
		TRY("unlink path", SYS_unlink, b);
		TRY("readlink path", SYS_readlink, b, what, sizeof(what));
		TRY("nanosleep request", SYS_nanosleep, b, NULL);
		TRY_NN("rt_sigaction act", SYS_rt_sigaction, SIGUSR1, b, NULL, 8);
		TRY_NN("rt_sigprocmask set", SYS_rt_sigprocmask, SIG_BLOCK, b, NULL, 8);
#undef TRY
#undef TRY_NN
	}
}

/* Calls that write to user memory: every bad pointer and the read-only page. */
static void writes_to_user(int fd)
{
	char what[128];
	struct bad all[8];
	int n = 0;

	for (int i = 0; i < nbad; i++)
		all[n++] = bads[i];
	all[n++] = (struct bad){ "read-only page", readonly };
	for (int i = 0; i < n; i++) {
		void *b = all[i].p;
#define TRY(call, ...) \
		snprintf(what, sizeof(what), "%s into %s", call, all[i].name); \
		abi_expect(what, SYS(__VA_ARGS__), EFAULT)
#define TRY_NN(call, ...) \
		if (b != NULL) { \
			TRY(call, __VA_ARGS__); \
		}
		CHECK(lseek(fd, 0, SEEK_SET) == 0);
		TRY("read", SYS_read, fd, b, 10);
		TRY("pread", SYS_pread64, fd, b, 10, 0);
		TRY("stat buf", SYS_stat, "/etc/hostname", b);
		TRY("fstat buf", SYS_fstat, fd, b);
		TRY("clock_gettime", SYS_clock_gettime, CLOCK_MONOTONIC, b);
		TRY("clock_gettime realtime", SYS_clock_gettime, CLOCK_REALTIME, b);
		TRY_NN("gettimeofday", SYS_gettimeofday, b, NULL);
		TRY("uname", SYS_uname, b);
		TRY("getcwd", SYS_getcwd, b, 4096);
		TRY("readlink buf", SYS_readlink, "/proc/self/exe", b, 64);
		TRY("getrandom", SYS_getrandom, b, 16, 0);
		TRY_NN("rt_sigaction oldact", SYS_rt_sigaction, SIGUSR1, NULL, b, 8);
		TRY_NN("rt_sigprocmask oldset", SYS_rt_sigprocmask, SIG_BLOCK, NULL, b, 8);
#undef TRY
#undef TRY_NN
	}
	/* The fd's offset did not move: a failed read consumed nothing. */
	char c;
	CHECK(lseek(fd, 0, SEEK_CUR) == 0 && read(fd, &c, 1) == 1 && c == 's');
	printf("failed reads left the offset alone\n");
}

/* A zero-length transfer touches no memory, so a bad pointer is fine there. */
static void zero_length(int fd)
{
	printf("read 0 bytes into NULL: %ld\n", SYS(SYS_read, fd, NULL, 0));
	printf("write 0 bytes from NULL: %ld\n", SYS(SYS_write, fd, NULL, 0));
	printf("read 0 bytes into (void*)1: %ld\n", SYS(SYS_read, fd, (void *)1, 0));
}

int main(void)
{
	char path[96];

	dir = abi_tmpdir("badptr");
	snprintf(path, sizeof(path), "%s/file", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "some bytes", 10) == 10);
	setup();
	reads_from_user(fd);
	writes_to_user(fd);
	zero_length(fd);
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	printf("file size after the failed writes: %lld\n", (long long)st.st_size);
	CHECK(close(fd) == 0 && unlink(path) == 0 && rmdir(dir) == 0);
	if (*abi_mismatches()) {
		fprintf(stderr, "badptr: %d mismatches\n", *abi_mismatches());
		return 1;
	}
	return 0;
}
