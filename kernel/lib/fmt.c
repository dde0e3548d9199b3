/* Formatted output: a small vsnprintf, growable string buffers, kernel console and panic. */
#include "kernel/lib.h"
#include "kernel/mm/kalloc.h"
#include "plat/plat.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, unsigned long v, unsigned base, bool neg, int width, char pad, bool left)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	if (neg && pad == '0') { /* sign goes before zero padding */
		put(o, '-');
		n--;
		width--;
	}
	for (int i = n; !left && i < width; i++)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

static const char *fmt_spec(struct out *o, const char *f, va_list *ap)
{
	char pad = ' ';
	bool left = false, alt = false;
	int width = 0, lng = 0;
	if (*f == '#')
		alt = true, f++;
	if (*f == '-')
		left = true, f++;
	if (*f == '0')
		pad = '0', f++;
	if (*f == '*') {
		width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		width = width * 10 + (*f++ - '0');
	while (*f == 'l' || *f == 'z')
		lng = 1, f++;
	size_t start = o->len;
	switch (*f) {
	case 'd':
	case 'i': {
		long v = lng ? va_arg(*ap, long) : va_arg(*ap, int);
		put_num(o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, left ? 0 : width, pad, left);
		break;
	}
	case 'u':
	case 'x':
	case 'o': {
		unsigned long v = lng ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned);
		if (alt && v && *f != 'u') {
			put(o, '0');
			if (*f == 'x')
				put(o, 'x');
		}
		put_num(o, v, *f == 'u' ? 10 : *f == 'x' ? 16 : 8, false, left ? 0 : width, pad, left);
		break;
	}
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_num(o, (unsigned long)va_arg(*ap, void *), 16, false, 0, ' ', false);
		break;
	case 's': {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		size_t n = strlen(s);
		for (size_t i = n; !left && (int)i < width; i++)
			put(o, ' ');
		while (*s)
			put(o, *s++);
		break;
	}
	case 'c':
		put(o, (char)va_arg(*ap, int));
		break;
	default:
		put(o, *f);
		break;
	}
	while (left && (int)(o->len - start) < width)
		put(o, ' ');
	return *f ? f + 1 : f;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list aq;
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(&o, '%');
			fmt++;
			continue;
		}
		fmt = fmt_spec(&o, fmt, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void sb_reserve(struct strbuf *sb, size_t need)
{
	if (sb->len + need + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + need + 1)
		cap *= 2;
	char *nb = kmalloc(cap);
	if (!nb)
		return;
	if (sb->buf) {
		memcpy(nb, sb->buf, sb->len);
		kfree(sb->buf);
	}
	sb->buf = nb;
	sb->cap = cap;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_reserve(sb, n);
	if (sb->len + n + 1 > sb->cap)
		return;
	va_start(ap, fmt);
	kvsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += n;
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_reserve(sb, 1);
	if (sb->len + 2 <= sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = 0;
	}
}

void sb_free(struct strbuf *sb)
{
	kfree(sb->buf);
	*sb = (struct strbuf){0};
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	plat_console_write(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

noreturn void kpanic_at(const char *func, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("elfin: kernel panic in %s: %s\n", func, buf);
	plat_panic();
}
