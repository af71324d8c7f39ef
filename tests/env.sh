# What every test runner sets up (sourced by tests/run.sh and tests/one.sh
# with B, the build directory, set): the vnetlab under test, the
# sanitizers' options, where the tests are, and guest templates
# (vm/template.h) of this run's own, not the host's cache: every vm test
# runs on clones of them, and they go at the end.
export VNETLAB="$PWD/$B/vnetlab"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TESTS_DIR="$PWD/tests"
if [ -z "${VNETLAB_VM_TEMPLATES:-}" ]; then
	VNETLAB_VM_TEMPLATES=$(mktemp -d /dev/shm/vnetlab-test-templates.XXXXXX)
	export VNETLAB_VM_TEMPLATES
	trap 'rm -rf "$VNETLAB_VM_TEMPLATES"' EXIT
fi
