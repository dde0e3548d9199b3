/* mem.c: the address space: mmap, munmap, mprotect, mremap, madvise, brk, MAP_FIXED, private
 * file maps. Shared file maps are in mem_shared.c. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"

#define PAGE 4096UL

static void check_anon(void)
{
	size_t len = 16 * PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK((uintptr_t)p % PAGE == 0);
	CHECK(all_bytes(p, len, 0));
	memset(p, 0xa5, len);
	CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0);	/* a hole in the middle */
	CHECK(all_bytes(p, 4 * PAGE, 0xa5) && all_bytes(p + 8 * PAGE, 8 * PAGE, 0xa5));
	CHECK(munmap(p, len) == 0);
	printf("mmap anon: zeroed, writable, partial munmap ok\n");

	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	CHECK(mprotect(p, 2 * PAGE, PROT_READ) == 0);
	CHECK(p[0] == 1);
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[1] = 2;
	CHECK(mprotect(p, 2 * PAGE, PROT_NONE) == 0);
	CHECK(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE) == 0);
	CHECK(p[0] == 1 && p[1] == 2 && p[PAGE] == 0);
	CHECK(munmap(p, 2 * PAGE) == 0);
	printf("mprotect: contents survive protection changes\n");
}

static void check_mremap(void)
{
	unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	memset(p, 0x11, PAGE);
	unsigned char *q = mremap(p, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	CHECK(all_bytes(q, PAGE, 0x11) && all_bytes(q + PAGE, 7 * PAGE, 0));
	memset(q + 7 * PAGE, 0x22, PAGE);

	/* Move it onto a reserved range of our choosing. */
	unsigned char *dst = mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(dst != MAP_FAILED);
	unsigned char *r = mremap(q, 8 * PAGE, 8 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(r == dst);
	CHECK(all_bytes(r, PAGE, 0x11) && all_bytes(r + 7 * PAGE, PAGE, 0x22));
	r = mremap(r, 8 * PAGE, 2 * PAGE, 0);	/* shrink in place */
	CHECK(r == dst && all_bytes(r, PAGE, 0x11));
	CHECK(munmap(r, 2 * PAGE) == 0);
	printf("mremap: grow keeps contents, move to fixed address, shrink in place\n");
}

static void check_madvise(void)
{
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	memset(p, 0x5a, 4 * PAGE);
	CHECK(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED) == 0);
	CHECK(all_bytes(p, PAGE, 0x5a) && all_bytes(p + PAGE, 2 * PAGE, 0) && all_bytes(p + 3 * PAGE, PAGE, 0x5a));
	CHECK(madvise(p, 4 * PAGE, MADV_WILLNEED) == 0);
	CHECK(munmap(p, 4 * PAGE) == 0);
	printf("madvise: MADV_DONTNEED zeroes private anonymous pages\n");
}

static void check_brk(void)
{
	/* Raw brk: musl's sbrk refuses non-zero increments. */
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	CHECK(cur != 0);
	uintptr_t want = cur + 8 * PAGE;
	CHECK((uintptr_t)syscall(SYS_brk, want) == want);
	memset((void *)cur, 0x77, 8 * PAGE);
	CHECK((uintptr_t)syscall(SYS_brk, cur) == cur);
	CHECK((uintptr_t)syscall(SYS_brk, 0) == cur);
	CHECK(sbrk(0) != (void *)-1);
	printf("brk: grow, write, shrink back\n");
}

static void check_fixed(void)
{
	unsigned char *res = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(res != MAP_FAILED);
	unsigned char *p = mmap(res + 4 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == res + 4 * PAGE);
	memset(p, 0x33, 2 * PAGE);
	p = mmap(res + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == res + 5 * PAGE);
	CHECK(all_bytes(res + 4 * PAGE, PAGE, 0x33) && all_bytes(p, PAGE, 0));

	/* MAP_FIXED_NOREPLACE (Linux 4.17) must refuse to clobber; older value-blind kernels ignore it. */
	p = mmap(res + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | 0x100000, -1, 0);
	CHECK(p == MAP_FAILED && errno == EEXIST);
	CHECK(munmap(res, 16 * PAGE) == 0);
	printf("MAP_FIXED: maps over a reservation and over itself; NOREPLACE gives EEXIST\n");
}

/* A private map of a file: its contents, zeros past the end, copy-on-write. MAP_SHARED is in
 * mem_shared.c. */
static void check_file_map(void)
{
	const char *dir = abi_tmpdir("mem");
	char path[96];
	size_t len = 3 * PAGE + 100;
	unsigned char *buf;

	snprintf(path, sizeof(path), "%s/mapped", dir);
	int fd = abi_pattern_file(path, len, &buf);

	unsigned char *whole = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(whole != MAP_FAILED);
	CHECK(memcmp(whole, buf, len) == 0);
	CHECK(all_bytes(whole + len, 4 * PAGE - len, 0));	/* tail of the last page */
	unsigned char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	CHECK(priv != MAP_FAILED);
	CHECK(memcmp(priv, buf + PAGE, PAGE) == 0);
	priv[0] = 0xee;	/* copy-on-write: not seen by the file or by other maps */

	unsigned char b;
	CHECK(pread(fd, &b, 1, PAGE) == 1 && b == buf[PAGE]);
	CHECK(whole[PAGE] == buf[PAGE]);
	CHECK(munmap(priv, PAGE) == 0 && munmap(whole, 4 * PAGE) == 0);
	CHECK(close(fd) == 0 && unlink(path) == 0 && rmdir(dir) == 0);
	free(buf);
	printf("file mmap: private map shows the file, writes are copy-on-write\n");
}

int main(void)
{
	check_anon();
	check_mremap();
	check_madvise();
	check_brk();
	check_fixed();
	check_file_map();
	return 0;
}
