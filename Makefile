# Kairos build. Plain GNU make.
#
# Every top-level module folder (MODULES) builds into its own static library
# build/lib/lib<module>.a from its *.c files (main.c excluded), so a module can be
# built and tested alone: `make build/tests/test_rtc_curve` builds only what that
# test needs. Tests are tests/test_<module>[_what].c, one Criterion binary each,
# linked with the library of <module> and the libraries it depends on (DEPS_<module>).
# Module-specific extra targets (fuzz, bench, soak) live in mk/*.mk.

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
PKGS := libmicrohttpd jansson raptor2 libpq libvirt
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 $(WARN) -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lm -lpthread

MODULES := common rtc vsn network compute storage db scheduler sla api cli

# Which module libraries each module links against (itself excluded), in link order.
DEPS_common :=
DEPS_rtc := common
DEPS_vsn := common
DEPS_network := common
DEPS_compute := common
DEPS_storage := compute common
DEPS_db := common
DEPS_scheduler := rtc common
DEPS_sla := scheduler rtc vsn common
DEPS_api := sla scheduler db network compute storage vsn rtc common
DEPS_cli := vsn rtc common
DEPS_support := common

lib_srcs = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
lib_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
lib_file = $(BUILD)/lib/lib$(1).a
lib_files = $(foreach m,$(1),$(call lib_file,$(m)))

BINS := $(BUILD)/kairosd $(BUILD)/kairosctl $(BUILD)/kairos-rtc
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

.PHONY: all deps run test test-build bench bench-build fuzz soak clean format check
all: $(BINS)

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

define module_lib
$(call lib_file,$(1)): $(call lib_objs,$(1))
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@
	$(Q)$(if $(call lib_objs,$(1)),ar rcs $$@ $$^,ar rcs $$@)
endef
$(foreach m,$(MODULES),$(eval $(call module_lib,$(m))))
# tests/support/*.c: helpers shared by the test suites (fixtures, simulators).
SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/support/*.c))
$(call lib_file,support): $(SUPPORT_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/kairosd: $(BUILD)/obj/api/main.o $(call lib_files,api $(DEPS_api))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)
$(BUILD)/kairosctl: $(BUILD)/obj/cli/main.o $(call lib_files,cli $(DEPS_cli))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)
$(BUILD)/kairos-rtc: $(BUILD)/obj/rtc/tool/main.o $(call lib_files,rtc $(DEPS_rtc))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)

# tests/test_<module>[_anything].c -> module = first word after test_
test_module = $(word 2,$(subst _, ,$(notdir $(1))))
define test_bin
$(BUILD)/tests/$(1): $(BUILD)/obj/tests/$(1).o $(call lib_file,support) $(call lib_files,$(call test_module,$(1)) $(DEPS_$(call test_module,$(1))) $(DEPS_support))
	@mkdir -p $$(dir $$@)
	@$(if $(Q),echo "  LD      $$@")
	$(Q)$(CC) $(LDFLAGS) -o $$@ -Wl,--start-group $$^ -Wl,--end-group $(LDLIBS) -lcriterion
endef
$(foreach t,$(patsubst tests/%.c,%,$(TEST_SRCS)),$(eval $(call test_bin,$(t))))

deps:
	@bash scripts/deps.sh

test-build: $(BINS) $(TEST_BINS)

# Tests run against the real binaries in $(BUILD); scripts/test.sh starts the shared
# PostgreSQL cluster the integration suites use, runs every suite and prints a total.
test: deps
	@$(MAKE) --no-print-directory test-build
	@BUILD=$(BUILD) bash scripts/test.sh $(TESTS)

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash scripts/run.sh

# mk/*.mk add their benchmark executables ($(BUILD)/bench/bench_*) as prerequisites of
# bench-build, and their fuzzers to `fuzz`; scripts/bench.sh runs every bench_* it finds.
bench-build: all
bench: deps
	@$(MAKE) --no-print-directory bench-build
	@BUILD=$(BUILD) bash scripts/bench.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include mk/*.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
