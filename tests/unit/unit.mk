# unit.mk: host-side unit tests (ELF validation, path normalization, the syscall-list generator)
# and the malformed-ELF corpus. Included by the top-level Makefile, which defines BUILD, CC, PYTHON.
#   make unit-tests    builds and runs the unit tests on the host; needs no elfin.
#   make badelf-tests  runs build/elfin on every file of the malformed-ELF corpus.
#   make vdso-tests    checks the vDSO image's ELF structure and runs its code on the host.

UNIT_DIR := $(BUILD)/unit
# The kernel's pure files (and its user-access primitives) built for the host, with UBSan to catch overflows and misaligned reads.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra $(WERROR) -I. -fno-omit-frame-pointer \
	-fsanitize=undefined -fno-sanitize-recover=all
# The kernel's own string helpers are linked as they are (so freestanding: no calls to themselves).
UNIT_LIB := $(UNIT_DIR)/string.o $(UNIT_DIR)/hostshim.o

# Each C suite: tests/unit/test_<name>.c and the kernel file it tests.
UNIT_SRC_elf := kernel/exec/elf.c
UNIT_SRC_path := kernel/fs/path.c
UNIT_SRC_uaccess := arch/x86_64/uaccess.S
UNIT_SRC_clocksrc := plat/vm/clocksrc.c
UNIT_C_SUITES := elf path uaccess clocksrc
UNIT_BINS := $(addprefix $(UNIT_DIR)/test_,$(UNIT_C_SUITES))
UNIT_HDRS := tests/unit/check.h $(wildcard kernel/*.h kernel/exec/*.h kernel/fs/*.h) plat/vm/clocksrc.h

$(UNIT_DIR)/string.o: kernel/lib/string.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -fno-sanitize=all -ffreestanding -fno-builtin -MMD -MP -c $< -o $@

$(UNIT_DIR)/hostshim.o: tests/unit/hostshim.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

define UNIT_SUITE_RULE
$$(UNIT_DIR)/test_$(1): tests/unit/test_$(1).c $$(UNIT_SRC_$(1)) $$(UNIT_LIB) $$(UNIT_HDRS)
	@mkdir -p $$(@D)
	$$(CC) $$(UNIT_CFLAGS) -o $$@ tests/unit/test_$(1).c $$(UNIT_SRC_$(1)) $$(UNIT_LIB)
endef
$(foreach s,$(UNIT_C_SUITES),$(eval $(call UNIT_SUITE_RULE,$(s))))

-include $(wildcard $(UNIT_DIR)/*.d)

# The vDSO image: its ELF structure as the libcs' loaders read it (test_vdso.py), and its
# code run against a data page the test writes (test_vdso_run.c).
$(UNIT_DIR)/test_vdso_run: tests/unit/test_vdso_run.c vdso/vdso_data.h tests/unit/check.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -pthread -o $@ $<

# Every suite runs even when an earlier one fails; the make fails if any did.
.PHONY: unit-tests badelf-tests vdso-tests preload-tests
unit-tests: $(UNIT_BINS)
	@st=0; for t in $(UNIT_BINS); do $$t || st=1; done; \
	$(PYTHON) tests/unit/test_gensyscalls.py || st=1; \
	$(PYTHON) tests/mutate/mutate.py --check || st=1; \
	exit $$st

vdso-tests: $(VDSO_SO) $(UNIT_DIR)/test_vdso_run
	@st=0; $(PYTHON) tests/unit/test_vdso.py $(VDSO_SO) || st=1; \
	$(UNIT_DIR)/test_vdso_run $(VDSO_SO) || st=1; \
	exit $$st

# The adapter library's names against Debian's glibc and musl (needs musl: make test's deps).
preload-tests: $(GEN_PRELOAD)
	$(PYTHON) tests/unit/test_preload_names.py $(GEN_PRELOAD)

badelf-tests: $(BUILD)/elfin
	$(PYTHON) tests/badelf/run.py --elfin $(BUILD)/elfin --dir $(BUILD)/tests/badelf

# The ELF checks under libFuzzer (clang, from Debian's clang and libclang-rt-dev): not part of
# make test. FUZZ_SECONDS bounds the run; every crash it finds becomes a case of test_elf.c.
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
$(FUZZ_DIR)/fuzz_elf: | fuzz-deps
$(FUZZ_DIR)/fuzz_elf: tests/fuzz/fuzz_elf.c kernel/exec/elf.c tests/unit/hostshim.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	clang -std=gnu11 -O1 -g -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_elf.c kernel/exec/elf.c tests/unit/hostshim.c

.PHONY: fuzz fuzz-deps
fuzz-deps:
	@sh scripts/deps.sh fuzz

fuzz: fuzz-deps $(FUZZ_DIR)/fuzz_elf
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_elf -max_total_time=$(FUZZ_SECONDS) -max_len=20000 $(FUZZ_DIR)/corpus tests/fuzz/corpus
