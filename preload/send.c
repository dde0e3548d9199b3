/* send and recv: hand-written, since libc has no system call of those names (they are sendto
 * and recvfrom without an address); both are cancellation points. */
#include "preload/direct.h"

#define NR_sendto 44
#define NR_recvfrom 45

long send(long fd, long buf, long len, long flags)
{
	static long (*next)(long, long, long, long);
	if (__builtin_expect(!elfin_entry, 0)) { /* outside elfin: libc's own */
		if (!next)
			next = (long (*)(long, long, long, long))elfin_next("send");
		return next(fd, buf, len, flags);
	}
	return elfin_result(elfin_call_cancel(NR_sendto, fd, buf, len, flags, 0, 0));
}

long recv(long fd, long buf, long len, long flags)
{
	static long (*next)(long, long, long, long);
	if (__builtin_expect(!elfin_entry, 0)) {
		if (!next)
			next = (long (*)(long, long, long, long))elfin_next("recv");
		return next(fd, buf, len, flags);
	}
	return elfin_result(elfin_call_cancel(NR_recvfrom, fd, buf, len, flags, 0, 0));
}

long __send(long fd, long buf, long len, long flags) __attribute__((alias("send")));
long __recv(long fd, long buf, long len, long flags) __attribute__((alias("recv")));
