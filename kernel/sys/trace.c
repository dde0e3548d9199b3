/* --strace lines in strace's own format, and the per-syscall, per-path counters of --stats. */
#include "kernel/sys/trace.h"
#include "kernel/sys/decode.h"
#include "kernel/lib.h"
#include "kernel/lock.h"
#include "kernel/uaccess.h"
#include "kernel/mm/kalloc.h"
#include "kernel/fs/vfs.h"
#include "plat/plat.h"

#define STR_MAX 32 /* strace's default -s */
#define MISSING_MAX 4096

struct counter {
	uint64_t errors, paths[NPATHS]; /* the count is the sum of the paths */
};

/* Paths for the statistics, each once. */
struct pathlist {
	char **v;
	size_t n;
};

static struct {
	struct trace_config cfg;
	struct spinlock lock;
	struct counter calls[SYSCALL_MAX];
	struct counter unknown;
	struct pathlist missing, used;
} tr = {.cfg = {.strace_fd = -1}};

bool trace_any;

void trace_init(const struct trace_config *cfg)
{
	tr.cfg = *cfg;
	trace_any = cfg->strace_fd >= 0 || cfg->stats_path;
}

bool trace_enabled(void)
{
	return tr.cfg.strace_fd >= 0;
}

static void put_str(struct strbuf *sb, const void *uaddr, size_t max, bool nul_terminated)
{
	unsigned char buf[STR_MAX];
	size_t n = MIN(max, (size_t)STR_MAX);
	if (!uaddr) {
		sb_printf(sb, "NULL");
		return;
	}
	if (copy_from_user(buf, uaddr, n) < 0) {
		/* a string that ends before the unmapped page still prints */
		for (n = 0; n < MIN(max, (size_t)STR_MAX) && copy_from_user(buf + n, (const char *)uaddr + n, 1) == 0; n++)
			if (nul_terminated && !buf[n])
				break;
		if (n == 0) {
			sb_printf(sb, "%p", uaddr);
			return;
		}
	}
	size_t len = n;
	if (nul_terminated)
		len = strnlen((char *)buf, n);
	sb_putc(sb, '"');
	for (size_t i = 0; i < len; i++)
		decode_char(sb, buf[i], i + 1 < len ? buf[i + 1] : 0);
	sb_putc(sb, '"');
	if ((nul_terminated && len == n && len < max) || (!nul_terminated && max > STR_MAX))
		sb_printf(sb, "...");
}

/* An iovec array as strace shows it; for reads only the bytes returned are shown. */
static void put_iov(struct strbuf *sb, const void *uiov, long cnt, long got)
{
	struct {
		void *base;
		size_t len;
	} v;
	sb_putc(sb, '[');
	for (long i = 0; i < cnt && i < 8; i++) {
		if (copy_from_user(&v, (const char *)uiov + i * sizeof v, sizeof v) < 0) {
			sb_printf(sb, "%p", uiov);
			break;
		}
		size_t show = v.len;
		if (got >= 0) {
			show = MIN(v.len, (size_t)got);
			got -= (long)show;
		}
		sb_printf(sb, "%s{iov_base=", i ? ", " : "");
		put_str(sb, v.base, show, false);
		sb_printf(sb, ", iov_len=%lu}", (unsigned long)v.len);
	}
	if (cnt > 8)
		sb_printf(sb, ", ...");
	sb_putc(sb, ']');
}

static void put_arg(struct strbuf *sb, const struct syscall_desc *d, const long *a, int i, long ret)
{
	long v = a[i];
	switch (d->fmt[i]) {
	case SCF_INT: sb_printf(sb, "%d", (int)v); break;
	case SCF_UINT: sb_printf(sb, "%lu", (unsigned long)v); break;
	case SCF_HEX: sb_printf(sb, "%#lx", (unsigned long)v); break;
	case SCF_PTR: v ? sb_printf(sb, "%p", (void *)v) : sb_printf(sb, "NULL"); break;
	case SCF_STR: put_str(sb, (void *)v, 4096, true); break;
	case SCF_OSTR: ret < 0 ? sb_printf(sb, "%p", (void *)v) : put_str(sb, (void *)v, 4096, true); break;
	case SCF_IBUF: put_str(sb, (void *)v, (size_t)a[d->len[i]], false); break;
	case SCF_OBUF: ret < 0 ? sb_printf(sb, "%p", (void *)v) : put_str(sb, (void *)v, (size_t)ret, false); break;
	case SCF_OFLAGS: decode_open_flags(sb, v); break;
	case SCF_PROT: decode_prot(sb, v); break;
	case SCF_MFLAGS: decode_map_flags(sb, v); break;
	case SCF_SIG: decode_signal(sb, (int)v); break;
	case SCF_OCT: sb_printf(sb, "0%o", (unsigned)v); break;
	case SCF_DIRFD: (int)v == AT_FDCWD ? sb_printf(sb, "AT_FDCWD") : sb_printf(sb, "%d", (int)v); break;
	case SCF_IOCTL: decode_ioctl(sb, (unsigned long)v); break;
	case SCF_ARCH: decode_arch_prctl(sb, (int)v); break;
	case SCF_IOV: put_iov(sb, (const void *)v, a[d->len[i]], d->name[0] == 'r' ? ret : -1); break;
	}
}

static void emit_line(long nr, const struct syscall_desc *d, const long *a, long ret, bool returns)
{
	struct strbuf sb = {0};
	if (d)
		sb_printf(&sb, "%s(", d->name);
	else
		sb_printf(&sb, "syscall_%#lx(", (unsigned long)nr);
	int nargs = d ? d->nargs : 6;
	for (int i = 0; i < nargs; i++) {
		if (i)
			sb_printf(&sb, ", ");
		if (d)
			put_arg(&sb, d, a, i, ret);
		else
			sb_printf(&sb, "%#lx", (unsigned long)a[i]);
	}
	if (!returns)
		sb_printf(&sb, ") = ?\n");
	else if (ret < 0 && ret >= -4095)
		sb_printf(&sb, ") = -1 %s (%s)\n", errno_name(-ret), errno_text(-ret));
	else if (d && d->ret == SCR_PTR)
		sb_printf(&sb, ") = %p\n", (void *)ret);
	else
		sb_printf(&sb, ") = %ld\n", ret);
	if (sb.buf)
		plat_file_write(tr.cfg.strace_fd, sb.buf, sb.len);
	sb_free(&sb);
}

static bool never_returns(long nr)
{
	return nr == SYS_exit || nr == SYS_exit_group;
}

void trace_enter(long nr, const struct syscall_desc *d, const long *args)
{
	if (trace_enabled() && never_returns(nr))
		emit_line(nr, d, args, 0, false);
}

void trace_exit(long nr, const struct syscall_desc *d, const long *args, long ret, enum entry_path path)
{
	struct counter *c = d ? &tr.calls[nr] : &tr.unknown;
	__atomic_add_fetch(&c->paths[path], 1, __ATOMIC_RELAXED);
	if (ret < 0 && ret >= -4095)
		__atomic_add_fetch(&c->errors, 1, __ATOMIC_RELAXED);
	if (trace_enabled())
		emit_line(nr, d, args, ret, true);
}

static void note_path(struct pathlist *l, const char *path)
{
	if (!tr.cfg.stats_path)
		return;
	spin_lock(&tr.lock);
	bool known = false;
	for (size_t i = 0; i < l->n && !known; i++)
		known = strcmp(l->v[i], path) == 0;
	if (!known && l->n < MISSING_MAX) {
		if (l->n % 64 == 0)
			l->v = krealloc(l->v, (l->n + 64) * sizeof(char *));
		char *copy = l->v ? kstrdup(path) : NULL;
		if (copy)
			l->v[l->n++] = copy;
	}
	spin_unlock(&tr.lock);
}

void trace_missing_path(const char *path)
{
	note_path(&tr.missing, path);
}

void trace_used_path(const char *path)
{
	note_path(&tr.used, path);
}

static void json_paths(struct strbuf *sb, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_printf(sb, "%s\n    ", i ? "," : "");
		decode_json_string(sb, v[i]);
	}
}

static uint64_t count_of(const struct counter *c)
{
	uint64_t n = 0;
	for (int p = 0; p < NPATHS; p++)
		n += c->paths[p];
	return n;
}

static void json_counter(struct strbuf *sb, const char *name, const struct counter *c, bool *first)
{
	sb_printf(sb, "%s\n    \"%s\": {\"count\": %lu, \"errors\": %lu, \"trap\": %lu, \"direct\": %lu, \"rewritten\": %lu}",
		  *first ? "" : ",", name, count_of(c), c->errors, c->paths[PATH_TRAP], c->paths[PATH_DIRECT],
		  c->paths[PATH_REWRITTEN]);
	*first = false;
}

static void write_stats(int status, int signal)
{
	struct strbuf sb = {0};
	bool first = true;
	sb_printf(&sb, "{\n  \"exit_status\": %d,\n  \"signal\": %d,\n  \"host_calls\": %lu,\n  \"syscalls\": {",
		  status, signal, (unsigned long)plat_host_calls());
	for (long nr = 0; nr < SYSCALL_MAX; nr++)
		if (count_of(&tr.calls[nr]))
			json_counter(&sb, syscall_table[nr].name, &tr.calls[nr], &first);
	if (count_of(&tr.unknown))
		json_counter(&sb, "unknown", &tr.unknown, &first);
	sb_printf(&sb, "\n  },\n  \"missing_paths\": [");
	json_paths(&sb, tr.missing.v, tr.missing.n);
	sb_printf(&sb, "\n  ],\n  \"used_paths\": [");
	json_paths(&sb, tr.used.v, tr.used.n);
	sb_printf(&sb, "\n  ]\n}\n");
	if (tr.cfg.stats_write) {
		tr.cfg.stats_write(sb.buf, sb.len);
		sb_free(&sb);
		return;
	}
	long h = plat_file_open(AT_FDCWD, tr.cfg.stats_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0);
	if (h < 0) {
		kprintf("elfin: %s: cannot write statistics (%s)\n", tr.cfg.stats_path, errno_text(-h));
	} else {
		plat_file_write(h, sb.buf, sb.len);
		plat_file_close(h);
	}
	sb_free(&sb);
}

void trace_finish(int status, int signal)
{
	if (trace_enabled()) {
		char line[64];
		int n = signal ? ksnprintf(line, sizeof line, "+++ killed by %s +++\n", signal_name(signal))
			       : ksnprintf(line, sizeof line, "+++ exited with %d +++\n", status);
		plat_file_write(tr.cfg.strace_fd, line, n);
	}
	if (tr.cfg.stats_path)
		write_stats(status, signal);
}
