/* Path helpers shared by the VFS and the command line; pure functions, unit-tested on the host. */
#pragma once
#include "kernel/types.h"

/* Normalizes path against base (an absolute, normalized directory) into out, lexically:
 * "." and empty components vanish, ".." removes the previous component (never above "/").
 * Returns 0 or -ENAMETOOLONG. */
long path_normalize(const char *base, const char *path, char *out, size_t size);
