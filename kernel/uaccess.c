/* User memory access checks on top of the architecture's fault-recovering copy primitives. */
#include "kernel/uaccess.h"
#include "kernel/errno.h"
#include "plat/plat.h"
#include "kernel/proc/proc.h"

#define USER_TOP 0x800000000000UL

bool user_range_ok(const void *uptr, size_t len)
{
	uintptr_t p = (uintptr_t)uptr;
	if (current()->kernel_access)
		return true;
	if (p + len < p || p + len > USER_TOP)
		return false;
	return len == 0 || (p >= PAGE_SIZE && !plat_is_kernel_range(p, len));
}

long copy_from_user(void *kdst, const void *usrc, size_t len)
{
	if (!user_range_ok(usrc, len))
		return -EFAULT;
	return arch_uaccess_copy(kdst, usrc, len);
}

long copy_to_user(void *udst, const void *ksrc, size_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return arch_uaccess_copy(udst, ksrc, len);
}

long clear_user(void *udst, size_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return arch_uaccess_clear(udst, len);
}

long copy_str_from_user(char *kdst, const char *usrc, size_t max)
{
	if (!user_range_ok(usrc, 1))
		return -EFAULT;
	size_t room = USER_TOP - (uintptr_t)usrc;
	long n = arch_uaccess_strnlen(usrc, MIN(max, room));
	if (n < 0)
		return n;
	if ((size_t)n >= max)
		return -ENAMETOOLONG;
	if (!user_range_ok(usrc, n + 1))
		return -EFAULT;
	long r = arch_uaccess_copy(kdst, usrc, n + 1);
	return r < 0 ? r : n;
}

long random_to_user(void *udst, size_t len)
{
	char buf[256];
	for (size_t done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof buf);
		plat_random(buf, n);
		if (copy_to_user((char *)udst + done, buf, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

long cmpxchg_user32(uint32_t *uaddr, uint32_t *old, uint32_t new)
{
	if (((uintptr_t)uaddr & 3) || !user_range_ok(uaddr, 4))
		return -EFAULT;
	return arch_uaccess_cmpxchg32(uaddr, old, new);
}
