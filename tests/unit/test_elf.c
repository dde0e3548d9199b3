/* Host-side tests of the ELF validation (kernel/exec/elf.c): a valid image built in memory,
 * then one malformed variant per check, each expecting its exact one-line cause. */
#include <stdlib.h>
#include "kernel/exec/elf.h"
#include "tests/unit/check.h"

#define FILESZ 0x2000UL
#define INTERP_OFF 0xf00UL
#define INTERP "/lib64/ld-linux-x86-64.so.2"
#define PT_NOTE 4

struct file {
	_Alignas(8) unsigned char b[FILESZ];
	uint64_t size;
};

static struct elf_ehdr *eh(struct file *f) { return (struct elf_ehdr *)f->b; }
static struct elf_phdr *ph(struct file *f, int i) { return (struct elf_phdr *)(f->b + eh(f)->phoff) + i; }

static void set_ph(struct file *f, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		   uint64_t filesz, uint64_t memsz)
{
	*ph(f, i) = (struct elf_phdr){type, flags, off, vaddr, vaddr, filesz, memsz, 0x1000};
}

/* A static ET_EXEC: text at 0x400000 (holding the headers), data+bss at 0x401000. */
static struct file *make_exec(void)
{
	struct file *f = calloc(1, sizeof *f);
	*eh(f) = (struct elf_ehdr){.type = ET_EXEC, .machine = 62, .version = 1, .entry = 0x400100,
				   .phoff = ELF_EHDR_SIZE, .ehsize = ELF_EHDR_SIZE,
				   .phentsize = ELF_PHDR_SIZE, .phnum = 3};
	memcpy(f->b, "\177ELF\2\1\1", 7);
	set_ph(f, 0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	set_ph(f, 1, PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x800, 0x2000);
	set_ph(f, 2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	f->size = FILESZ;
	return f;
}

/* A PIE with an interpreter: PT_PHDR, PT_INTERP, text at 0, data at 0x1000. */
static struct file *make_dyn(void)
{
	struct file *f = make_exec();
	eh(f)->type = ET_DYN;
	eh(f)->entry = 0x100;
	eh(f)->phnum = 4;
	set_ph(f, 0, PT_PHDR, PF_R, ELF_EHDR_SIZE, ELF_EHDR_SIZE, 4 * ELF_PHDR_SIZE, 4 * ELF_PHDR_SIZE);
	set_ph(f, 1, PT_INTERP, PF_R, INTERP_OFF, INTERP_OFF, sizeof INTERP, sizeof INTERP);
	set_ph(f, 2, PT_LOAD, PF_R | PF_X, 0, 0, 0x1000, 0x1000);
	set_ph(f, 3, PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x800, 0x2000);
	memcpy(f->b + INTERP_OFF, INTERP, sizeof INTERP);
	return f;
}

/* Runs the checks in the loader's order; returns NULL or the first cause. */
static const char *load(struct file *f, struct elf_image *img, char *err, size_t errlen)
{
	size_t n = f->size < ELF_EHDR_SIZE ? f->size : ELF_EHDR_SIZE;
	const char *e = elf_check_header(f->b, n, f->size, err, errlen);
	if (e)
		return e;
	if ((e = elf_check_phdrs(eh(f), ph(f, 0), f->size, img, err, errlen)))
		return e;
	if (img->has_interp)
		return elf_check_interp((const char *)f->b + img->interp_off, img->interp_len, err, errlen);
	return NULL;
}

/* Expects f to be rejected with exactly the message want; frees f. */
static void bad(const char *what, struct file *f, const char *want)
{
	char err[256];
	struct elf_image img;
	memset(err, 0, sizeof err);
	const char *e = load(f, &img, err, sizeof err);
	CHECK(e == err, "%s: accepted, want '%s'", what, want);
	if (e)
		CHECK(strcmp(e, want) == 0, "%s: got '%s', want '%s'", what, e, want);
	free(f);
}

static void test_valid(void)
{
	char err[256];
	struct elf_image img;
	struct file *f = make_exec();
	const char *e = load(f, &img, err, sizeof err);
	CHECK(e == NULL, "valid ET_EXEC rejected: %s", e);
	CHECK(img.type == ET_EXEC && img.nsegs == 2, "exec: type %d nsegs %d", img.type, img.nsegs);
	CHECK(img.lo == 0x400000 && img.hi == 0x403000, "exec: lo %#lx hi %#lx", (unsigned long)img.lo,
	      (unsigned long)img.hi);
	CHECK(img.phdr_vaddr == 0x400040, "exec: phdr_vaddr %#lx", (unsigned long)img.phdr_vaddr);
	CHECK(!img.has_interp && img.entry == 0x400100 && img.phnum == 3, "exec: interp/entry/phnum");
	CHECK(img.segs[0].prot == 5 && img.segs[1].prot == 3, "exec: prot %d %d", img.segs[0].prot,
	      img.segs[1].prot);
	CHECK(img.segs[1].filesz == 0x800 && img.segs[1].memsz == 0x2000 && img.segs[1].offset == 0x1000,
	      "exec: segment 1 sizes");
	free(f);

	f = make_dyn();
	e = load(f, &img, err, sizeof err);
	CHECK(e == NULL, "valid ET_DYN rejected: %s", e);
	CHECK(img.type == ET_DYN && img.nsegs == 2 && img.lo == 0 && img.hi == 0x3000, "dyn: type/nsegs/lo/hi");
	CHECK(img.phdr_vaddr == 0x40, "dyn: phdr_vaddr %#lx", (unsigned long)img.phdr_vaddr);
	CHECK(img.has_interp && img.interp_off == INTERP_OFF && img.interp_len == sizeof INTERP, "dyn: interp");
	free(f);

	/* Empty PT_LOADs are skipped; an ET_DYN may start at 0; the file may end at a segment. */
	f = make_exec();
	set_ph(f, 2, PT_LOAD, PF_R, 0x1800, 0x500000, 0, 0);
	f->size = 0x1800;
	e = load(f, &img, err, sizeof err);
	CHECK(e == NULL && img.nsegs == 2, "exec with an empty PT_LOAD: %s", e ? e : "nsegs");
	free(f);
}

static struct file *exec_with(void (*edit)(struct file *))
{
	struct file *f = make_exec();
	edit(f);
	return f;
}

static void test_header(void)
{
	struct file *f;
	f = make_exec(), memcpy(f->b, "\177ELG", 4);
	bad("bad magic", f, "not an ELF file");
	f = make_exec(), memcpy(f->b, "junk", 4), f->size = 4;
	bad("junk", f, "not an ELF file");
	f = make_exec(), f->size = 3;
	bad("three bytes", f, "not an ELF file");
	f = make_exec(), memcpy(f->b, "#!/bin/sh\n", 10);
	bad("script", f, "is a script; run its interpreter under elfin instead");
	f = make_exec(), f->size = 40;
	bad("truncated", f, "truncated ELF file (40 bytes, the header alone needs 64)");
	f = make_exec(), f->b[4] = 1;
	bad("32-bit", f, "not a 64-bit ELF file (class 1)");
	f = make_exec(), f->b[5] = 2;
	bad("big-endian", f, "not a little-endian ELF file");
	f = make_exec(), f->b[6] = 0;
	bad("ident version", f, "unsupported ELF version");
	f = make_exec(), eh(f)->version = 2;
	bad("e_version", f, "unsupported ELF version");
	f = make_exec(), eh(f)->machine = 183;
	bad("aarch64", f, "built for another machine (e_machine 183), not x86-64");
	f = make_exec(), eh(f)->type = 1;
	bad("ET_REL", f, "not an executable (ELF type relocatable)");
	f = make_exec(), eh(f)->type = 4;
	bad("ET_CORE", f, "not an executable (ELF type core)");
	f = make_exec(), eh(f)->type = 0xfe00;
	bad("ET_LOOS", f, "not an executable (ELF type unknown)");
	f = make_exec(), eh(f)->phentsize = 32;
	bad("phentsize", f, "bad program header size 32");
	f = make_exec(), eh(f)->phnum = 0;
	bad("no phdrs", f, "no program headers");
	f = make_exec(), eh(f)->phnum = ELF_MAX_PHNUM + 1;
	bad("too many phdrs", f, "too many program headers (129)");
	f = make_exec(), eh(f)->phoff = FILESZ - ELF_PHDR_SIZE;
	bad("phdrs past EOF", f, "program headers lie beyond the end of the file");
	f = make_exec(), eh(f)->phoff = FILESZ + 8;
	bad("phoff past EOF", f, "program headers lie beyond the end of the file");
	f = make_exec(), eh(f)->phoff = ~0UL - 8;
	bad("huge phoff", f, "program headers lie beyond the end of the file");
}

static void seg1_filesz(struct file *f) { ph(f, 1)->filesz = 0x2001; }
static void seg1_eof(struct file *f) { ph(f, 1)->filesz = ph(f, 1)->memsz = 0x1001; }
static void seg1_hugeoff(struct file *f) { ph(f, 1)->offset = ~0UL - 0x1000 + 1; }
static void seg1_top(struct file *f) { ph(f, 1)->vaddr = 0x800000000000UL + 0x1000; }
static void seg1_wrap(struct file *f) { ph(f, 1)->vaddr = 0x7ffffffff000UL, ph(f, 1)->memsz = 0x2000; }
static void seg1_misaligned(struct file *f) { ph(f, 1)->vaddr = 0x401100; }
static void seg0_low(struct file *f) { ph(f, 0)->vaddr = 0x1000; }
static void seg1_overlap(struct file *f) { ph(f, 0)->memsz = 0x1800; }
static void seg_swapped(struct file *f) { ph(f, 0)->vaddr = 0x402000; }
static void seg1_span(struct file *f) { ph(f, 1)->vaddr = 0x401000 + (1UL << 41); }
static void no_load(struct file *f) { ph(f, 0)->type = ph(f, 1)->type = PT_NOTE; }
static void all_empty(struct file *f) { ph(f, 0)->memsz = ph(f, 0)->filesz = ph(f, 1)->memsz = ph(f, 1)->filesz = 0; }

static void many_loads(struct file *f)
{
	eh(f)->phnum = ELF_MAX_SEGS + 1;
	for (int i = 0; i <= ELF_MAX_SEGS; i++)
		set_ph(f, i, PT_LOAD, PF_R, 0, 0x400000 + 0x1000UL * i, 0x100, 0x100);
}

static void test_segments(void)
{
	bad("filesz > memsz", exec_with(seg1_filesz), "segment 1: file size exceeds memory size");
	bad("segment past EOF", exec_with(seg1_eof), "segment 1 lies beyond the end of the file");
	bad("segment huge offset", exec_with(seg1_hugeoff), "segment 1 lies beyond the end of the file");
	bad("segment above user space", exec_with(seg1_top), "segment 1: address 0x800000001000 out of range");
	bad("segment wraps user top", exec_with(seg1_wrap), "segment 1: address 0x7ffffffff000 out of range");
	bad("misaligned", exec_with(seg1_misaligned),
	    "segment 1: address and file offset disagree modulo the page size");
	bad("below mmap_min_addr", exec_with(seg0_low), "segment 0 at 0x1000 is below the lowest mappable address");
	bad("overlap", exec_with(seg1_overlap), "loadable segments overlap or are out of order");
	bad("out of order", exec_with(seg_swapped), "loadable segments overlap or are out of order");
	bad("absurd span", exec_with(seg1_span), "segments span an absurd range (0x20000003000 bytes)");
	bad("no PT_LOAD", exec_with(no_load), "no loadable segments");
	bad("only empty PT_LOAD", exec_with(all_empty), "no loadable segments");
	bad("too many PT_LOAD", exec_with(many_loads), "too many loadable segments");
}

static struct file *dyn_with(void (*edit)(struct file *))
{
	struct file *f = make_dyn();
	edit(f);
	return f;
}

static void two_interps(struct file *f) { ph(f, 0)->type = PT_INTERP; }
static void interp_short(struct file *f) { ph(f, 1)->filesz = 1; }
static void interp_long(struct file *f) { ph(f, 1)->filesz = 4097; }
static void interp_eof(struct file *f) { ph(f, 1)->offset = FILESZ - 8; }
static void interp_unterminated(struct file *f) { f->b[INTERP_OFF + sizeof INTERP - 1] = 'x'; }
static void interp_inner_nul(struct file *f) { f->b[INTERP_OFF + 6] = 0; }
static void interp_relative(struct file *f) { memcpy(f->b + INTERP_OFF, "lib64/ld.so", 12), ph(f, 1)->filesz = 12; }

static void test_interp(void)
{
	bad("two PT_INTERP", dyn_with(two_interps), "more than one interpreter");
	bad("interp too short", dyn_with(interp_short), "malformed interpreter path (length 1)");
	bad("interp too long", dyn_with(interp_long), "malformed interpreter path (length 4097)");
	bad("interp past EOF", dyn_with(interp_eof), "interpreter path lies beyond the end of the file");
	bad("interp without NUL", dyn_with(interp_unterminated), "malformed interpreter path");
	bad("interp with inner NUL", dyn_with(interp_inner_nul), "malformed interpreter path");
	bad("interp relative", dyn_with(interp_relative), "interpreter path is not absolute");

	/* A short error buffer truncates the message and still terminates it. */
	char err[8];
	struct elf_image img;
	struct file *f = make_exec();
	eh(f)->phnum = 0;
	CHECK(load(f, &img, err, sizeof err) == err && strcmp(err, "no prog") == 0, "truncated err: '%s'", err);
	free(f);
}

int main(void)
{
	test_valid();
	test_header();
	test_segments();
	test_interp();
	return check_summary("elf");
}
