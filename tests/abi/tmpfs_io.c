/* tmpfs_io.c: many small writes and reads of one /tmp file (elfin's own tmpfs), as logs and
 * databases make them: the data, the size and the times come out as on Linux. Under elfin the
 * test driver also holds down the host calls the run makes (none is needed per write). */
#include <sys/stat.h>
#include <time.h>

#include "abi.h"

#define RECORDS 20000

int main(void)
{
	char path[64], rec[17];
	snprintf(path, sizeof path, "/tmp/tmpfs_io.%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && unlink(path) == 0);
	struct timespec before;
	CHECK(clock_gettime(CLOCK_REALTIME, &before) == 0);
	for (long i = 0; i < RECORDS; i++) {
		snprintf(rec, sizeof rec, "%015ld\n", i);
		CHECK(write(fd, rec, 16) == 16);
	}
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	printf("size %lld, %d records\n", (long long)st.st_size, RECORDS);
	/* file times are the coarse clock's, as Linux stamps them: never ahead of the precise one,
	 * at most a few ticks behind it */
	double lag = (before.tv_sec - st.st_mtim.tv_sec) + (before.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
	printf("mtime within a second of the writes: %d\n", lag < 1.0 && lag > -60.0);
	unsigned long sum = 0;
	for (long i = RECORDS - 1; i >= 0; i -= 7) {
		CHECK(pread(fd, rec, 16, i * 16) == 16);
		rec[16] = 0;
		sum += strtoul(rec, NULL, 10);
	}
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	long lines = 0;
	ssize_t n;
	static char buf[4096];
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t j = 0; j < n; j++)
			lines += buf[j] == '\n';
	CHECK(n == 0);
	printf("checksum %lu, %ld lines\n", sum, lines);
	CHECK(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0);
	printf("after ftruncate: %lld\n", (long long)st.st_size);
	CHECK(close(fd) == 0);
	return 0;
}
