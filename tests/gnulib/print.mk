# print.mk: read after a gnulib test directory's gltests/Makefile, prints what the driver needs
# to run its tests as `make check` would: the TESTS list and the TESTS_ENVIRONMENT assignments.
.PHONY: elfin-print-tests
elfin-print-tests:
	$(info tests $(TESTS))
	$(info environment $(TESTS_ENVIRONMENT))
	@:
