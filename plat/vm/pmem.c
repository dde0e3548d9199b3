/* Physical memory: one reference count per 4 KiB frame of RAM, from the PVH memory map.
 * A count of 0 is a free frame; RESERVED marks what is not ours (holes, the image, the
 * initrd). Allocation scans from a cursor, so it is cheap while memory is plentiful. */
#include "plat/vm/vm.h"
#include "kernel/lib.h"

#define RESERVED 0xffff

static uint16_t *refs;
static uint64_t nframes, cursor, nfree, total;

static void mark(uint64_t start, uint64_t end, uint16_t v)
{
	for (uint64_t f = start / PAGE_SIZE; f < PAGE_UP(end) / PAGE_SIZE && f < nframes; f++) {
		if (v == 0 && refs[f] != RESERVED)
			continue; /* in use: only reserved frames become free */
		if (refs[f] == 0 && v == RESERVED)
			nfree--;
		else if (refs[f] == RESERVED && v == 0)
			nfree++;
		refs[f] = v;
	}
}

void pmem_reserve(uint64_t start, uint64_t end)
{
	mark(PAGE_DOWN(start), end, RESERVED);
}

/* Gives reserved RAM (the initrd, once unpacked) to the allocator: whole pages only. */
void pmem_release(uint64_t start, uint64_t end)
{
	mark(PAGE_UP(start), PAGE_DOWN(end), 0);
}

static bool overlaps_module(const struct hvm_start_info *si, uint64_t s, uint64_t e)
{
	const struct hvm_modlist_entry *m = phys_to_virt(si->modlist_paddr);
	for (uint32_t i = 0; i < si->nr_modules; i++)
		if (s < m[i].paddr + m[i].size && e > m[i].paddr)
			return true;
	return false;
}

/* Reference counts go in the first RAM run above the image that holds them. */
void pmem_init(const struct hvm_start_info *si)
{
	extern char _end[];
	const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
	uint64_t image_end = PAGE_UP((uintptr_t)_end - KVBASE), top = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == E820_RAM && mm[i].addr + mm[i].size > top)
			top = mm[i].addr + mm[i].size;
	if (top > (1UL << 30))
		top = 1UL << 30; /* the boot map reaches 1 GiB; more comes later */
	nframes = top / PAGE_SIZE;
	size_t need = PAGE_UP(nframes * sizeof *refs);
	for (uint32_t i = 0; i < si->memmap_entries && !refs; i++) {
		uint64_t s = MAX(PAGE_UP(mm[i].addr), image_end), e = mm[i].addr + mm[i].size;
		if (mm[i].type == E820_RAM && s + need <= e && s + need <= top && !overlaps_module(si, s, s + need))
			refs = phys_to_virt(s);
	}
	if (!refs)
		kpanic("no room for the frame table (%lu frames)", (unsigned long)nframes);
	for (uint64_t f = 0; f < nframes; f++)
		refs[f] = RESERVED;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == E820_RAM && mm[i].addr < top)
			mark(PAGE_UP(mm[i].addr), PAGE_DOWN(MIN(mm[i].addr + mm[i].size, top)), 0);
	total = nfree * PAGE_SIZE;
	pmem_reserve(0, 1 << 20);
	pmem_reserve(0x100000, image_end);
	pmem_reserve((uintptr_t)refs - DMAP_BASE, (uintptr_t)refs - DMAP_BASE + need);
	const struct hvm_modlist_entry *m = phys_to_virt(si->modlist_paddr);
	for (uint32_t i = 0; i < si->nr_modules; i++)
		pmem_reserve(m[i].paddr, m[i].paddr + m[i].size);
}

uint64_t pmem_alloc(void)
{
	for (uint64_t n = 0; n < nframes; n++) {
		uint64_t f = cursor;
		cursor = cursor + 1 == nframes ? 0 : cursor + 1;
		if (refs[f] == 0) {
			refs[f] = 1;
			nfree--;
			memset(phys_to_virt(f * PAGE_SIZE), 0, PAGE_SIZE);
			return f * PAGE_SIZE;
		}
	}
	return 0;
}

void pmem_get(uint64_t pa)
{
	uint64_t f = pa / PAGE_SIZE;
	if (f < nframes && refs[f] != RESERVED)
		refs[f]++;
}

void pmem_put(uint64_t pa)
{
	uint64_t f = pa / PAGE_SIZE;
	if (f >= nframes || refs[f] == RESERVED || refs[f] == 0)
		return;
	if (--refs[f] == 0)
		nfree++;
}

uint64_t pmem_total(void)
{
	return total;
}

uint64_t pmem_free_pages(void)
{
	return nfree;
}
