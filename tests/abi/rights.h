/* rights.h: SCM_RIGHTS control messages for the AF_UNIX tests: put n descriptors into a
 * message to send, take the descriptors out of a received one. */
#ifndef RIGHTS_H
#define RIGHTS_H

#include <string.h>
#include <sys/socket.h>

/* Makes ctl (room for at least CMSG_SPACE(sizeof(int) * n) bytes, zeroed) m's control data:
 * one SCM_RIGHTS message carrying the n descriptors fds. The fields are set one by one, as
 * musl's cmsghdr has padding fields. */
static void rights_put(struct msghdr *m, char *ctl, const int *fds, int n)
{
	m->msg_control = ctl;
	m->msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *c = CMSG_FIRSTHDR(m);
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
}

/* Copies the descriptors of a received message's SCM_RIGHTS into out; returns their count. */
static int rights_take(struct msghdr *m, int *out)
{
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(out, CMSG_DATA(c), sizeof(int) * n);
		}
	return n;
}

#endif
