/* Host-side tests of the vDSO's code (build/vdso/vdso.so): the image is mapped after a data
 * page this test writes, its functions found through the dynamic symbol table as musl finds
 * them, and called. The page decides every answer, so the arithmetic is checked exactly;
 * where the page says "ask the kernel", the vDSO makes a real system call, here the host's.
 *
 * usage: test_vdso_run IMAGE */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vdso/vdso_data.h"

struct ts64 {
	int64_t sec, nsec;
};

static struct vdso_data *page;
static char *image;
static int (*cgt)(int, struct ts64 *);
static int (*gtod)(struct ts64 *, int32_t *);
static int64_t (*vtime)(int64_t *);
static int (*getres)(int, struct ts64 *);
static int (*vgetcpu)(unsigned *, unsigned *, void *);

/* The symbol's address, by a linear walk of DT_HASH's nchain symbols (musl's way). */
static void *lookup(const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
	Elf64_Phdr *ph = (Elf64_Phdr *)(image + eh->e_phoff);
	Elf64_Dyn *dyn = NULL;
	Elf64_Sym *sym = NULL;
	const char *str = NULL;
	uint32_t *hash = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (Elf64_Dyn *)(image + ph[i].p_vaddr);
	for (; dyn && dyn->d_tag; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (Elf64_Sym *)(image + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = image + dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_HASH)
			hash = (uint32_t *)(image + dyn->d_un.d_ptr);
	}
	for (uint32_t i = 0; sym && str && hash && i < hash[1]; i++)
		if (sym[i].st_shndx && strcmp(str + sym[i].st_name, name) == 0)
			return image + sym[i].st_value;
	return NULL;
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	size_t len = ((size_t)st.st_size + 4095) & ~4095UL;
	char *base = mmap(NULL, VDSO_DATA_SIZE + len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || read(fd, base + VDSO_DATA_SIZE, st.st_size) != st.st_size)
		return -1;
	close(fd);
	page = (struct vdso_data *)base;
	image = base + VDSO_DATA_SIZE;
	return mprotect(image, len, PROT_READ | PROT_EXEC);
}

static int64_t ns(struct ts64 t)
{
	return t.sec * VDSO_NSEC + t.nsec;
}

static int64_t host_ns(int clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return t.tv_sec * VDSO_NSEC + t.tv_nsec;
}

/* One nanosecond per cycle, so a reading is base + cycles since cycle_last, exactly. */
static void set_page(uint32_t mode, uint64_t cycle_last)
{
	memset(page, 0, sizeof *page);
	page->mode = mode;
	page->cycle_last = cycle_last;
	page->max_cycles = 1ULL << 40;
	page->base[VDSO_CLOCK_MONOTONIC] = (struct vdso_base){100, 5ULL << VDSO_SHIFT, 1ULL << VDSO_SHIFT};
	page->base[VDSO_CLOCK_REALTIME] = (struct vdso_base){1700000000, (VDSO_NSEC - 10) << VDSO_SHIFT, 1ULL << VDSO_SHIFT};
	page->coarse[VDSO_CLOCK_REALTIME_COARSE] = (struct vdso_coarse){1699999999, 123456789};
	page->coarse[VDSO_CLOCK_MONOTONIC_COARSE] = (struct vdso_coarse){99, 7};
	page->hres_ns = 1;
	page->coarse_ns = 4000000;
}

static void test_hres(void)
{
	struct ts64 t;
	uint64_t last = vdso_rdtsc();
	set_page(VDSO_MODE_TSC, last);
	uint64_t before = vdso_rdtsc();
	int r = cgt(VDSO_CLOCK_MONOTONIC, &t);
	uint64_t after = vdso_rdtsc();
	int64_t lo = 100 * VDSO_NSEC + 5 + (int64_t)(before - last), hi = 100 * VDSO_NSEC + 5 + (int64_t)(after - last);
	CHECK(r == 0 && ns(t) >= lo && ns(t) <= hi, "MONOTONIC: %d %ld.%09ld not in [%ld, %ld]", r, t.sec, t.nsec, lo, hi);
	/* REALTIME's base is 10 ns before a second: the carry reaches tv_sec */
	r = cgt(VDSO_CLOCK_REALTIME, &t);
	CHECK(r == 0 && t.sec == 1700000001 && t.nsec >= 0 && t.nsec < VDSO_NSEC, "REALTIME: %d %ld.%09ld", r, t.sec, t.nsec);
	/* a TSC behind cycle_last (another CPU's) reads as the base itself */
	page->cycle_last = vdso_rdtsc() + (1ULL << 32);
	r = cgt(VDSO_CLOCK_MONOTONIC, &t);
	CHECK(r == 0 && t.sec == 100 && t.nsec == 5, "behind the base: %d %ld.%09ld", r, t.sec, t.nsec);
	struct ts64 tv = {0, 0};
	int32_t tz[2] = {-1, -1};
	r = gtod(&tv, tz);
	CHECK(r == 0 && tv.sec == 1700000000 && tv.nsec == 999999 && tz[0] == 0 && tz[1] == 0,
	      "gettimeofday: %d %ld.%06ld tz %d %d", r, tv.sec, tv.nsec, tz[0], tz[1]);
}

static void test_coarse_and_time(void)
{
	struct ts64 t;
	int64_t when = 0;
	set_page(VDSO_MODE_COARSE, 0);
	CHECK(cgt(VDSO_CLOCK_REALTIME_COARSE, &t) == 0 && t.sec == 1699999999 && t.nsec == 123456789, "REALTIME_COARSE");
	CHECK(cgt(VDSO_CLOCK_MONOTONIC_COARSE, &t) == 0 && t.sec == 99 && t.nsec == 7, "MONOTONIC_COARSE");
	CHECK(vtime(&when) == 1699999999 && when == 1699999999 && vtime(NULL) == 1699999999, "time");
	CHECK(getres(VDSO_CLOCK_MONOTONIC, &t) == 0 && t.sec == 0 && t.nsec == 1, "res MONOTONIC");
	CHECK(getres(VDSO_CLOCK_MONOTONIC_COARSE, &t) == 0 && t.nsec == 4000000, "res MONOTONIC_COARSE");
	CHECK(getres(VDSO_CLOCK_TAI, NULL) == 0, "res with no buffer");
}

/* Whatever the page cannot answer is a system call: the host's clock, within a bracket. */
static void expect_syscall(int clk, const char *why)
{
	struct ts64 t;
	int64_t lo = host_ns(clk);
	int r = cgt(clk, &t);
	int64_t hi = host_ns(clk);
	CHECK(r == 0 && ns(t) >= lo && ns(t) <= hi, "%s: clock %d gave %d %ld.%09ld", why, clk, r, t.sec, t.nsec);
}

static void test_fallbacks(void)
{
	struct ts64 t;
	set_page(VDSO_MODE_COARSE, vdso_rdtsc());
	expect_syscall(VDSO_CLOCK_MONOTONIC, "no TSC");
	expect_syscall(VDSO_CLOCK_TAI, "no TSC");
	struct ts64 tv = {0, 0};
	int64_t lo = host_ns(CLOCK_REALTIME) / 1000;
	int r = gtod(&tv, NULL);
	int64_t hi = host_ns(CLOCK_REALTIME) / 1000;
	CHECK(r == 0 && tv.sec * 1000000 + tv.nsec >= lo && tv.sec * 1000000 + tv.nsec <= hi, "gettimeofday with no TSC");
	set_page(VDSO_MODE_TSC, vdso_rdtsc() - 1000);
	page->max_cycles = 10;
	expect_syscall(VDSO_CLOCK_REALTIME, "stale page");
	expect_syscall(VDSO_CLOCK_MONOTONIC_RAW, "stale page");
	CHECK(cgt(CLOCK_PROCESS_CPUTIME_ID, &t) == 0, "CPU-time clock");
	CHECK(cgt(99, &t) == -EINVAL && getres(99, &t) == -EINVAL, "an unknown clock is EINVAL");
	unsigned cpu = ~0u, node = ~0u, want = ~0u;
	page->getcpu = VDSO_GETCPU_SYSCALL;
	CHECK(vgetcpu(&cpu, &node, NULL) == 0 && syscall(SYS_getcpu, &want, NULL, NULL) == 0 && cpu < 4096 && node < 4096,
	      "getcpu: %u %u (host says %u)", cpu, node, want);
}

static void *end_write(void *arg)
{
	(void)arg;
	usleep(20000);
	page->base[VDSO_CLOCK_MONOTONIC].sec = 200;
	__atomic_store_n(&page->seq, page->seq + 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A reader that meets an odd sequence count waits for the writer and takes its values. */
static void test_seqcount(void)
{
	struct ts64 t;
	pthread_t th;
	set_page(VDSO_MODE_TSC, vdso_rdtsc());
	page->seq = 7;
	int64_t t0 = host_ns(CLOCK_MONOTONIC);
	pthread_create(&th, NULL, end_write, NULL);
	int r = cgt(VDSO_CLOCK_MONOTONIC, &t);
	int64_t waited = host_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(th, NULL);
	CHECK(r == 0 && t.sec == 200 && waited >= 20000000, "seqcount: %d sec %ld after %ld ns", r, t.sec, waited);
}

int main(int argc, char **argv)
{
	if (argc != 2 || load(argv[1]) < 0) {
		fprintf(stderr, "usage: test_vdso_run IMAGE (a vDSO image to load)\n");
		return 2;
	}
	cgt = lookup("__vdso_clock_gettime");
	gtod = lookup("__vdso_gettimeofday");
	vtime = lookup("__vdso_time");
	getres = lookup("__vdso_clock_getres");
	vgetcpu = lookup("__vdso_getcpu");
	CHECK(cgt && gtod && vtime && getres && vgetcpu, "every function is found");
	CHECK(lookup("clock_gettime") == (void *)cgt && lookup("getcpu") == (void *)vgetcpu, "aliases");
	if (check_failed)
		return check_summary("vdso_run");
	test_hres();
	test_coarse_and_time();
	test_fallbacks();
	test_seqcount();
	return check_summary("vdso_run");
}
