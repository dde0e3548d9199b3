/* Finding a symbol of the vDSO the kernel gave the program (AT_SYSINFO_EHDR): through its
 * dynamic symbol table, DT_HASH giving the table's size. The adapter library finds elfin's
 * direct entry this way; the tests and benchmarks use it too. */
#ifndef ELFIN_VDSO_LOOKUP_H
#define ELFIN_VDSO_LOOKUP_H

#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

static inline void *vdso_symbol(const char *name)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uintptr_t load = 0;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !load)
			load = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	const Elf64_Sym *syms = NULL;
	const char *strs = NULL;
	const uint32_t *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			syms = (const Elf64_Sym *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			strs = (const char *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const uint32_t *)(load + dyn->d_un.d_ptr);
	}
	if (!syms || !strs || !hash)
		return NULL;
	for (uint32_t i = 1; i < hash[1]; i++)
		if (syms[i].st_shndx && strcmp(strs + syms[i].st_name, name) == 0)
			return (void *)(load + syms[i].st_value);
	return NULL;
}


#endif
