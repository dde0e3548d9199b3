/* mem_shared.c: MAP_SHARED maps of a /tmp file: writes seen both ways, msync, two maps agree. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi.h"

#define PAGE 4096UL

int main(void)
{
	const char *dir = abi_tmpdir("mem_shared");
	char path[96];
	size_t len = 3 * PAGE + 100;
	unsigned char *buf;

	snprintf(path, sizeof(path), "%s/mapped", dir);
	int fd = abi_pattern_file(path, len, &buf);

	unsigned char *shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(shared != MAP_FAILED);
	CHECK(memcmp(shared, buf, len) == 0);
	CHECK(all_bytes(shared + len, 4 * PAGE - len, 0));	/* tail of the last page */
	unsigned char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	CHECK(priv != MAP_FAILED);
	CHECK(memcmp(priv, buf + PAGE, PAGE) == 0);
	priv[0] = 0xee;	/* copy-on-write: not seen by the file */

	shared[10] = 0xcc;
	CHECK(msync(shared, PAGE, MS_SYNC) == 0);
	unsigned char b;
	CHECK(pread(fd, &b, 1, 10) == 1 && b == 0xcc);
	CHECK(pread(fd, &b, 1, PAGE) == 1 && b == buf[PAGE]);
	CHECK(pwrite(fd, "\x99", 1, 20) == 1);
	CHECK(shared[20] == 0x99);	/* a write through the fd shows in a shared map */
	printf("MAP_SHARED: sees writes both ways, a private map of the same file is copy-on-write\n");

	/* A second shared map of the same page is the same memory. */
	unsigned char *again = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(again != MAP_FAILED && again != shared);
	again[30] = 0x42;
	CHECK(shared[30] == 0x42);
	printf("two MAP_SHARED maps of one page agree\n");

	CHECK(munmap(again, PAGE) == 0 && munmap(priv, PAGE) == 0 && munmap(shared, 4 * PAGE) == 0);
	CHECK(pread(fd, &b, 1, 30) == 1 && b == 0x42);	/* still in the file after munmap */
	printf("writes stay in the file after munmap\n");
	CHECK(close(fd) == 0 && unlink(path) == 0 && rmdir(dir) == 0);
	free(buf);
	return 0;
}
