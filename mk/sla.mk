# mk/sla.mk - the placement benchmark ($(BUILD)/bench/bench_placement): heuristic vs
# exhaustive placement on small random instances, and decisions per second of the SLA
# engine on the demo inventory. Figures: docs/PERFORMANCE.md ("Placement").

BENCH_PLACEMENT_LIBS := $(call lib_files,sla scheduler rtc vsn common) $(call lib_file,support)

$(BUILD)/bench/bench_placement: $(BUILD)/obj/bench/placement/bench_placement.o $(BENCH_PLACEMENT_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ -Wl,--start-group $^ -Wl,--end-group $(LDLIBS)
bench-build: $(BUILD)/bench/bench_placement
