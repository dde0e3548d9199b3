# elfin: plain non-recursive GNU make. `make` builds everything into build/,
# `make test` runs every test, `make bench` measures. WERROR= turns -Werror off.
BUILD := build
CC := gcc
PYTHON := python3
WERROR ?= -Werror

# The kernel shares the program's address space: no libc, no stack protector (it reads
# %fs), no SIMD registers, position-independent so elfin can stay out of non-PIE programs' way.
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(WERROR) -ffreestanding -fno-stack-protector \
	-fno-builtin -fPIE -fvisibility=hidden -mgeneral-regs-only -mno-red-zone \
	-fno-omit-frame-pointer -fcf-protection=none -I. -I$(BUILD)
KLDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,noexecstack -Wl,-z,text \
	-Wl,--build-id=none

KERNEL_SRCS := $(wildcard kernel/*.c kernel/*/*.c) $(wildcard arch/x86_64/*.S)
PROCESS_SRCS := $(wildcard plat/process/*.c plat/process/*.S)
GEN_HDR := $(BUILD)/gen/syscalls.h
GEN_TABLE := $(BUILD)/gen/syscall_table.c
GEN_PRELOAD := $(BUILD)/gen/preload_wrappers.c
PRELOAD := $(BUILD)/libelfin-direct.so
SYSCALL_DOC := docs/syscalls.md

CORE_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS) vdso/image.S) $(BUILD)/obj/gen/syscall_table.c.o
KOBJS := $(CORE_OBJS) $(patsubst %,$(BUILD)/obj/%.o,$(PROCESS_SRCS))

# The vm platform: the same core objects with plat/vm instead of plat/process, linked non-PIE
# by plat/vm/vm.lds into an ELF with a PVH entry note that QEMU's microvm boots.
VM_SRCS := $(wildcard plat/vm/*.c plat/vm/*.S)
VM_KERNEL := $(BUILD)/elfin-vm
VM_OBJS := $(CORE_OBJS) $(patsubst %,$(BUILD)/obj/%.o,$(VM_SRCS))
VM_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,plat/vm/vm.lds -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments

# The vDSO: a shared object of its own (vdso/), linked at 0 with no relocations and embedded
# in elfin by vdso/image.S. It runs in the program, so no kernel-only flags; vdso.so.dbg keeps
# its debug information, vdso.so is what programs get.
VDSO_SO := $(BUILD)/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(WERROR) -ffreestanding -fno-builtin -fPIC \
	-fno-stack-protector -mgeneral-regs-only -fvisibility=hidden -fcf-protection=none \
	-fasynchronous-unwind-tables -I.
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,vdso/vdso.lds -Wl,--version-script=vdso/vdso.map \
	-Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both -Wl,--eh-frame-hdr -Wl,-Bsymbolic \
	-Wl,--no-undefined -Wl,-z,norelro -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 -Wl,--build-id=sha1

.PHONY: all deps test-deps test update-baseline bench mutate clean vm-bad-tests
all: deps $(BUILD)/elfin $(VM_KERNEL) $(PRELOAD) $(SYSCALL_DOC)

deps:
	@sh scripts/deps.sh build

test-deps:
	@sh scripts/deps.sh test

$(GEN_HDR) $(GEN_TABLE) $(SYSCALL_DOC) $(GEN_PRELOAD) &: kernel/sys/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(BUILD)/gen
	@echo "  GEN $(GEN_HDR)"; $(PYTHON) tools/gensyscalls.py $< $(GEN_HDR) $(GEN_TABLE) $(SYSCALL_DOC) $(GEN_PRELOAD)

$(BUILD)/obj/%.c.o: %.c $(GEN_HDR)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"; $(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/syscall_table.c.o: $(GEN_TABLE)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"; $(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC  $@"; $(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/vdso/vdso.o: vdso/vdso.c
	@mkdir -p $(dir $@)
	@echo "  CC  $@"; $(CC) $(VDSO_CFLAGS) -MMD -MP -c $< -o $@

$(VDSO_SO).dbg: $(BUILD)/vdso/vdso.o vdso/vdso.lds vdso/vdso.map
	@echo "  LD  $@"; $(CC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) -o $@ $<

$(VDSO_SO): $(VDSO_SO).dbg
	@echo "  OBJCOPY $@"; objcopy --strip-all $< $@

$(BUILD)/obj/vdso/image.S.o: $(VDSO_SO)
$(BUILD)/obj/vdso/image.S.o: KCFLAGS += -DVDSO_SO='"$(VDSO_SO)"'

$(BUILD)/elfin: $(KOBJS)
	@echo "  CC  $@"; $(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(KOBJS)

$(VM_KERNEL): $(VM_OBJS) plat/vm/vm.lds
	@echo "  LD  $@"; $(CC) $(KCFLAGS) $(VM_LDFLAGS) -o $@ $(VM_OBJS)

# The adapter library: generated wrappers plus preload/*.c, a plain shared object for the
# program's own libc to load (LD_PRELOAD); it needs nothing but errno and getauxval from it.
PRELOAD_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(WERROR) -fPIC -fno-stack-protector -I. -Wno-builtin-declaration-mismatch
$(PRELOAD): $(GEN_PRELOAD) $(wildcard preload/*.c preload/*.h)
	@echo "  CC  $@"; $(CC) $(PRELOAD_CFLAGS) -shared -nostdlib -Wl,-z,noexecstack -o $@ $(GEN_PRELOAD) $(wildcard preload/*.c)

include tests/tests.mk
include tests/gnulib/gnulib.mk
include tests/unit/unit.mk

# Bad input to the vm platform: kernel images, a missing QEMU, initrds.
vm-bad-tests: $(BUILD)/elfin $(VM_KERNEL) test-bins
	$(PYTHON) tests/vm/badvm.py --elfin $(BUILD)/elfin --hello $(BUILD)/tests/musl-static/hello \
		--dynamic $(BUILD)/tests/glibc-dyn/hello

COMPAT_DOC := docs/compat.md
TEST_RESULTS := $(BUILD)/tests/results.json

# The differential suite; docs/compat.md is regenerated from the results of a run that passes.
test: test-deps all test-bins gnulib-tests unit-tests vdso-tests preload-tests badelf-tests vm-bad-tests
	$(PYTHON) tests/run.py --elfin $(BUILD)/elfin --build $(BUILD) --results $(TEST_RESULTS)
	$(PYTHON) tools/gencompat.py kernel/sys/syscalls.tbl $(TEST_RESULTS) $(COMPAT_DOC)

# After an intended change of results: lists exactly the failing cases in tests/expected.txt
# (review its diff like code, and give each new line its reason).
update-baseline: test-deps all test-bins gnulib-tests
	$(PYTHON) tests/run.py --elfin $(BUILD)/elfin --build $(BUILD) --update-baseline

# Deliberately broken kernels (tests/mutate/mutants.py): the suite must fail on each and name
# the cases. Slow (a build and a suite run per mutant), so not part of `make test`.
mutate: test-deps all test-bins
	$(PYTHON) tests/mutate/mutate.py --build $(BUILD) --report docs/mutation.md

bench: test-deps all test-bins
	$(PYTHON) tests/bench/bench.py --elfin $(BUILD)/elfin --build $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/vdso -name '*.d' 2>/dev/null)
