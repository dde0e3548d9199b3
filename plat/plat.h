/* The platform interface: everything the kernel core needs from where it runs.
 *
 * The core (kernel/) calls only these functions to reach the outside world; the process
 * platform (plat/process) implements them with host system calls, the vm platform with its
 * own hardware drivers. Functions return a value >= 0 or -errno, like syscall handlers. */
#pragma once
#include "kernel/types.h"

/* Exit statuses of elfin itself, distinct from any the program can produce through us. */
#define ELFIN_EXIT_PANIC 125
#define ELFIN_EXIT_NOEXEC 126
#define ELFIN_EXIT_NOTFOUND 127

/* Console and lifetime. */
void plat_console_write(const char *buf, size_t len);
noreturn void plat_exit(int status);
/* After the kernel's panic message: whatever report the platform can add (registers, a
 * backtrace), then the end with ELFIN_EXIT_PANIC. */
noreturn void plat_panic(void);

/* Memory. prot uses Linux PROT_* values; flags are PLAT_MAP_*. hostfd < 0 maps anonymous
 * zeroed memory. Returns the address or -errno; where the kernel's own addresses would read
 * as negative (the vm platform's top half), a fixed map or remap there returns 0. */
#define PLAT_MAP_FIXED 1      /* replace whatever is there */
#define PLAT_MAP_NOREPLACE 2  /* exactly at addr, fail with -EEXIST if anything is there */
#define PLAT_MAP_SHARED 4
#define PLAT_MAP_RESERVE 8    /* address space only, no commit charge */
long plat_map(void *addr, size_t len, int prot, int flags, int hostfd, off_t off);
long plat_unmap(void *addr, size_t len);
long plat_protect(void *addr, size_t len, int prot);
long plat_remap(void *old, size_t oldlen, size_t newlen, int flags, void *newaddr);
long plat_advise(void *addr, size_t len, int advice);

/* Clocks (Linux clock ids); sleeping is plat_block's. */
long plat_clock_gettime(int clk, int64_t *sec, int64_t *nsec);
long plat_clock_getres(int clk, int64_t *sec, int64_t *nsec);

/* What the vDSO's clock (kernel/time/vclock.c) may rely on. */
#define PLAT_GETCPU_SYSCALL 0 /* only plat_getcpu knows the CPU */
#define PLAT_GETCPU_RDTSCP 1  /* rdtscp's IA32_TSC_AUX holds cpu | node << 12 */
#define PLAT_GETCPU_RDPID 2   /* and rdpid reads it too */
struct plat_clock_info {
	bool tsc_stable; /* the TSC runs at a constant rate, in step on every CPU */
	int getcpu;      /* PLAT_GETCPU_* */
	int64_t hres_ns; /* the resolution of the precise clocks */
	int64_t tick_ns; /* the resolution of the COARSE clocks, and the period of the ticker */
};
void plat_clock_info(struct plat_clock_info *ci);
/* The CPU and NUMA node the calling thread runs on. */
long plat_getcpu(unsigned *cpu, unsigned *node);
/* Memory the kernel writes and the program may only read: len bytes, writable for the kernel
 * at *kview. The handle returned maps them for the program with plat_map(..., PROT_READ,
 * PLAT_MAP_SHARED, handle, 0); such a view can never be made writable. */
long plat_shared_ro(size_t len, void **kview);
/* Calls fn(arg, stepped) from the platform's own context (a host thread on the process
 * platform, the timer interrupt on a machine) first_ns from now and every period_ns after,
 * and at once with stepped set when the wall clock is set. fn runs with no kernel thread
 * (no current()), must not block and must take no lock that a program thread may hold. */
long plat_ticker_start(void (*fn)(void *arg, bool stepped), void *arg, int64_t first_ns, int64_t period_ns);

/* How many calls the platform has made to what it runs on (host system calls on the process
 * platform): what --stats reports as host_calls, so that tests can hold the count down. */
uint64_t plat_host_calls(void);

/* What the vDSO's direct entry calls: the core's syscall_direct, or a platform stub around
 * it (the vm platform turns interrupts off for it, as for any kernel entry). */
typedef long (*plat_direct_fn)(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
plat_direct_fn plat_direct_entry(void);

/* Entropy. */
long plat_random(void *buf, size_t len);

/* Host files. A host file is named by a handle (a host fd on the process platform).
 * Paths are relative to a granted directory handle and never escape it. Structures are the
 * Linux x86_64 ones (struct stat, statx, statfs, linux_dirent64). */
#define PLAT_RESOLVE_BENEATH 1   /* fail with -EXDEV instead of leaving the directory */
#define PLAT_RESOLVE_IN_ROOT 2   /* treat the directory as "/" for the rest of the path */
long plat_file_open(int dirh, const char *path, int flags, mode_t mode, int resolve);
long plat_file_close(int h);
long plat_file_read(int h, void *buf, size_t len);
long plat_file_write(int h, const void *buf, size_t len);
long plat_file_pread(int h, void *buf, size_t len, off_t off);
long plat_file_pwrite(int h, const void *buf, size_t len, off_t off);
long plat_file_lseek(int h, off_t off, int whence);
long plat_file_fstatat(int dirh, const char *path, void *st, int flags);
long plat_file_statx(int dirh, const char *path, int flags, unsigned mask, void *stx);
long plat_file_fstatfs(int h, void *buf);
long plat_file_getdents(int h, void *buf, size_t len);
long plat_file_readlinkat(int dirh, const char *path, char *buf, size_t len);
long plat_file_faccessat(int dirh, const char *path, int mode);
long plat_file_mkdirat(int dirh, const char *path, mode_t mode);
long plat_file_mknodat(int dirh, const char *path, mode_t mode, unsigned dev);
long plat_file_unlinkat(int dirh, const char *path, int flags);
long plat_file_renameat(int olddirh, const char *old, int newdirh, const char *new);
long plat_file_ftruncate(int h, off_t len);
long plat_file_fsync(int h, bool data_only);
long plat_file_ioctl(int h, unsigned long req, void *arg);
long plat_file_fcntl(int h, int cmd, long arg);
long plat_file_dup(int h);
/* Opens anew, with flags, the file the handle h is open on (a new end of a host FIFO). */
long plat_file_reopen(int h, int flags);
/* Readiness of one host file now (fills revents; no waiting). */
struct plat_pollfd;
long plat_file_poll(struct plat_pollfd *p);

/* The kernel's per-thread state, reached through %gs. */
struct kthread;
struct uregs;
void plat_set_current(struct kthread *t);

/* Threads of execution. plat_thread_start runs a new thread that enters the program with
 * the registers regs and the TLS base tls; it reaches the kernel like any other thread. */
long plat_thread_start(struct kthread *t, const struct uregs *regs, uintptr_t tls);
noreturn void plat_thread_exit(void);
/* Makes t, if it is running program code, enter the kernel to take its pending signals. */
void plat_thread_kick(struct kthread *t);

/* Blocking. plat_block sleeps while t's wake count (t->wake_seq) equals seq: until
 * plat_wake(t), a signal for the program, one of the host files in fds becoming ready
 * (their revents are set), or the absolute deadline (ns on clock clk; < 0: none).
 * Returns 0, -EAGAIN (the count had moved), -EINTR or -ETIMEDOUT. */
struct plat_pollfd {
	int host;
	short events, revents;
};
long plat_block(struct kthread *t, uint32_t seq, struct plat_pollfd *fds, int nfds, int clk, int64_t deadline);
void plat_wake(struct kthread *t);
/* Lets another thread of the program run first if one can (sched_yield): a host sched_yield on
 * the process platform, the scheduler's next runnable thread on the vm. */
void plat_yield(void);

/* Timers: the platform calls timer_run_expired() (kernel/time/timer.h) from its timer
 * context, with kt as the current kernel thread, once the CLOCK_MONOTONIC deadline (ns)
 * passes; < 0 cancels. plat_timer_start starts that context. */
void plat_timer_start(struct kthread *kt);
void plat_timer_program(int64_t deadline);

/* The program's thread: TLS base (%fs belongs to the program), and entering it. */
long plat_set_tls(uintptr_t base);
uintptr_t plat_get_tls(void);
noreturn void plat_enter_program(uintptr_t entry, uintptr_t sp);

/* Facts about the machine for the auxiliary vector and uname. */
struct plat_info {
	unsigned long hwcap, hwcap2, minsigstksz;
	unsigned ncpus;
	uint64_t mem_total;
	uid_t uid, euid;
	gid_t gid, egid;
	int ngroups;
	uint64_t stack_cur, stack_max; /* the RLIMIT_STACK elfin was started with */
	gid_t groups[32]; /* supplementary groups */
	uint64_t capbset; /* the capability bounding set the program starts with */
	int cap_last;     /* the highest capability number the system knows */
	int seccomp;      /* the seccomp mode the program runs under (prctl PR_GET_SECCOMP) */
	int securebits;   /* and its securebits (prctl PR_GET_SECUREBITS) */
	bool dumpable;    /* whether it may dump core (prctl PR_GET_DUMPABLE) */
	pid_t pid, ppid, pgid, sid; /* the process group and session the program starts in */
	const char *hostname;
	const char *release;
	const char *cwd;
};
const struct plat_info *plat_info(void);
/* Resource usage (Linux struct rusage) of the whole program (thread false) or of the calling
 * thread, as the platform measures it: CPU times, peak resident size, faults. */
long plat_rusage(bool thread, void *ru);

/* Address ranges the kernel owns; user pointers into them are rejected with -EFAULT. */
bool plat_is_kernel_range(uintptr_t addr, size_t len);

/* Shared-memory objects: the memory behind in-kernel files that the program maps. A handle
 * is mapped with plat_map (shared or private, at any page offset), like a host file. */
long plat_shm_create(size_t size);
long plat_shm_resize(int h, size_t size);
void plat_shm_close(int h);
/* Writes back shared maps of host files in [addr, addr+len); -ENOMEM if it is not mapped. */
long plat_msync(void *addr, size_t len, int flags);

/* More host-file calls, named like their Linux counterparts. fchmod and utimens work on
 * O_PATH handles too; times is two Linux struct timespec, or NULL for now. */
long plat_file_symlinkat(const char *target, int dirh, const char *path);
long plat_file_linkat(int olddirh, const char *old, int newdirh, const char *new, int flags);
long plat_file_renameat2(int olddirh, const char *old, int newdirh, const char *new, unsigned flags);
long plat_file_fchmod(int h, mode_t mode);
long plat_file_fchown(int h, uid_t uid, gid_t gid);
long plat_file_utimens(int h, const void *times);
long plat_file_fallocate(int h, int mode, off_t off, off_t len);

/* Host sockets. A socket is named by a handle (a host fd on the process platform), always
 * non-blocking on the host side: the kernel waits for readiness with plat_block. Addresses,
 * options and control messages are Linux's; plat_msghdr is Linux's struct msghdr. The buffers
 * the iovecs name are checked by the caller (user_range_ok) and may be the program's. */
struct plat_msghdr {
	void *name;
	int namelen;
	void *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	int flags;
};
long plat_sock_socket(int domain, int type, int proto);
long plat_sock_socketpair(int domain, int type, int proto, int h[2]);
long plat_sock_bind(int h, const void *addr, int len);
long plat_sock_listen(int h, int backlog);
/* Takes a pending connection as a new non-blocking handle; *len in and out, as accept4. */
long plat_sock_accept(int h, void *addr, int *len);
long plat_sock_connect(int h, const void *addr, int len);
long plat_sock_shutdown(int h, int how);
/* MSG_NOSIGNAL is implied: a broken connection gives -EPIPE and no host signal. */
long plat_sock_sendmsg(int h, const struct plat_msghdr *m, int flags);
long plat_sock_recvmsg(int h, struct plat_msghdr *m, int flags);
long plat_sock_name(int h, bool peer, void *addr, int *len);
long plat_sock_setsockopt(int h, int level, int opt, const void *val, int len);
long plat_sock_getsockopt(int h, int level, int opt, void *val, int *len);
/* The granularity of socket timeouts in microseconds (Linux keeps them in jiffies), which the
 * kernel's own sockets round to as the host's would. */
long plat_sock_tick_us(void);
/* The most SO_SNDBUF (rcv false) or SO_RCVBUF may ask for: the host's net.core.wmem_max or
 * rmem_max, which the kernel's own sockets apply as the host's would. */
long plat_sock_buf_max(bool rcv);

/* Host readiness sets, for epoll over host-backed files: a set is a handle that is itself
 * ready (POLLIN) while one of its members is; members carry a cookie and Linux epoll flags
 * (EPOLLET, EPOLLONESHOT), which the host applies. op is EPOLL_CTL_*. */
struct plat_event {
	uint32_t events;
	uint64_t cookie;
} __attribute__((packed));
long plat_pollset_create(void);
long plat_pollset_ctl(int set, int op, int h, uint32_t events, uint64_t cookie);
/* The ready members now (never waits): fills up to max events, returns how many. */
long plat_pollset_take(int set, struct plat_event *evs, int max);
/* Sleeps as plat_block does (t's count, its signals) on the set id (a number the caller
 * gives each set, unique for the program's life) for at most timeout ns (< 0: no limit; the
 * host rounds it up to a millisecond) and takes up to max ready members in the same step:
 * returns how many (0 after a wake), -EAGAIN, -EINTR, -ETIMEDOUT, or another error when the
 * platform cannot (the caller then uses plat_block). */
long plat_pollset_wait(struct kthread *t, uint32_t seq, int set, uint64_t id, struct plat_event *evs,
		       int max, int64_t timeout);
