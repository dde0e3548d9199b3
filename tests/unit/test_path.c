/* Host-side tests of kernel/fs/path.c: path_normalize (lexical "." and ".." resolution),
 * path_next (walking components) and path_last (what the last component is). */
#include "kernel/fs/path.h"
#include "kernel/errno.h"
#include "tests/unit/check.h"

static void ok(const char *base, const char *path, const char *want)
{
	char out[256];
	long r = path_normalize(base, path, out, sizeof out);
	CHECK(r == 0 && strcmp(out, want) == 0, "(%s, %s): got %ld '%s', want '%s'", base, path, r,
	      r == 0 ? out : "", want);
}

static void fits(const char *base, const char *path, size_t size, long want)
{
	char out[256];
	memset(out, 'x', sizeof out);
	long r = path_normalize(base, path, out, size);
	CHECK(r == want, "(%s, %s, size %zu): got %ld, want %ld", base, path, size, r, want);
	CHECK(out[size] == 'x', "(%s, %s, size %zu): wrote past the end", base, path, size);
}

/* Walks path with path_next; want lists the components separated by '|', then whether *p
 * is at the end after the first one. */
static void walks(const char *path, const char *want, bool first_is_last)
{
	char got[256] = "";
	const char *p = path, *c;
	size_t len, n = 0;
	bool last = false;
	for (int i = 0; (c = path_next(&p, &len)); i++) {
		n += (size_t)snprintf(got + n, sizeof got - n, "%s%.*s", i ? "|" : "", (int)len, c);
		if (i == 0)
			last = !*p;
	}
	CHECK(strcmp(got, want) == 0 && last == first_is_last, "(%s): got '%s' last %d, want '%s' last %d", path,
	      got, last, want, first_is_last);
}

static void last(const char *path, enum path_last want)
{
	enum path_last got = path_last(path);
	CHECK(got == want, "path_last(%s): got %d, want %d", path, (int)got, (int)want);
}

int main(void)
{
	last("a", PATH_LAST_NAME);
	last("d/a//", PATH_LAST_NAME);
	last(".a", PATH_LAST_NAME);
	last("...", PATH_LAST_NAME);
	last("d/.", PATH_LAST_DOT);
	last("d/.//", PATH_LAST_DOT);
	last(".", PATH_LAST_DOT);
	last("d/..", PATH_LAST_DOTDOT);
	last("../", PATH_LAST_DOTDOT);
	last("/", PATH_LAST_ROOT);
	last("///", PATH_LAST_ROOT);
	walks("", "", false);
	walks("///", "", false);
	walks("a", "a", true);
	walks("a/", "a", true);
	walks("/a//", "a", true);
	walks("a/b", "a|b", false);
	walks("//ab//c/./..//", "ab|c|.|..", false);
	ok("/home/u", "a", "/home/u/a");
	ok("/home/u", "a/b/c", "/home/u/a/b/c");
	ok("/home/u", "/etc/passwd", "/etc/passwd");
	ok("/", "a", "/a");
	ok("/", "/", "/");
	ok("/", ".", "/");
	ok("/a/b", ".", "/a/b");
	ok("/a/b", "./", "/a/b");
	ok("/a/b", "./c/./d", "/a/b/c/d");
	ok("/a/b", "..", "/a");
	ok("/a/b", "../..", "/");
	ok("/a/b", "../c/../d", "/a/d");
	ok("/a", "../../..", "/");
	ok("/", "..", "/");
	ok("/", "../x", "/x");
	ok("/a", "/../../etc", "/etc");
	ok("/a/b", "x/../../..", "/");
	ok("/", "a//b///c", "/a/b/c");
	ok("/x", "//a", "/a");
	ok("/x", "a/b/", "/x/a/b");
	ok("/x", "a/b//", "/x/a/b");
	ok("/x", "/a/b/..", "/a");
	ok("/", ".../a", "/.../a");
	ok("/", "..a/.b/a..", "/..a/.b/a..");
	/* Sizes count the terminating NUL; nothing is written past size. */
	fits("/", "/abcdef", 8, 0);
	fits("/", "/abcdefg", 8, -ENAMETOOLONG);
	fits("/abc", "d", 7, 0);
	fits("/abc", "d", 6, -ENAMETOOLONG);
	fits("/abcdefgh", "..", 8, -ENAMETOOLONG);
	fits("/", "a/b/c/d/e/f/g/h", 12, -ENAMETOOLONG);
	CHECK(-ENAMETOOLONG == -36, "ENAMETOOLONG is %d", ENAMETOOLONG);
	return check_summary("path");
}
