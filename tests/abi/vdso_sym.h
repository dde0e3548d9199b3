/* vdso_sym.h: the adapter library's vDSO symbol lookup, for the tests and benchmarks. */
#include "../../preload/vdso_lookup.h"
