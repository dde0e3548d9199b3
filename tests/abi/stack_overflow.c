/* stack_overflow.c: a recursion past the end of the main thread's stack is caught on the
 * alternate stack the way libsigsegv (gnulib's sigsegv module) catches it: the handler reads
 * /proc/self/maps, finds the stack's area, sees the fault address just below it (nearer to it
 * than to the mapping below), and longjmps out; twice. A bad address afterwards is told apart
 * from an overflow, and so is a thread's overflow into its guard; the room the stack may grow
 * into is free space to mmap. RLIMIT_STACK is lowered first, as gnulib's tests do: the stack
 * grows up to that limit and no further, for the program's own accesses and for the kernel's. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "abi.h"

#define STACK_LIMIT (1UL << 20)
#define ALT_SIZE (256UL << 10)

static char altstack[ALT_SIZE] __attribute__((aligned(64)));
static jmp_buf env;
static sigset_t main_mask;
static uintptr_t stack_top; /* an address inside the main stack's area */
static volatile int *volatile null_pointer;

struct area {
	uintptr_t start, end, prev_end;
	int named_stack;
};

/* What the handler saw, printed by main once it has jumped out. */
static struct {
	int code, on_alt, onstack_flag, found, in_or_near, named_stack;
	uintptr_t addr, rsp, size;
} seen;

/* The area of /proc/self/maps holding addr, read with plain system calls (no stdio, no
 * malloc: the handler runs in the middle of anything). */
static int find_area(uintptr_t addr, struct area *a)
{
	static char buf[1 << 18];
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return 0;
	while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	uintptr_t prev_end = 0;
	for (char *p = buf; *p;) {
		char *end;
		uintptr_t s = strtoul(p, &end, 16), e = strtoul(end + 1, &end, 16);
		char *nl = strchr(end, '\n');
		if (addr >= s && addr < e) {
			*a = (struct area){s, e, prev_end, 0};
			a->named_stack = nl ? memmem(end, (size_t)(nl - end), "[stack]", 7) != NULL : strstr(end, "[stack]") != NULL;
			return 1;
		}
		prev_end = e;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;
	stack_t ss;
	struct area a;

	(void)sig;
	seen.code = si->si_code;
	seen.addr = (uintptr_t)si->si_addr;
	seen.rsp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	seen.on_alt = &local >= altstack && &local < altstack + ALT_SIZE;
	seen.onstack_flag = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
	seen.found = find_area(stack_top, &a);
	if (seen.found) {
		/* libsigsegv's test: inside the area, or nearer to it than to the one below */
		seen.in_or_near = seen.addr >= a.start ? seen.addr < a.end : a.start - seen.addr <= (a.start - a.prev_end) / 2;
		seen.named_stack = a.named_stack;
		seen.size = a.end - a.start;
	}
	sigprocmask(SIG_SETMASK, &main_mask, NULL);
	longjmp(env, 1);
}

static volatile int *recurse_1(int n, volatile int *p)
{
	if (n < INT_MAX)
		*recurse_1(n + 1, p) += n;
	return p;
}

static int recurse(volatile int n)
{
	return *recurse_1(n, &n);
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	usr1_seen = sig;
}

/* A system call made with rsp lowered by below bytes, the pages there untouched. */
static long syscall_below(long nr, long a1, long a2, long a3, size_t below)
{
	long ret;

	__asm__ volatile("mov %%rsp, %%r12\n\tsub %[below], %%rsp\n\tsyscall\n\tmov %%r12, %%rsp"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), [below] "r"(below)
			 : "rcx", "r11", "r12", "memory");
	return ret;
}

/* Far below the stack's extent at start, the kernel writes a signal frame and a read's bytes
 * into pages the program never touched: the stack grows for the kernel's accesses too. */
static void check_kernel_growth(uintptr_t here)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(syscall_below(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1, 384 << 10) == 0);
	printf("a handler with its frame 384 KiB down the stack ran %d\n", usr1_seen == SIGUSR1);

	size_t len = 64 << 10;
	char *data = malloc(len), *deep = (char *)((here & ~4095UL) - (640 << 10));
	CHECK(data != NULL);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 7);
	char path[] = "/tmp/stack_overflow.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(unlink(path) == 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	CHECK(pread(fd, deep, len, 0) == (ssize_t)len);
	printf("a read 640 KiB down the stack: same bytes %d\n", memcmp(deep, data, len) == 0);
	free(data);
	close(fd);
}

static const char *code_name(int code)
{
	return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

/* The room below the stack is free space to the program: a MAP_FIXED_NOREPLACE or a hint
 * there (well below the guard gap) gets exactly the address asked for. */
static void check_room_below(uintptr_t here)
{
	struct area a;

	CHECK(find_area(here, &a));
	char *want = (char *)(a.end - (4 << 20));
	char *got = mmap(want, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	printf("MAP_FIXED_NOREPLACE 4 MiB under the stack's top: %s\n",
	       got == MAP_FAILED ? abi_errname(errno) : got == want ? "there" : "elsewhere");
	char *hinted = mmap(want - (2 << 20), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hinted != MAP_FAILED);
	printf("a hint 6 MiB under the stack's top: %s\n", hinted == want - (2 << 20) ? "taken" : "ignored");
	CHECK(munmap(hinted, 4096) == 0);
	if (got != MAP_FAILED)
		CHECK(munmap(got, 4096) == 0);
}

/* A thread's stack is a mapping with a guard below it (an inaccessible mapping of libc's):
 * overflowing it faults there with SEGV_ACCERR, and the thread's own alternate stack takes it. */
static char thread_altstack[ALT_SIZE];
static sigjmp_buf thread_env;

static void on_thread_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	seen.code = si->si_code;
	seen.addr = (uintptr_t)si->si_addr;
	siglongjmp(thread_env, 1);
}

static void *overflow_thread(void *arg)
{
	stack_t ss = {.ss_sp = thread_altstack, .ss_size = ALT_SIZE};
	pthread_attr_t attr;
	void *low;
	size_t size, guard;
	volatile int n = 0;

	(void)arg;
	CHECK(sigaltstack(&ss, NULL) == 0);
	CHECK(pthread_getattr_np(pthread_self(), &attr) == 0);
	CHECK(pthread_attr_getstack(&attr, &low, &size) == 0 && pthread_attr_getguardsize(&attr, &guard) == 0);
	if (!sigsetjmp(thread_env, 1))
		recurse_1(0, &n);
	printf("thread overflow: %s, in the guard below its stack %d\n", code_name(seen.code),
	       seen.addr < (uintptr_t)low && seen.addr + guard + 4096 > (uintptr_t)low);
	return NULL;
}

static void check_thread_overflow(void)
{
	struct sigaction sa = {.sa_sigaction = on_thread_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	pthread_attr_t attr;
	pthread_t t;

	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	CHECK(pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, 256 << 10) == 0);
	memset(&seen, 0, sizeof seen);
	CHECK(pthread_create(&t, &attr, overflow_thread, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
}

static void report_overflow(int pass)
{
	stack_t ss;

	printf("overflow %d: caught on the alternate stack %d, SS_ONSTACK there %d, %s\n", pass, seen.on_alt,
	       seen.onstack_flag, code_name(seen.code));
	printf("overflow %d: stack area found %d, named [stack] %d, fault address in or next to it %d\n", pass,
	       seen.found, seen.named_stack, seen.in_or_near);
	printf("overflow %d: fault address within a page of rsp %d\n", pass,
	       seen.addr <= seen.rsp + 4096 && seen.rsp <= seen.addr + 4096);
	printf("overflow %d: the stack grew to the limit %d\n", pass,
	       seen.size <= STACK_LIMIT && seen.size + 64 * 1024 > STACK_LIMIT);
	CHECK(sigaltstack(NULL, &ss) == 0);
	printf("overflow %d: after the jump out, SS_ONSTACK %d, SS_DISABLE %d\n", pass, !!(ss.ss_flags & SS_ONSTACK),
	       !!(ss.ss_flags & SS_DISABLE));
}

int main(void)
{
	struct rlimit rl = {STACK_LIMIT, STACK_LIMIT};
	CHECK(setrlimit(RLIMIT_STACK, &rl) == 0);
	int here;
	stack_top = (uintptr_t)&here;
	check_room_below(stack_top);
	check_kernel_growth(stack_top);

	stack_t ss = {.ss_sp = altstack, .ss_size = ALT_SIZE};
	CHECK(sigaltstack(&ss, NULL) == 0);
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &main_mask) == 0);

	volatile int pass = 0;
	setjmp(env);
	if (pass++ < 2) {
		if (pass > 1)
			report_overflow(pass - 1);
		recurse(0);
		CHECK(!"the recursion ended");
	}
	report_overflow(2);

	/* a write to a read-only page is no overflow */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	memset(&seen, 0, sizeof seen);
	if (!setjmp(env)) {
		*(volatile char *)(ro + 0x678) = 42;
		CHECK(!"the write succeeded");
	}
	printf("read-only page: %s, exact address %d, on the alternate stack %d, next to the stack %d\n",
	       code_name(seen.code), seen.addr == (uintptr_t)ro + 0x678, seen.on_alt, seen.in_or_near);
	memset(&seen, 0, sizeof seen);
	if (!setjmp(env)) {
		*null_pointer = 42;
		CHECK(!"the write succeeded");
	}
	printf("null pointer: %s, address 0 %d, next to the stack %d\n", code_name(seen.code), seen.addr == 0,
	       seen.in_or_near);
	check_thread_overflow();
	return 0;
}
