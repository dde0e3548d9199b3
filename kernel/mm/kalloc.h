/* The kernel heap: one arena of address space reserved at boot, committed as it grows. */
#pragma once
#include "kernel/types.h"

void kalloc_init(uintptr_t arena, size_t size);
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void *krealloc(void *p, size_t n);
void kfree(void *p);
char *kstrdup(const char *s);
bool kalloc_owns(uintptr_t addr, size_t len);
