/* The kernel's own files (pipes, eventfds, tmpfs files) in SCM_RIGHTS. They have no host
 * handle to travel through a host socket, so each goes as a token: a new, empty host
 * shared-memory handle whose identity (device and inode) the kernel remembers together with
 * the file. The receiving end recognizes the token and installs the file itself. */
#include "kernel/net/net.h"
#include "kernel/errno.h"
#include "kernel/lock.h"
#include "kernel/mm/kalloc.h"

struct token {
	uint64_t dev, ino;
	struct file *file; /* the reference the message holds */
	struct token *next;
};

static struct spinlock lock;
static struct token *tokens;

static long identity(int h, uint64_t id[2])
{
	uint64_t st[18]; /* Linux struct stat: st_dev, st_ino first */
	long r = plat_file_fstatat(h, "", st, AT_EMPTY_PATH);
	id[0] = st[0];
	id[1] = st[1];
	return r;
}

long passfd_token(struct file *f)
{
	struct token *t = kmalloc(sizeof *t);
	long h = t ? plat_shm_create(0) : -ENOMEM;
	uint64_t id[2];
	if (h >= 0 && identity((int)h, id) < 0) {
		plat_file_close((int)h);
		h = -ENOMEM;
	}
	if (h < 0) {
		kfree(t);
		return h;
	}
	*t = (struct token){id[0], id[1], file_get(f), NULL};
	spin_lock(&lock);
	t->next = tokens;
	tokens = t;
	spin_unlock(&lock);
	return h;
}

/* Unlinks the token with h's identity: NULL if h is no token. */
static struct token *take(int h)
{
	uint64_t id[2];
	if (!tokens || identity(h, id) < 0)
		return NULL;
	spin_lock(&lock);
	struct token **pp = &tokens;
	while (*pp && ((*pp)->dev != id[0] || (*pp)->ino != id[1]))
		pp = &(*pp)->next;
	struct token *t = *pp;
	if (t)
		*pp = t->next;
	spin_unlock(&lock);
	return t;
}

struct file *passfd_claim(int h)
{
	struct token *t = take(h);
	if (!t)
		return NULL;
	struct file *f = t->file;
	kfree(t);
	plat_file_close(h);
	return f;
}

void passfd_drop(int h)
{
	struct file *f = passfd_claim(h);
	if (f)
		file_put(f);
	else
		plat_file_close(h);
}
