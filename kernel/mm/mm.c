/* mmap, munmap, mprotect, mremap, madvise and brk. The platform maps; the core checks the
 * arguments as Linux does and keeps the program away from the kernel's own memory. */
#include "kernel/mm/mm.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/uaccess.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vma.h"
#include "gen/syscalls.h"
#include "plat/plat.h"

#define USER_TOP 0x800000000000UL
#define BRK_MAX (1UL << 36)

static int plat_flags(int flags)
{
	return (flags & MAP_FIXED ? PLAT_MAP_FIXED : 0) | (flags & MAP_FIXED_NOREPLACE ? PLAT_MAP_NOREPLACE : 0) |
	       ((flags & MAP_TYPE) != MAP_PRIVATE ? PLAT_MAP_SHARED : 0) | (flags & MAP_NORESERVE ? PLAT_MAP_RESERVE : 0);
}

/* A range the program may map over, unmap or protect. */
static bool range_ok(uintptr_t addr, size_t len)
{
	return addr + len >= addr && addr + len <= USER_TOP && !plat_is_kernel_range(addr, len);
}

long mm_map_anon(void *addr, size_t len, int prot, int flags)
{
	return plat_map(addr, len, prot, plat_flags(flags), -1, 0);
}

long mm_map_object(void *addr, size_t len, int prot, int flags, int handle, off_t off)
{
	return plat_map(addr, len, prot, plat_flags(flags), handle, off);
}

long mm_map_copy(void *addr, size_t len, int prot, int flags, const void *data, size_t datalen)
{
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE))
		return -ENODEV; /* shared writable mappings of in-kernel files are not supported yet */
	long a = plat_map(addr, len, PROT_READ | PROT_WRITE, plat_flags(flags) & ~PLAT_MAP_SHARED, -1, 0);
	if (a < 0)
		return a;
	memcpy((void *)a, data, datalen);
	if (prot != (PROT_READ | PROT_WRITE))
		plat_protect((void *)a, PAGE_UP(len), prot);
	return a;
}

/* Notes a new mapping in the address-space map; f names the file behind it. */
static long record(long a, size_t len, int prot, int flags, struct file *f, off_t off, const char *name)
{
	if (a < 0)
		return a;
	struct vma_desc d = {prot, (flags & MAP_TYPE) != MAP_PRIVATE ? VMA_SHARED : 0, (uint64_t)off, 0, 0, name};
	struct kstat st = {0};
	if (f && f->ops->stat && f->ops->stat(f, &st) == 0) {
		d.dev = st.dev;
		d.ino = st.ino;
	}
	if (f)
		d.name = f->path;
	vma_map((uintptr_t)a, (uintptr_t)a + PAGE_UP(len), &d);
	return a;
}

long mm_map_file(struct file *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	int acc = f->flags & O_ACCMODE;
	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->ops->mmap)
		return -ENODEV;
	if (acc == O_WRONLY || ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR))
		return -EACCES;
	return record(f->ops->mmap(f, addr, len, prot, flags, off), len, prot, flags, f, off, NULL);
}

long mm_map_named(void *addr, size_t len, int prot, int flags, const char *name)
{
	return record(mm_map_anon(addr, len, prot, flags), len, prot, flags, NULL, 0, name);
}

static long map_file(int fd, void *addr, size_t len, int prot, int flags, off_t off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r = mm_map_file(f, addr, len, prot, flags, off);
	file_put(f);
	return r;
}

/* Whether growing the address space by len would pass RLIMIT_AS. */
static bool over_as_limit(size_t len)
{
	uint64_t limit = proc_rlimit(RLIMIT_AS);
	return limit != ~0UL && vma_total() + len > limit;
}

/* The main stack is an area that grows down on faults, as Linux's does: one reservation, the
 * largest stack exec allows plus Linux's guard gap (stack_guard_gap, 256 pages) below it, which
 * no mapping without a fixed address can take; the area itself starts with what exec needs and
 * grows over the reservation up to RLIMIT_STACK as it is read then, never nearer than the gap
 * to a mapping below. The pages under it are nobody's, so an overflow faults right there. */
#define STACK_GUARD_GAP (256 * PAGE_SIZE)
#define STACK_STEP (16 * PAGE_SIZE)

/* Whether [a, a+len) lies in the main stack's reservation below the stack, where the program
 * has mapped nothing, and it asks for it with MAP_FIXED_NOREPLACE, or with a hint at least the
 * guard gap below the stack: to the program that is free space, as on Linux. */
static bool stack_room_free(uintptr_t a, size_t len, int flags)
{
	struct kproc *p = curproc();
	uintptr_t high = p->stack_start - ((flags & MAP_FIXED_NOREPLACE) ? 0 : STACK_GUARD_GAP);
	return a && !(a & (PAGE_SIZE - 1)) && !(flags & MAP_FIXED) && p->stack_floor && a >= p->stack_floor - STACK_GUARD_GAP &&
	       a + len <= high && !vma_busy(a, a + len);
}

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	uintptr_t a = (uintptr_t)addr;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) { /* Linux looks up the file before it reads the flags */
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
	}
	int type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len == 0 || (off & (PAGE_SIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (PAGE_UP(len) < len || PAGE_UP(len) > USER_TOP)
		return -ENOMEM;
	len = PAGE_UP(len);
	if (over_as_limit(len))
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (a & (PAGE_SIZE - 1))
			return -EINVAL;
		if (!range_ok(a, len))
			return -ENOMEM;
		if (!(flags & MAP_FIXED))
			flags &= ~MAP_FIXED;
	} else if (!range_ok(a, len)) {
		addr = NULL; /* a hint into the kernel is just ignored */
	}
	if (stack_room_free((uintptr_t)addr, len, flags))
		flags = (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED;
	if (flags & MAP_ANONYMOUS)
		return mm_map_named(addr, len, prot, flags, NULL);
	if (off + (long)len < off)
		return -EOVERFLOW;
	return map_file(fd, addr, len, prot, flags, off);
}

long sys_munmap(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	if ((a & (PAGE_SIZE - 1)) || len == 0 || !range_ok(a, PAGE_UP(len)))
		return -EINVAL;
	long r = plat_unmap(addr, PAGE_UP(len));
	if (r == 0)
		vma_unmap(a, a + PAGE_UP(len));
	return r;
}

long sys_mprotect(void *addr, size_t len, int prot)
{
	uintptr_t a = (uintptr_t)addr;
	if (a & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x03000000 /* GROWSDOWN/UP */))
		return -EINVAL;
	if (!range_ok(a, PAGE_UP(len)))
		return -ENOMEM;
	long r = len ? plat_protect(addr, PAGE_UP(len), prot) : 0;
	if (r == 0 && len)
		vma_protect(a, a + PAGE_UP(len), prot);
	return r;
}

long sys_mremap(void *old, size_t oldlen, size_t newlen, int flags, void *newaddr)
{
	uintptr_t a = (uintptr_t)old;
	if ((a & (PAGE_SIZE - 1)) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (newlen == 0)
		return -EINVAL;
	if (!range_ok(a, PAGE_UP(oldlen)))
		return -EFAULT;
	if ((flags & MREMAP_FIXED) && !range_ok((uintptr_t)newaddr, PAGE_UP(newlen)))
		return -EINVAL;
	if (newlen > oldlen && over_as_limit(newlen - oldlen))
		return -ENOMEM;
	long r = plat_remap(old, oldlen, newlen, flags, newaddr);
	if (r >= 0 && !(flags & MREMAP_DONTUNMAP))
		vma_remap(a, PAGE_UP(oldlen), (uintptr_t)r, PAGE_UP(newlen));
	return r;
}

long sys_madvise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr;
	if (a & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!range_ok(a, PAGE_UP(len)))
		return -ENOMEM;
	return plat_advise(addr, PAGE_UP(len), advice);
}

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

/* Shared maps of in-kernel files are the file's own memory, so there is nothing to write
 * back; the platform still checks the range is mapped and flushes host files it maps. */
long sys_msync(void *addr, size_t len, int flags)
{
	uintptr_t a = (uintptr_t)addr;
	if ((a & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (PAGE_UP(len) < len || !range_ok(a, PAGE_UP(len)))
		return -ENOMEM;
	return len ? plat_msync(addr, PAGE_UP(len), flags) : 0;
}

static struct spinlock stack_lock;

long mm_stack_init(size_t max, size_t initial)
{
	struct kproc *p = curproc();
	max = PAGE_UP(max);
	initial = MIN(PAGE_UP(initial), max);
	long base = plat_map(NULL, max + STACK_GUARD_GAP, PROT_NONE, PLAT_MAP_RESERVE, -1, 0);
	if (base < 0)
		return base;
	uintptr_t top = (uintptr_t)base + max + STACK_GUARD_GAP;
	long r = plat_map((void *)(top - initial), initial, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_RESERVE, -1, 0);
	if (r < 0) {
		plat_unmap((void *)base, max + STACK_GUARD_GAP);
		return r;
	}
	struct vma_desc d = {PROT_READ | PROT_WRITE, 0, 0, 0, 0, "[stack]"};
	vma_map(top - initial, top, &d);
	p->stack_floor = (uintptr_t)base + STACK_GUARD_GAP;
	p->stack_start = top - initial;
	p->stack_top = top;
	return (long)top;
}

/* Moves the stack's start from old down to want; false if that comes too near the mapping
 * below or passes RLIMIT_AS. */
static bool stack_extend(uintptr_t old, uintptr_t want)
{
	if (over_as_limit(old - want) || !vma_grow_down(old, want, STACK_GUARD_GAP))
		return false;
	if (plat_map((void *)want, old - want, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_RESERVE, -1, 0) < 0) {
		vma_grow_down(want, old, 0); /* back, allocating nothing: this may run in a vm's trap */
		return false;
	}
	curproc()->stack_start = want;
	return true;
}

bool mm_stack_grow(uintptr_t addr)
{
	struct kproc *p = curproc();
	uint64_t limit = proc_rlimit(RLIMIT_STACK);
	spin_lock(&stack_lock);
	uintptr_t old = p->stack_start, need = PAGE_DOWN(addr);
	uintptr_t lowest = limit < p->stack_top - p->stack_floor ? PAGE_UP(p->stack_top - limit) : p->stack_floor;
	/* at least STACK_STEP at a time: each growth is a host fault on the process platform */
	uintptr_t want = MAX(lowest, MIN(need, old - STACK_STEP));
	bool ok = need >= lowest && need < old && (stack_extend(old, want) || (want < need && stack_extend(old, need)));
	spin_unlock(&stack_lock);
	return ok;
}

void mm_brk_init(uintptr_t end)
{
	struct kproc *p = curproc();
	p->brk_start = p->brk_cur = PAGE_UP(end);
}

long sys_brk(void *addr)
{
	struct kproc *p = curproc();
	uintptr_t want = (uintptr_t)addr;
	if (want < p->brk_start || want - p->brk_start > BRK_MAX)
		return (long)p->brk_cur;
	uintptr_t old_top = PAGE_UP(p->brk_cur), new_top = PAGE_UP(want);
	if (new_top > old_top) {
		if (!range_ok(old_top, new_top - old_top) || over_as_limit(new_top - old_top))
			return (long)p->brk_cur;
		long r = plat_map((void *)old_top, new_top - old_top, PROT_READ | PROT_WRITE, PLAT_MAP_NOREPLACE, -1, 0);
		if (r < 0)
			return (long)p->brk_cur;
		struct vma_desc heap = {PROT_READ | PROT_WRITE, 0, 0, 0, 0, "[heap]"};
		vma_map(p->brk_start, new_top, &heap);
	} else if (new_top < old_top) {
		plat_unmap((void *)new_top, old_top - new_top);
		vma_unmap(new_top, old_top);
	}
	p->brk_cur = want;
	return (long)want;
}
