# vnetlab — one Makefile. See README.md "Development" for why Make.
#
#   make            build build/vnetlab
#   make demo       install deps, build, bring a small lab up, measure, tear down
#   make check      install deps, build under ASan+UBSan, run every test
#   make bench      run the benchmarks in bench/
#   make format     clang-format the tree
#   make vm-kernel  build the vm backend's small guest kernel (cached)
#   make fuzz       build the libFuzzer targets in fuzz/ with clang, run each briefly

CC      ?= cc
PKGS    := libmnl jansson yaml-0.1 libcrypto libnftables libedit
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmnl -ljansson -lyaml -lcrypto -lnftables -ledit)

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
# METIS (placement over hosts) has no pkg-config file in Debian: named here,
# for every binary that links libvnetlab.a.
LDLIBS  := $(PKG_LIBS) -lmetis -lutil -lm

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

B       ?= build
LIB_SRC := $(sort $(wildcard src/base/*.c src/topo/*.c src/plan/*.c src/engine/*.c src/lab/*.c \
                            src/node/*.c src/link/*.c src/sys/*.c src/study/*.c \
                            src/vm/*.c src/host/*.c))
# The study's built-in workloads: one program, run inside nodes.
WORK_SRC := $(sort $(wildcard src/work/*.c))
WORK_OBJ := $(WORK_SRC:%.c=$(B)/%.o)
CLI_SRC := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))

# The MPI benchmarks: one program, built once for each MPI installed
# (MPICH and LAM/MPI have different ABIs), with that MPI's own mpicc.
MPI_SRC := $(sort $(wildcard src/mpibench/*.c))
MPI_IMPLS := $(foreach m,mpich lam,$(if $(wildcard /usr/bin/mpicc.$(m)),$(m)))
MPI_BINS := $(if $(MPI_SRC),$(MPI_IMPLS:%=$(B)/mpi/%/vnetlab-mpi))

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TESTS   := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
WORK_BIN := $(if $(WORK_SRC),$(B)/vnetlab-work $(B)/vnetlab-work.static)
# The same workloads for vm guests, which have no shared libraries: static,
# never sanitized, with only the base code they use.
WORK_STATIC_SRC := $(WORK_SRC) src/base/err.c src/base/util.c src/base/json.c

.PHONY: all deps demo check check-build test bench format clean vm-kernel fuzz fuzz-build
all: $(B)/vnetlab $(B)/vnetlab-rsh $(B)/vnetlab-agent $(WORK_BIN) $(MPI_BINS) $(TESTS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libvnetlab.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/vnetlab: $(CLI_OBJ) $(B)/libvnetlab.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The VM guests' agent and /init: static (it runs in a guest with nothing
# else), never sanitized; its own files, the protocol and the base helpers.
AGENT_SRC := $(sort $(wildcard src/agent/*.c)) src/vm/proto.c src/base/util.c src/base/err.c
$(B)/vnetlab-agent: $(AGENT_SRC) $(wildcard src/agent/*.h src/vm/proto.h src/base/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -static -O2 -s -o $@ $(AGENT_SRC)

# The same program: as vnetlab-rsh, MPI launchers' remote shell.
$(B)/vnetlab-rsh: $(B)/vnetlab
	ln -sf vnetlab $@

$(B)/vnetlab-work: $(WORK_OBJ) $(B)/libvnetlab.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) -lcrypto

$(B)/vnetlab-work.static: $(WORK_STATIC_SRC) $(wildcard src/work/*.h src/base/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -static -O2 -s -Wl,--no-warnings \
		-o $@ $(WORK_STATIC_SRC) -ljansson -lcrypto -lm -lpthread

# Not sanitized: ASan's runtime and mpiexec's launch do not mix.
$(B)/mpi/%/vnetlab-mpi: $(MPI_SRC) $(wildcard src/mpibench/*.h)
	@mkdir -p $(dir $@)
	mpicc.$* -std=gnu11 -O2 -g -Wall -Wextra -D_GNU_SOURCE -Isrc/mpibench $(PKG_CFLAGS) -o $@ \
		$(MPI_SRC) -ljansson -lm

$(B)/tests/%: tests/unit/%.c $(B)/libvnetlab.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(B)/vnetlab

# The test suite runs on the sanitized build. The vm tests boot guests:
# Debian's kernel is unpacked for them (about 10 s, cached) unless the
# small one of `make vm-kernel` is there; without either they skip.
check: deps
	@$(MAKE) --no-print-directory B=build/san CFLAGS="$(SAN_FLAGS)" all
	@[ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || scripts/vm-kernel.sh --debian || \
		echo "make check: no guest kernel could be unpacked; the vm tests will skip"
	@tests/run.sh build/san

# The small guest kernel of the vm backend, cached in /var/cache/vnetlab.
vm-kernel:
	@scripts/deps.sh vm-kernel
	@scripts/vm-kernel.sh

# Fuzzing, never part of check: the library again, built with clang and
# instrumented for libFuzzer, ASan and UBSan in build/fuzz; then each
# target of fuzz/ runs for FUZZ_TIME seconds (scripts/fuzz.sh). A crash,
# leak, hang or blow-up fails it, its input saved in build/fuzz/artifacts.
FUZZ_CC      ?= clang-14
FUZZ_TIME    ?= 30
FUZZ_TARGETS := $(sort $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c)))
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all

fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS)" fuzz-build
	@scripts/fuzz.sh build/fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_TARGETS:%=$(B)/fuzz-%)

$(B)/fuzz-%: fuzz/%.c $(B)/libvnetlab.a
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

bench: deps all
	@bench/updown.sh $(B)/vnetlab

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(WORK_OBJ:.o=.d)
