/* The clock behind the vDSO: the data page (vdso/vdso_data.h) that the kernel keeps and that
 * the vDSO and the clock system calls both read. */
#pragma once
#include "kernel/types.h"

/* Takes the first calibration sample and makes the page; early in exec, so that loading the
 * program overlaps the calibration. Returns 0 or -errno (then there is no vDSO). */
long vclock_start(void);

/* Maps the page read-only for the program at uaddr; the first time, finishes calibrating
 * and sets the ticks going. Returns 0 or -errno (then there is no vDSO either). */
long vclock_map(void *uaddr);

/* The page's value of clock clk (a Linux clock id); false when there is no page, it cannot
 * answer that clock or it is stale, and the caller must ask the platform. */
bool vclock_read(int clk, int64_t *sec, int64_t *nsec);

/* The page's resolution of clock clk; false as vclock_read is. */
bool vclock_res(int clk, int64_t *nsec);
