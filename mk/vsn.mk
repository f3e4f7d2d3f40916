# vsn.mk - extra build rules of the vsn module: the embedded ontology, the fuzzers
# (make fuzz-vsn, part of `make fuzz`) and the benchmark ($(BUILD)/bench/bench_vsn).

# The ontology is assembled into ontology.o with .incbin (see vsn/ontology.c): rebuild
# the object when the Turtle changes.
$(BUILD)/obj/vsn/ontology.o: vsn/ontology/vsn.ttl

# ---- fuzzing (libFuzzer; clang from the PKGS of scripts/deps.sh) --------------------
# make fuzz-vsn-build: builds $(BUILD)/fuzz/fuzz_vsn_{turtle,rdfxml,json}.
# make fuzz-vsn: builds them and runs each for FUZZ_SECONDS (default 60), one after the
# other; the corpus grows in $(BUILD)/fuzz/corpus_vsn_<syntax>, seeded from
# tests/fuzz/vsn_corpus/<syntax>/ and the good and bad documents of tests/vsn/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
VSN_FUZZ_FLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
VSN_FUZZ_SRCS := $(call lib_srcs,vsn) $(call lib_srcs,common)
VSN_FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(VSN_FUZZ_SRCS))
VSN_FUZZERS := $(foreach s,turtle rdfxml json,$(BUILD)/fuzz/fuzz_vsn_$(s))

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(VSN_FUZZ_FLAGS) -c $< -o $@
$(BUILD)/fuzz/obj/vsn/ontology.o: vsn/ontology/vsn.ttl

$(BUILD)/fuzz/fuzz_vsn_%: tests/fuzz/vsn_fuzz.c $(VSN_FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(VSN_FUZZ_FLAGS) -fsanitize=fuzzer \
		-DVSN_FUZZ_SYNTAX=VSN_SYNTAX_$(shell echo $* | tr a-z A-Z) \
		-o $@ $^ $(PKG_LIBS) -lm -lpthread

.SECONDARY: $(VSN_FUZZ_OBJS)
.PHONY: fuzz-vsn fuzz-vsn-build
fuzz-vsn-build: $(VSN_FUZZERS)
fuzz-vsn: fuzz-vsn-build
	@for s in turtle rdfxml json; do \
	  mkdir -p $(BUILD)/fuzz/corpus_vsn_$$s; \
	  echo "fuzz_vsn_$$s: $(FUZZ_SECONDS) s"; \
	  $(BUILD)/fuzz/fuzz_vsn_$$s -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus_vsn_$$s \
	    tests/fuzz/vsn_corpus/$$s tests/vsn/good tests/vsn/bad \
	    2>$(BUILD)/fuzz/fuzz_vsn_$$s.log || { tail -n 40 $(BUILD)/fuzz/fuzz_vsn_$$s.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' $(BUILD)/fuzz/fuzz_vsn_$$s.log; \
	done
fuzz: fuzz-vsn

# ---- tests and benchmark: the generated-document helper of tests/vsn/ ----------------
VSN_GEN_OBJ := $(BUILD)/obj/tests/vsn/gen.o
$(foreach t,$(patsubst tests/%.c,%,$(wildcard tests/test_vsn_*.c)),$(eval $(BUILD)/tests/$(t): $(VSN_GEN_OBJ)))

$(BUILD)/bench/bench_vsn: $(BUILD)/obj/bench/vsn/bench_vsn.o $(VSN_GEN_OBJ) $(call lib_files,vsn $(DEPS_vsn))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)
bench-build: $(BUILD)/bench/bench_vsn
