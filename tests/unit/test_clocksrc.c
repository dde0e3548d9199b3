/* Host-side tests of plat/vm/clocksrc.c: which source gives the vm's clock rates, from the CPUID
 * answers of the machines it may boot on (TCG as QEMU 7.2 answers here; KVM, with and without
 * its timing leaf or kvmclock, behind Hyper-V's leaves; VMware; bare metal's leaf 0x15/0x16),
 * and KVM's pvclock arithmetic. Only TCG can be run here, so the rest is checked this way. */
#include "plat/vm/clocksrc.h"
#include "tests/unit/check.h"

struct leaf {
	unsigned leaf, r[4];
};

/* The machine being asked: its leaves; one it lacks answers as its highest basic leaf does
 * (what Intel CPUs, and TCG, do), so a reader that ignores the ranges reads garbage. */
static const struct leaf *machine;
static unsigned nleaves;

static void fake_cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
	(void)sub;
	const struct leaf *max = NULL;
	for (unsigned i = 0; i < nleaves; i++) {
		if (machine[i].leaf == leaf) {
			memcpy(r, machine[i].r, 16);
			return;
		}
		if (machine[i].leaf == machine[0].r[0])
			max = &machine[i];
	}
	memcpy(r, max ? max->r : (const unsigned[4]){0}, 16);
}

#define SIG(s) {(unsigned)(s)[0] | (unsigned)(s)[1] << 8 | (unsigned)(s)[2] << 16 | (unsigned)(s)[3] << 24}
#define HV (1u << 31)
#define KVM_B 0x4b4d564b /* "KVMK" */
#define KVM_C 0x564b4d56 /* "VMKV" */
#define KVM_D 0x0000004d /* "M\0\0\0" */

static void use(const struct leaf *m, unsigned n)
{
	machine = m;
	nleaves = n;
}

static void expect(const char *name, const struct leaf *m, unsigned n, enum clock_from from, uint64_t tsc,
		   uint64_t lapic, unsigned kvm_base, bool kvmclock)
{
	use(m, n);
	struct clock_rates c = clocksrc_cpuid(fake_cpuid);
	unsigned base = clocksrc_kvm_base(fake_cpuid);
	CHECK(c.from == from && c.tsc_hz == tsc && c.lapic_hz == lapic, "%s: from %d tsc %lu lapic %lu, want %d %lu %lu",
	      name, c.from, (unsigned long)c.tsc_hz, (unsigned long)c.lapic_hz, from, (unsigned long)tsc,
	      (unsigned long)lapic);
	CHECK(base == kvm_base, "%s: KVM's leaves at %#x, want %#x", name, base, kvm_base);
	CHECK(!base || clocksrc_has_kvmclock(fake_cpuid, base) == kvmclock, "%s: kvmclock %d, want %d", name,
	      base && clocksrc_has_kvmclock(fake_cpuid, base), kvmclock);
}

#define N(a) (sizeof(a) / sizeof(a)[0])

static void machines(void)
{
	/* TCG, -cpu max (AMD's vendor, basic leaves to 0xd, "TCGTCGTCGTCG" to 0x40000001) */
	static const struct leaf tcg[] = {
		{0, {0xd, 0x68747541, 0x444d4163, 0x69746e65}}, {1, {0x60fb1, 0x800, 0xfed8320b, 0x0fcbfbfd}},
		{0xd, {0x21f, 0x340, 0xa88, 0}}, {0x40000000, {0x40000001, 0x54474354, 0x43544743, 0x47435447}},
		{0x40000001, {0, 0, 0, 0}},
	};
	expect("tcg max", tcg, N(tcg), CLOCK_FROM_PIT, 0, 0, 0, false);
	/* TCG, -cpu max,level=0x16: the leaves are in range and zero */
	static const struct leaf tcg16[] = {
		{0, {0x16, 0x68747541, 0x444d4163, 0x69746e65}}, {1, {0x60fb1, 0x800, 0xfed8320b, 0x0fcbfbfd}},
		{0x15, {0, 0, 0, 0}}, {0x16, {0, 0, 0, 0}}, {0x40000000, {0x40000001, 0x54474354, 0x43544743, 0x47435447}},
	};
	expect("tcg level 0x16", tcg16, N(tcg16), CLOCK_FROM_PIT, 0, 0, 0, false);
	/* bare metal Intel: 24 MHz crystal, TSC 88/1 of it; hypervisor leaves echo leaf 0x16 */
	static const struct leaf intel[] = {
		{0, {0x16, 0, 0, 0}}, {1, {0x906ea, 0, 0x7ffafbff, 0}}, {0x15, {2, 176, 24000000, 0}},
		{0x16, {2100, 4000, 100, 0}},
	};
	expect("intel 0x15", intel, N(intel), CLOCK_FROM_CPUID15, 2112000000, 0, 0, false);
	/* the crystal unnamed: leaf 0x16's base frequency */
	static const struct leaf skylake[] = {
		{0, {0x16, 0, 0, 0}}, {1, {0x506e3, 0, 0x7ffafbff, 0}}, {0x15, {2, 300, 0, 0}}, {0x16, {3400, 4000, 100, 0}},
	};
	expect("intel 0x15+0x16", skylake, N(skylake), CLOCK_FROM_CPUID15, 3400000000, 0, 0, false);
	/* ... and without leaf 0x16 there is nothing */
	static const struct leaf no16[] = {{0, {0x15, 0, 0, 0}}, {1, {0, 0, 0, 0}}, {0x15, {2, 300, 0, 0}}};
	expect("intel 0x15 alone", no16, N(no16), CLOCK_FROM_PIT, 0, 0, 0, false);
	/* KVM with kvmclock and QEMU's vmware-cpuid-freq timing leaf */
	static const struct leaf kvm[] = {
		{0, {0xd, 0, 0, 0}}, {1, {0, 0, HV, 0}}, {0x40000000, {0x40000010, KVM_B, KVM_C, KVM_D}},
		{0x40000001, {0x01007afb, 0, 0, 0}}, {0x40000010, {2500000, 1000000, 0, 0}},
	};
	expect("kvm timing leaf", kvm, N(kvm), CLOCK_FROM_HV_LEAF, 2500000000, 1000000000, 0x40000000, true);
	/* KVM without the timing leaf: the leaf past its range is not read; no kvmclock either */
	static const struct leaf kvm_plain[] = {
		{0, {0xd, 0, 0, 0}}, {1, {0, 0, HV, 0}}, {0xd, {0x21f, 0x340, 0xa88, 0}},
		{0x40000000, {0x40000001, KVM_B, KVM_C, KVM_D}}, {0x40000001, {0, 0, 0, 0}},
	};
	expect("kvm plain", kvm_plain, N(kvm_plain), CLOCK_FROM_PIT, 0, 0, 0x40000000, false);
	/* KVM behind Hyper-V's leaves: 0x40000010 is Hyper-V's, not a timing leaf */
	static const struct leaf hyperv[] = {
		{0, {0xd, 0, 0, 0}}, {1, {0, 0, HV, 0}}, {0x40000000, {0x40000010, 0x7263694d, 0x666f736f, 0x76482074}},
		{0x40000010, {123, 456, 0, 0}}, {0x40000100, {0x40000101, KVM_B, KVM_C, KVM_D}},
		{0x40000101, {1u << KVM_FEATURE_CLOCKSOURCE2, 0, 0, 0}},
	};
	expect("kvm behind hyper-v", hyperv, N(hyperv), CLOCK_FROM_PIT, 0, 0, 0x40000100, true);
	/* VMware: its timing leaf (66 MHz bus) */
	static const struct leaf vmware[] = {
		{0, {0xd, 0, 0, 0}}, {1, {0, 0, HV, 0}}, {0x40000000, {0x40000010, 0x61774d56, 0x4d566572, 0x65726177}},
		{0x40000010, {2000000, 66000, 0, 0}},
	};
	expect("vmware", vmware, N(vmware), CLOCK_FROM_HV_LEAF, 2000000000, 66000000, 0, false);
	/* no hypervisor bit: a KVM-looking signature is not believed */
	static const struct leaf bare[] = {
		{0, {0xd, 0, 0, 0}}, {1, {0, 0, 0, 0}}, {0x40000000, {0x40000010, KVM_B, KVM_C, KVM_D}},
		{0x40000010, {2500000, 1000000, 0, 0}},
	};
	expect("no hypervisor bit", bare, N(bare), CLOCK_FROM_PIT, 0, 0, 0, false);
}

static void pvclock(void)
{
	/* 500 MHz: ns = (tsc << 2) * 2^31 >> 32 = 2 tsc */
	struct pvclock_time slow = {.tsc_timestamp = 1000, .system_time = 5000000000, .tsc_to_system_mul = 1u << 31,
				    .tsc_shift = 2};
	CHECK(clocksrc_pvclock_hz(&slow) == 500000000, "500 MHz: %lu", (unsigned long)clocksrc_pvclock_hz(&slow));
	CHECK(clocksrc_pvclock_ns(&slow, 1000 + 500000000) == 6000000000, "500 MHz: +1 s gives %ld",
	      (long)clocksrc_pvclock_ns(&slow, 1000 + 500000000));
	/* 3 GHz as KVM scales it: a negative shift, ns = (tsc >> 1) * (2/3 * 2^32) >> 32 */
	struct pvclock_time fast = {.tsc_timestamp = 1ULL << 40, .system_time = 7, .tsc_to_system_mul = 2863311531u,
				    .tsc_shift = -1};
	uint64_t hz = clocksrc_pvclock_hz(&fast);
	CHECK(hz >= 2999999990 && hz <= 3000000000, "3 GHz: %lu", (unsigned long)hz);
	int64_t ns = clocksrc_pvclock_ns(&fast, (1ULL << 40) + 3000000000ULL * 3600);
	/* the scale is rounded to 2^-32 ns a tick: 426 ns off in an hour (0.1 ppb) */
	CHECK(ns >= 7 + 3600000000000 && ns <= 7 + 3600000000000 + 1000, "3 GHz: +1 h gives %ld", (long)ns);
	struct pvclock_time none = {0};
	CHECK(clocksrc_pvclock_hz(&none) == 0, "a zero scale gives no rate");
}

int main(void)
{
	machines();
	pvclock();
	return check_summary("clocksrc");
}
