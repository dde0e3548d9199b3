/* The kernel's own small C library: memory and string helpers, formatted output, panic. */
#pragma once
#include "kernel/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
bool str_starts(const char *s, const char *prefix);

/* Formatting: %d %i %u %x %lx %ld %lu %zu %zd %s %c %p %o and %%, with widths, '0' and '-'. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Growable text buffer for reports (strace lines, JSON). Never fails: truncates instead. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_putc(struct strbuf *sb, char c);
void sb_free(struct strbuf *sb);

/* Console output of the kernel itself (stderr on the process platform). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void kpanic_at(const char *func, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define kpanic(...) kpanic_at(__func__, __VA_ARGS__)
#define kassert(c) do { if (!(c)) kpanic("assertion failed: %s", #c); } while (0)

long parse_long(const char *s, int *ok);
