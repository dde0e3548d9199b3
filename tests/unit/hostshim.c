/* What the kernel's pure files need from the rest of the kernel, for host-side tests:
 * the kernel's own string helpers are linked as they are; formatting comes from libc. */
#include <stdio.h>
#include "kernel/lib.h"

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
