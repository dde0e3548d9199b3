/* ELF64 program-header validation: a pure function of the file's bytes, unit-tested on the host. */
#pragma once
#include "kernel/types.h"

#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_MAX_PHNUM 128
#define ELF_MAX_SEGS 32

#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	int prot;
};

/* What the loader needs to know, all checked. Addresses are before relocation. */
struct elf_image {
	int type;
	uint64_t entry, phoff, phdr_vaddr;
	uint16_t phnum;
	struct elf_seg segs[ELF_MAX_SEGS];
	int nsegs;
	uint64_t lo, hi; /* page-aligned span of the segments */
	bool has_interp;
	uint64_t interp_off, interp_len;
};

/* Each returns NULL when the input is valid, else a one-line cause written to err. */
const char *elf_check_header(const void *ehdr, size_t len, uint64_t filesize, char *err, size_t errlen);
const char *elf_check_phdrs(const struct elf_ehdr *eh, const struct elf_phdr *ph, uint64_t filesize,
			    struct elf_image *img, char *err, size_t errlen);
/* Checks the interpreter path read from the file (interp_len bytes). */
const char *elf_check_interp(const char *path, uint64_t len, char *err, size_t errlen);
