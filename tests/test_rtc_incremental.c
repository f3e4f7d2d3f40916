/*
 * test_rtc_incremental.c - incremental analysis: after adding, removing or
 * moving a task, rtc_analysis_update() gives the same bounds as a full
 * analysis of the changed model while re-analysing only the resources the
 * change reaches (counted by resources_analysed).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "rtc/rtc.h"

#define T(units) ((int64_t)((units) * RTC_TICKS_PER_UNIT))

static struct rtc_analysis *start(const char *json)
{
	struct rtc_model *m;
	struct rtc_analysis *a;
	struct kairos_error err;
	cr_assert_eq(rtc_model_parse(json, strlen(json), &m, &err), 0, "%s", err.message);
	cr_assert_eq(rtc_analysis_new(m, &a, &err), 0, "%s", err.message);
	rtc_model_free(m);
	return a;
}

/* The incremental result equals a from-scratch analysis of the same model. */
static void assert_same_as_full(const struct rtc_analysis *a)
{
	struct rtc_result *full;
	struct kairos_error err;
	const struct rtc_model *m = rtc_analysis_model(a);
	const struct rtc_result *inc = rtc_analysis_result(a);
	cr_assert_eq(rtc_analyze(m, &full, &err), 0, "%s", err.message);
	cr_assert_eq(full->ntasks, inc->ntasks);
	for (int t = 0; t < m->ntasks; t++) {
		if (m->tasks[t].stream < 0) {
			cr_assert(inc->tasks[t].is_removed);
			continue;
		}
		cr_assert_eq(inc->tasks[t].is_bounded, full->tasks[t].is_bounded, "task %s", m->tasks[t].name);
		cr_assert_eq(inc->tasks[t].wcrt, full->tasks[t].wcrt, "task %s: %lld vs %lld", m->tasks[t].name,
			     (long long)inc->tasks[t].wcrt, (long long)full->tasks[t].wcrt);
		cr_assert_eq(inc->tasks[t].bcrt, full->tasks[t].bcrt);
		cr_assert_eq(inc->tasks[t].backlog, full->tasks[t].backlog);
		cr_assert_eq(inc->tasks[t].ok, full->tasks[t].ok);
	}
	for (int s = 0; s < m->nstreams; s++)
		if (m->streams[s].path_len)
			cr_assert_eq(inc->streams[s].latency, full->streams[s].latency);
	cr_assert_eq(inc->schedulable, full->schedulable);
	rtc_result_free(full);
}

static char *seed(void)
{
	char *text;
	size_t len;
	cr_assert_eq(kairos_read_file("/work/shared/examples/seed-scenario.json", &text, &len), 0);
	return text;
}

Test(rtc_incremental, adding_a_vm_touches_only_its_host)
{
	char *text = seed();
	struct rtc_analysis *a = start(text);
	free(text);
	const struct rtc_model *m = rtc_analysis_model(a);
	cr_assert_eq(rtc_analysis_result(a)->resources_analysed, 4);
	struct rtc_stream s = {.name = "a4", .period = T(50), .deadline = T(20), .has_deadline = true};
	struct rtc_task t = {.name = "VM4", .resource = rtc_model_find_resource(m, "server1"), .wcet = T(4),
			     .bcet = T(1), .priority = 9, .has_priority = true, .replica_of = -1};
	struct kairos_error err;
	int si = rtc_analysis_stream_add(a, &s, &t, &err);
	cr_assert_geq(si, 0, "%s", err.message);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	const struct rtc_result *r = rtc_analysis_result(a);
	cr_assert_eq(r->resources_analysed, 1);
	/* VM4 below VM1 (3 per 25) and VM3 (2 per 10): w = 4 + ceil(w/25)3 + ceil(w/10)2 = 9 */
	int vm4 = rtc_model_find_task(m, "VM4");
	cr_assert_eq(r->tasks[vm4].wcrt, T(9));
	cr_assert_eq(r->streams[si].latency, T(9));
	assert_same_as_full(a);
	/* and removing it again restores the original bounds, touching server1 only */
	cr_assert_eq(rtc_analysis_stream_remove(a, si, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	cr_assert_eq(r->resources_analysed, 1);
	cr_assert(r->tasks[vm4].is_removed);
	assert_same_as_full(a);
	char *json = rtc_result_to_json(r);
	cr_assert(strstr(json, "VM4") == NULL, "%s", json);
	free(json);
	rtc_analysis_free(a);
}

Test(rtc_incremental, moving_a_task_follows_its_chain)
{
	char *text = seed();
	struct rtc_analysis *a = start(text);
	free(text);
	const struct rtc_model *m = rtc_analysis_model(a);
	struct kairos_error err;
	/* the seed's failover: VM2 -> server1 (priority 2), VM3 -> server3 */
	int vm2 = rtc_model_find_task(m, "VM2"), vm3 = rtc_model_find_task(m, "VM3");
	cr_assert_eq(rtc_analysis_task_move(a, vm2, rtc_model_find_resource(m, "server1"), 2, &err), 0);
	cr_assert_eq(rtc_analysis_task_move(a, vm3, rtc_model_find_resource(m, "server3"), 3, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	const struct rtc_result *r = rtc_analysis_result(a);
	/* server1 and server3 (moves), server2 (emptied); the lan's input (VM2's
	 * output jitter) moved too: VM2 is now preempted by VM1 */
	cr_assert_eq(r->resources_analysed, 4);
	cr_assert_eq(r->tasks[vm2].wcrt, T(8));
	cr_assert_eq(r->tasks[vm3].wcrt, T(4)); /* below VM2b (2): 2 + 2 */
	cr_assert(r->schedulable);
	assert_same_as_full(a);
	rtc_analysis_free(a);
}

Test(rtc_incremental, a_bad_change_is_refused)
{
	char *text = seed();
	struct rtc_analysis *a = start(text);
	free(text);
	const struct rtc_model *m = rtc_analysis_model(a);
	struct kairos_error err;
	int vm3 = rtc_model_find_task(m, "VM3");
	cr_assert_eq(rtc_analysis_task_move(a, vm3, rtc_model_find_resource(m, "server1"), 1, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), -KAIROS_EINVAL);
	cr_assert(strstr(err.message, "ties with") != NULL, "%s", err.message);
	/* undo and go on */
	cr_assert_eq(rtc_analysis_task_move(a, vm3, rtc_model_find_resource(m, "server1"), 3, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	/* the primary of a replica cannot move next to it */
	int vm2 = rtc_model_find_task(m, "VM2");
	cr_assert_eq(rtc_analysis_task_move(a, vm2, rtc_model_find_resource(m, "server3"), 7, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), -KAIROS_EINVAL);
	cr_assert(strstr(err.message, "shares resource") != NULL, "%s", err.message);
	cr_assert_eq(rtc_analysis_task_move(a, vm2, rtc_model_find_resource(m, "server2"), 2, &err), 0);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	assert_same_as_full(a);
	rtc_analysis_free(a);
}

/* A larger acyclic system (pipeline stages), random changes, always equal to a full analysis. */
Test(rtc_incremental, random_changes_match_full_analysis)
{
	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_puts(&b, "{\"resources\":[");
	for (int r = 0; r < 12; r++)
		kairos_buf_printf(&b, "%s{\"name\":\"r%d\",\"policy\":\"%s\"}", r ? "," : "", r, r % 4 == 3 ? "edf" : "fp");
	kairos_buf_puts(&b, "],\"streams\":[");
	unsigned seed = 7;
	for (int s = 0; s < 16; s++) {
		seed = seed * 1103515245u + 12345u;
		int period = 40 + (int)(seed % 97);
		kairos_buf_printf(&b, "%s{\"name\":\"s%d\",\"period\":%d,\"jitter\":%d,\"path\":[", s ? "," : "", s, period,
				  s % 3);
		/* stage h uses resources 4h..4h+3: dependencies only point forward */
		for (int h = 0; h < 3; h++) {
			int r = 4 * h + (s + h) % 4;
			kairos_buf_printf(&b, "%s{\"task\":\"t%d_%d\",\"resource\":\"r%d\",\"wcet\":%d.%d,\"bcet\":1,"
					      "\"priority\":%d,\"deadline\":%d}",
					  h ? "," : "", s, h, r, 2 + s % 3, s % 10, s, period);
		}
		kairos_buf_puts(&b, "]}");
	}
	kairos_buf_puts(&b, "]}");
	struct rtc_analysis *a = start(kairos_buf_str(&b));
	kairos_buf_destroy(&b);
	assert_same_as_full(a);
	struct kairos_error err;
	for (int step = 0; step < 30; step++) {
		const struct rtc_model *m = rtc_analysis_model(a);
		seed = seed * 1103515245u + 12345u;
		int t = (int)(seed % (unsigned)m->ntasks);
		if (m->tasks[t].stream < 0)
			continue;
		int hop = m->tasks[t].hop;
		if (step % 5 == 4 && m->streams[m->tasks[t].stream].path_len > 1) {
			cr_assert_eq(rtc_analysis_task_remove(a, t, &err), 0);
		} else {
			/* another resource of the same stage keeps the graph acyclic */
			int r = 4 * (m->tasks[t].resource / 4) + (int)((seed >> 8) % 4);
			cr_assert_eq(rtc_analysis_task_move(a, t, r, 1000 + step, &err), 0);
		}
		(void)hop;
		cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
		cr_assert_leq(rtc_analysis_result(a)->resources_analysed, 12);
		assert_same_as_full(a);
	}
	rtc_analysis_free(a);
}

/* Appending a hop to a chain adds a dependency edge: the graph is rebuilt and the new hop sees the chain's jitter. */
Test(rtc_incremental, appending_a_hop_to_a_chain)
{
	char *text = seed();
	struct rtc_analysis *a = start(text);
	free(text);
	const struct rtc_model *m = rtc_analysis_model(a);
	struct kairos_error err;
	int a2 = rtc_model_find_stream(m, "a2");
	struct rtc_task t = {.name = "VM2c", .resource = rtc_model_find_resource(m, "server1"), .wcet = T(1),
			     .bcet = T(1), .priority = 5, .has_priority = true, .replica_of = -1};
	int k = rtc_analysis_task_add(a, a2, &t, &err);
	cr_assert_geq(k, 0, "%s", err.message);
	cr_assert_eq(rtc_analysis_update(a, &err), 0, "%s", err.message);
	const struct rtc_result *r = rtc_analysis_result(a);
	cr_assert_eq(r->resources_analysed, 1);
	/* VM2c below VM1 and VM3 on server1: 1 + 3 + 2 = 6; a2 = 8 + 6 */
	cr_assert_eq(r->tasks[k].wcrt, T(6));
	cr_assert_eq(r->streams[a2].latency, T(14));
	assert_same_as_full(a);
	/* a duplicate name is refused before anything changes */
	cr_assert_eq(rtc_analysis_task_add(a, a2, &t, &err), -KAIROS_EINVAL);
	rtc_analysis_free(a);
}
