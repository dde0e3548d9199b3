/* The address-space map the kernel keeps of the program: what /proc/self/maps shows and
 * what later platforms place mappings by. Ranges are page-aligned; later calls replace the
 * parts of earlier ones they overlap, as mmap does. */
#pragma once
#include "kernel/types.h"

struct strbuf;

#define VMA_SHARED 1

struct vma_desc {
	int prot, flags;
	uint64_t offset, dev, ino;
	const char *name; /* a path, "[heap]", "[stack]", "[vdso]" or NULL; copied */
};

void vma_map(uintptr_t start, uintptr_t end, const struct vma_desc *d);
void vma_unmap(uintptr_t start, uintptr_t end);
void vma_protect(uintptr_t start, uintptr_t end, int prot);
/* Moves [old, old+oldlen) to new (the first min(oldlen,newlen) bytes) and extends it. */
void vma_remap(uintptr_t old, size_t oldlen, uintptr_t new, size_t newlen);
/* Moves the start of the area starting at start down to new_start, if the area below ends at
 * least gap bytes under new_start (an inaccessible one may end right there): a stack grows.
 * Moving it back up (gap 0) undoes that. */
bool vma_grow_down(uintptr_t start, uintptr_t new_start, uintptr_t gap);
/* Whether any area overlaps [start, end). */
bool vma_busy(uintptr_t start, uintptr_t end);
void vma_describe(struct strbuf *sb);
/* Bytes of address space mapped, for RLIMIT_AS. */
uint64_t vma_total(void);
