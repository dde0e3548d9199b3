/* Loading a program: its image, its interpreter, the initial stack and auxiliary vector. */
#pragma once
#include "kernel/types.h"

struct exec_args {
	const char *path;     /* the file to run, as the kernel resolves it */
	char *const *argv;    /* kernel copies */
	char *const *envp;
	bool vdso;
	const char *preload;  /* put first in LD_PRELOAD when the program has an interpreter */
};

struct exec_entry {
	uintptr_t pc, sp;
};

/* Loads the program. On failure returns the exit status a shell would give (126 cannot
 * execute, 127 not found) and writes a one-line cause to err. */
int exec_load(const struct exec_args *a, struct exec_entry *out, char *err, size_t errlen);
