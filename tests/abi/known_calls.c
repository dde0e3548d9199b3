/* known_calls.c: a known sequence of system calls, for the tests of elfin's --stats counts
 * (per call, errors, entry path) and --strace lines: 1000 getpid, 7 close(-1) that fail with
 * EBADF, and one write. */
#include "abi.h"

#define GETPIDS 1000
#define BAD_CLOSES 7

int main(void)
{
	pid_t pid = getpid();
	int same = 1;
	for (int i = 1; i < GETPIDS; i++)
		same &= getpid() == pid;
	CHECK(same);
	for (int i = 0; i < BAD_CLOSES; i++)
		CHECK(close(-1) == -1 && errno == EBADF);
	static const char msg[] = "known calls: 1000 getpid, 7 close EBADF\n";
	CHECK(write(1, msg, sizeof msg - 1) == sizeof msg - 1);
	return 0;
}
