/* Finds elfin's direct entry when the library is loaded. */
#include "preload/direct.h"
#include "preload/vdso_lookup.h"

long (*elfin_entry)(long nr, const long *args);

__attribute__((constructor)) static void find_entry(void)
{
	elfin_entry = (long (*)(long, const long *))vdso_symbol("__elfin_syscall");
}
