/*
 * rtc_model_fuzz.c - libFuzzer target for the RTC model reader (mk/rtc.mk,
 * `make fuzz-rtc`): any byte string must parse or fail with an error, never
 * crash. Small valid models are also analysed and serialised, so the engine
 * behind the reader sees hostile numbers too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rtc/rtc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtc_model *m = NULL;
	struct kairos_error err;
	if (rtc_model_parse((const char *)data, size, &m, &err) != 0) {
		if (err.message[0] == '\0')
			abort(); /* an error must say what is wrong */
		return 0;
	}
	char *back = rtc_model_to_json(m);
	free(back);
	if (m->ntasks <= 16) {
		struct rtc_result *r = NULL;
		if (rtc_analyze(m, &r, &err) == 0) {
			char *json = rtc_result_to_json(r);
			free(json);
			rtc_result_free(r);
		}
	}
	rtc_model_free(m);
	return 0;
}
