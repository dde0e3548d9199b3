/* sig_handler.c: caught signals: raise with a handler, SIGSEGV on a read-only page, masks. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi.h"

static volatile sig_atomic_t got_usr1;
static sigjmp_buf recover;
static void *volatile fault_addr;

static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = si->si_addr;
	siglongjmp(recover, si->si_code);
}

static void check_raise(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set, old;

	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	printf("SIGUSR1 handled: %d\n", got_usr1 == SIGUSR1);

	got_usr1 = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(sigpending(&set) == 0);
	printf("blocked SIGUSR1: pending=%d handled=%d\n", sigismember(&set, SIGUSR1), got_usr1 != 0);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	printf("after unblock: handled=%d\n", got_usr1 == SIGUSR1);
}

static volatile sig_atomic_t usr2_blocked_inside, usr2_runs;

static void on_usr2(int sig)
{
	sigset_t now;
	(void)sig;
	usr2_runs++;
	sigprocmask(SIG_SETMASK, NULL, &now);
	usr2_blocked_inside = sigismember(&now, SIGUSR2);
}

/* SA_RESETHAND puts SIG_DFL back on delivery; a handler runs with its own signal blocked
 * unless SA_NODEFER. */
static void check_sa_flags(void)
{
	struct sigaction sa = { .sa_handler = on_usr2 }, now;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(raise(SIGUSR2) == 0);
	printf("handler: ran=%d own signal blocked inside=%d\n", (int)usr2_runs, (int)usr2_blocked_inside);
	sa.sa_flags = SA_NODEFER | SA_RESETHAND;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(sigaction(SIGUSR2, NULL, &now) == 0);
	printf("SA_NODEFER|SA_RESETHAND: ran=%d blocked inside=%d, handler now SIG_DFL=%d\n",
	       (int)usr2_runs, (int)usr2_blocked_inside, now.sa_handler == SIG_DFL);
}

/* How each of sigprocmask's three ways changes the mask the thread already has. */
static void check_mask_ops(void)
{
	sigset_t one, two, now, old;

	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	sigemptyset(&two);
	sigaddset(&two, SIGHUP);
	sigaddset(&two, SIGKILL); /* never blockable: dropped silently */
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	CHECK(sigprocmask(SIG_BLOCK, &one, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, &two, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0);
	printf("SIG_BLOCK adds: USR2=%d HUP=%d KILL=%d\n", sigismember(&now, SIGUSR2),
	       sigismember(&now, SIGHUP), sigismember(&now, SIGKILL));
	CHECK(sigprocmask(SIG_UNBLOCK, &one, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0);
	printf("SIG_UNBLOCK removes: USR2=%d HUP=%d\n", sigismember(&now, SIGUSR2),
	       sigismember(&now, SIGHUP));
	CHECK(sigprocmask(SIG_SETMASK, &one, &now) == 0);
	printf("SIG_SETMASK replaces, old had HUP=%d\n", sigismember(&now, SIGHUP));
	CHECK(sigprocmask(SIG_SETMASK, &old, &now) == 0);
	printf("and the new one is USR2=%d HUP=%d\n", sigismember(&now, SIGUSR2),
	       sigismember(&now, SIGHUP));
}

static void check_segv(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int code;

	CHECK(p != MAP_FAILED);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	if ((code = sigsetjmp(recover, 1)) == 0) {
		p[100] = 1;
		fprintf(stderr, "sig_handler: write to a read-only page did not fault\n");
		exit(1);
	}
	printf("SIGSEGV on read-only page: code=%s addr ok=%d\n",
	       code == SEGV_ACCERR ? "SEGV_ACCERR" : code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	       fault_addr == (void *)(p + 100));
	CHECK(munmap((void *)p, 4096) == 0);
	if ((code = sigsetjmp(recover, 1)) == 0) {
		p[0] = 1;
		exit(1);
	}
	printf("SIGSEGV on unmapped page: code=%s\n", code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
}

int main(void)
{
	check_raise();
	check_mask_ops();
	check_sa_flags();
	check_segv();
	return 0;
}
