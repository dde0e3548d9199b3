/* Time: the TSC is the clock, its rate from KVM's pvclock, the hypervisor's or the CPU's
 * CPUID leaves, else calibrated against the PIT at boot; the wall clock starts at pvclock's,
 * else at the host's time handed over by the launcher. The LAPIC timer in one-shot mode fires
 * at the next of: the vDSO ticker, the kernel's timer deadline, a sleeping thread's deadline,
 * the end of the running thread's time slice. */
#include "plat/vm/vm.h"
#include "plat/vm/clocksrc.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc/proc.h"
#include "kernel/time/timer.h"

#define NSEC 1000000000LL
#define PIT_HZ 1193182
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (1UL << 10)
#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_ADDR 0xffffff000UL
#define LAPIC_VA (KMAP_BASE - 0x100000)
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LVT_MASKED (1u << 16)
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define TICK_NS 4000000LL /* Linux's at HZ=250, as Debian builds it */
#define SLICE_NS 10000000LL

static uint64_t tsc0, tsc_hz, ns_mult; /* ns = (tsc - tsc0) * ns_mult >> 32 */
static uint64_t lapic_hz;
static int64_t real_offset;

static struct {
	void (*fn)(void *, bool);
	void *arg;
	int64_t next, period;
} ticker;
static int64_t kdeadline = -1;
static struct kthread *timer_kt;

static volatile uint32_t *lapic(unsigned reg)
{
	return (volatile uint32_t *)(LAPIC_VA + reg);
}

void lapic_eoi(void)
{
	*lapic(LAPIC_EOI) = 0;
}

static uint16_t pit_read(void)
{
	outb(0x43, 0x00); /* latch channel 0 */
	uint8_t lo = inb(0x40);
	return (uint16_t)(inb(0x40) << 8 | lo);
}

static void lapic_count_start(void)
{
	*lapic(LAPIC_TIMER_DIV) = 0xb; /* divide by 1 */
	*lapic(LAPIC_LVT_TIMER) = LVT_MASKED;
	*lapic(LAPIC_TIMER_INIT) = 0xffffffff;
}

/* The rates of the TSC and the LAPIC timer, counted over about 20 ms of the PIT's channel 0. */
static void rates_by_pit(struct clock_rates *c)
{
	outb(0x43, 0x34); /* channel 0, lo/hi, rate generator */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	lapic_count_start();
	uint16_t last = pit_read();
	uint32_t want = PIT_HZ / 50, elapsed = 0;
	uint64_t t0 = rdtsc();
	while (elapsed < want) {
		uint16_t now = pit_read();
		elapsed += (uint16_t)(last - now);
		last = now;
	}
	uint64_t t1 = rdtsc();
	uint32_t ticks = 0xffffffff - *lapic(LAPIC_TIMER_CUR);
	outb(0x43, 0x30); /* channel 0 stopped: mode 0, waiting for a count it never gets */
	c->tsc_hz = (t1 - t0) * PIT_HZ / elapsed;
	c->lapic_hz = (uint64_t)ticks * PIT_HZ / elapsed;
}

/* The LAPIC timer's rate against the TSC's (told, not the PIT's), over 2 ms: for a source
 * that names the one and not the other (kvmclock, leaf 0x15). */
static uint64_t lapic_hz_by_tsc(uint64_t hz)
{
	lapic_count_start();
	uint64_t t0 = rdtsc(), t1; /* each read right after its TSC: the same delay at both ends */
	uint32_t c0 = *lapic(LAPIC_TIMER_CUR);
	while ((t1 = rdtsc()) - t0 < hz / 500)
		__asm__ volatile("pause");
	uint32_t ticks = c0 - *lapic(LAPIC_TIMER_CUR);
	return (uint64_t)ticks * hz / (t1 - t0);
}

static void vm_cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
	cpuid(leaf, sub, r);
}

/* KVM's pvclock, read once: the TSC's rate, and the wall clock into *real_ns as of TSC value
 * *real_tsc (KVM keeps it from the host's); 0 when there is none. The record is turned off again: from here the
 * TSC at that rate is the clock, as for every other source. */
static uint64_t kvmclock(int64_t *real_ns, uint64_t *real_tsc)
{
	static struct pvclock_time pvt __attribute__((aligned(64)));
	static struct pvclock_wall pvw __attribute__((aligned(16)));
	unsigned base = clocksrc_kvm_base(vm_cpuid);
	if (!base || !clocksrc_has_kvmclock(vm_cpuid, base))
		return 0;
	wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)&pvw - KVBASE); /* the image's physical addresses */
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, ((uint64_t)&pvt - KVBASE) | 1 /* enable */);
	struct pvclock_time t;
	struct pvclock_wall w;
	uint32_t v;
	do {
		v = __atomic_load_n(&pvt.version, __ATOMIC_ACQUIRE);
		t = pvt;
		w = pvw;
	} while ((v & 1) || (w.version & 1) || v != __atomic_load_n(&pvt.version, __ATOMIC_ACQUIRE));
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	uint64_t hz = clocksrc_pvclock_hz(&t);
	*real_tsc = rdtsc();
	if (hz)
		*real_ns = (int64_t)w.sec * NSEC + w.nsec + clocksrc_pvclock_ns(&t, *real_tsc);
	return hz;
}

static const char *const clock_names[] = {"pit", "kvmclock", "hypervisor-leaf", "cpuid-0x15"};

/* The rates, from the first source that tells: kvmclock, the hypervisor timing leaf, CPUID
 * 0x15/0x16, else the PIT (about 20 ms of the boot, and the LAPIC timer's in the same window).
 * What it found and what it cost go to the launcher ("elfin-clock"). */
static void rates(int64_t *real_ns, uint64_t *real_tsc)
{
	uint64_t t0 = rdtsc();
	struct clock_rates c = {kvmclock(real_ns, real_tsc), 0, CLOCK_FROM_KVMCLOCK};
	if (!c.tsc_hz)
		c = clocksrc_cpuid(vm_cpuid);
	if (!c.tsc_hz)
		rates_by_pit(&c);
	if (c.tsc_hz < 1000000)
		kpanic("cannot calibrate the TSC (%lu Hz)", (unsigned long)c.tsc_hz);
	tsc_hz = c.tsc_hz;
	lapic_hz = c.lapic_hz ? c.lapic_hz : lapic_hz_by_tsc(tsc_hz);
	char line[96];
	int n = ksnprintf(line, sizeof line, "elfin-clock %s tsc %lu lapic %lu us %lu\n", clock_names[c.from],
			  (unsigned long)tsc_hz, (unsigned long)lapic_hz,
			  (unsigned long)((rdtsc() - t0) * 1000000 / tsc_hz));
	serial_write(COM_STATUS, line, (size_t)n);
}

/* The local APIC in xAPIC mode (as reset leaves it) at the base its MSR names, enabled. */
static void lapic_map(void)
{
	unsigned r[4];
	cpuid(1, 0, r);
	if (!(r[3] & (1u << 9)))
		kpanic("the CPU has no local APIC (the vm's timer needs one)");
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (base & APIC_BASE_X2APIC)
		kpanic("the local APIC is in x2APIC mode (the vm drives it in xAPIC mode)");
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	paging_map_mmio(LAPIC_VA, base & APIC_BASE_ADDR);
	/* No device interrupt comes through the LAPIC's pins or the 8259s: KVM's reset (and
	 * QEMU's) leaves LINT0 in ExtINT mode for the BSP, through which the PIT's IRQ 0 would
	 * arrive at whatever vector an uninitialised 8259 gives it. */
	*lapic(LAPIC_LVT_LINT0) = LVT_MASKED;
	*lapic(LAPIC_LVT_LINT1) = LVT_MASKED;
	outb(0x21, 0xff); /* both 8259s: every line masked (no 8259: the writes go nowhere) */
	outb(0xa1, 0xff);
}

/* The launcher's time was taken before QEMU started; the TSC counts from the machine's reset
 * (QEMU's vCPU creation under KVM, its start under TCG), which came after: add that much, and
 * the wall clock stays behind the host's only by QEMU's start before it. A count of seconds is
 * not from a reset (a TSC left running): it is not added. */
static int64_t since_reset(uint64_t tsc)
{
	int64_t ns = time_tsc_ns(tsc);
	return ns < 2 * NSEC ? ns : 0;
}

void time_init(int64_t realtime_ns)
{
	lapic_map();
	*lapic(LAPIC_SVR) = 0x100 | VEC_SPURIOUS;
	int64_t pv_real = -1;
	uint64_t pv_tsc = 0;
	rates(&pv_real, &pv_tsc);
	ns_mult = ((uint64_t)NSEC << 32) / tsc_hz;
	tsc0 = rdtsc();
	real_offset = pv_real >= 0 ? pv_real + time_tsc_ns(tsc0 - pv_tsc) : realtime_ns + since_reset(tsc0);
	*lapic(LAPIC_LVT_TIMER) = VEC_TIMER; /* one-shot */
}

/* TSC cycles to ns, once calibrated. */
int64_t time_tsc_ns(uint64_t cycles)
{
	return (int64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

int64_t time_mono_ns(void)
{
	return (int64_t)(((unsigned __int128)(rdtsc() - tsc0) * ns_mult) >> 32);
}

int64_t time_real_offset(void)
{
	return real_offset;
}

static bool is_realtime(int clk)
{
	return clk == 0 || clk == 5 || clk == 8 || clk == 11; /* REALTIME, _COARSE, _ALARM, TAI */
}

long plat_clock_gettime(int clk, int64_t *sec, int64_t *nsec)
{
	int64_t ns = time_mono_ns() + (is_realtime(clk) ? real_offset : 0);
	*sec = ns / NSEC;
	*nsec = ns % NSEC;
	return 0;
}

long plat_clock_getres(int clk, int64_t *sec, int64_t *nsec)
{
	*sec = 0;
	*nsec = clk == 5 || clk == 6 ? TICK_NS : 1;
	return 0;
}

/* The vDSO reads the TSC as the kernel does: the kernel's clock is the TSC itself (and there
 * is one CPU), so the vDSO can be no less right than the kernel, whether or not CPUID calls
 * the TSC invariant (TCG never does; QEMU hides invtsc from -cpu host unless asked). */
void plat_clock_info(struct plat_clock_info *ci)
{
	ci->tsc_stable = true;
	ci->getcpu = PLAT_GETCPU_SYSCALL;
	ci->hres_ns = 1;
	ci->tick_ns = TICK_NS;
}

long vm_direct_entry(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

plat_direct_fn plat_direct_entry(void)
{
	return vm_direct_entry;
}

long plat_getcpu(unsigned *cpu, unsigned *node)
{
	*cpu = 0;
	*node = 0;
	return 0;
}

long plat_ticker_start(void (*fn)(void *arg, bool stepped), void *arg, int64_t first_ns, int64_t period_ns)
{
	ticker.fn = fn;
	ticker.arg = arg;
	ticker.period = period_ns;
	ticker.next = time_mono_ns() + first_ns;
	time_arm();
	return 0;
}

void plat_timer_start(struct kthread *kt)
{
	timer_kt = kt;
}

void plat_timer_program(int64_t deadline)
{
	kdeadline = deadline;
	time_arm();
}

int64_t time_next_event(void)
{
	int64_t next = ticker.fn ? ticker.next : -1;
	int64_t cand[3] = {kdeadline, sched_next_deadline(), sched_polling() ? time_mono_ns() + TICK_NS : -1};
	for (int i = 0; i < 3; i++)
		if (cand[i] >= 0 && (next < 0 || cand[i] < next))
			next = cand[i];
	return next;
}

/* Programs the LAPIC for the next event (and at most one slice from now). */
void time_arm(void)
{
	int64_t now = time_mono_ns(), next = time_next_event();
	if (next < 0 || next > now + SLICE_NS)
		next = now + SLICE_NS;
	uint64_t delta = (uint64_t)MAX(next - now, (int64_t)10000);
	uint64_t count = delta * lapic_hz / NSEC; /* delta <= SLICE_NS: no overflow */
	*lapic(LAPIC_TIMER_INIT) = (uint32_t)MIN(MAX(count, (uint64_t)1), (uint64_t)0xffffffff);
}

/* The timer interrupt: the ticker, the kernel's timers (as the timer thread), sleepers. */
void time_interrupt(void)
{
	int64_t now = time_mono_ns();
	if (ticker.fn && now >= ticker.next) {
		ticker.next = now + ticker.period;
		ticker.fn(ticker.arg, false);
	}
	if (kdeadline >= 0 && now >= kdeadline && timer_kt) {
		struct kthread *self = current();
		kdeadline = -1;
		cpu_set_gs((uint64_t)timer_kt);
		timer_run_expired();
		cpu_set_gs((uint64_t)self);
	}
	sched_wake_due(now);
	time_arm();
}
