/* The clock's rates from CPUID and KVM's pvclock records (see clocksrc.h). */
#include "plat/vm/clocksrc.h"
#include "kernel/lib.h"

#define HV_BASE 0x40000000u
#define HV_TIMING_LEAF 0x40000010u /* eax: TSC kHz, ebx: LAPIC bus kHz */

unsigned clocksrc_kvm_base(clocksrc_cpuid_fn cpuid)
{
	unsigned r[4];
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31))) /* no hypervisor: the hypervisor leaves mean nothing */
		return 0;
	for (unsigned base = HV_BASE; base < HV_BASE + 0x10000; base += 0x100) {
		cpuid(base, 0, r);
		if (memcmp(&r[1], "KVMK", 4) == 0 && memcmp(&r[2], "VMKV", 4) == 0 && memcmp(&r[3], "M\0\0\0", 4) == 0)
			return base;
	}
	return 0;
}

bool clocksrc_has_kvmclock(clocksrc_cpuid_fn cpuid, unsigned base)
{
	unsigned r[4];
	cpuid(base + 1, 0, r); /* KVM_CPUID_FEATURES */
	return base && (r[0] & (1u << KVM_FEATURE_CLOCKSOURCE2));
}

/* The timing leaf, where the hypervisor's range reaches it (TCG's and KVM's own end below:
 * CPUID then answers with another leaf's values). */
static bool hv_timing(clocksrc_cpuid_fn cpuid, struct clock_rates *c)
{
	unsigned r[4];
	bool kvm = clocksrc_kvm_base(cpuid) == HV_BASE; /* else Hyper-V's leaves may be first */
	cpuid(HV_BASE, 0, r);
	bool vmware = memcmp(&r[1], "VMwa", 4) == 0 && memcmp(&r[2], "reVM", 4) == 0 && memcmp(&r[3], "ware", 4) == 0;
	if (!(kvm || vmware) || r[0] < HV_TIMING_LEAF || r[0] >= HV_BASE + 0x100)
		return false;
	cpuid(HV_TIMING_LEAF, 0, r);
	if (!r[0])
		return false;
	*c = (struct clock_rates){(uint64_t)r[0] * 1000, (uint64_t)r[1] * 1000, CLOCK_FROM_HV_LEAF};
	return true;
}

/* Leaf 0x15: TSC = crystal * ebx / eax. A crystal it leaves unnamed (ecx 0) is, as Linux
 * derives it, leaf 0x16's base frequency * eax / ebx: the TSC then runs at that base
 * frequency. Only within the CPU's basic range: beyond it CPUID repeats its last leaf. */
static bool leaf15(clocksrc_cpuid_fn cpuid, struct clock_rates *c)
{
	unsigned r[4], f[4];
	cpuid(0, 0, r);
	unsigned max = r[0];
	if (max < 0x15)
		return false;
	cpuid(0x15, 0, r);
	if (!r[0] || !r[1])
		return false;
	uint64_t hz = (uint64_t)r[2] * r[1] / r[0];
	if (!hz && max >= 0x16) {
		cpuid(0x16, 0, f);
		hz = (uint64_t)(f[0] & 0xffff) * 1000000;
	}
	*c = (struct clock_rates){hz, 0, CLOCK_FROM_CPUID15};
	return hz != 0;
}

struct clock_rates clocksrc_cpuid(clocksrc_cpuid_fn cpuid)
{
	struct clock_rates c = {0, 0, CLOCK_FROM_PIT};
	if (!hv_timing(cpuid, &c) && !leaf15(cpuid, &c))
		c = (struct clock_rates){0, 0, CLOCK_FROM_PIT};
	return c;
}

uint64_t clocksrc_pvclock_hz(const struct pvclock_time *t)
{
	if (!t->tsc_to_system_mul)
		return 0;
	uint64_t hz = (1000000000ULL << 32) / t->tsc_to_system_mul;
	return t->tsc_shift < 0 ? hz << -t->tsc_shift : hz >> t->tsc_shift;
}

int64_t clocksrc_pvclock_ns(const struct pvclock_time *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;
	delta = t->tsc_shift < 0 ? delta >> -t->tsc_shift : delta << t->tsc_shift;
	return (int64_t)(t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32));
}
