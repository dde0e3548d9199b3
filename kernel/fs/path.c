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
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		size_t len = end - p;
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n + 1 + len + 1 > size)
				return -ENAMETOOLONG;
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}
