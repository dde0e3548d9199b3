/* libFuzzer target for the ELF loader's checks (kernel/exec/elf.c), run in the loader's order
 * on every input: the header, the program headers, the interpreter's path. Beyond "no crash,
 * no sanitizer report", an image the checks accept must be one the loader can map safely:
 * every segment inside the file and the span, the span page-aligned, the interpreter's path
 * inside the file. `make fuzz` runs it for a bounded time over tests/fuzz/corpus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/exec/elf.h"

#define PAGE 4096ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	/* the loader reads the file into aligned kernel buffers: so does the target */
	uint64_t *buf = malloc(size + 8);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	const unsigned char *f = (const unsigned char *)buf;
	size_t n = size < ELF_EHDR_SIZE ? size : ELF_EHDR_SIZE;
	if (elf_check_header(f, n, size, err, sizeof err)) {
		free(buf);
		return 0;
	}
	const struct elf_ehdr *eh = (const struct elf_ehdr *)f;
	/* as the loader does, the program headers are read into a buffer of their own; the
	 * header check has made sure they lie inside the file */
	struct elf_phdr *ph = malloc((size_t)eh->phnum * ELF_PHDR_SIZE + 1);
	if (!ph) {
		free(buf);
		return 0;
	}
	memcpy(ph, f + eh->phoff, (size_t)eh->phnum * ELF_PHDR_SIZE);
	struct elf_image img;
	memset(&img, 0, sizeof img);
	if (!elf_check_phdrs(eh, ph, size, &img, err, sizeof err)) {
		if (img.nsegs < 1 || img.nsegs > ELF_MAX_SEGS || img.lo % PAGE || img.hi % PAGE || img.lo >= img.hi)
			abort();
		for (int i = 0; i < img.nsegs; i++) {
			const struct elf_seg *s = &img.segs[i];
			if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset ||
			    s->vaddr < img.lo || s->memsz > img.hi - s->vaddr)
				abort();
		}
		if (img.has_interp) {
			if (img.interp_off > size || img.interp_len > size - img.interp_off)
				abort();
			elf_check_interp((const char *)f + img.interp_off, img.interp_len, err, sizeof err);
		}
	}
	free(ph);
	free(buf);
	return 0;
}
