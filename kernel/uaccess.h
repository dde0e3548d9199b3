/* Copying to and from the program's memory. Every user pointer passes through here: a bad
 * pointer, or one into the kernel's own memory, gives -EFAULT, never a kernel crash. */
#pragma once
#include "kernel/types.h"

bool user_range_ok(const void *uptr, size_t len);
long copy_from_user(void *kdst, const void *usrc, size_t len);
long copy_to_user(void *udst, const void *ksrc, size_t len);
long clear_user(void *udst, size_t len);
/* Copies a NUL-terminated string of at most max-1 bytes; returns its length,
 * -EFAULT, or -ENAMETOOLONG. */
long copy_str_from_user(char *kdst, const char *usrc, size_t max);

/* Atomically replaces *uaddr with new if it holds *old: 0 done, 1 not (*old gets the value),
 * -EFAULT. */
long cmpxchg_user32(uint32_t *uaddr, uint32_t *old, uint32_t new);

/* Fills user memory with random bytes; returns len, a short count, or -EFAULT. */
long random_to_user(void *udst, size_t len);

/* Architecture primitives: return 0 or -EFAULT if the access faults. */
long arch_uaccess_copy(void *dst, const void *src, size_t len);
long arch_uaccess_clear(void *dst, size_t len);
long arch_uaccess_strnlen(const char *s, size_t max);
long arch_uaccess_cmpxchg32(uint32_t *uaddr, uint32_t *old, uint32_t new);
/* If rip faulted inside a primitive above, where to resume; else 0. */
uintptr_t arch_uaccess_fixup(uintptr_t rip);
