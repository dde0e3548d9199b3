# gnulib.mk: gnulib's own test suite as a conformance corpus (see tests/gnulib/gnulib.py).
# Generated from Debian's gnulib package for the modules listed in tests/gnulib/modules,
# configured and built in $(BUILD)/gnulib, outside the source tree; nothing of it is committed.
# Built once: $(GNULIB_LIST), written last, depends only on the module list and these rules,
# so a second `make test` does not rebuild it. Included by the top-level Makefile.

GNULIB_TOOL ?= /usr/share/gnulib/gnulib-tool
# gnulib-tool under bash keeps its module cache in associative arrays, not in forks of sed.
GNULIB_DIR := $(BUILD)/gnulib
GNULIB_LIST := $(GNULIB_DIR)/tests.txt
# A local module directory for gnulib-tool with one module, elfin-corpus, that depends on every
# module of the list: gnulib-tool checks the license of each module it is given by computing
# that module's whole closure, so naming 120 modules costs 120 closures; one GPL module (the
# license of tests) costs none, and the closure that finds the tests is computed once.
GNULIB_LOCAL := $(BUILD)/gnulib-local
GNULIB_CORPUS := $(GNULIB_LOCAL)/modules/elfin-corpus
# mknod's configure check refuses to run as root (CI does) unless FORCE_UNSAFE_CONFIGURE is set.
# Debian's gnulib tests do not build with -Werror; keep them quick to compile.
GNULIB_CFLAGS ?= -O1 -g0

$(GNULIB_CORPUS): tests/gnulib/modules tests/gnulib/gnulib.mk
	@mkdir -p $(dir $@)
	@{ printf 'Description:\nThe gnulib modules whose tests elfin runs (tests/gnulib/modules).\n\n'; \
	   printf 'Files:\n\nDepends-on:\n'; sed 's/#.*//' tests/gnulib/modules | tr -s ' \t' '\n\n' | sed '/^$$/d'; \
	   printf '\nconfigure.ac:\n\nMakefile.am:\n\nLicense:\nGPL\n\nMaintainer:\nelfin\n'; } >$@.tmp && mv $@.tmp $@

$(GNULIB_LIST): $(GNULIB_CORPUS) tests/gnulib/modules tests/gnulib/gnulib.mk tests/gnulib/print.mk
	@rm -rf $(GNULIB_DIR) && mkdir -p $(dir $(GNULIB_DIR))
	@echo "  GNULIB $(GNULIB_DIR): generating the test directory"; t=$$(date +%s); \
	CONFIG_SHELL=/bin/bash $(GNULIB_TOOL) --create-testdir --dir=$(GNULIB_DIR) --without-privileged-tests --without-longrunning-tests \
		--local-dir=$(GNULIB_LOCAL) elfin-corpus >$(GNULIB_DIR).log 2>&1 \
		|| { tail -20 $(GNULIB_DIR).log; exit 1; }; \
	echo "  GNULIB generated in $$(($$(date +%s) - t)) s"
	@echo "  GNULIB $(GNULIB_DIR): configuring and building"; t=$$(date +%s); \
	cd $(GNULIB_DIR) && { FORCE_UNSAFE_CONFIGURE=1 ./configure -q CFLAGS='$(GNULIB_CFLAGS)' && $(MAKE) -s check TESTS=; } \
		>>$(abspath $(GNULIB_DIR)).log 2>&1 || { tail -20 $(abspath $(GNULIB_DIR)).log; exit 1; }; \
	echo "  GNULIB configured and built in $$(($$(date +%s) - t)) s"
	@$(MAKE) -s -C $(GNULIB_DIR)/gltests -f Makefile -f $(CURDIR)/tests/gnulib/print.mk \
		elfin-print-tests >$@.tmp && mv $@.tmp $@

.PHONY: gnulib-tests
gnulib-tests: $(GNULIB_LIST)
