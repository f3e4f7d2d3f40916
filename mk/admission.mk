# mk/admission.mk - the admission benchmark ($(BUILD)/bench/bench_admission): POST /v1/vsns
# against a real kairosd, PostgreSQL and ovsdb-server at 1, 8 and 32 clients, on the demo
# and a generated 1,000-host inventory, beside pgbench (bench/admission/driver.sh starts
# and stops everything; it runs $(BUILD)/kairosd, which bench-build gets from `all`).
# Figures: docs/PERFORMANCE.md ("Admission").

$(BUILD)/bench/bench_admission: $(BUILD)/obj/bench/admission/bench_admission.o $(call lib_file,common)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bench-build: $(BUILD)/bench/bench_admission
