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
