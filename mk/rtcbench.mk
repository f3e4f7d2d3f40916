# mk/rtcbench.mk - the RTC benchmark ($(BUILD)/bench/bench_rtc): whole-model
# analysis of generated (R, T, L) models, incremental steps, and a plan; the
# figures are in docs/PERFORMANCE.md ("RTC"). Models come from
# tests/support/rtcbenchgen.c (in libsupport).

$(BUILD)/bench/bench_rtc: $(BUILD)/obj/bench/rtc/bench_rtc.o $(call lib_file,support) $(call lib_files,rtc $(DEPS_rtc))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)
bench-build: $(BUILD)/bench/bench_rtc
