/* exhaust.h: the parts of the exhaustion tests (exhaust.c, exhaust_errno.c). A program is a
 * list of named parts; its argument names the one to run (none: all), and tests/run.py runs
 * each part as a case of its own (ABI_PARTS), so that a known failure in one hides no other. */
#ifndef EXHAUST_H
#define EXHAUST_H

#include "abi.h"

struct exhaust_part {
	const char *name;
	void (*run)(void);
};

/* Runs the part argv[1] names, or every part; returns the exit status: 1 when an abi_expect
 * did not get its errno, else 0 after "exiting cleanly". */
static inline int exhaust_run(const char *prog, const struct exhaust_part *parts, size_t n,
			      int argc, char **argv)
{
	int ran = 0;

	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], parts[i].name) != 0)
			continue;
		parts[i].run();
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "%s: no part named %s\n", prog, argv[1]);
		return 2;
	}
	if (*abi_mismatches()) {
		fprintf(stderr, "%s: %d mismatches\n", prog, *abi_mismatches());
		return 1;
	}
	printf("exiting cleanly\n");
	return 0;
}

#endif
