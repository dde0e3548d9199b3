# gnulib.mk: gnulib's own test suite as a conformance corpus (see tests/gnulib/gnulib.py).
# Generated from Debian's gnulib package for the modules listed in tests/gnulib/modules,
# configured and built in $(BUILD)/gnulib, outside the source tree; nothing of it is committed.
# Built once: $(GNULIB_LIST), written last, depends only on the module list and these rules,
# so a second `make test` does not rebuild it. Included by the top-level Makefile.

GNULIB_TOOL ?= /usr/share/gnulib/gnulib-tool
# gnulib-tool under bash keeps its module cache in associative arrays, not in forks of sed.
GNULIB_DIR := $(BUILD)/gnulib
GNULIB_LIST := $(GNULIB_DIR)/tests.txt
# Debian's gnulib tests do not build with -Werror; keep them quick to compile.
GNULIB_CFLAGS ?= -O1 -g0

$(GNULIB_LIST): tests/gnulib/modules tests/gnulib/gnulib.mk tests/gnulib/print.mk
	@rm -rf $(GNULIB_DIR) && mkdir -p $(dir $(GNULIB_DIR))
	@echo "  GNULIB $(GNULIB_DIR): generating the test directory"; t=$$(date +%s); \
	CONFIG_SHELL=/bin/bash $(GNULIB_TOOL) --create-testdir --dir=$(GNULIB_DIR) --without-privileged-tests --without-longrunning-tests \
		$$(sed 's/#.*//' tests/gnulib/modules) >$(GNULIB_DIR).log 2>&1 \
		|| { tail -20 $(GNULIB_DIR).log; exit 1; }; \
	echo "  GNULIB generated in $$(($$(date +%s) - t)) s"
	@echo "  GNULIB $(GNULIB_DIR): configuring and building"; t=$$(date +%s); \
	cd $(GNULIB_DIR) && { ./configure -q CFLAGS='$(GNULIB_CFLAGS)' && $(MAKE) -s check TESTS=; } \
		>>$(abspath $(GNULIB_DIR)).log 2>&1 || { tail -20 $(abspath $(GNULIB_DIR)).log; exit 1; }; \
	echo "  GNULIB configured and built in $$(($$(date +%s) - t)) s"
	@$(MAKE) -s -C $(GNULIB_DIR)/gltests -f Makefile -f $(CURDIR)/tests/gnulib/print.mk \
		elfin-print-tests >$@.tmp && mv $@.tmp $@

.PHONY: gnulib-tests
gnulib-tests: $(GNULIB_LIST)
