/*
 * test_rtc_model.c - the model reader and validator: every bad-model rule is
 * rejected with -KAIROS_EINVAL and a message naming the field, the builders,
 * the JSON round trip, and kairos-rtc's exit codes (0, 1, 2).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "rtc/rtc.h"

#define RES "{\"name\":\"cpu\",\"policy\":\"fp\"}"

static void expect_bad(const char *json, const char *field, const char *words)
{
	struct rtc_model *m = (struct rtc_model *)0x1;
	struct kairos_error err;
	kairos_error_clear(&err);
	int rc = rtc_model_parse(json, strlen(json), &m, &err);
	cr_assert_eq(rc, -KAIROS_EINVAL, "expected a bad model, got %d (%s)", rc, err.message);
	cr_assert_null(m);
	cr_assert_str_eq(err.field, field, "field %s, message %s", err.field, err.message);
	cr_assert(strncmp(err.message, field, strlen(field)) == 0, "message does not start with the field: %s",
		  err.message);
	cr_assert(strstr(err.message, words) != NULL, "message %s lacks \"%s\"", err.message, words);
}

Test(rtc_model, negative_time)
{
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"jitter\":-1,"
		   "\"path\":[{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1}]}]}",
		   "streams[0].jitter", "negative");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,"
		   "\"path\":[{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":-2,\"priority\":1}]}]}",
		   "streams[0].path[0].wcet", "negative");
	expect_bad("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\",\"latency\":-0.5}],\"streams\":[]}",
		   "resources[0].latency", "negative");
}

Test(rtc_model, bcet_greater_than_wcet)
{
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		   "{\"task\":\"t0\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1}]},{\"name\":\"b\",\"period\":10,\"path\":["
		   "{\"task\":\"t1\",\"resource\":\"cpu\",\"wcet\":1,\"bcet\":1.5,\"priority\":2}]}]}",
		   "streams[1].path[0].bcet", "greater than wcet");
}

Test(rtc_model, unknown_resource)
{
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"gpu\",\"wcet\":1,\"priority\":1}]}]}",
		   "streams[0].path[0].resource", "unknown resource \"gpu\"");
}

Test(rtc_model, priority_tie_on_a_resource)
{
	expect_bad("{\"resources\":[" RES "],\"streams\":["
		   "{\"name\":\"a\",\"period\":10,\"path\":[{\"task\":\"x\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":3}]},"
		   "{\"name\":\"b\",\"period\":10,\"path\":[{\"task\":\"y\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":3}]}]}",
		   "streams[1].path[0].priority", "ties with \"x\"");
}

Test(rtc_model, priority_tie_on_different_resources_is_fine)
{
	const char *json = "{\"resources\":[" RES ",{\"name\":\"cpu2\",\"policy\":\"fp\"}],\"streams\":["
			   "{\"name\":\"a\",\"period\":10,\"path\":[{\"task\":\"x\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":3}]},"
			   "{\"name\":\"b\",\"period\":10,\"path\":[{\"task\":\"y\",\"resource\":\"cpu2\",\"wcet\":1,\"priority\":3}]}]}";
	struct rtc_model *m;
	struct kairos_error err;
	cr_assert_eq(rtc_model_parse(json, strlen(json), &m, &err), 0, "%s", err.message);
	cr_assert_eq(m->ntasks, 2);
	rtc_model_free(m);
}

Test(rtc_model, cycle_in_a_path)
{
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1},"
		   "{\"task\":\"u\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":2},"
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":3}]}]}",
		   "streams[0].path[2].task", "cycle");
}

Test(rtc_model, missing_slot_for_tdma)
{
	expect_bad("{\"resources\":[{\"name\":\"bus\",\"policy\":\"tdma\",\"cycle\":10}],\"streams\":["
		   "{\"name\":\"a\",\"period\":10,\"path\":[{\"task\":\"t\",\"resource\":\"bus\",\"wcet\":1}]}]}",
		   "streams[0].path[0].slot", "needs a slot");
}

Test(rtc_model, tdma_rules)
{
	expect_bad("{\"resources\":[{\"name\":\"bus\",\"policy\":\"tdma\"}],\"streams\":[]}", "resources[0].cycle",
		   "required");
	expect_bad("{\"resources\":[{\"name\":\"bus\",\"policy\":\"tdma\",\"cycle\":10,\"latency\":1}],\"streams\":[]}",
		   "resources[0].latency", "must be 0");
	expect_bad("{\"resources\":[{\"name\":\"bus\",\"policy\":\"tdma\",\"cycle\":10}],\"streams\":["
		   "{\"name\":\"a\",\"period\":10,\"path\":[{\"task\":\"t\",\"resource\":\"bus\",\"wcet\":1,\"slot\":6}]},"
		   "{\"name\":\"b\",\"period\":10,\"path\":[{\"task\":\"u\",\"resource\":\"bus\",\"wcet\":1,\"slot\":5}]}]}",
		   "resources[0].cycle", "more than the cycle");
}

Test(rtc_model, other_rules)
{
	expect_bad("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"rr\"}],\"streams\":[]}", "resources[0].policy",
		   "unknown policy");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":0,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1}]}]}",
		   "streams[0].period", "must be > 0");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":1,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1}]}]}",
		   "streams[0].path[0].priority", "required on fp");
	expect_bad("{\"resources\":[{\"name\":\"e\",\"policy\":\"edf\"}],\"streams\":[{\"name\":\"a\",\"period\":1,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"e\",\"wcet\":1}]}]}",
		   "streams[0].path[0].deadline", "required on edf");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":1,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":0.0000001,\"priority\":1}]}]}",
		   "streams[0].path[0].wcet", "6 fractional digits");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":1,\"path\":[]}]}",
		   "streams[0].path", "non-empty");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1,\"replica_of\":\"t\"}]}]}",
		   "streams[0].path[0].replica_of", "itself");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		   "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1},"
		   "{\"task\":\"u\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":2,\"replica_of\":\"t\"}]}]}",
		   "streams[0].path[1].replica_of", "shares resource");
	expect_bad("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":\"ten\",\"path\":[]}]}",
		   "streams[0].period", "expected a number");
	expect_bad("[]", "model", "expected a JSON object");
}

Test(rtc_model, syntax_error)
{
	struct rtc_model *m;
	struct kairos_error err;
	cr_assert_eq(rtc_model_parse("{\"resources\": [", 15, &m, &err), -KAIROS_ESYNTAX);
	cr_assert(strstr(err.message, "line 1") != NULL, "%s", err.message);
}

Test(rtc_model, builders_and_round_trip)
{
	struct kairos_error err;
	struct rtc_model *m = rtc_model_new();
	int cpu = rtc_model_add_resource(m, "cpu", RTC_POLICY_FP, &err);
	int lan = rtc_model_add_resource(m, "lan", RTC_POLICY_FP, &err);
	m->resources[lan].kind = RTC_KIND_NETWORK;
	cr_assert_eq(rtc_model_add_resource(m, "cpu", RTC_POLICY_EDF, &err), -KAIROS_EINVAL);
	int s = rtc_model_add_stream(m, "s", 10 * RTC_TICKS_PER_UNIT, &err);
	int t0 = rtc_model_add_task(m, s, "vm", cpu, 2500000, 1000000, &err);
	int t1 = rtc_model_add_task(m, s, "msg", lan, 1000000, 1000000, &err);
	m->tasks[t0].priority = 1;
	m->tasks[t0].has_priority = true;
	m->tasks[t1].priority = 1;
	m->tasks[t1].has_priority = true;
	cr_assert_eq(rtc_model_validate(m, &err), 0, "%s", err.message);
	cr_assert_eq(m->streams[s].path_len, 2);
	cr_assert_eq(m->tasks[t1].hop, 1);
	char *json = rtc_model_to_json(m);
	struct rtc_model *back;
	cr_assert_eq(rtc_model_parse(json, strlen(json), &back, &err), 0, "%s\n%s", err.message, json);
	cr_assert_eq(back->tasks[0].wcet, 2500000);
	cr_assert_eq(back->resources[1].kind, RTC_KIND_NETWORK);
	cr_assert_str_eq(back->tasks[1].name, "msg");
	struct rtc_model *c = rtc_model_clone(back);
	cr_assert_eq(c->streams[0].path[1], 1);
	/* moving a task onto a resource where its priority ties is caught */
	c->tasks[1].resource = cpu;
	cr_assert_eq(rtc_model_validate(c, &err), -KAIROS_EINVAL);
	cr_assert_str_eq(err.field, "streams[0].path[1].priority");
	rtc_model_free(c);
	rtc_model_free(back);
	rtc_model_free(m);
	free(json);
}

Test(rtc_model, ticks_format)
{
	char b[32];
	rtc_ticks_format(2500000, b, sizeof(b));
	cr_assert_str_eq(b, "2.5");
	rtc_ticks_format(-1, b, sizeof(b));
	cr_assert_str_eq(b, "-0.000001");
	rtc_ticks_format(7000000, b, sizeof(b));
	cr_assert_str_eq(b, "7");
}

/* ---- the CLI ------------------------------------------------------------ */

static int run_cli(const char *json, char *out, size_t outsz, char *errout, size_t errsz)
{
	char model[] = "/tmp/rtc_model_XXXXXX", errf[] = "/tmp/rtc_err_XXXXXX";
	int fd = mkstemp(model), efd = mkstemp(errf);
	cr_assert(fd >= 0 && efd >= 0);
	cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	close(efd);
	const char *build = getenv("KAIROS_BUILD") ? getenv("KAIROS_BUILD") : "build";
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s/kairos-rtc analyze %s 2>%s", build, model, errf);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	FILE *e = fopen(errf, "r");
	n = fread(errout, 1, errsz - 1, e);
	errout[n] = '\0';
	fclose(e);
	unlink(model);
	unlink(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(rtc_model, cli_exit_codes)
{
	char out[4096], err[1024];
	int rc = run_cli("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"deadline\":5,\"path\":["
			 "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":2,\"priority\":1}]}]}",
			 out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 0, "%s %s", out, err);
	cr_assert(strstr(out, "\"latency\": 2") != NULL, "%s", out);
	rc = run_cli("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"deadline\":1.5,\"path\":["
		     "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":2,\"priority\":1}]}]}",
		     out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 1, "%s %s", out, err);
	cr_assert(strstr(out, "\"schedulable\": false") != NULL, "%s", out);
	rc = run_cli("{\"resources\":[" RES "],\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
		     "{\"task\":\"t\",\"resource\":\"cpu\",\"wcet\":1,\"bcet\":2,\"priority\":1}]}]}",
		     out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "streams[0].path[0].bcet: greater than wcet") != NULL, "%s", err);
	cr_assert_str_eq(out, "");
	rc = run_cli("not json", out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "invalid JSON") != NULL, "%s", err);
}
