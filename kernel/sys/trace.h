/* --strace output and --stats counters. */
#pragma once
#include "kernel/sys/syscall.h"

struct trace_config {
	int strace_fd;            /* host handle for strace lines, or -1 */
	const char *stats_path;   /* where to write the JSON statistics, or NULL */
	/* Where the platform carries the JSON instead of opening stats_path itself (the vm:
	 * out to the launcher, which writes the file), or NULL. */
	void (*stats_write)(const char *json, size_t len);
};

void trace_init(const struct trace_config *cfg);
bool trace_enabled(void); /* --strace */
/* Whether --strace or --stats asked for anything: when neither did, the dispatcher calls
 * neither trace_enter nor trace_exit, and no counter is touched. */
extern bool trace_any;
void trace_enter(long nr, const struct syscall_desc *d, const long *args);
void trace_exit(long nr, const struct syscall_desc *d, const long *args, long ret, enum entry_path path);
/* Records a path the program looked up and did not find. */
void trace_missing_path(const char *path);
/* Records a path the program opened, or looked at, with success (for elfin run --vm --record). */
void trace_used_path(const char *path);
/* Called once when the program ends: the exit line and the statistics file. */
void trace_finish(int status, int signal);
