/* `elfin run --vm`: the process platform's launcher for the vm platform. */
#pragma once
#include "kernel/types.h"

#define VM_MAX_FILES 64
#define ELFIN_EXIT_VM 124 /* the vm ended without an exit record: QEMU failed, or a bad image */

struct vm_options {
	const char *mem;      /* QEMU -m, "512M" by default */
	const char *accel;    /* "kvm", "tcg" or NULL to choose */
	struct {
		const char *host, *guest;
	} files[VM_MAX_FILES];
	int nfiles;
	const char *program;  /* absolute */
	char *const *argv, *const *envp;
	const char *cwd, *hostname, *release;
	long uid, gid, pid, ppid, pgid, sid, realtime, seed;
	char *stdin_data;     /* all of stdin when it is not a terminal, or NULL */
	size_t stdin_len;
	bool test_panic;      /* ELFIN_VM_TEST_PANIC: the guest kernel faults on purpose */
	bool record;          /* --record: pack what a run on the process platform used */
	const char *preload;  /* the adapter library, or NULL (--no-preload, or not built) */
	char *recorded;       /* those paths, each NUL-terminated, an empty one last */
	uint64_t time_at;     /* where the manifest's time is in the initrd (vm_pack sets it) */
	int strace_fd;        /* --strace: 2 (stderr), a host file's handle, or -1 */
	const char *stats_path; /* --stats FILE, written here from what the guest sends, or NULL */
};

int vm_pack(struct vm_options *o, int fd, char *err, size_t errlen);
/* The manifest's host time is VM_TIME_DIGITS wide, so that it can be stamped again in place
 * right before QEMU starts (packing and --record take their time). */
#define VM_TIME_DIGITS 19
#define VM_TIME_FMT "%019ld"
/* A --mem size as QEMU's -m reads it, in bytes; 0 when it is not one. */
uint64_t vm_mem_bytes(const char *s);
/* What the machine needs besides the initrd: the kernel, its page tables and first heap. */
#define VM_KERNEL_RESERVE (2ULL << 20)
/* Boots the program in a VM; returns elfin's exit status. */
int vm_run(struct vm_options *o, char **envp);
