# tests.mk: builds every tests/abi/*.c program in the five link variants elfin must run, and the
# programs generated from the syscall list. Included by the top-level Makefile, which defines
# BUILD and PYTHON.  Output: $(BUILD)/tests/<variant>/<name>.

TESTS_ABI_SRCS := $(sort $(wildcard tests/abi/*.c))
TESTS_ABI_NAMES := $(basename $(notdir $(TESTS_ABI_SRCS)))
TESTS_ABI_HDRS := $(wildcard tests/abi/*.h)
TESTS_VARIANTS := glibc-dyn glibc-static glibc-static-pie musl-static musl-dyn

TESTS_CFLAGS ?= -O2 -g -Wall -Wextra -Werror
TESTS_GCC ?= gcc
TESTS_MUSL_GCC ?= musl-gcc

# Compiler and link mode of each variant.
TESTS_CC_glibc-dyn := $(TESTS_GCC)
TESTS_LINK_glibc-dyn :=
TESTS_CC_glibc-static := $(TESTS_GCC)
TESTS_LINK_glibc-static := -static -no-pie
TESTS_CC_glibc-static-pie := $(TESTS_GCC)
TESTS_LINK_glibc-static-pie := -static-pie -fPIE
TESTS_CC_musl-static := $(TESTS_MUSL_GCC)
TESTS_LINK_musl-static := -static
TESTS_CC_musl-dyn := $(TESTS_MUSL_GCC)
TESTS_LINK_musl-dyn := -Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1

TEST_BINS := $(foreach v,$(TESTS_VARIANTS),$(addprefix $(BUILD)/tests/$(v)/,$(TESTS_ABI_NAMES)))

# One static pattern rule per variant: $(BUILD)/tests/<variant>/<name> from tests/abi/<name>.c.
define TESTS_VARIANT_RULE
$$(filter $$(BUILD)/tests/$(1)/%,$$(TEST_BINS)): $$(BUILD)/tests/$(1)/%: tests/abi/%.c $$(TESTS_ABI_HDRS) tests/tests.mk
	@mkdir -p $$(@D)
	$$(TESTS_CC_$(1)) $$(TESTS_CFLAGS) $$(TESTS_LINK_$(1)) -pthread -o $$@ $$<
endef
$(foreach v,$(TESTS_VARIANTS),$(eval $(call TESTS_VARIANT_RULE,$(v))))

# The bad-argument test: tests/badinput/gen_badarg.py writes its cases (bad pointers, bad flags)
# from the syscall list.
# Its system calls are raw, so two link variants (one per libc) are enough.
TESTS_GEN_VARIANTS := glibc-static musl-static
TESTS_BADARG_C := $(BUILD)/tests/gen/badarg.c
TEST_GEN_BINS := $(foreach v,$(TESTS_GEN_VARIANTS),$(BUILD)/tests/$(v)/badarg)

$(TESTS_BADARG_C): tests/badinput/gen_badarg.py kernel/sys/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(@D)
	$(PYTHON) tests/badinput/gen_badarg.py kernel/sys/syscalls.tbl $@

define TESTS_GEN_RULE
$$(BUILD)/tests/$(1)/badarg: $$(TESTS_BADARG_C) tests/badinput/badarg.h tests/abi/abi.h tests/tests.mk
	@mkdir -p $$(@D)
	$$(TESTS_CC_$(1)) $$(TESTS_CFLAGS) -Itests/badinput $$(TESTS_LINK_$(1)) -o $$@ $$<
endef
$(foreach v,$(TESTS_GEN_VARIANTS),$(eval $(call TESTS_GEN_RULE,$(v))))

.PHONY: test-bins
test-bins: $(TEST_BINS) $(TEST_GEN_BINS)
