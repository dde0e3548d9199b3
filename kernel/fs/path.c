/* Lexical path normalization: the one place "." and ".." are resolved. */
#include "kernel/fs/path.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

long path_normalize(const char *base, const char *path, char *out, size_t size)
{
	size_t n = 0;
	if (path[0] != '/') {
		n = strlcpy(out, base, size);
		if (n >= size)
			return -ENAMETOOLONG;
		if (n == 1)
			n = 0; /* base is "/" */
	}
	const char *p = path, *c;
	size_t len;
	while ((c = path_next(&p, &len))) {
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}

const char *path_next(const char **p, size_t *len)
{
	const char *c = *p;
	while (*c == '/')
		c++;
	if (!*c)
		return NULL;
	const char *end = c;
	while (*end && *end != '/')
		end++;
	*len = (size_t)(end - c);
	while (*end == '/')
		end++;
	*p = end;
	return c;
}

enum path_last path_last(const char *path)
{
	const char *p = path, *c, *last = NULL;
	size_t len, n = 0;
	while ((c = path_next(&p, &len))) {
		last = c;
		n = len;
	}
	if (!last)
		return PATH_LAST_ROOT;
	if (n == 1 && last[0] == '.')
		return PATH_LAST_DOT;
	return n == 2 && last[0] == '.' && last[1] == '.' ? PATH_LAST_DOTDOT : PATH_LAST_NAME;
}
