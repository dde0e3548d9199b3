/* The address space: 4-level page tables with 4 KiB pages for the program and the kernel
 * heap, 2 MiB pages for the direct map of RAM and the kernel image. Mappings are demand-
 * zero: an entry records the protection (software bits) and gets its frame at the first
 * fault. Shared-memory objects (tmpfs files, the vDSO data page) are lists of frames. */
#include "plat/vm/vm.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "kernel/mm/kalloc.h"

#define PTE_P 0x1UL
#define PTE_W 0x2UL
#define PTE_PCD 0x10UL
#define PTE_PS 0x80UL
#define PTE_MAPPED 0x200UL /* software: the page belongs to a mapping */
#define PTE_FRAME 0x400UL  /* software: a frame is attached (present or PROT_NONE) */
#define PTE_RO 0x800UL     /* software: never writable (the vDSO data page) */
#define PTE_SHM (1UL << 55) /* software: the frame is a shared object's */
#define PTE_PROT_SHIFT 52
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23

static uint64_t *pml4;
static uint64_t pml4_pa;
static bool nx_ok;
static uintptr_t mmap_cursor = MMAP_TOP;

static uint64_t *table_of(uint64_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

/* The level-1 entry for va, creating the tables on the way if asked. */
static uint64_t *walk(uintptr_t va, bool create)
{
	uint64_t *t = pml4;
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = pmem_alloc();
			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W;
		}
		t = table_of(*e);
	}
	return &t[(va >> 12) & 511];
}

static void flush(uintptr_t va, size_t len)
{
	if (len > 64 * PAGE_SIZE) {
		__asm__ volatile("mov %0, %%cr3" : : "r"(pml4_pa) : "memory");
		return;
	}
	for (size_t o = 0; o < len; o += PAGE_SIZE)
		__asm__ volatile("invlpg (%0)" : : "r"(va + o) : "memory");
}

static uint64_t pte_make(uint64_t pa, int prot, uint64_t soft)
{
	uint64_t e = PTE_MAPPED | soft | (uint64_t)(prot & 7) << PTE_PROT_SHIFT;
	if (!(soft & PTE_FRAME))
		return e;
	e |= pa;
	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		e |= PTE_P;
	if ((prot & PROT_WRITE) && !(soft & PTE_RO))
		e |= PTE_W;
	if (!(prot & PROT_EXEC) && nx_ok)
		e |= PTE_NX;
	return e;
}

static int pte_prot(uint64_t e)
{
	return (int)(e >> PTE_PROT_SHIFT) & 7;
}

static void pte_release(uint64_t *e)
{
	if (*e & PTE_FRAME)
		pmem_put(*e & PTE_ADDR);
	*e = 0;
}

static bool in_heap(uintptr_t va)
{
	return va >= HEAP_BASE && va < HEAP_BASE + HEAP_SIZE;
}

/* An address as plat_map returns it: kernel addresses would read as -errno, so a (fixed)
 * map in the kernel's half returns 0. */
static long result(uintptr_t a)
{
	return a >= USER_TOP ? 0 : (long)a;
}

/* Whether nothing is mapped in [va, va+len). */
static bool range_free(uintptr_t va, size_t len)
{
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(va + o, false);
		if (e && *e)
			return false;
	}
	return true;
}

/* A free range of len bytes below the last one handed out (the address space is vast). */
static uintptr_t find_free(size_t len)
{
	uintptr_t a = mmap_cursor;
	while (a - len >= (1UL << 32)) {
		a -= len;
		if (range_free(a, len)) {
			mmap_cursor = a;
			return a;
		}
	}
	return 0;
}

void paging_init(uint64_t ram_top)
{
	extern uint64_t boot_pml4[];
	uint64_t *boot = (uint64_t *)((uintptr_t)boot_pml4 + DMAP_BASE);
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001));
	nx_ok = d & (1u << 20);
	if (nx_ok)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (1 << 11));
	pml4_pa = pmem_alloc();
	pml4 = phys_to_virt(pml4_pa);
	pml4[511] = boot[511]; /* the kernel image */
	/* The direct map of RAM with 2 MiB pages. */
	for (uint64_t pa = 0; pa < ram_top; pa += 2UL << 20) {
		uintptr_t va = DMAP_BASE + pa;
		uint64_t *e = &pml4[(va >> 39) & 511];
		for (int shift = 30; shift >= 21; shift -= 9) {
			if (!*e)
				*e = pmem_alloc() | PTE_P | PTE_W;
			e = &table_of(*e)[(va >> shift) & 511];
		}
		*e = pa | PTE_P | PTE_W | PTE_PS | (nx_ok ? PTE_NX : 0);
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4_pa) : "memory");
}

void paging_map_mmio(uintptr_t va, uint64_t pa)
{
	uint64_t *e = walk(va, true);
	kassert(e);
	*e = pa | PTE_P | PTE_W | PTE_PCD | PTE_MAPPED;
	flush(va, PAGE_SIZE);
}

/* Whether anything is mapped at va (a fault there is an access error, not a missing map). */
bool paging_mapped(uintptr_t va)
{
	uint64_t *e = walk(va, false);
	return e && (*e & PTE_MAPPED);
}

/* Gives the demand page at va its frame if the access (page-fault error code) is allowed:
 * 1 done, 0 not a demand page or not allowed, -ENOMEM when no frame is left. */
int paging_fault(uintptr_t va, uint64_t err)
{
	uint64_t *e = walk(va, in_heap(va));
	if (!e)
		return in_heap(va) ? -ENOMEM : 0;
	if (!*e && in_heap(va))
		*e = pte_make(0, PROT_READ | PROT_WRITE, 0);
	if (!(*e & PTE_MAPPED) || (*e & PTE_FRAME))
		return false;
	int prot = pte_prot(*e);
	bool write = err & 2, fetch = err & 16;
	if ((write && !(prot & PROT_WRITE)) || (fetch && !(prot & PROT_EXEC)) || !prot)
		return false;
	uint64_t pa = pmem_alloc();
	if (!pa)
		return -ENOMEM;
	*e = pte_make(pa, prot, PTE_FRAME | (*e & PTE_RO));
	flush(va, PAGE_SIZE);
	return 1;
}

/* Shared-memory objects. */
struct shm {
	size_t npages;
	uint64_t *frames; /* 0 until first mapped */
	bool ro;
};
#define SHM_MAX 4096
#define SHM_BASE 1000
static struct shm *shms[SHM_MAX];

static struct shm *shm_of(int h)
{
	return h >= SHM_BASE && h < SHM_BASE + SHM_MAX ? shms[h - SHM_BASE] : NULL;
}

/* Shrinking zeroes the pages cut off but keeps them: maps of them (the kernel's window
 * among them) stay consistent without a reverse map, and read zeros as Linux's would. */
long plat_shm_resize(int h, size_t size)
{
	struct shm *s = shm_of(h);
	if (!s)
		return -EBADF;
	size_t n = PAGE_UP(size) / PAGE_SIZE;
	if (size && n <= s->npages) {
		for (size_t i = n; i < s->npages; i++)
			if (s->frames[i])
				memset(phys_to_virt(s->frames[i]), 0, PAGE_SIZE);
		return 0;
	}
	uint64_t *f = kzalloc((n ? n : 1) * sizeof *f);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < s->npages; i++) {
		if (i < n)
			f[i] = s->frames[i];
		else if (s->frames[i])
			pmem_put(s->frames[i]);
	}
	kfree(s->frames);
	s->frames = f;
	s->npages = n;
	return 0;
}

long plat_shm_create(size_t size)
{
	for (int i = 0; i < SHM_MAX; i++) {
		if (shms[i])
			continue;
		struct shm *s = kzalloc(sizeof *s);
		if (!s)
			return -ENOMEM;
		shms[i] = s;
		if (plat_shm_resize(SHM_BASE + i, size) < 0) {
			shms[i] = NULL;
			kfree(s);
			return -ENOMEM;
		}
		return SHM_BASE + i;
	}
	return -EMFILE;
}

void plat_shm_close(int h)
{
	struct shm *s = shm_of(h);
	if (!s)
		return;
	plat_shm_resize(h, 0);
	kfree(s->frames);
	kfree(s);
	shms[h - SHM_BASE] = NULL;
}

static uint64_t shm_frame(struct shm *s, size_t i)
{
	if (i >= s->npages)
		return 0;
	if (!s->frames[i])
		s->frames[i] = pmem_alloc();
	return s->frames[i];
}

/* Entries for one page of a mapping: demand-zero, or a shared object's frame (shared, or
 * copied for a private mapping). */
static long map_page(uint64_t *e, int prot, struct shm *s, size_t idx, bool shared)
{
	if (!s) {
		*e = pte_make(0, prot, 0);
		return 0;
	}
	uint64_t src = shm_frame(s, idx);
	if (!src)
		return idx >= s->npages ? 0 : -ENOMEM; /* past the end: left demand-zero */
	if (shared) {
		pmem_get(src);
		*e = pte_make(src, prot, PTE_FRAME | PTE_SHM | (s->ro ? PTE_RO : 0));
		return 0;
	}
	uint64_t pa = pmem_alloc();
	if (!pa)
		return -ENOMEM;
	memcpy(phys_to_virt(pa), phys_to_virt(src), PAGE_SIZE);
	*e = pte_make(pa, prot, PTE_FRAME);
	return 0;
}

long plat_map(void *addr, size_t len, int prot, int flags, int handle, off_t off)
{
	uintptr_t a = (uintptr_t)addr;
	len = PAGE_UP(len);
	struct shm *s = handle >= 0 ? shm_of(handle) : NULL;
	if (!len || (a & (PAGE_SIZE - 1)) || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (handle >= 0 && !s)
		return -ENODEV; /* no host files on this platform */
	if (flags & PLAT_MAP_NOREPLACE) {
		if (!range_free(a, len))
			return -EEXIST;
	} else if (!(flags & PLAT_MAP_FIXED) && (!a || a + len > USER_TOP || !range_free(a, len))) {
		a = find_free(len);
		if (!a)
			return -ENOMEM;
	}
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(a + o, true);
		if (!e)
			return -ENOMEM;
		pte_release(e);
		long r = map_page(e, prot, s, (size_t)off / PAGE_SIZE + o / PAGE_SIZE, flags & PLAT_MAP_SHARED);
		if (r < 0)
			return r;
	}
	flush(a, len);
	return result(a);
}

long plat_unmap(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(a + o, false);
		if (e)
			pte_release(e);
	}
	flush(a, len);
	return 0;
}

long plat_protect(void *addr, size_t len, int prot)
{
	uintptr_t a = (uintptr_t)addr;
	if (in_heap(a))
		return 0; /* the heap arena is demand-zero read-write throughout */
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(a + o, false);
		if (!e || !(*e & PTE_MAPPED))
			return -ENOMEM;
		*e = pte_make(*e & PTE_ADDR, prot, *e & (PTE_FRAME | PTE_RO | PTE_SHM));
	}
	flush(a, len);
	return 0;
}

/* Moves the entries of [from, from+len) to [to, to+len). */
static long move_pages(uintptr_t from, uintptr_t to, size_t len)
{
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *src = walk(from + o, false), *dst = walk(to + o, true);
		if (!dst)
			return -ENOMEM;
		pte_release(dst);
		if (src) {
			*dst = *src;
			*src = 0;
		}
	}
	flush(from, len);
	flush(to, len);
	return 0;
}

static void extend(uintptr_t at, size_t len, int prot)
{
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(at + o, true);
		if (e)
			*e = pte_make(0, prot, 0);
	}
}

long plat_remap(void *old, size_t oldlen, size_t newlen, int flags, void *newaddr)
{
	uintptr_t a = (uintptr_t)old, to;
	oldlen = PAGE_UP(oldlen);
	newlen = PAGE_UP(newlen);
	uint64_t *last = oldlen ? walk(a + oldlen - PAGE_SIZE, false) : NULL;
	if (!last || !(*last & PTE_MAPPED))
		return -EFAULT;
	int prot = pte_prot(*last);
	if (!(flags & MREMAP_FIXED) && newlen <= oldlen) {
		plat_unmap((void *)(a + newlen), oldlen - newlen);
		return (long)a;
	}
	if (!(flags & MREMAP_FIXED) && range_free(a + oldlen, newlen - oldlen)) {
		extend(a + oldlen, newlen - oldlen, prot);
		return (long)a;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = flags & MREMAP_FIXED ? (uintptr_t)newaddr : find_free(newlen);
	if (!to)
		return -ENOMEM;
	size_t keep = MIN(oldlen, newlen);
	if (move_pages(a, to, keep) < 0)
		return -ENOMEM;
	if (newlen > oldlen)
		extend(to + oldlen, newlen - oldlen, prot);
	else
		plat_unmap((void *)(a + newlen), oldlen - newlen);
	if (flags & MREMAP_DONTUNMAP)
		extend(a, keep, prot);
	return result(to);
}

/* The advice values Linux knows (MADV_NORMAL..MADV_COLLAPSE, MADV_HWPOISON). */
static bool advice_known(int advice)
{
	return (advice >= 0 && advice <= 4) || (advice >= 8 && advice <= 25) || advice == 100;
}

long plat_advise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr;
	if (!advice_known(advice))
		return -EINVAL;
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk(a + o, false);
		if (advice == MADV_DONTNEED && e && (*e & PTE_FRAME) && !(*e & PTE_SHM)) {
			int prot = pte_prot(*e);
			pte_release(e);
			*e = pte_make(0, prot, 0);
		} else if ((advice == MADV_POPULATE_WRITE || advice == MADV_POPULATE_READ) &&
			   paging_fault(a + o, advice == MADV_POPULATE_WRITE ? 2 : 0) <= 0 && !(e && (*e & PTE_FRAME))) {
			return -ENOMEM;
		}
	}
	if (advice == MADV_DONTNEED)
		flush(a, len);
	return 0;
}

long plat_msync(void *addr, size_t len, int flags)
{
	(void)flags;
	for (size_t o = 0; o < len; o += PAGE_SIZE) {
		uint64_t *e = walk((uintptr_t)addr + o, false);
		if (!e || !(*e & PTE_MAPPED))
			return -ENOMEM;
	}
	return 0;
}

/* The kernel's view is mapped from a range of its own, the program's read-only forever. */
long plat_shared_ro(size_t len, void **kview)
{
	static uintptr_t next = KMAP_BASE;
	long h = plat_shm_create(len);
	if (h < 0)
		return h;
	long r = plat_map((void *)next, len, PROT_READ | PROT_WRITE, PLAT_MAP_FIXED | PLAT_MAP_SHARED, (int)h, 0);
	if (r < 0) {
		plat_shm_close((int)h);
		return r;
	}
	shm_of((int)h)->ro = true;
	*kview = (void *)next;
	next += PAGE_UP(len) + PAGE_SIZE;
	return h;
}

bool plat_is_kernel_range(uintptr_t addr, size_t len)
{
	return addr >= USER_TOP || addr + len > USER_TOP || addr + len < addr;
}
