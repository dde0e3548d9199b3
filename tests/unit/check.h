/* A tiny assertion harness shared by the host-side unit tests. */
#pragma once
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                             \
	do {                                                                         \
		if (cond) {                                                          \
			check_passed++;                                              \
		} else {                                                             \
			check_failed++;                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);        \
			fprintf(stderr, __VA_ARGS__);                                \
			fputc('\n', stderr);                                         \
		}                                                                    \
	} while (0)

/* Prints "SUITE: N passed, M failed" and gives main's exit status. */
static inline int check_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
	return check_failed ? 1 : 0;
}
