/* fcntl: hand-written, since libc's is variadic and the lock-waiting commands are
 * cancellation points. The kernel answers every command as libc would pass it through. */
#include "preload/direct.h"

#define NR_fcntl 72
#define F_SETLKW 7
#define F_OFD_SETLKW 38

long fcntl(long fd, long cmd, long arg)
{
	static long (*next)(long, long, long);
	if (__builtin_expect(!elfin_entry, 0)) { /* outside elfin: libc's own */
		if (!next)
			next = (long (*)(long, long, long))elfin_next("fcntl");
		return next(fd, cmd, arg);
	}
	if (cmd == F_SETLKW || cmd == F_OFD_SETLKW)
		return elfin_result(elfin_call_cancel(NR_fcntl, fd, cmd, arg, 0, 0, 0));
	return elfin_result(elfin_call(NR_fcntl, fd, cmd, arg, 0, 0, 0));
}

long fcntl64(long fd, long cmd, long arg) __attribute__((alias("fcntl")));
long __fcntl(long fd, long cmd, long arg) __attribute__((alias("fcntl")));
