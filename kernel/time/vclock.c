/* The clock behind the vDSO. The kernel extrapolates MONOTONIC and MONOTONIC_RAW from the
 * TSC, as lines calibrated against the platform's clocks, and derives REALTIME, BOOTTIME and
 * TAI from MONOTONIC by offsets; a ticker republishes them every tick (the COARSE clocks),
 * slews each line back onto the platform's clock, and takes new offsets at once when the
 * wall clock is set. See docs/architecture.md, "The vDSO". */
#include "kernel/time/vclock.h"
#include "kernel/time/time.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mman.h"
#include "plat/plat.h"
#include "vdso/vdso_data.h"
#include "kernel/sys/syscall.h"

#define NSEC VDSO_NSEC
#define CALIBRATE_NS 100000   /* the first rate is measured over at least this */
#define FIRST_TICK_NS 1000000 /* and corrected early, while it is rough */
#define SYNC_TICKS_MAX 16     /* then a line is checked at least every 16 ticks */
#define STEP_NS 1000000       /* a line further behind than this steps forward */
#define OFFSET_SLOP_NS 20000  /* offset changes smaller than this are measurement noise */
#define OFFSET_TICKS 256      /* offsets are measured again about every second anyway */
#define STALE_NS 2000000000LL /* a page without a tick for this long is stale */

/* A clock extrapolated from the TSC: value(t) = sec + (snsec + (t - cycle) * mult) >> SHIFT. */
struct line {
	int hostclk;
	uint64_t cycle;
	int64_t sec;
	uint64_t snsec;
	uint64_t mult, next_mult;
	int64_t step_ns;   /* forward step for the next publish */
	uint64_t tsc0;     /* the first sample: the rate is measured from it */
	int64_t ns0;
};

static struct {
	struct vdso_data *page;
	long handle;
	bool started, running;
	struct plat_clock_info ci;
	struct line mono, raw;
	int64_t off_real, off_boot, off_tai; /* REALTIME, BOOTTIME and TAI minus MONOTONIC, ns */
	uint64_t tick_cycles;
	unsigned since_sync, sync_every, since_offsets;
} vc;

static int64_t host_ns(int clk)
{
	int64_t s = 0, ns = 0;
	plat_clock_gettime(clk, &s, &ns);
	return s * NSEC + ns;
}

/* The platform's clock clk and the TSC at one moment: the tightest of three brackets. */
static int64_t sample(int clk, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;
	int64_t v = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = vdso_rdtsc();
		int64_t ns = host_ns(clk);
		uint64_t t1 = vdso_rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + best / 2;
			v = ns;
		}
	}
	return v;
}

/* The platform's clock clk minus its clock ref, from one bracket ref, clk, ref. */
static int64_t measure_offset(int clk, int ref)
{
	int64_t r0 = host_ns(ref), x = host_ns(clk), r1 = host_ns(ref);
	return x - (r0 + (r1 - r0) / 2);
}

/* (ns << VDSO_SHIFT) / cycles, exactly: nanoseconds per cycle in the page's fixed point. */
static uint64_t rate(int64_t ns, uint64_t cycles)
{
	unsigned __int128 n = (unsigned __int128)(uint64_t)ns << VDSO_SHIFT;
	uint64_t q, r;
	if (ns <= 0 || !cycles || (uint64_t)(n >> 64) >= cycles)
		return 0;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"((uint64_t)n), "d"((uint64_t)(n >> 64)), "rm"(cycles));
	return q;
}

static void normalize(int64_t *sec, uint64_t *snsec)
{
	const uint64_t one = (uint64_t)NSEC << VDSO_SHIFT;
	while (*snsec >= one) {
		*snsec -= one;
		(*sec)++;
	}
}

static int64_t line_ns(const struct line *l, uint64_t t)
{
	uint64_t d = t > l->cycle ? t - l->cycle : 0;
	return l->sec * NSEC + (int64_t)((l->snsec + d * l->mult) >> VDSO_SHIFT);
}

static void line_set(struct line *l, uint64_t t, int64_t ns)
{
	l->cycle = t;
	l->sec = ns / NSEC;
	l->snsec = (uint64_t)(ns % NSEC) << VDSO_SHIFT;
}

/* The first rate, from the sample taken at vclock_start to one at least CALIBRATE_NS later. */
static void line_calibrate(struct line *l)
{
	uint64_t t;
	int64_t ns;
	while ((ns = sample(l->hostclk, &t)) - l->ns0 < CALIBRATE_NS)
		;
	l->mult = l->next_mult = rate(ns - l->ns0, t - l->tsc0);
	line_set(l, t, ns);
}

/* Compares the line with the platform's clock and sets the rate for the next interval: the
 * measured mean rate plus a slew that removes the error over two sync intervals (at most
 * 1/8 faster or slower). A line behind by more than STEP_NS steps forward; one ahead only
 * slows, to half speed if far ahead (MONOTONIC never goes back). rebase puts a stale line
 * straight onto the platform's clock: its readers were asking the kernel, which asked the
 * platform. */
static void line_sync(struct line *l, bool rebase)
{
	uint64_t t;
	int64_t host = sample(l->hostclk, &t);
	uint64_t nominal = rate(host - l->ns0, t - l->tsc0);
	if (!nominal)
		nominal = l->mult;
	l->next_mult = nominal;
	if (rebase) {
		line_set(l, t, host);
		return;
	}
	int64_t err = MAX(host - line_ns(l, t), -NSEC);
	if (err > STEP_NS) {
		l->step_ns = err;
		return;
	}
	int64_t window = (int64_t)(vc.tick_cycles * vc.sync_every * 2);
	int64_t slew = err * (1 << VDSO_SHIFT) / MAX(window, 1);
	int64_t limit = (int64_t)(nominal / (err < -STEP_NS ? 2 : 8)); /* far ahead: at half speed */
	l->next_mult = nominal + MIN(MAX(slew, -limit), limit);
}

/* Moves the line's base to TSC t, where the new rate and any step take over. */
static void line_advance(struct line *l, uint64_t t, struct vdso_base *b)
{
	uint64_t d = t > l->cycle ? t - l->cycle : 0;
	l->snsec += d * l->mult + ((uint64_t)l->step_ns << VDSO_SHIFT);
	l->cycle = t;
	l->step_ns = 0;
	l->mult = l->next_mult;
	normalize(&l->sec, &l->snsec);
	*b = (struct vdso_base){l->sec, l->snsec, l->mult};
}

static void add_offset(struct vdso_base *b, const struct vdso_base *from, int64_t off)
{
	int64_t s = off / NSEC, ns = off % NSEC;
	if (ns < 0) {
		ns += NSEC;
		s--;
	}
	*b = (struct vdso_base){from->sec + s, from->snsec + ((uint64_t)ns << VDSO_SHIFT), from->mult};
	normalize(&b->sec, &b->snsec);
}

static void set_coarse(struct vdso_coarse *c, const struct vdso_base *b)
{
	*c = (struct vdso_coarse){b->sec, (int64_t)(b->snsec >> VDSO_SHIFT)};
}

/* The wall-clock offsets. REALTIME's is taken against the MONOTONIC line itself (as it will
 * be after a pending step), so REALTIME is right even while the line slews; it changes only
 * when the clock is set (forced) or the line is corrected, so smaller changes are noise.
 * BOOTTIME's, against the platform's MONOTONIC, only grows (suspend); TAI's is whole seconds. */
static void take_offsets(bool forced)
{
	uint64_t t;
	int64_t real = sample(CLOCK_REALTIME, &t) - (line_ns(&vc.mono, t) + vc.mono.step_ns);
	int64_t boot = measure_offset(CLOCK_BOOTTIME, CLOCK_MONOTONIC);
	int64_t tai = measure_offset(CLOCK_TAI, CLOCK_REALTIME);
	if (forced || real - vc.off_real > OFFSET_SLOP_NS || vc.off_real - real > OFFSET_SLOP_NS)
		vc.off_real = real;
	if (boot > vc.off_boot + OFFSET_SLOP_NS)
		vc.off_boot = boot;
	vc.off_tai = (tai + (tai < 0 ? -NSEC : NSEC) / 2) / NSEC * NSEC;
	vc.since_offsets = 0;
}

/* Writes the page at the current TSC under the sequence count. */
static void publish(void)
{
	struct vdso_data *d = vc.page;
	uint32_t seq = d->seq;
	__atomic_store_n(&d->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the odd count is visible before the TSC is read */
	if (d->mode == VDSO_MODE_TSC) {
		uint64_t t = vdso_rdtsc();
		line_advance(&vc.mono, t, &d->base[CLOCK_MONOTONIC]);
		line_advance(&vc.raw, t, &d->base[CLOCK_MONOTONIC_RAW]);
		add_offset(&d->base[CLOCK_REALTIME], &d->base[CLOCK_MONOTONIC], vc.off_real);
		add_offset(&d->base[CLOCK_BOOTTIME], &d->base[CLOCK_MONOTONIC], vc.off_boot);
		add_offset(&d->base[CLOCK_TAI], &d->base[CLOCK_MONOTONIC], vc.off_real + vc.off_tai);
		set_coarse(&d->coarse[CLOCK_REALTIME_COARSE], &d->base[CLOCK_REALTIME]);
		set_coarse(&d->coarse[CLOCK_MONOTONIC_COARSE], &d->base[CLOCK_MONOTONIC]);
		d->cycle_last = t;
		d->max_cycles = ((uint64_t)STALE_NS << VDSO_SHIFT) / vc.mono.mult;
		vc.tick_cycles = ((uint64_t)vc.ci.tick_ns << VDSO_SHIFT) / vc.mono.mult;
	} else if (d->mode == VDSO_MODE_COARSE) { /* no usable TSC: the platform's own coarse clocks */
		int64_t r = host_ns(CLOCK_REALTIME_COARSE), m = host_ns(CLOCK_MONOTONIC_COARSE);
		d->coarse[CLOCK_REALTIME_COARSE] = (struct vdso_coarse){r / NSEC, r % NSEC};
		d->coarse[CLOCK_MONOTONIC_COARSE] = (struct vdso_coarse){m / NSEC, m % NSEC};
	}
	__atomic_store_n(&d->seq, seq + 2, __ATOMIC_RELEASE);
}

/* Every tick, from the platform's ticker; stepped: the wall clock was set. */
static void tick(void *arg unused, bool stepped)
{
	struct vdso_data *d = vc.page;
	if (d->mode == VDSO_MODE_TSC) {
		uint64_t now = vdso_rdtsc();
		bool stale = now > d->cycle_last && now - d->cycle_last > d->max_cycles;
		if (stale || ++vc.since_sync >= vc.sync_every) {
			vc.since_sync = 0;
			vc.sync_every = MIN(vc.sync_every * 2, SYNC_TICKS_MAX); /* the next interval */
			line_sync(&vc.mono, stale);
			line_sync(&vc.raw, stale);
		}
		if (stepped || stale || ++vc.since_offsets >= OFFSET_TICKS)
			take_offsets(stepped || stale);
	}
	publish();
}

long vclock_start(void)
{
	if (vc.started)
		return 0;
	plat_clock_info(&vc.ci);
	long h = plat_shared_ro(VDSO_DATA_SIZE, (void **)&vc.page);
	if (h < 0)
		return h;
	vc.handle = h;
	vc.mono.hostclk = CLOCK_MONOTONIC;
	vc.raw.hostclk = CLOCK_MONOTONIC_RAW;
	vc.mono.ns0 = sample(CLOCK_MONOTONIC, &vc.mono.tsc0);
	vc.raw.ns0 = sample(CLOCK_MONOTONIC_RAW, &vc.raw.tsc0);
	vc.started = true;
	return 0;
}

/* Calibrates, publishes the first values and starts the ticks; without a ticker the page
 * would go stale, so then there is no vDSO. */
static long run(void)
{
	struct vdso_data *d = vc.page;
	d->hres_ns = vc.ci.hres_ns;
	d->coarse_ns = vc.ci.tick_ns;
	d->getcpu = vc.ci.getcpu == PLAT_GETCPU_RDPID ? VDSO_GETCPU_RDPID
		    : vc.ci.getcpu == PLAT_GETCPU_RDTSCP ? VDSO_GETCPU_RDTSCP : VDSO_GETCPU_SYSCALL;
	vdso_direct_fn entry = plat_direct_entry(); /* the types must agree */
	d->direct_entry = (uint64_t)(uintptr_t)entry;
	d->mode = VDSO_MODE_COARSE;
	if (vc.ci.tsc_stable) {
		line_calibrate(&vc.mono);
		line_calibrate(&vc.raw);
		if (vc.mono.mult && vc.raw.mult) {
			take_offsets(true);
			vc.sync_every = 1;
			d->mode = VDSO_MODE_TSC;
		}
	}
	publish();
	long r = plat_ticker_start(tick, NULL, FIRST_TICK_NS, vc.ci.tick_ns);
	vc.running = r == 0;
	return r;
}

long vclock_map(void *uaddr)
{
	if (!vc.started)
		return -EINVAL;
	long r = plat_map(uaddr, VDSO_DATA_SIZE, PROT_READ, PLAT_MAP_FIXED | PLAT_MAP_SHARED, (int)vc.handle, 0);
	if (r >= 0 && !vc.running)
		r = run();
	return r < 0 ? r : 0;
}

bool vclock_read(int clk, int64_t *sec, int64_t *nsec)
{
	return vc.running && vdso_clock_read(vc.page, clk, sec, nsec);
}

bool vclock_res(int clk, int64_t *nsec)
{
	return vc.running && vdso_clock_res(vc.page, clk, nsec);
}
