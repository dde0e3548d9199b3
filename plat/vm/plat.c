/* The rest of the platform interface on the vm: the console as the only "host files" (handles
 * 0, 1 and 2 on the serial ports; 3, the trace's, writes COM4), machine facts, entropy, resource usage and the end. */
#include "plat/vm/vm.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/lib.h"
#include "kernel/proc/proc.h"

#define POLLIN 1
#define POLLOUT 4
#define S_IFCHR_TTY 0020620

struct plat_info vm_info;
static uint64_t rng_state;

void plat_console_write(const char *buf, size_t len)
{
	serial_write(COM_ERR, buf, len);
}

noreturn void plat_exit(int status)
{
	vm_halt(status, false);
}

noreturn void plat_panic(void)
{
	uint64_t rbp;
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	vm_backtrace(rbp);
	vm_halt(ELFIN_EXIT_PANIC, true);
}

const struct plat_info *plat_info(void)
{
	return &vm_info;
}

long plat_rusage(bool thread, void *ru)
{
	(void)thread;
	memset(ru, 0, 144);
	int64_t ns = time_mono_ns();
	int64_t *tv = ru; /* ru_utime */
	tv[0] = ns / 1000000000;
	tv[1] = ns % 1000000000 / 1000;
	return 0;
}

void vm_random_seed(uint64_t seed)
{
	rng_state ^= seed ^ rdtsc();
}

/* splitmix64 over the launcher's seed and the TSC: not for keys, enough for AT_RANDOM. */
long plat_random(void *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t z = (rng_state += 0x9e3779b97f4a7c15UL ^ rdtsc());
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
		z ^= z >> 31;
		memcpy((char *)buf + i, &z, MIN(len - i, (size_t)8));
	}
	return (long)len;
}

/* The console: 0 reads COM1, 1 writes COM1, 2 writes COM2. */
static bool console(int h)
{
	return h >= 0 && h <= 2;
}

extern const char *vm_stdin;
extern size_t vm_stdin_len;
static size_t stdin_pos;

long vm_console_poll(struct plat_pollfd *p)
{
	p->revents = 0;
	if (p->host == 0 && (p->events & POLLIN) && (vm_stdin || serial_readable()))
		p->revents |= POLLIN;
	if (p->host > 0 && p->host <= 2 && (p->events & POLLOUT))
		p->revents |= POLLOUT;
	return p->revents ? 1 : 0;
}

long plat_file_poll(struct plat_pollfd *p)
{
	return console(p->host) ? vm_console_poll(p) : -EBADF;
}

long plat_file_read(int h, void *buf, size_t len)
{
	if (h != 0)
		return -EBADF;
	if (vm_stdin) {
		size_t n = MIN(len, vm_stdin_len - stdin_pos);
		memcpy(buf, vm_stdin + stdin_pos, n);
		stdin_pos += n;
		return (long)n;
	}
	size_t n = 0;
	while (n == 0 && len) {
		int c;
		while (n < len && (c = serial_getc()) >= 0)
			((char *)buf)[n++] = (char)c;
		if (!n)
			__asm__ volatile("sti; pause; cli");
	}
	return (long)n;
}

long plat_file_write(int h, const void *buf, size_t len)
{
	static const uint16_t ports[] = {[1] = COM_OUT, [2] = COM_ERR, [VM_H_TRACE] = COM_TRACE};
	if (h < 1 || h >= (int)ARRAY_SIZE(ports))
		return -EBADF;
	serial_write(ports[h], buf, len);
	return (long)len;
}

/* --stats: the JSON goes to the launcher on COM3 as "elfin-stats LEN" and LEN bytes, before
 * the exit record; the launcher writes the file. */
void vm_stats_write(const char *json, size_t len)
{
	char head[48];
	int n = ksnprintf(head, sizeof head, "elfin-stats %lu\n", (unsigned long)len);
	serial_write(COM_STATUS, head, (size_t)n);
	serial_write(COM_STATUS, json, len);
}

long plat_file_dup(int h) { return console(h) ? h : -EBADF; }
long plat_file_reopen(int h, int f) { (void)h, (void)f; return -ENXIO; }
long plat_file_close(int h) { return console(h) ? 0 : -EBADF; }
long plat_file_fcntl(int h, int cmd, long arg)
{
	(void)arg;
	if (!console(h))
		return -EBADF;
	return cmd == F_GETFL ? (h == 0 ? O_RDONLY : O_WRONLY) : 0;
}

long plat_file_statx(int dirh, const char *path, int flags, unsigned mask, void *stx)
{
	(void)flags, (void)mask;
	if (!console(dirh) || path[0])
		return -ENOENT;
	char *s = stx;
	memset(s, 0, 256);
	*(uint32_t *)(s + 0) = 0x7ff;
	*(uint32_t *)(s + 4) = 1024;
	*(uint32_t *)(s + 16) = 1;
	*(uint16_t *)(s + 28) = S_IFCHR_TTY;
	*(uint64_t *)(s + 32) = 3 + (uint64_t)dirh;
	*(uint32_t *)(s + 128) = 4;
	*(uint32_t *)(s + 132) = 64 + (dirh == 2);
	*(uint32_t *)(s + 140) = 5;
	return 0;
}

/* Nothing else exists outside: no host file system on this platform. */
long plat_file_open(int d, const char *p, int f, mode_t m, int r) { (void)d, (void)p, (void)f, (void)m, (void)r; return -ENOENT; }
long plat_file_pread(int h, void *b, size_t l, off_t o) { (void)h, (void)b, (void)l, (void)o; return -ESPIPE; }
long plat_file_pwrite(int h, const void *b, size_t l, off_t o) { (void)h, (void)b, (void)l, (void)o; return -ESPIPE; }
long plat_file_lseek(int h, off_t o, int w) { (void)h, (void)o, (void)w; return -ESPIPE; }
long plat_file_fstatat(int d, const char *p, void *st, int f) { (void)d, (void)p, (void)st, (void)f; return -ENOENT; }
long plat_file_fstatfs(int h, void *b) { (void)h, (void)b; return -ENOSYS; }
long plat_file_getdents(int h, void *b, size_t l) { (void)h, (void)b, (void)l; return -ENOTDIR; }
long plat_file_readlinkat(int d, const char *p, char *b, size_t l) { (void)d, (void)p, (void)b, (void)l; return -ENOENT; }
long plat_file_faccessat(int d, const char *p, int m) { (void)d, (void)p, (void)m; return -ENOENT; }
long plat_file_mkdirat(int d, const char *p, mode_t m) { (void)d, (void)p, (void)m; return -EROFS; }
long plat_file_mknodat(int d, const char *p, mode_t m, unsigned v) { (void)d, (void)p, (void)m, (void)v; return -EROFS; }
long plat_file_unlinkat(int d, const char *p, int f) { (void)d, (void)p, (void)f; return -EROFS; }
long plat_file_renameat(int a, const char *b, int c, const char *d) { (void)a, (void)b, (void)c, (void)d; return -EROFS; }
long plat_file_ftruncate(int h, off_t l) { (void)h, (void)l; return -EINVAL; }
long plat_file_fsync(int h, bool d) { (void)h, (void)d; return 0; }
long plat_file_ioctl(int h, unsigned long r, void *a) { (void)h, (void)r, (void)a; return -ENOTTY; }
long plat_file_symlinkat(const char *t, int d, const char *p) { (void)t, (void)d, (void)p; return -EROFS; }
long plat_file_linkat(int a, const char *b, int c, const char *d, int f) { (void)a, (void)b, (void)c, (void)d, (void)f; return -EROFS; }
long plat_file_renameat2(int a, const char *b, int c, const char *d, unsigned f) { (void)a, (void)b, (void)c, (void)d, (void)f; return -EROFS; }
long plat_file_fchmod(int h, mode_t m) { (void)h, (void)m; return -EPERM; }
long plat_file_fchown(int h, uid_t u, gid_t g) { (void)h, (void)u, (void)g; return -EPERM; }
long plat_file_utimens(int h, const void *t) { (void)h, (void)t; return -EPERM; }
long plat_file_fallocate(int h, int m, off_t o, off_t l) { (void)h, (void)m, (void)o, (void)l; return -ESPIPE; }

unsigned long vm_exits;

uint64_t plat_host_calls(void)
{
	return vm_exits;
}

/* Kernel locks (kernel/lock.h): kernel code runs with interrupts off on the one CPU, so a lock
 * is only ever contended by a thread that blocked holding it, a bug; waiting is spinning. */
void plat_lock_wait(volatile int *word, int val)
{
	(void)word, (void)val;
	__builtin_ia32_pause();
}

void plat_lock_wake(volatile int *word)
{
	(void)word;
}
