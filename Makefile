# passgate build. Plain GNU make; sources are found by directory so adding a
# file needs no edit here. Entry points (a contract, see README.md):
#   make            build/passgated, build/passgatectl
#   make check      install missing packages, build with -Werror, run every test
#   make check-fast unit, packet, pcap and fuzz-smoke tests (no root)
#   make demo       real VPN sessions through passgated on the demo network
#   make bench      benchmarks against Linux's NAT
#   make fuzz       longer fuzzing runs (FUZZ_SECONDS per target)
#   make lint       the layer rule, clang-tidy and cppcheck (make check runs it)
#   make install    PREFIX (/usr/local), DESTDIR; make deb: build/passgate_*.deb
#                   (mk/install.mk)

CC      ?= gcc
FUZZ_CC ?= clang
BUILD   ?= build
XDP_FAST_OBJ = xdp_fast.bpf.o
# The same program with one deliberate bug (no IPv6 hop limit decrement):
# test_xdp_v6 must catch it, or its comparison proves nothing.
XDP_MUTANT_OBJ = xdp_fast_mutant.bpf.o
# Another (the ICMP echo identifier not rewritten): test_xdp_fast must catch it.
XDP_MUTANT_ICMP_OBJ = xdp_fast_mutant_icmp.bpf.o

WARN    = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wvla -Werror
HARDEN  = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
DEFS    = -D_GNU_SOURCE
INCS    = -Isrc
CFLAGS_COMMON = $(WARN) $(DEFS) $(INCS) -g -MMD -MP
CFLAGS_REL = $(CFLAGS_COMMON) -O2 $(HARDEN)
CFLAGS_SAN = $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all -DPG_TESTING
LDFLAGS_REL = -pie -Wl,-z,relro,-z,now
LDFLAGS_SAN = -fsanitize=address,undefined
LIBS_DAEMON = -lpcap -ljson-c -lmicrohttpd -lgnutls -lcrypt -lsystemd -lcap-ng -lseccomp -lbpf -lcrypto
LIBS_CTL    = -ljson-c -lcrypt -lcurl -lgnutls
LIBS_TEST   = -lcmocka -lpcap -lcurl

# The rooms of src/ (docs/ARCHITECTURE.md "Layers"; make lint checks who
# includes whom). The engine links alone (bench); passgatectl links only the
# configuration, the utilities and the engine's validation, never the daemon.
UTIL_SRC   = $(wildcard src/util/*.c)
ENGINE_SRC = $(wildcard src/engine/*.c src/alg/*.c src/wan/*.c)
CONF_SRC   = $(wildcard src/conf/*.c)
# passgate-probe's message code that passgated's "diagnose" links too (issue 24).
DIAG_SRC   = $(addprefix src/probe/,diag.c diag_advice.c vpnmsg.c ike_ask.c ikev2.c sha1.c \
	     msg.c net.c pptp_call.c verdict.c)
DAEMON_SRC = $(wildcard src/l2/*.c src/io/*.c src/dp/*.c src/ctl/*.c src/sync/*.c) $(CONF_SRC) $(UTIL_SRC) \
	     $(DIAG_SRC)
CLI_SRC    = $(filter-out src/cli/passgatectl.c,$(wildcard src/cli/*.c))
CTL_SRC    = $(CLI_SRC) $(CONF_SRC) $(UTIL_SRC)
TESTLIB_SRC = $(wildcard tests/lib/*.c)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
TOOL_SRC   = $(wildcard tests/tools/*.c)
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)

REL = $(BUILD)/rel
SAN = $(BUILD)/san
FZ  = $(BUILD)/fuzz

obj = $(patsubst %.c,$(1)/%.o,$(2))

ENGINE_REL = $(call obj,$(REL),$(ENGINE_SRC))
DAEMON_REL = $(call obj,$(REL),$(DAEMON_SRC))
CTL_REL    = $(call obj,$(REL),$(CTL_SRC))
ENGINE_SAN = $(call obj,$(SAN),$(ENGINE_SRC))
DAEMON_SAN = $(call obj,$(SAN),$(DAEMON_SRC) $(CLI_SRC))
TESTLIB_SAN = $(call obj,$(SAN),$(TESTLIB_SRC))
UNIT_BINS  = $(patsubst tests/unit/%.c,$(SAN)/tests/%,$(UNIT_SRC))
TOOL_BINS  = $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
FUZZ_BINS  = $(patsubst tests/fuzz/%.c,$(FZ)/%,$(FUZZ_SRC))

# Objects reached through pattern rules are kept: rebuilding them all after
# every link would double the time of an edit-test cycle.
.SECONDARY:

.PHONY: all check check-fast test-bins fuzz-bins fuzz demo bench lint clean deps e2e

all: $(BUILD)/passgated $(BUILD)/passgatectl $(BUILD)/$(XDP_FAST_OBJ)

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -c $< -o $@

$(SAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SAN) -c $< -o $@

$(BUILD)/passgated: $(REL)/src/passgated.o $(DAEMON_REL) $(ENGINE_REL)
	$(CC) $(LDFLAGS_REL) -o $@ $^ $(LIBS_DAEMON)

$(BUILD)/passgatectl: $(REL)/src/cli/passgatectl.o $(CTL_REL) $(ENGINE_REL)
	$(CC) $(LDFLAGS_REL) -o $@ $^ $(LIBS_CTL)

# A second build of passgated, its version marked (build/next/passgated
# --version: "0.1.0+next"): restart-keeps-flows upgrades onto it, so a state
# file written by one build is read by another. The objects that carry the
# version are compiled again with it; the rest are the release build's.
NEXT = $(BUILD)/next
NEXT_VERSION = $(shell sed -n 's/^\#define PG_VERSION "\(.*\)"/\1/p' src/util/version.h)+next
NEXT_SRC = src/passgated.c src/ctl/api_status.c
$(NEXT)/rel/%.o: %.c src/util/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -DPG_VERSION='"$(NEXT_VERSION)"' -c $< -o $@

$(NEXT)/passgated: $(call obj,$(NEXT)/rel,$(NEXT_SRC)) \
		$(filter-out $(call obj,$(REL),$(NEXT_SRC)),$(REL)/src/passgated.o $(DAEMON_REL) $(ENGINE_REL)) \
		$(NEXT)/$(XDP_FAST_OBJ)
	$(CC) $(LDFLAGS_REL) -o $@ $(filter %.o,$(filter-out %.bpf.o,$^)) $(LIBS_DAEMON)

$(NEXT)/$(XDP_FAST_OBJ): $(BUILD)/$(XDP_FAST_OBJ)
	@mkdir -p $(dir $@)
	cp $< $@

# Unit and packet tests: one binary per tests/unit/test_*.c, sanitizers on,
# linked against every engine and daemon object.
$(SAN)/tests/%: $(SAN)/tests/unit/%.o $(TESTLIB_SAN) $(ENGINE_SAN) $(DAEMON_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(LIBS_TEST) $(LIBS_DAEMON)

# Test tools (pcap replay and the like), sanitizers on.
$(BUILD)/tools/%: $(SAN)/tests/tools/%.o $(TESTLIB_SAN) $(ENGINE_SAN) $(DAEMON_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(LIBS_TEST) $(LIBS_DAEMON)

# libFuzzer targets: clang, address and undefined sanitizers, every engine
# and daemon object (the config and L2 parsers have fuzzers too). The tree is
# compiled once for all of them (coverage hooks without libFuzzer's main:
# fuzzer-no-link) and each target links its own file against it; compiling
# the whole tree again per target made the fuzzers most of make check's build.
FZ_FLAGS = $(DEFS) $(INCS) -Itests/lib -g -O1 -MMD -MP -DPG_TESTING -DPG_FUZZING
FZ_OBJS  = $(call obj,$(FZ)/obj,$(ENGINE_SRC) $(DAEMON_SRC) $(CLI_SRC) $(TESTLIB_SRC))
$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
$(FZ)/%: $(FZ)/obj/tests/fuzz/%.o $(FZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS_DAEMON) -lcurl

# The XDP fast path (src/bpf/): compiled for the BPF target, read by the
# daemon at start from beside its executable or PREFIX/lib/passgate
# (io/xdp_fast.c). -g keeps the BTF libbpf reads the maps' layout from.
BPF_CFLAGS = -target bpf -O2 -g -Wall -Werror $(INCS) -I/usr/include/$(shell $(CC) -dumpmachine)
$(BUILD)/$(XDP_FAST_OBJ): src/bpf/xdp_fast.bpf.c src/bpf/xdp_fast.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/$(XDP_MUTANT_OBJ): src/bpf/xdp_fast.bpf.c src/bpf/xdp_fast.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BPF_CFLAGS) -DPG_XF_MUTANT_HOP_LIMIT -c $< -o $@
$(BUILD)/$(XDP_MUTANT_ICMP_OBJ): src/bpf/xdp_fast.bpf.c src/bpf/xdp_fast.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BPF_CFLAGS) -DPG_XF_MUTANT_ICMP_ID -c $< -o $@

# The admin page is embedded with .incbin (src/ctl/api_web.c): rebuild on edits.
WEB_FILES = $(wildcard src/ctl/web/*)
$(REL)/src/ctl/api_web.o $(SAN)/src/ctl/api_web.o $(FZ)/obj/src/ctl/api_web.o: $(WEB_FILES)

test-bins: $(UNIT_BINS) $(TOOL_BINS) $(BUILD)/$(XDP_FAST_OBJ) $(BUILD)/$(XDP_MUTANT_OBJ) \
	$(BUILD)/$(XDP_MUTANT_ICMP_OBJ) \
	$(NEXT)/passgated
fuzz-bins: $(FUZZ_BINS)

check-fast: test-bins fuzz-bins
	@tests/run-fast

# Two jobs for the build: the machines have two cores, and every fuzz
# target compiles the whole tree.
check: deps
	@$(MAKE) --no-print-directory -j2 all test-bins fuzz-bins
	@tests/run-all

deps:
	@scripts/install-deps

e2e: all $(NEXT)/passgated
	@tests/e2e/run --gateway passgate

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/e2e/demo $(ARGS)

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run $(ARGS)

fuzz: fuzz-bins
	@tests/fuzz/run-long

# The layer rule first (cheap, and the one a review cannot see), then the
# analysers. make check runs this.
lint:
	scripts/check-layers
	@# Two runs at a time (the machines' two cores), ten files each; xargs
	@# fails when one of them does.
	@echo "clang-tidy: the engine, the daemon and the CLI"
	@printf '%s\n' $(ENGINE_SRC) $(DAEMON_SRC) $(CLI_SRC) src/passgated.c src/cli/passgatectl.c | \
		xargs -P 2 -n 10 sh -c 'clang-tidy --quiet "$$@" -- $(DEFS) $(INCS) -std=c11' clang-tidy
	@# src/bpf is BPF C (libbpf's SEC() and map macros): clang -Wall -Werror and
	@# the kernel's verifier at every load check it, test_xdp_fast its output.
	cppcheck -j 2 --error-exitcode=1 --enable=warning,performance,portability -q $(INCS) -isrc/bpf src
	@# The man pages: a page scdoc refuses would otherwise fail only in make install.
	@for f in docs/man/*.scd; do scdoc <$$f >/dev/null || { echo "lint: $$f: scdoc refuses it"; exit 1; }; done

clean:
	rm -rf $(BUILD)

# Dependency files only: build/deb holds a whole copy of the tree for make deb
# (its own build/ and directories such as sysusers.d).
-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)

# --- benchmarks (issue 9) ----------------------------------------------------
# The in-memory engine benchmark: release flags, linked against the engine
# only. bench/run builds it with 'make bench-bins' before running.
BENCH_SRC = $(wildcard bench/*.c)
$(BUILD)/bench/engine_bench: $(call obj,$(REL),$(BENCH_SRC)) $(ENGINE_REL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_REL) -o $@ $^

.PHONY: bench-bins
bench-bins: $(BUILD)/bench/engine_bench $(BUILD)/bench/sndbuf.so \
	$(BUILD)/bench/ceiling.bpf.o $(BUILD)/bench/ceiling_load $(BUILD)/bench/pass.bpf.o

# The references' XDP programs: ceiling.bpf.c, the xdp-ceiling gateway's
# bare forwarder (issue 21, with its loader below); pass.bpf.c, XDP_PASS for
# the latency case's linux-xdp, attached with ip(8).
$(BUILD)/bench/%.bpf.o: bench/xdp/%.bpf.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/bench/ceiling_load: bench/xdp/ceiling_load.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) -O2 -o $@ $< -lbpf

# LD_PRELOAD shim giving the traffic generator's packet socket a large send
# buffer (bench/preload/sndbuf.c says why).
$(BUILD)/bench/sndbuf.so: bench/preload/sndbuf.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) -O2 -fPIC -shared -o $@ $< -ldl

# --- passgate-probe (issue 10) -----------------------------------------------
# A separate program (src/probe/); passgated links its message code
# (DIAG_SRC above) for "diagnose". Its unit tests
# (tests/unit/test_probe*.c) link the probe's objects instead of the engine's.
PROBE_SRC = $(wildcard src/probe/*.c)
PROBE_LIB = $(filter-out src/probe/main.c,$(PROBE_SRC))
all: $(BUILD)/passgate-probe
$(BUILD)/passgate-probe: $(call obj,$(REL),$(PROBE_SRC))
	$(CC) $(LDFLAGS_REL) -o $@ $^
PROBE_TESTS = $(patsubst tests/unit/%.c,$(SAN)/tests/%,$(wildcard tests/unit/test_probe*.c))
$(PROBE_TESTS): $(SAN)/tests/%: $(SAN)/tests/unit/%.o $(call obj,$(SAN),$(PROBE_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ -lcmocka

# --- installing and packaging (issue 20) --------------------------------------
include mk/install.mk
