/* vdso_direct.c: the kernel's direct entry that elfin's vDSO publishes (__elfin_syscall,
 * version ELFIN_1), found the way the adapter library finds it: through AT_SYSINFO_EHDR and
 * the vDSO's dynamic symbols. Natively there is no such symbol and the ordinary syscall serves,
 * so both runs print the same; elfin's --stats shows which path the calls took. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "abi.h"
#include "kick.h"
#include "vdso_sym.h"

typedef long (*direct_fn)(long nr, const long *args, void (*on_interrupt)(void));

static long call(direct_fn fn, long nr, long a0, long a1, long a2)
{
	long args[6] = {a0, a1, a2, 0, 0, 0};
	if (fn)
		return fn(nr, args, NULL);
	long r = syscall(nr, a0, a1, a2);
	return r < 0 ? -errno : r;
}

/* Signals around direct calls: one raised by a direct call runs before the call returns; a
 * blocking direct read meets a signal: EINTR without SA_RESTART, goes on with it. */
static void check_signals(direct_fn fn)
{
	for (int restart = 0; restart < 2; restart++) {
		struct sigaction sa = {0};
		sa.sa_handler = on_usr1;
		sa.sa_flags = restart ? SA_RESTART : 0;
		CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
		hits = 0;
		CHECK(call(fn, SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1) == 0);
		CHECK(hits == 1);
		int p[2];
		CHECK(pipe(p) == 0);
		struct kick k = {pthread_self(), restart ? p[1] : -1};
		pthread_t t;
		CHECK(pthread_create(&t, NULL, kicker, &k) == 0);
		char c;
		long r = call(fn, SYS_read, p[0], (long)&c, 1);
		CHECK(restart ? r == 1 && c == 'x' : r == -EINTR);
		CHECK(hits == 2);
		CHECK(pthread_join(t, NULL) == 0);
		close(p[0]);
		close(p[1]);
	}
	printf("signals: handled before a direct call returns; a blocked read gets EINTR, or goes on with SA_RESTART\n");
}

int main(int argc, char **argv)
{
	direct_fn fn = (direct_fn)vdso_symbol("__elfin_syscall");
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	pid_t me = getpid();
	for (int i = 0; i < n; i++)
		CHECK(call(fn, SYS_getpid, 0, 0, 0) == me);
	printf("getpid through the entry agrees, %d times\n", n);
	static const char msg[] = "written through the entry\n";
	fflush(stdout);
	CHECK(call(fn, SYS_write, 1, (long)msg, sizeof msg - 1) == (long)sizeof msg - 1);
	CHECK(call(fn, SYS_close, -1, 0, 0) == -EBADF);
	CHECK(call(fn, SYS_read, 0, 1, 10) == -EFAULT || call(fn, SYS_read, 0, 1, 10) == 0);
	CHECK(call(fn, 100000, 0, 0, 0) == -ENOSYS);
	printf("errors come back as -errno: EBADF, ENOSYS\n");
	check_signals(fn);
	return 0;
}
