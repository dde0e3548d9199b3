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

void trap_init_thread(void);
void trap_install(void);
void trap_enable(void);

struct boot_config;
int cli_parse(int argc, char **argv, char **envp, struct boot_config *cfg);
