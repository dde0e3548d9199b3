/* Symbolic names for --strace and messages. */
#include "kernel/sys/decode.h"
#include "kernel/fcntl.h"
#include "kernel/mman.h"

struct flag {
	long bit;
	const char *name;
};

static void decode_bits(struct strbuf *sb, long v, const struct flag *f, size_t n, const char *zero)
{
	bool any = false;
	for (size_t i = 0; i < n; i++)
		if (f[i].bit && (v & f[i].bit) == f[i].bit) {
			sb_printf(sb, "%s%s", any ? "|" : "", f[i].name);
			v &= ~f[i].bit;
			any = true;
		}
	if (v || !any) {
		if (any)
			sb_printf(sb, "|%#lx", (unsigned long)v);
		else
			sb_printf(sb, "%s", zero ? zero : "0");
	}
}

void decode_char(struct strbuf *sb, unsigned char c, unsigned char next)
{
	switch (c) {
	case '\n': sb_printf(sb, "\\n"); return;
	case '\t': sb_printf(sb, "\\t"); return;
	case '\r': sb_printf(sb, "\\r"); return;
	case '\v': sb_printf(sb, "\\v"); return;
	case '\f': sb_printf(sb, "\\f"); return;
	case '"': sb_printf(sb, "\\\""); return;
	case '\\': sb_printf(sb, "\\\\"); return;
	}
	if (c >= 0x20 && c < 0x7f)
		sb_putc(sb, (char)c);
	else if (next >= '0' && next <= '7')
		sb_printf(sb, "\\%03o", c); /* full width so the next digit is not swallowed */
	else
		sb_printf(sb, "\\%o", c);
}

void decode_open_flags(struct strbuf *sb, long v)
{
	static const struct flag f[] = {
		{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"}, {O_NOCTTY, "O_NOCTTY"}, {O_TRUNC, "O_TRUNC"},
		{O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_SYNC, "O_SYNC"}, {O_DSYNC, "O_DSYNC"},
		{O_DIRECT, "O_DIRECT"}, {O_LARGEFILE, "O_LARGEFILE"}, {O_TMPFILE, "O_TMPFILE"},
		{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
		{O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"},
	};
	static const char *acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	sb_printf(sb, "%s", acc[v & O_ACCMODE]);
	v &= ~(long)O_ACCMODE;
	if (v) {
		sb_putc(sb, '|');
		decode_bits(sb, v, f, ARRAY_SIZE(f), NULL);
	}
}

void decode_prot(struct strbuf *sb, long v)
{
	static const struct flag f[] = {{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"}};
	decode_bits(sb, v, f, ARRAY_SIZE(f), "PROT_NONE");
}

void decode_map_flags(struct strbuf *sb, long v)
{
	static const struct flag f[] = {
		{MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"}, {MAP_SHARED, "MAP_SHARED"}, {MAP_PRIVATE, "MAP_PRIVATE"},
		{MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}, {MAP_FIXED, "MAP_FIXED"}, {MAP_ANONYMOUS, "MAP_ANONYMOUS"},
		{MAP_GROWSDOWN, "MAP_GROWSDOWN"}, {MAP_DENYWRITE, "MAP_DENYWRITE"}, {MAP_EXECUTABLE, "MAP_EXECUTABLE"},
		{MAP_LOCKED, "MAP_LOCKED"}, {MAP_NORESERVE, "MAP_NORESERVE"}, {MAP_POPULATE, "MAP_POPULATE"},
		{MAP_NONBLOCK, "MAP_NONBLOCK"}, {MAP_STACK, "MAP_STACK"}, {MAP_HUGETLB, "MAP_HUGETLB"},
	};
	decode_bits(sb, v, f, ARRAY_SIZE(f), NULL);
}

static const char *const signames[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

const char *signal_name(int sig)
{
	return sig > 0 && sig < (int)ARRAY_SIZE(signames) ? signames[sig] : "SIGRT";
}

void decode_signal(struct strbuf *sb, int sig)
{
	if (sig > 0 && sig < (int)ARRAY_SIZE(signames))
		sb_printf(sb, "%s", signames[sig]);
	else if (sig >= 32 && sig <= 64)
		sb_printf(sb, "SIGRT_%d", sig - 32);
	else
		sb_printf(sb, "%d", sig);
}

static const struct {
	const char *name, *text;
} errnos[] = {
	[1] = {"EPERM", "Operation not permitted"}, [2] = {"ENOENT", "No such file or directory"},
	[3] = {"ESRCH", "No such process"}, [4] = {"EINTR", "Interrupted system call"},
	[5] = {"EIO", "Input/output error"}, [6] = {"ENXIO", "No such device or address"},
	[7] = {"E2BIG", "Argument list too long"}, [8] = {"ENOEXEC", "Exec format error"},
	[9] = {"EBADF", "Bad file descriptor"}, [10] = {"ECHILD", "No child processes"},
	[11] = {"EAGAIN", "Resource temporarily unavailable"}, [12] = {"ENOMEM", "Cannot allocate memory"},
	[13] = {"EACCES", "Permission denied"}, [14] = {"EFAULT", "Bad address"},
	[16] = {"EBUSY", "Device or resource busy"}, [17] = {"EEXIST", "File exists"},
	[18] = {"EXDEV", "Invalid cross-device link"}, [19] = {"ENODEV", "No such device"},
	[20] = {"ENOTDIR", "Not a directory"}, [21] = {"EISDIR", "Is a directory"},
	[22] = {"EINVAL", "Invalid argument"}, [23] = {"ENFILE", "Too many open files in system"},
	[24] = {"EMFILE", "Too many open files"}, [25] = {"ENOTTY", "Inappropriate ioctl for device"},
	[26] = {"ETXTBSY", "Text file busy"}, [27] = {"EFBIG", "File too large"},
	[28] = {"ENOSPC", "No space left on device"}, [29] = {"ESPIPE", "Illegal seek"},
	[30] = {"EROFS", "Read-only file system"}, [31] = {"EMLINK", "Too many links"},
	[32] = {"EPIPE", "Broken pipe"}, [34] = {"ERANGE", "Numerical result out of range"},
	[35] = {"EDEADLK", "Resource deadlock avoided"}, [36] = {"ENAMETOOLONG", "File name too long"},
	[38] = {"ENOSYS", "Function not implemented"}, [39] = {"ENOTEMPTY", "Directory not empty"},
	[40] = {"ELOOP", "Too many levels of symbolic links"}, [61] = {"ENODATA", "No data available"},
	[75] = {"EOVERFLOW", "Value too large for defined data type"},
	[95] = {"EOPNOTSUPP", "Operation not supported"}, [110] = {"ETIMEDOUT", "Connection timed out"},
};

const char *errno_name(long err)
{
	return err > 0 && err < (long)ARRAY_SIZE(errnos) && errnos[err].name ? errnos[err].name : "E?";
}

const char *errno_text(long err)
{
	return err > 0 && err < (long)ARRAY_SIZE(errnos) && errnos[err].text ? errnos[err].text : "Unknown error";
}

void decode_json_string(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_putc(sb, (char)c);
	}
	sb_putc(sb, '"');
}

struct name {
	unsigned long value;
	const char *name;
};

static void decode_name(struct strbuf *sb, unsigned long v, const struct name *n, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (n[i].value == v) {
			sb_printf(sb, "%s", n[i].name);
			return;
		}
	sb_printf(sb, "%#lx", v);
}

void decode_ioctl(struct strbuf *sb, unsigned long req)
{
	static const struct name n[] = {
		{0x5401, "TCGETS"}, {0x5402, "TCSETS"}, {0x5403, "TCSETSW"}, {0x5404, "TCSETSF"},
		{0x540f, "TIOCGPGRP"}, {0x5413, "TIOCGWINSZ"}, {0x541b, "FIONREAD"}, {0x5421, "FIONBIO"},
		{0x5450, "FIONCLEX"}, {0x5451, "FIOCLEX"},
	};
	decode_name(sb, req, n, ARRAY_SIZE(n));
}

void decode_arch_prctl(struct strbuf *sb, int code)
{
	static const struct name n[] = {
		{0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"}, {0x1004, "ARCH_GET_GS"},
	};
	decode_name(sb, (unsigned long)code, n, ARRAY_SIZE(n));
}
