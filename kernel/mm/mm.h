/* The program's address space: mmap and friends, brk, and helpers for file systems. */
#pragma once
#include "kernel/types.h"

/* Anonymous memory with Linux flags (MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_SHARED...). */
long mm_map_anon(void *addr, size_t len, int prot, int flags);
/* A map of a platform object (a host file or shared-memory handle) with Linux flags. */
long mm_map_object(void *addr, size_t len, int prot, int flags, int handle, off_t off);
/* Private memory holding a copy of len bytes of kernel data (the rest zero). */
long mm_map_copy(void *addr, size_t len, int prot, int flags, const void *data, size_t datalen);
/* A mapping of f (checked against how f was opened), noted in the address-space map. */
struct file;
long mm_map_file(struct file *f, void *addr, size_t len, int prot, int flags, off_t off);
/* Anonymous memory noted under name (or NULL). */
long mm_map_named(void *addr, size_t len, int prot, int flags, const char *name);
/* Maps the main stack (room for max bytes, initial of them mapped now); returns its top. */
long mm_stack_init(size_t max, size_t initial);
/* Grows the main stack down over addr, where a fault found nothing; whether it did. */
bool mm_stack_grow(uintptr_t addr);
/* Sets up brk right after the loaded image. */
void mm_brk_init(uintptr_t end);
