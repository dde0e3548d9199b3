/* libc.c: exercises the C library: stdio and floats, malloc, TLS, environment, argv, a file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi.h"

static __thread int tls_counter;
static __thread int tls_answer = 42;
static __thread char tls_name[16] = "tls-init";
static __thread double tls_ratio = 0.5;

static void check_stdio(void)
{
	char buf[128];

	printf("int %d %u %ld %lx %o %5d|%-5d|\n", -7, 7u, 1L << 40, 0xdeadbeefUL, 8, 3, 4);
	printf("float %.3f %g %e %.17g %.0f\n", 3.14159265, 1e-5, 12345.678, 0.1, 2.5);
	printf("string [%s] [%10s] [%-10s] [%.2s] %c%%\n", "abc", "right", "left", "cut", 'x');
	snprintf(buf, sizeof(buf), "%08.3f|%+d|%x", -1.5, 5, 255);
	printf("snprintf %s\n", buf);
	volatile size_t small = 4;	/* hides the deliberate truncation from the compiler */
	CHECK(snprintf(buf, small, "abcdef") == 6 && strcmp(buf, "abc") == 0);
	CHECK(strtod("2.75", NULL) == 2.75);
	CHECK(sscanf("12 ab 3.5", "%d %2s %lf", &(int){0}, buf, &(double){0}) == 3);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static void check_malloc(void)
{
	enum { N = 64 };
	unsigned char *blocks[N];
	size_t sizes[N];
	int i;

	/* Sizes from 1 byte up to 8 MiB, so both the heap and the mmap path are used. */
	for (i = 0; i < N; i++) {
		sizes[i] = ((size_t)1 << (i % 24)) + (size_t)i * 7;
		blocks[i] = malloc(sizes[i]);
		CHECK(blocks[i] != NULL);
		CHECK((uintptr_t)blocks[i] % 16 == 0);
		fill(blocks[i], sizes[i], (unsigned)i);
	}
	for (i = 0; i < N; i += 2) {
		size_t grown = sizes[i] * 3 + 100;
		unsigned char *p = realloc(blocks[i], grown);

		CHECK(p != NULL);
		CHECK(same(p, sizes[i], (unsigned)i));
		blocks[i] = p;
		sizes[i] = grown;
		fill(p, grown, (unsigned)i);
	}
	for (i = 1; i < N; i += 2) {
		unsigned char *p = realloc(blocks[i], sizes[i] / 2 + 1);

		CHECK(p != NULL);
		sizes[i] = sizes[i] / 2 + 1;
		CHECK(same(p, sizes[i], (unsigned)i));
		blocks[i] = p;
	}
	for (i = 0; i < N; i++) {
		CHECK(same(blocks[i], sizes[i], (unsigned)i));
		free(blocks[i]);
	}

	unsigned char *z = calloc(3 << 20, 1);
	CHECK(z != NULL);
	for (size_t j = 0; j < (3 << 20); j += 4096)
		CHECK(z[j] == 0);
	free(z);
	printf("malloc: %d blocks ok, calloc 3 MiB zeroed\n", N);
}

static void check_tls(void)
{
	tls_counter += 5;
	printf("tls: counter=%d answer=%d name=%s ratio=%.2f\n",
	       tls_counter, tls_answer, tls_name, tls_ratio);
	CHECK(tls_counter == 5 && tls_answer == 42 && strcmp(tls_name, "tls-init") == 0);
}

static void check_env(void)
{
	CHECK(getenv("ELFIN_LIBC_NEW") == NULL);
	CHECK(setenv("ELFIN_LIBC_NEW", "value-1", 0) == 0);
	CHECK(setenv("ELFIN_LIBC_NEW", "value-2", 0) == 0);
	printf("env: new=%s\n", getenv("ELFIN_LIBC_NEW"));
	CHECK(setenv("ELFIN_LIBC_NEW", "value-3", 1) == 0);
	printf("env: overwritten=%s\n", getenv("ELFIN_LIBC_NEW"));
	CHECK(unsetenv("ELFIN_LIBC_NEW") == 0);
	CHECK(getenv("ELFIN_LIBC_NEW") == NULL);
	printf("env: ELFIN_TEST_A=%s\n", getenv("ELFIN_TEST_A") ? getenv("ELFIN_TEST_A") : "(unset)");
}

static void check_file(void)
{
	static const char text[] = "line one\nline two\n";
	const char *dir = abi_tmpdir("libc");
	char path[80], buf[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/roundtrip", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	CHECK(lseek(fd, 5, SEEK_SET) == 5);
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(text) - 1 - 5);
	printf("file: read back [%.3s...]\n", buf);
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)sizeof(text) - 1);
	CHECK(fstat(fd, &st) == 0);
	printf("file: size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	CHECK(close(fd) == 0);

	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	CHECK(fgets(buf, sizeof(buf), f) != NULL);
	printf("file: fgets [%s", buf);
	CHECK(fclose(f) == 0);
	CHECK(unlink(path) == 0);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	CHECK(rmdir(dir) == 0);
}

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	check_stdio();
	check_malloc();
	check_tls();
	check_env();
	check_file();
	return 0;
}
