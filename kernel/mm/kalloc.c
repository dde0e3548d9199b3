/* The kernel heap. Small blocks come from per-size-class free lists carved out of 64 KiB
 * slabs; large blocks are page runs kept in an address-ordered free list and coalesced.
 * Everything lives in one reserved arena so that user pointers into it are easy to refuse. */
#include "kernel/mm/kalloc.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/mman.h"
#include "plat/plat.h"

#define SMALL_MAX 2048
#define NCLASS 8 /* 16, 32, ..., 2048 */
#define SLAB_SIZE (64 * 1024)
#define HDR 16   /* every block starts with its size, keeping 16-byte alignment */

struct run {
	size_t size; /* bytes, including this header, a multiple of PAGE_SIZE */
	struct run *next;
};

static struct {
	struct spinlock lock;
	uintptr_t base, end, top, committed;
	void *free[NCLASS];
	uintptr_t slab_next[NCLASS], slab_end[NCLASS];
	struct run *runs;
} heap;

void kalloc_init(uintptr_t arena, size_t size)
{
	heap.base = heap.top = heap.committed = arena;
	heap.end = arena + size;
}

bool kalloc_owns(uintptr_t addr, size_t len)
{
	return addr < heap.end && addr + len > heap.base;
}

/* Takes fresh pages from the top of the arena, committing them. */
static void *grow(size_t size)
{
	if (size > heap.end - heap.top)
		return NULL;
	uintptr_t p = heap.top;
	if (p + size > heap.committed) {
		size_t more = MAX(PAGE_UP(p + size) - heap.committed, (size_t)(4 << 20));
		more = MIN(more, heap.end - heap.committed);
		if (plat_protect((void *)heap.committed, more, PROT_READ | PROT_WRITE) < 0)
			return NULL;
		heap.committed += more;
	}
	heap.top += size;
	return (void *)p;
}

static int size_class(size_t n)
{
	int c = 0;
	for (size_t s = 16; s < n; s <<= 1)
		c++;
	return c;
}

/* A block of class c: a freed one, or the next one of the class's current slab. Slabs are
 * carved as they are used, so only the pages a block lands on are ever touched. */
static void *small_alloc(int c)
{
	size_t sz = (size_t)16 << c;
	void *p = heap.free[c];
	if (p) {
		heap.free[c] = *(void **)p;
		return p;
	}
	if (heap.slab_next[c] + sz > heap.slab_end[c]) {
		char *slab = grow(SLAB_SIZE);
		if (!slab)
			return NULL;
		heap.slab_next[c] = (uintptr_t)slab;
		heap.slab_end[c] = (uintptr_t)slab + SLAB_SIZE;
	}
	p = (void *)heap.slab_next[c];
	heap.slab_next[c] += sz;
	return p;
}

static void *run_alloc(size_t size)
{
	for (struct run **pp = &heap.runs; *pp; pp = &(*pp)->next) {
		struct run *r = *pp;
		if (r->size < size)
			continue;
		if (r->size == size) {
			*pp = r->next;
		} else {
			struct run *rest = (struct run *)((char *)r + size);
			rest->size = r->size - size;
			rest->next = r->next;
			*pp = rest;
		}
		return r;
	}
	return grow(size);
}

/* Returns a run to the address-ordered free list, merging it with its neighbours. */
static void run_free(struct run *r, size_t size)
{
	struct run *prev = NULL, *next = heap.runs;
	while (next && next < r)
		prev = next, next = next->next;
	r->size = size;
	r->next = next;
	if (next && (char *)r + r->size == (char *)next) {
		r->size += next->size;
		r->next = next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)r) {
		prev->size += r->size;
		prev->next = r->next;
	} else if (prev) {
		prev->next = r;
	} else {
		heap.runs = r;
	}
	if (size >= (1 << 20)) /* give large freed runs back to the platform */
		plat_advise((char *)r + PAGE_SIZE, size - PAGE_SIZE, MADV_DONTNEED);
}

void *kmalloc(size_t n)
{
	if (n > (1UL << 40))
		return NULL;
	size_t total = n + HDR;
	spin_lock(&heap.lock);
	size_t *p;
	if (total <= SMALL_MAX) {
		int c = size_class(total);
		p = small_alloc(c);
		if (p)
			p[0] = (size_t)16 << c;
	} else {
		total = PAGE_UP(total);
		p = run_alloc(total);
		if (p)
			p[0] = total;
	}
	spin_unlock(&heap.lock);
	return p ? (char *)p + HDR : NULL;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	size_t *p = (size_t *)((char *)ptr - HDR);
	size_t size = p[0];
	spin_lock(&heap.lock);
	if (size <= SMALL_MAX) {
		int c = size_class(size);
		*(void **)p = heap.free[c];
		heap.free[c] = p;
	} else {
		run_free((struct run *)p, size);
	}
	spin_unlock(&heap.lock);
}

void *krealloc(void *ptr, size_t n)
{
	if (!ptr)
		return kmalloc(n);
	size_t have = ((size_t *)((char *)ptr - HDR))[0] - HDR;
	if (n <= have)
		return ptr;
	void *q = kmalloc(n);
	if (q) {
		memcpy(q, ptr, have);
		kfree(ptr);
	}
	return q;
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = kmalloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}
