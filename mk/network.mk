# network.mk - extra build rules of the network module: the libFuzzer target of the
# OVSDB message splitter. `make fuzz-network` (part of `make fuzz`) builds
# $(BUILD)/fuzz/fuzz_network_reader and runs it for FUZZ_SECONDS (default 60) on a
# copy of the seed corpus network/fuzz/corpus/.
NET_FUZZ_CC ?= clang
NET_FUZZ_SECONDS ?= $(or $(FUZZ_SECONDS),60)
NET_FUZZ_FLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
NET_FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/network-obj/%.o,network/ovsdb.c $(call lib_srcs,common))

$(BUILD)/fuzz/network-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(NET_FUZZ_CC) $(NET_FUZZ_FLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_network_reader: network/fuzz/reader_fuzz.c $(NET_FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(NET_FUZZ_CC) $(NET_FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm -lpthread

.SECONDARY: $(NET_FUZZ_OBJS)
.PHONY: fuzz-network fuzz-network-build
fuzz-network-build: $(BUILD)/fuzz/fuzz_network_reader
fuzz-network: fuzz-network-build
	@mkdir -p $(BUILD)/fuzz/corpus_network_reader
	@cp -n network/fuzz/corpus/* $(BUILD)/fuzz/corpus_network_reader/ 2>/dev/null || true
	@echo "fuzz_network_reader: $(NET_FUZZ_SECONDS) s"
	@$(BUILD)/fuzz/fuzz_network_reader -max_total_time=$(NET_FUZZ_SECONDS) -max_len=8192 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus_network_reader \
	  2>$(BUILD)/fuzz/fuzz_network_reader.log || { tail -n 40 $(BUILD)/fuzz/fuzz_network_reader.log; exit 1; }
	@grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' $(BUILD)/fuzz/fuzz_network_reader.log
fuzz: fuzz-network
