# mk/soak.mk - `make soak`: the RTC soundness oracle (tests/test_rtc_soundness.c)
# on 100,000 random models instead of the 1,000 of `make test`, then the
# bound/simulated ratios per policy (median and worst) for docs/RTC-TIGHTNESS.md.
# KAIROS_SOAK_MODELS, KAIROS_SOAK_SEED and KAIROS_RTC_SIM_RUNS override the
# count, the first seed and the random simulator runs per model. The full log
# is var/test/soak-rtc.log; failing models are saved as var/test/rtc-unsound-SEED.*

RTC_RATIOS := var/test/rtc-ratios.txt

.PHONY: soak-rtc rtc-ratio-summary
soak: soak-rtc

soak-rtc: $(BUILD)/tests/test_rtc_soundness
	@mkdir -p var/test
	@rm -f $(RTC_RATIOS)
	@echo "soak: $${KAIROS_SOAK_MODELS:-100000} random models (log: var/test/soak-rtc.log)"
	@KAIROS_SOAK_MODELS=$${KAIROS_SOAK_MODELS:-100000} KAIROS_RTC_RATIOS=$(CURDIR)/$(RTC_RATIOS) \
		KAIROS_ROOT=$(CURDIR) $(BUILD)/tests/test_rtc_soundness --jobs 2 >var/test/soak-rtc.log 2>&1; \
	rc=$$?; \
	grep -a -E '^(shard|revisits)|^UNSOUND|\[FAIL\]|Synthesis' var/test/soak-rtc.log | cut -c1-300; \
	$(MAKE) --no-print-directory rtc-ratio-summary; \
	exit $$rc

# Median, 90th percentile and worst bound/observed ratio per (wcrt|latency, policy).
rtc-ratio-summary:
	@echo "bound / simulated maximum (1 = exact):"
	@sort -k1,1 -k2,2 -k3,3g $(RTC_RATIOS) | awk '\
		{ k = $$1 " " $$2; n[k]++; v[k, n[k]] = $$3 } \
		END { for (k in n) { c = n[k]; p = int(c * 0.9); if (p < 1) p = 1; \
			if (c % 2) med = v[k, (c + 1) / 2]; else med = (v[k, c / 2] + v[k, c / 2 + 1]) / 2; \
			printf "  %-20s n=%-9d median=%-8.3f p90=%-8.3f worst=%.3f\n", k, c, med, v[k, p], v[k, c] } }' | sort
