/* prctl.c: the process attributes prctl sets and reads back, and its errors. The values read
 * from the system (bounding set, seccomp mode) are the ones the native run sees. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>

#include "abi.h"

static void report(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

#define P(what, ...) report(what, prctl(__VA_ARGS__))

static void *thread_slack(void *arg)
{
	(void)arg;
	printf("a new thread inherits the timer slack: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 123456);
	return NULL;
}

int main(void)
{
	char name[32] = {0};
	int v = -1;

	P("PR_SET_NAME short", PR_SET_NAME, "elfin-test", 0, 0, 0);
	P("PR_GET_NAME", PR_GET_NAME, name, 0, 0, 0);
	printf("name: %s\n", name);
	P("PR_SET_NAME long", PR_SET_NAME, "a-name-longer-than-fifteen-bytes", 0, 0, 0);
	P("PR_GET_NAME", PR_GET_NAME, name, 0, 0, 0);
	printf("name: %s (%zu bytes)\n", name, strlen(name));
	P("PR_SET_NAME bad pointer", PR_SET_NAME, (char *)8, 0, 0, 0);
	P("PR_GET_NAME bad pointer", PR_GET_NAME, (char *)8, 0, 0, 0);

	P("PR_GET_DUMPABLE", PR_GET_DUMPABLE, 0, 0, 0, 0);
	P("PR_SET_DUMPABLE 0", PR_SET_DUMPABLE, 0, 0, 0, 0);
	P("PR_GET_DUMPABLE", PR_GET_DUMPABLE, 0, 0, 0, 0);
	P("PR_SET_DUMPABLE 2", PR_SET_DUMPABLE, 2, 0, 0, 0);
	P("PR_SET_DUMPABLE 1", PR_SET_DUMPABLE, 1, 0, 0, 0);

	P("PR_SET_PDEATHSIG SIGTERM", PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	P("PR_GET_PDEATHSIG", PR_GET_PDEATHSIG, &v, 0, 0, 0);
	printf("pdeathsig: %d\n", v);
	P("PR_SET_PDEATHSIG 65", PR_SET_PDEATHSIG, 65, 0, 0, 0);
	P("PR_GET_PDEATHSIG bad pointer", PR_GET_PDEATHSIG, (int *)8, 0, 0, 0);
	P("PR_SET_PDEATHSIG 0", PR_SET_PDEATHSIG, 0, 0, 0, 0);

	P("PR_GET_KEEPCAPS", PR_GET_KEEPCAPS, 0, 0, 0, 0);
	P("PR_SET_KEEPCAPS 1", PR_SET_KEEPCAPS, 1, 0, 0, 0);
	P("PR_GET_KEEPCAPS", PR_GET_KEEPCAPS, 0, 0, 0, 0);
	P("PR_SET_KEEPCAPS 5", PR_SET_KEEPCAPS, 5, 0, 0, 0);

	P("PR_GET_TIMERSLACK", PR_GET_TIMERSLACK, 0, 0, 0, 0);
	P("PR_SET_TIMERSLACK 123456", PR_SET_TIMERSLACK, 123456, 0, 0, 0);
	P("PR_GET_TIMERSLACK", PR_GET_TIMERSLACK, 0, 0, 0, 0);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_slack, NULL) != 0 || pthread_join(th, NULL) != 0)
		return 1;
	P("PR_SET_TIMERSLACK 0 (default)", PR_SET_TIMERSLACK, 0, 0, 0, 0);
	P("PR_GET_TIMERSLACK", PR_GET_TIMERSLACK, 0, 0, 0, 0);

	P("PR_GET_SECCOMP", PR_GET_SECCOMP, 0, 0, 0, 0);
	P("PR_GET_TIMING", PR_GET_TIMING, 0, 0, 0, 0);
	P("PR_SET_TIMING 1", PR_SET_TIMING, 1, 0, 0, 0);
	P("PR_GET_SECUREBITS", PR_GET_SECUREBITS, 0, 0, 0, 0);

	P("PR_CAPBSET_READ CAP_CHOWN", PR_CAPBSET_READ, 0, 0, 0, 0);
	P("PR_CAPBSET_READ CAP_SYS_ADMIN", PR_CAPBSET_READ, 21, 0, 0, 0);
	P("PR_CAPBSET_READ 99", PR_CAPBSET_READ, 99, 0, 0, 0);
	P("PR_CAPBSET_DROP 99", PR_CAPBSET_DROP, 99, 0, 0, 0);
	P("PR_CAP_AMBIENT IS_SET CAP_CHOWN", PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 0, 0, 0);
	P("PR_CAP_AMBIENT IS_SET 99", PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 99, 0, 0);
	P("PR_CAP_AMBIENT CLEAR_ALL", PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	P("PR_GET_CHILD_SUBREAPER", PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	printf("subreaper: %d\n", v);
	P("PR_SET_CHILD_SUBREAPER 1", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	P("PR_GET_CHILD_SUBREAPER", PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	printf("subreaper: %d\n", v);

	P("PR_GET_THP_DISABLE", PR_GET_THP_DISABLE, 0, 0, 0, 0);
	P("PR_SET_THP_DISABLE 1", PR_SET_THP_DISABLE, 1, 0, 0, 0);
	P("PR_GET_THP_DISABLE", PR_GET_THP_DISABLE, 0, 0, 0, 0);
	P("PR_GET_THP_DISABLE with an argument", PR_GET_THP_DISABLE, 1, 0, 0, 0);

	unsigned long tidaddr = 0;
	P("PR_GET_TID_ADDRESS", PR_GET_TID_ADDRESS, &tidaddr, 0, 0, 0);
	printf("tid address set: %d\n", tidaddr != 0);

	P("PR_GET_NO_NEW_PRIVS", PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	P("PR_SET_NO_NEW_PRIVS 2", PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0);
	P("PR_SET_NO_NEW_PRIVS 1", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	P("PR_GET_NO_NEW_PRIVS", PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	P("PR_GET_NO_NEW_PRIVS with an argument", PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0);

	P("unknown option 9999", 9999, 0, 0, 0, 0);
	return 0;
}
