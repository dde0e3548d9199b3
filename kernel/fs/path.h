/* Path helpers shared by the VFS and the command line; pure functions, unit-tested on the host. */
#pragma once
#include "kernel/types.h"

/* Normalizes path against base (an absolute, normalized directory) into out, lexically:
 * "." and empty components vanish, ".." removes the previous component (never above "/").
 * Returns 0 or -ENAMETOOLONG. */
long path_normalize(const char *base, const char *path, char *out, size_t size);

/* The next component of the path at *p, or NULL at its end: skips the slashes before it,
 * sets *len to its length and moves *p past it and the slashes after it (so that *p is ""
 * after the last component). */
const char *path_next(const char **p, size_t *len);

/* What a path's last component is, as Linux sorts it for the calls that make, remove or rename
 * a name there: a name, ".", "..", or none at all (a path of slashes only). */
enum path_last { PATH_LAST_NAME, PATH_LAST_DOT, PATH_LAST_DOTDOT, PATH_LAST_ROOT };
enum path_last path_last(const char *path);
