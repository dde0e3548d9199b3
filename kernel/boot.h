/* Bringing the kernel core up for one program: the process, its files, its image. */
#pragma once
#include "kernel/types.h"
#include "kernel/exec/exec.h"
#include "kernel/sys/trace.h"

#define BOOT_MAX_RW 16

struct boot_config {
	const char *program;       /* path of the file to run */
	char *const *argv, *const *envp;
	const char *rw[BOOT_MAX_RW]; /* host directories granted read-write */
	int nrw;
	struct trace_config trace;
	bool vdso;
	const char *preload;       /* the adapter library for dynamic programs, or NULL */
	/* NULL: "/" is the host's tree (the process platform). Otherwise "/" is a tmpfs that
	 * this fills (the vm platform's initrd); it returns 0 or an exit status with err set. */
	int (*fill_root)(char *err, size_t errlen);
};

/* Sets up the process and loads the program. Returns 0 and the entry state, or the exit
 * status for elfin with a one-line cause in err. */
int kernel_boot(const struct boot_config *cfg, struct exec_entry *entry, char *err, size_t errlen);
