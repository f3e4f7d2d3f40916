/*
 * main.c - kairos-rtc, the analysis engine on the command line (SPEC §1, §4).
 *
 *   kairos-rtc analyze MODEL.json   prints the result document on stdout
 *   kairos-rtc plan MODEL.json --fail RESOURCE   prints the reconfiguration plan
 *
 * Exit codes: 0 every deadline holds, 1 a deadline is missed, 2 bad input
 * (the message on stderr names the offending field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "rtc/rtc.h"

static int usage(void)
{
	fputs("usage: kairos-rtc analyze MODEL.json\n"
	      "       kairos-rtc plan MODEL.json --fail RESOURCE\n", stderr);
	return 2;
}

static int cmd_analyze(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	struct kairos_error err;
	struct rtc_model *m = NULL;
	struct rtc_result *r = NULL;
	int rc = kairos_read_file(path, &text, &len);
	if (rc) {
		fprintf(stderr, "kairos-rtc: %s: %s\n", path, strerror(-rc));
		return 2;
	}
	kairos_error_clear(&err);
	if (rtc_model_parse(text, len, &m, &err) || rtc_analyze(m, &r, &err)) {
		fprintf(stderr, "kairos-rtc: %s: %s\n", path, err.message);
		free(text);
		rtc_model_free(m);
		return 2;
	}
	char *out = rtc_result_to_json(r);
	fputs(out, stdout);
	int code = r->schedulable ? 0 : 1;
	free(out);
	free(text);
	rtc_result_free(r);
	rtc_model_free(m);
	return code;
}

/*
 * kairos-rtc plan MODEL.json --fail RESOURCE: the reconfiguration for the
 * failure of RESOURCE (SPEC §4) on stdout; exit 0 plan found, 1 none, 2 bad
 * input (an unknown RESOURCE is named on stderr).
 */
static int cmd_plan(const char *path, const char *failed)
{
	char *text = NULL;
	size_t len = 0;
	struct kairos_error err;
	struct rtc_model *m = NULL;
	struct rtc_plan *plan = NULL;
	int code = 2;
	int rc = kairos_read_file(path, &text, &len);
	if (rc) {
		fprintf(stderr, "kairos-rtc: %s: %s\n", path, strerror(-rc));
		return 2;
	}
	kairos_error_clear(&err);
	if (rtc_model_parse(text, len, &m, &err)) {
		fprintf(stderr, "kairos-rtc: %s: %s\n", path, err.message);
		goto out;
	}
	int r = rtc_model_find_resource(m, failed);
	if (r < 0) {
		fprintf(stderr, "kairos-rtc: --fail: unknown resource \"%s\"\n", failed);
		goto out;
	}
	if (rtc_plan_compute(m, r, NULL, &plan, &err)) {
		fprintf(stderr, "kairos-rtc: %s: %s\n", path, err.message);
		goto out;
	}
	char *doc = rtc_plan_to_json(plan, m);
	fputs(doc, stdout);
	free(doc);
	code = plan->is_feasible ? 0 : 1;
out:
	rtc_plan_free(plan);
	rtc_model_free(m);
	free(text);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "plan") == 0) {
		if (argc == 5 && strcmp(argv[3], "--fail") == 0)
			return cmd_plan(argv[2], argv[4]);
		if (argc == 5 && strcmp(argv[2], "--fail") == 0)
			return cmd_plan(argv[4], argv[3]);
		return usage();
	}
	if (strcmp(argv[1], "analyze") == 0) {
		if (argc != 3)
			return usage();
		return cmd_analyze(argv[2]);
	}
	fprintf(stderr, "kairos-rtc: unknown command \"%s\"\n", argv[1]);
	return usage();
}
