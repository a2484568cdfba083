# Unit tests (CUnit) and system tests. Modules add their own test programs here.
TK_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
TK_TEST_LIBS = src/util/libtkutil.a $(CUNIT_LIBS) $(TK_CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test-wire
tests_unit_test_wire_SOURCES = tests/unit/test-wire.c tests/unit/tk_test.h
tests_unit_test_wire_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_wire_LDADD = $(TK_TEST_LIBS)
TESTS += tests/unit/test-wire

# End-to-end call scenarios and the demo (issue 5): real bsf-stub + tkmsd +
# tkms-ue on free loopback ports (tests/system/lib.sh, call-common.sh).
DEMO_SYSTEM_TESTS = tests/system/demo.sh tests/system/call-algs.sh tests/system/call-reuse.sh \
	tests/system/call-expiry.sh tests/system/call-rebootstrap.sh tests/system/walkthrough.sh
TESTS += $(DEMO_SYSTEM_TESTS)
dist_check_SCRIPTS += $(DEMO_SYSTEM_TESTS) tests/system/call-common.sh

demo: all
	$(top_srcdir)/contrib/demo.sh $(abs_top_builddir)

# ---- helper "scale" (issue 6 items 5, 6): key rotation and scale-out ----
TESTS += tests/system/kms-rotate.sh
dist_check_SCRIPTS += tests/system/kms-rotate.sh
TESTS += tests/system/kms-scaleout.sh
dist_check_SCRIPTS += tests/system/kms-scaleout.sh

# -- depth: groups, devices, network functions, deferred delivery,
#    unprotected tickets (issue 6); real bsf-stub + tkmsd + tkms-ue.
DEPTH_SYSTEM_TESTS = tests/system/kms-deferred.sh tests/system/kms-groups.sh \
	tests/system/kms-devices.sh tests/system/kms-nf.sh tests/system/kms-unprotected.sh
TESTS += $(DEPTH_SYSTEM_TESTS)
dist_check_SCRIPTS += $(DEPTH_SYSTEM_TESTS)
# -- end depth
