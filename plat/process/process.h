/* State of the process platform. */
#pragma once
#include "plat/plat.h"

struct range {
	uintptr_t start, end;
};

struct plat_process {
	struct plat_info info;
	struct range kernel[4]; /* elfin's image and its heap arena */
	int nkernel;
	uintptr_t text_start, text_end;
};

extern struct plat_process pp;

#define KSTACK_SIZE (256 * 1024)
#define KICK_SIGNAL 63 /* a host signal of elfin's own: "look at your pending signals" */

void trap_install(void);
void trap_enable(void);
void thread_init_main(struct kthread *t);
noreturn void host_sigreturn_to(void *uc);

struct boot_config;
int cli_parse(int argc, char **argv, char **envp, struct boot_config *cfg);
