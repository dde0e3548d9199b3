/* The clock's rates from what the CPU and the hypervisor tell: KVM's paravirtual clock, the
 * hypervisor timing leaf, CPUID leaves 0x15 and 0x16. Pure arithmetic on CPUID results and
 * pvclock records (no hardware access), so that tests/unit checks it on the host. */
#pragma once
#include "kernel/types.h"

/* Runs CPUID leaf/sub into r (eax, ebx, ecx, edx); the unit test passes its own tables. */
typedef void (*clocksrc_cpuid_fn)(unsigned leaf, unsigned sub, unsigned r[4]);

enum clock_from {
	CLOCK_FROM_PIT,      /* nothing told: calibrated against the PIT */
	CLOCK_FROM_KVMCLOCK, /* KVM's pvclock (and its wall clock) */
	CLOCK_FROM_HV_LEAF,  /* the hypervisor timing leaf 0x40000010 (VMware's, QEMU's vmware-cpuid-freq) */
	CLOCK_FROM_CPUID15,  /* leaf 0x15 (TSC/crystal ratio), its crystal from leaf 0x16 if unnamed */
};

struct clock_rates {
	uint64_t tsc_hz;     /* 0: unknown */
	uint64_t lapic_hz;   /* 0: unknown (measured against the TSC) */
	enum clock_from from;
};

/* KVM's pvclock ABI (Documentation/virt/kvm/x86/msr.rst): the time record the hypervisor keeps
 * at the address written to MSR_KVM_SYSTEM_TIME_NEW, and the wall clock of the guest's time 0
 * it writes at MSR_KVM_WALL_CLOCK_NEW's. Each is consistent when its version is even and the
 * same before and after reading it. */
struct pvclock_time {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
};
struct pvclock_wall {
	uint32_t version, sec, nsec;
};

#define KVM_CPUID_SIGNATURE 0x40000000
#define KVM_FEATURE_CLOCKSOURCE2 3
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

/* The leaf where KVM's hypervisor leaves start (0x40000000, or a multiple of 0x100 above it
 * when another hypervisor's interface comes first), or 0 when there is no KVM. */
unsigned clocksrc_kvm_base(clocksrc_cpuid_fn cpuid);
/* Whether KVM at base offers the kvmclock MSRs at 0x4b564d00 (KVM_FEATURE_CLOCKSOURCE2). */
bool clocksrc_has_kvmclock(clocksrc_cpuid_fn cpuid, unsigned base);
/* The rates CPUID names: the hypervisor timing leaf, else leaves 0x15/0x16; tsc_hz 0 if none. */
struct clock_rates clocksrc_cpuid(clocksrc_cpuid_fn cpuid);
/* The TSC's rate by a pvclock record's scale. */
uint64_t clocksrc_pvclock_hz(const struct pvclock_time *t);
/* The record's system time (ns since the guest's time 0) at TSC value tsc. */
int64_t clocksrc_pvclock_ns(const struct pvclock_time *t, uint64_t tsc);
