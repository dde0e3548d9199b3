/* AF_UNIX names. A path name belongs to the program's file tree (its /tmp is the kernel's
 * tmpfs, the host tree is read-only), so it cannot name a host socket file: it becomes a
 * host abstract name private to this kernel, "\0elfin.<host pid>:<absolute path>", and comes
 * back as the absolute path. Abstract and unnamed addresses pass as they are. */
#include "kernel/net/net.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fs/path.h"
#include "kernel/proc/proc.h"
#include "plat/plat.h"

#define SUN_PATH 108
#define SUN_OFF 2

static int prefix(char *buf, size_t size)
{
	return ksnprintf(buf, size, "elfin.%d:", (int)plat_info()->pid);
}

long unix_addr_in(void *addr, int *len, int cap)
{
	char *sun = (char *)addr + SUN_OFF;
	if (*len <= SUN_OFF || sun[0] == 0)
		return *len;
	char path[SUN_PATH + 1], abs[PATH_MAX];
	size_t n = 0;
	while ((int)(SUN_OFF + n) < *len && n < SUN_PATH && sun[n])
		n++;
	memcpy(path, sun, n);
	path[n] = 0;
	if (path_normalize(curproc()->cwd, path, abs, sizeof abs) < 0)
		return -EINVAL;
	char pre[32];
	int plen = prefix(pre, sizeof pre);
	size_t alen = strlen(abs);
	if (1 + (size_t)plen + alen > SUN_PATH || SUN_OFF + 1 + plen + (int)alen > cap)
		return -EINVAL;
	sun[0] = 0;
	memcpy(sun + 1, pre, (size_t)plen);
	memcpy(sun + 1 + plen, abs, alen);
	*len = SUN_OFF + 1 + plen + (int)alen;
	return *len;
}

void unix_addr_out(void *addr, int *len)
{
	char *sun = (char *)addr + SUN_OFF, pre[32];
	int plen = prefix(pre, sizeof pre);
	int n = *len - SUN_OFF - 1;
	if (*len <= SUN_OFF || sun[0] != 0 || n < plen || memcmp(sun + 1, pre, (size_t)plen) != 0)
		return;
	memmove(sun, sun + 1 + plen, (size_t)(n - plen));
	sun[n - plen] = 0;
	*len = SUN_OFF + (n - plen) + 1;
}
