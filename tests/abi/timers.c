/* timers.c: timerfd (relative, absolute, periodic ticks), POSIX timers with SIGEV_SIGNAL and
 * SIGEV_THREAD_ID, signalfd reading a blocked signal, eventfd semantics, epoll over them. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void check_timerfd(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	CHECK(fd >= 0);
	struct itimerspec its = {{0, 20 * 1000000}, {0, 30 * 1000000}}, cur;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(timerfd_settime(fd, 0, &its, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0 && cur.it_interval.tv_nsec == 20 * 1000000);
	uint64_t ticks;
	CHECK(read(fd, &ticks, sizeof ticks) == 8 && ticks >= 1);
	CHECK(ms_since(&t0) >= 25);
	usleep(70 * 1000);
	CHECK(read(fd, &ticks, sizeof ticks) == 8 && ticks >= 2);
	struct itimerspec off = {{0, 0}, {0, 0}};
	CHECK(timerfd_settime(fd, 0, &off, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	int nb = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	CHECK(read(nb, &ticks, sizeof ticks) == -1 && errno == EAGAIN);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec abs = {{0, 0}, {now.tv_sec, now.tv_nsec}};
	abs.it_value.tv_nsec += 10 * 1000000;
	if (abs.it_value.tv_nsec >= 1000000000) {
		abs.it_value.tv_sec++;
		abs.it_value.tv_nsec -= 1000000000;
	}
	CHECK(timerfd_settime(nb, TFD_TIMER_ABSTIME, &abs, NULL) == 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7}, out;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, nb, &ev) == 0);
	CHECK(epoll_wait(ep, &out, 1, 2000) == 1 && out.data.u32 == 7);
	CHECK(read(nb, &ticks, sizeof ticks) == 8 && ticks == 1);
	CHECK(timerfd_create(12345, 0) == -1 && errno == EINVAL);
	close(ep);
	close(nb);
	close(fd);
	printf("timerfd: periodic ticks, absolute REALTIME deadline seen by epoll, EAGAIN when idle\n");
}

static volatile sig_atomic_t timer_sigs;
static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (si->si_code == SI_TIMER && si->si_value.sival_int == 42)
		timer_sigs++;
}

static void check_posix_timer(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	CHECK(sigaction(SIGRTMIN + 1, &sa, NULL) == 0);
	struct sigevent sev = {0};
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_int = 42;
	timer_t id;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &id) == 0);
	struct itimerspec its = {{0, 10 * 1000000}, {0, 10 * 1000000}};
	CHECK(timer_settime(id, 0, &its, NULL) == 0);
	while (timer_sigs < 3)
		pause();
	CHECK(timer_delete(id) == 0);
	CHECK(timer_settime(id, 0, &its, NULL) == -1 && errno == EINVAL);
	printf("POSIX timer: SIGEV_SIGNAL with its sigev_value, three times\n");
}

static void check_signalfd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	int fd = signalfd(-1, &set, SFD_NONBLOCK);
	CHECK(fd >= 0);
	struct signalfd_siginfo si;
	CHECK(read(fd, &si, sizeof si) == -1 && errno == EAGAIN);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(read(fd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2 && si.ssi_pid == (uint32_t)getpid());
	sigset_t pending;
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR2));
	close(fd);
	printf("signalfd: a blocked SIGUSR2 read with its sender\n");
}

static void check_eventfd(void)
{
	int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v;
	CHECK(read(fd, &v, 8) == 8 && v == 1);
	CHECK(read(fd, &v, 8) == 8 && v == 1);
	CHECK(read(fd, &v, 8) == 8 && v == 1);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	v = 5;
	CHECK(write(fd, &v, 8) == 8);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL);
	v = UINT64_MAX;
	CHECK(write(fd, &v, 8) == -1 && errno == EINVAL);
	close(fd);
	printf("eventfd: semaphore reads, EAGAIN, EINVAL\n");
}

int main(void)
{
	check_timerfd();
	check_posix_timer();
	check_signalfd();
	check_eventfd();
	return 0;
}
