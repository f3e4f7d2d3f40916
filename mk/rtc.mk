# rtc.mk - extra build rules of the rtc module: the libFuzzer target of the
# analysis-model reader. `make fuzz-rtc` (part of `make fuzz`) builds
# $(BUILD)/fuzz/fuzz_rtc_model and runs it for RTC_FUZZ_SECONDS (default
# FUZZ_SECONDS or 60) on a copy of the seed corpus tests/fuzz/rtc_corpus/.
RTC_FUZZ_CC ?= clang
RTC_FUZZ_SECONDS ?= $(or $(FUZZ_SECONDS),60)
RTC_FUZZ_FLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
RTC_FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/rtc-obj/%.o,$(call lib_srcs,rtc) $(call lib_srcs,common))

$(BUILD)/fuzz/rtc-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(RTC_FUZZ_CC) $(RTC_FUZZ_FLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_rtc_model: tests/fuzz/rtc_model_fuzz.c $(RTC_FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(RTC_FUZZ_CC) $(RTC_FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm -lpthread

.SECONDARY: $(RTC_FUZZ_OBJS)
.PHONY: fuzz-rtc fuzz-rtc-build
fuzz-rtc-build: $(BUILD)/fuzz/fuzz_rtc_model
fuzz-rtc: fuzz-rtc-build
	@mkdir -p $(BUILD)/fuzz/corpus_rtc_model
	@cp -n tests/fuzz/rtc_corpus/* $(BUILD)/fuzz/corpus_rtc_model/ 2>/dev/null || true
	@echo "fuzz_rtc_model: $(RTC_FUZZ_SECONDS) s"
	@$(BUILD)/fuzz/fuzz_rtc_model -max_total_time=$(RTC_FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=2048 \
	  -timeout=30 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus_rtc_model \
	  2>$(BUILD)/fuzz/fuzz_rtc_model.log || { tail -n 40 $(BUILD)/fuzz/fuzz_rtc_model.log; exit 1; }
	@grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' $(BUILD)/fuzz/fuzz_rtc_model.log
fuzz: fuzz-rtc
