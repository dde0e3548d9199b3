/* Finds elfin's direct entry when the library is loaded. */
#include "preload/direct.h"
#include "preload/vdso_lookup.h"

long (*elfin_entry)(long nr, const long *args, void (*on_interrupt)(void));

__attribute__((constructor)) static void find_entry(void)
{
	elfin_entry = (long (*)(long, const long *, void (*)(void)))vdso_symbol("__elfin_syscall");
}

#define RTLD_NEXT ((void *)-1l)
void *dlsym(void *handle, const char *name);

void *elfin_next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* The vDSO's own function for a libc time call (__vdso_<name>), for the wrappers of the calls
 * the list marks +vdso. */
void *elfin_vdso_fn(const char *name)
{
	char sym[64] = "__vdso_";
	size_t n = strlen(name);
	if (n + 8 > sizeof sym)
		return NULL;
	memcpy(sym + 7, name, n + 1);
	return vdso_symbol(sym);
}
