/* sig_default.c: dies by a signal with its default action; the exit status must be 128+N. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "segv";

	fflush(stdout);
	if (strcmp(how, "segv") == 0) {
		volatile int *volatile null = NULL;	/* the compiler can neither drop nor trap it */
		*null = 1;
	} else if (strcmp(how, "abort") == 0) {
		abort();
	} else if (strcmp(how, "term") == 0) {
		raise(SIGTERM);
	} else if (strcmp(how, "pipe") == 0) {
		int p[2];	/* writing to a pipe nobody reads raises SIGPIPE */

		if (pipe(p) != 0 || close(p[0]) != 0)
			return 3;
		if (write(p[1], "x", 1) != -1 || errno != EPIPE)
			return 4;
		fprintf(stderr, "sig_default: write got EPIPE but SIGPIPE did not kill\n");
		return 1;
	} else {
		fprintf(stderr, "sig_default: unknown mode %s\n", how);
		return 2;
	}
	fprintf(stderr, "sig_default: still alive after %s\n", how);
	return 1;
}
