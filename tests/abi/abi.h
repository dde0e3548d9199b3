/* abi.h: helpers shared by the ABI test programs: loud checks, errno names, temp dirs. */
#ifndef ABI_H
#define ABI_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE	/* renameat2 flags, which musl's headers lack */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

/* Stops the program with a message naming the failed condition and errno. */
#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abi_fail(__FILE__, __LINE__, #cond); \
	} while (0)

static inline void abi_fail(const char *file, int line, const char *what)
{
	int e = errno;

	fflush(stdout);
	fprintf(stderr, "%s:%d: check failed: %s (errno %d: %s)\n",
		file, line, what, e, strerror(e));
	exit(1);
}

/* Returns the symbolic name of an errno value, so output compares across libcs. */
static inline const char *abi_errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "OK" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
		{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" }, { EPIPE, "EPIPE" }, { ERANGE, "ERANGE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOTSOCK, "ENOTSOCK" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { ECONNREFUSED, "ECONNREFUSED" },
		{ ENOTCONN, "ENOTCONN" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ EINPROGRESS, "EINPROGRESS" },
	};
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno-%d", e);
	return other;
}

/* How many abi_expect calls did not get the errno they expected. */
static inline int *abi_mismatches(void)
{
	static int n;

	return &n;
}

/* Prints "what: ERRNO" for a call that returned ret (-1 and errno on failure); counts a
 * mismatch, explained on stderr, unless it failed with expected. */
static inline void abi_expect(const char *what, long ret, int expected)
{
	int e = ret == -1 ? errno : 0;

	printf("%s: %s\n", what, ret == -1 ? abi_errname(e) : "succeeded");
	if (ret != -1 || e != expected) {
		fprintf(stderr, "%s: got %s (ret %ld), expected %s\n",
			what, abi_errname(e), ret, abi_errname(expected));
		(*abi_mismatches())++;
	}
}

/* Raw system calls, so neither libc can check or rewrite the arguments first. */
#define SYS(...) (errno = 0, syscall(__VA_ARGS__))

/* Whether n bytes at p all equal v. */
static inline int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Makes a fresh private directory under /tmp and returns its path (static storage). */
static inline const char *abi_tmpdir(const char *tag)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/elfin-%s-XXXXXX", tag);
	CHECK(mkdtemp(path) != NULL);
	return path;
}

/* Creates path holding len bytes of a known pattern (i % 251), open O_RDWR; the pattern
 * itself is returned in *pattern (malloc'd). */
static inline int abi_pattern_file(const char *path, size_t len, unsigned char **pattern)
{
	unsigned char *buf = malloc(len);

	CHECK(buf != NULL);
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i % 251);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, buf, len) == (ssize_t)len);
	*pattern = buf;
	return fd;
}

/* Creates (or empties) path holding text, mode 0600. */
static inline void abi_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(close(fd) == 0);
}

/* The first bytes of a short file as a string; two results may be in use at once. */
static inline const char *abi_contents(const char *path)
{
	static char bufs[2][64];
	static int next;
	char *buf = bufs[next++ % 2];
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(bufs[0]) - 1);
	CHECK(n >= 0 && close(fd) == 0);
	buf[n] = 0;
	return buf;
}

/* One part of a program that runs its parts by name. */
struct abi_part {
	const char *name;
	void (*run)(void);
};

/* Runs the part that argv[1] names (every part without an argument); the exit status: 1 if
 * an abi_expect did not get its errno. */
static inline int abi_run_parts(int argc, char **argv, const struct abi_part *parts, size_t n)
{
	const char *part = argc > 1 ? argv[1] : "all";

	for (size_t i = 0; i < n; i++)
		if (!strcmp(part, parts[i].name) || !strcmp(part, "all"))
			parts[i].run();
	return *abi_mismatches() ? 1 : 0;
}

#endif
