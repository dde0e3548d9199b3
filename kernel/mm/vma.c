/* The kernel's map of the program's address space: a list ordered by address. Every change
 * first cuts the existing areas at the range's edges, then acts on the areas inside. */
#include "kernel/mm/vma.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mman.h"

struct vma {
	uintptr_t start, end;
	int prot, flags;
	uint64_t offset, dev, ino;
	char *name;
	struct vma *next;
};

static struct spinlock lock;
static struct vma *areas;

static struct vma *vma_copy(const struct vma *v)
{
	struct vma *n = kmalloc(sizeof *n);
	if (!n)
		return NULL;
	*n = *v;
	n->name = v->name ? kstrdup(v->name) : NULL;
	return n;
}

static void vma_free(struct vma *v)
{
	kfree(v->name);
	kfree(v);
}

/* Splits the area containing addr (if any straddles it) so that addr is an area edge. */
static void cut_at(uintptr_t addr)
{
	for (struct vma *v = areas; v; v = v->next) {
		if (v->start < addr && addr < v->end) {
			struct vma *tail = vma_copy(v);
			if (!tail)
				return;
			tail->start = addr;
			tail->offset += addr - v->start;
			v->end = addr;
			tail->next = v->next;
			v->next = tail;
			return;
		}
	}
}

static void remove_range(uintptr_t start, uintptr_t end)
{
	cut_at(start);
	cut_at(end);
	for (struct vma **pp = &areas; *pp;) {
		struct vma *v = *pp;
		if (v->start >= start && v->end <= end) {
			*pp = v->next;
			vma_free(v);
		} else {
			pp = &v->next;
		}
	}
}

void vma_map(uintptr_t start, uintptr_t end, const struct vma_desc *d)
{
	struct vma *n = kzalloc(sizeof *n);
	if (!n)
		return;
	*n = (struct vma){start, end, d->prot, d->flags, d->offset, d->dev, d->ino,
			  d->name ? kstrdup(d->name) : NULL, NULL};
	spin_lock(&lock);
	remove_range(start, end);
	struct vma **pp = &areas;
	while (*pp && (*pp)->start < start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	spin_unlock(&lock);
}

void vma_unmap(uintptr_t start, uintptr_t end)
{
	spin_lock(&lock);
	remove_range(start, end);
	spin_unlock(&lock);
}

void vma_protect(uintptr_t start, uintptr_t end, int prot)
{
	spin_lock(&lock);
	cut_at(start);
	cut_at(end);
	for (struct vma *v = areas; v; v = v->next)
		if (v->start >= start && v->end <= end)
			v->prot = prot;
	spin_unlock(&lock);
}

void vma_remap(uintptr_t old, size_t oldlen, uintptr_t new, size_t newlen)
{
	spin_lock(&lock);
	struct vma model = {0};
	for (struct vma *v = areas; v; v = v->next)
		if (v->start <= old && old < v->end) {
			model = *v;
			model.offset += old - v->start;
			model.name = v->name ? kstrdup(v->name) : NULL;
			break;
		}
	remove_range(old, old + oldlen);
	spin_unlock(&lock);
	struct vma_desc d = {model.prot, model.flags, model.offset, model.dev, model.ino, model.name};
	vma_map(new, new + newlen, &d);
	kfree(model.name);
}

bool vma_grow_down(uintptr_t start, uintptr_t new_start, uintptr_t gap)
{
	bool ok = false;
	spin_lock(&lock);
	struct vma *prev = NULL, *v = areas;
	for (; v && v->start < start; v = v->next)
		prev = v;
	if (v && v->start == start &&
	    (!prev || prev->end + (prev->prot & (PROT_READ | PROT_WRITE | PROT_EXEC) ? gap : 0) <= new_start)) {
		v->start = new_start;
		ok = true;
	}
	spin_unlock(&lock);
	return ok;
}

bool vma_busy(uintptr_t start, uintptr_t end)
{
	bool found = false;
	spin_lock(&lock);
	for (struct vma *v = areas; v && v->start < end && !found; v = v->next)
		found = start < v->end;
	spin_unlock(&lock);
	return found;
}

void vma_describe(struct strbuf *sb)
{
	spin_lock(&lock);
	for (struct vma *v = areas; v; v = v->next)
		sb_printf(sb, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu%s%s\n", (unsigned long)v->start,
			  (unsigned long)v->end, v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-',
			  v->prot & 4 ? 'x' : '-', v->flags & VMA_SHARED ? 's' : 'p', (unsigned long)v->offset,
			  (unsigned)(v->dev >> 8) & 0xfff, (unsigned)v->dev & 0xff, (unsigned long)v->ino,
			  v->name ? "                          " : "", v->name ? v->name : "");
	spin_unlock(&lock);
}

uint64_t vma_total(void)
{
	uint64_t n = 0;
	spin_lock(&lock);
	for (struct vma *v = areas; v; v = v->next)
		n += v->end - v->start;
	spin_unlock(&lock);
	return n;
}
