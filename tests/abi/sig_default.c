/* sig_default.c: dies by a signal with its default action; the exit status must be 128+N. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	} else {
		fprintf(stderr, "sig_default: unknown mode %s\n", how);
		return 2;
	}
	fprintf(stderr, "sig_default: still alive after %s\n", how);
	return 1;
}
