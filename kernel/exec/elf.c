/* ELF64 validation for the loader. Every check names the cause in one line; nothing here
 * touches memory beyond the buffers it is given. */
#include "kernel/exec/elf.h"
#include "kernel/lib.h"

#define EM_X86_64 62
#define USER_TOP 0x7ffffffff000UL /* the last page is never mappable (TASK_SIZE) */
#define MIN_ADDR 0x10000UL   /* vm.mmap_min_addr */
#define MAX_SPAN (1UL << 40) /* no real program spans a terabyte */

#define FAIL(...) (ksnprintf(err, errlen, __VA_ARGS__), err)

const char *elf_check_header(const void *buf, size_t len, uint64_t filesize, char *err, size_t errlen)
{
	const struct elf_ehdr *eh = buf;
	const unsigned char *id = buf;
	if (len >= 2 && id[0] == '#' && id[1] == '!')
		return FAIL("is a script; run its interpreter under elfin instead");
	if (len < 4 || memcmp(id, "\177ELF", 4) != 0)
		return FAIL("not an ELF file");
	if (len < ELF_EHDR_SIZE || filesize < ELF_EHDR_SIZE)
		return FAIL("truncated ELF file (%lu bytes, the header alone needs 64)", (unsigned long)filesize);
	if (id[4] != 2)
		return FAIL("not a 64-bit ELF file (class %u)", id[4]);
	if (id[5] != 1)
		return FAIL("not a little-endian ELF file");
	if (id[6] != 1 || eh->version != 1)
		return FAIL("unsupported ELF version");
	if (eh->machine != EM_X86_64)
		return FAIL("built for another machine (e_machine %u), not x86-64", eh->machine);
	if (eh->type != ET_EXEC && eh->type != ET_DYN)
		return FAIL("not an executable (ELF type %s)", eh->type == 1 ? "relocatable" : eh->type == 4 ? "core" : "unknown");
	if (eh->phentsize != ELF_PHDR_SIZE)
		return FAIL("bad program header size %u", eh->phentsize);
	if (eh->phnum == 0)
		return FAIL("no program headers");
	if (eh->phnum > ELF_MAX_PHNUM)
		return FAIL("too many program headers (%u)", eh->phnum);
	if (eh->phoff > filesize || filesize - eh->phoff < (uint64_t)eh->phnum * ELF_PHDR_SIZE)
		return FAIL("program headers lie beyond the end of the file");
	return NULL;
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? 1 : 0) | (flags & PF_W ? 2 : 0) | (flags & PF_X ? 4 : 0);
}

static const char *check_load(const struct elf_ehdr *eh, const struct elf_phdr *p, int i, uint64_t filesize,
			      char *err, size_t errlen)
{
	if (p->filesz > p->memsz)
		return FAIL("segment %d: file size exceeds memory size", i);
	if (p->offset > filesize || filesize - p->offset < p->filesz)
		return FAIL("segment %d lies beyond the end of the file", i);
	if (p->vaddr >= USER_TOP || p->memsz > USER_TOP - p->vaddr)
		return FAIL("segment %d: address %#lx out of range", i, (unsigned long)p->vaddr);
	if ((p->vaddr - p->offset) % PAGE_SIZE)
		return FAIL("segment %d: address and file offset disagree modulo the page size", i);
	if (eh->type == ET_EXEC && p->vaddr < MIN_ADDR)
		return FAIL("segment %d at %#lx is below the lowest mappable address", i, (unsigned long)p->vaddr);
	return NULL;
}

static const char *check_interp_hdr(struct elf_image *img, const struct elf_phdr *p, uint64_t filesize,
				    char *err, size_t errlen)
{
	if (img->has_interp)
		return FAIL("more than one interpreter");
	if (p->filesz < 2 || p->filesz > 4096)
		return FAIL("malformed interpreter path (length %lu)", (unsigned long)p->filesz);
	if (p->offset > filesize || filesize - p->offset < p->filesz)
		return FAIL("interpreter path lies beyond the end of the file");
	img->has_interp = true;
	img->interp_off = p->offset;
	img->interp_len = p->filesz;
	return NULL;
}

/* Segments must come in address order and must not overlap (after page rounding). */
static const char *check_order(const struct elf_image *img, char *err, size_t errlen)
{
	for (int i = 1; i < img->nsegs; i++) {
		const struct elf_seg *a = &img->segs[i - 1], *b = &img->segs[i];
		if (b->vaddr < a->vaddr + a->memsz)
			return FAIL("loadable segments overlap or are out of order");
	}
	if (img->hi - img->lo > MAX_SPAN)
		return FAIL("segments span an absurd range (%#lx bytes)", (unsigned long)(img->hi - img->lo));
	return NULL;
}

const char *elf_check_phdrs(const struct elf_ehdr *eh, const struct elf_phdr *ph, uint64_t filesize,
			    struct elf_image *img, char *err, size_t errlen)
{
	memset(img, 0, sizeof *img);
	img->type = eh->type;
	img->entry = eh->entry;
	img->phoff = eh->phoff;
	img->phnum = eh->phnum;
	const char *e;
	for (int i = 0; i < eh->phnum; i++) {
		const struct elf_phdr *p = &ph[i];
		if (p->type == PT_INTERP && (e = check_interp_hdr(img, p, filesize, err, errlen)))
			return e;
		if (p->type == PT_PHDR)
			img->phdr_vaddr = p->vaddr;
		if (p->type != PT_LOAD || p->memsz == 0)
			continue;
		if ((e = check_load(eh, p, i, filesize, err, errlen)))
			return e;
		if (img->nsegs == ELF_MAX_SEGS)
			return FAIL("too many loadable segments");
		img->segs[img->nsegs++] = (struct elf_seg){p->vaddr, p->memsz, p->offset, p->filesz, prot_of(p->flags)};
	}
	if (img->nsegs == 0)
		return FAIL("no loadable segments");
	img->lo = PAGE_DOWN(img->segs[0].vaddr);
	const struct elf_seg *last = &img->segs[img->nsegs - 1];
	img->hi = PAGE_UP(last->vaddr + last->memsz);
	if ((e = check_order(img, err, errlen)))
		return e;
	if (!img->phdr_vaddr) /* no PT_PHDR: find where e_phoff lands in a loaded segment */
		for (int i = 0; i < img->nsegs; i++) {
			const struct elf_seg *s = &img->segs[i];
			if (eh->phoff >= s->offset && eh->phoff - s->offset < s->filesz)
				img->phdr_vaddr = s->vaddr + (eh->phoff - s->offset);
		}
	return NULL;
}

const char *elf_check_interp(const char *path, uint64_t len, char *err, size_t errlen)
{
	if (path[len - 1] != 0 || strnlen(path, len) != len - 1)
		return FAIL("malformed interpreter path");
	if (path[0] != '/')
		return FAIL("interpreter path is not absolute");
	return NULL;
}
