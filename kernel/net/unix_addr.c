/* AF_UNIX names of host sockets. A path in a host directory (mounted at the host's own path)
 * names the host's socket file there, so programs outside reach it. Any other path belongs
 * to the program's own file tree and cannot name a host socket file: it becomes a host
 * abstract name private to this kernel, "\0elfin.<host pid>:<absolute path>", and comes back
 * as the absolute path. Abstract and unnamed addresses pass as they are. */
#include "kernel/net/net.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/fs/path.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/kalloc.h"
#include "kernel/fs/vfs.h"
#include "plat/plat.h"

#define SUN_PATH 108
#define SUN_OFF 2

static int prefix(char *buf, size_t size)
{
	return ksnprintf(buf, size, "elfin.%d:", (int)plat_info()->pid);
}

/* The host's path for path when it lies in a host directory and fits a sun_path: 0, or -1. */
static long host_path(const char *path, char *abs)
{
	struct lookup *lk = kmalloc(sizeof *lk);
	long r = lk && vfs_resolve(AT_FDCWD, path, lk) == 0 && lk->mnt->host >= 0 && lk->mnt->ops != &tmpfs_ops &&
			 strlen(lk->abs) < SUN_PATH ? 0 : -1;
	if (r == 0)
		strlcpy(abs, lk->abs, SUN_PATH);
	kfree(lk);
	return r;
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
	if (host_path(path, abs) == 0) {
		size_t alen = strlen(abs);
		memcpy(sun, abs, alen + 1);
		*len = SUN_OFF + (int)alen + 1;
		return *len;
	}
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
