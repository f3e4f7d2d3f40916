/*
 * test_rtc_plan.c - the reconfiguration planner (SPEC §4, kairos-rtc plan):
 * the seed acceptance case, no plan, replica_of in both directions, fewest
 * moves first, then the largest smallest slack, and a generated model with
 * a thousand tasks planned within a bounded number of configurations.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "rtc/rtc.h"
#include "tests/support/rtcbenchgen.h"

#define T(units) ((int64_t)((units)*RTC_TICKS_PER_UNIT))

static struct rtc_model *parse(const char *json)
{
	struct rtc_model *m = NULL;
	struct kairos_error err;
	int rc = rtc_model_parse(json, strlen(json), &m, &err);
	cr_assert_eq(rc, 0, "%s", err.message);
	return m;
}

/* The seed scenario (SPEC §4), parsed. */
static struct rtc_model *seed_model(void)
{
	char *text = NULL;
	size_t len;
	struct rtc_model *m = NULL;
	struct kairos_error err;
	cr_assert_eq(kairos_read_file("/work/shared/examples/seed-scenario.json", &text, &len), 0,
		     "seed scenario not readable");
	cr_assert_eq(rtc_model_parse(text, len, &m, &err), 0, "%s", err.message);
	free(text);
	return m;
}

static struct rtc_plan *plan_for(const struct rtc_model *m, const char *failed)
{
	struct kairos_error err;
	struct rtc_plan *p = NULL;
	int r = rtc_model_find_resource(m, failed);
	cr_assert_geq(r, 0);
	int rc = rtc_plan_compute(m, r, NULL, &p, &err);
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_assert_not_null(p);
	return p;
}

/* The resource TASK moves to in P, or NULL when it stays. */
static const char *moved_to(const struct rtc_model *m, const struct rtc_plan *p, const char *task)
{
	int t = rtc_model_find_task(m, task);
	cr_assert_geq(t, 0);
	for (int i = 0; i < p->nmoves; i++)
		if (p->moves[i].task == t)
			return m->resources[p->moves[i].to].name;
	return NULL;
}

Test(rtc_plan, seed_moves_vm2_to_server1_and_vm3_to_server3)
{
	struct rtc_model *m = seed_model();
	struct rtc_plan *p = plan_for(m, "server2");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 2);
	cr_assert_str_eq(moved_to(m, p, "VM2"), "server1");
	cr_assert_str_eq(moved_to(m, p, "VM3"), "server3");
	cr_assert_eq(p->moves[0].from, rtc_model_find_resource(m, "server2"));
	cr_assert_eq(p->moves[1].from, rtc_model_find_resource(m, "server1"));
	/* the reconfigured model: server2 down and empty, every deadline kept */
	cr_assert(p->model->resources[rtc_model_find_resource(m, "server2")].is_down);
	cr_assert(p->result->schedulable);
	int vm3 = rtc_model_find_task(m, "VM3"), vm2 = rtc_model_find_task(m, "VM2");
	cr_assert_eq(p->result->tasks[vm3].wcrt, T(4)); /* under VM2b on server3: 2 + 2 */
	cr_assert_eq(p->result->tasks[vm2].wcrt, T(8)); /* under VM1 on server1: 3 + 5 */
	/* smallest slack: VM2b 2 - 2 = 0 */
	cr_assert_eq(p->min_slack, 0);
	/* SPEC §4 document */
	char *doc = rtc_plan_to_json(p, m);
	json_error_t jerr;
	json_t *j = json_loads(doc, 0, &jerr);
	cr_assert_not_null(j, "plan JSON: %s\n%s", jerr.text, doc);
	cr_assert(json_is_true(json_object_get(j, "feasible")));
	json_t *mv = json_object_get(j, "moves");
	cr_assert_eq(json_array_size(mv), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mv, 0), "task")), "VM2");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mv, 0), "from")),
			 "server2");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mv, 0), "to")),
			 "server1");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mv, 1), "task")), "VM3");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mv, 1), "to")),
			 "server3");
	cr_assert(json_is_true(json_object_get(json_object_get(j, "analysis"), "schedulable")));
	json_decref(j);
	free(doc);
	rtc_plan_free(p);
	rtc_model_free(m);
}

/* Moving VM2 alone to server1 is the only one-move candidate, and it fails. */
Test(rtc_plan, seed_needs_two_moves_so_one_move_levels_fail)
{
	struct rtc_model *m = seed_model();
	struct kairos_error err;
	struct rtc_model *probe = rtc_model_clone(m);
	probe->tasks[rtc_model_find_task(m, "VM2")].resource =
	    rtc_model_find_resource(m, "server1");
	struct rtc_result *r = NULL;
	cr_assert_eq(rtc_analyze(probe, &r, &err), 0);
	cr_assert_not(r->tasks[rtc_model_find_task(m, "VM3")].ok, "VM3: 3 + 5 + 2 > 6");
	cr_assert_eq(r->tasks[rtc_model_find_task(m, "VM3")].wcrt, T(10));
	rtc_result_free(r);
	rtc_model_free(probe);
	rtc_model_free(m);
}

Test(rtc_plan, no_plan_when_nothing_fits)
{
	/* B has no room for A's 0.8 */
	struct rtc_model *m = parse("{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":"
				    "\"B\",\"policy\":\"fp\"}],"
				    "\"streams\":["
				    "{\"name\":\"a\",\"period\":10,\"path\":[{\"task\":\"x\","
				    "\"resource\":\"A\",\"wcet\":8,\"bcet\":1,"
				    "\"priority\":1,\"deadline\":10}]},"
				    "{\"name\":\"b\",\"period\":10,\"path\":[{\"task\":\"y\","
				    "\"resource\":\"B\",\"wcet\":5,\"bcet\":1,"
				    "\"priority\":2,\"deadline\":10}]}]}");
	struct rtc_plan *p = plan_for(m, "A");
	cr_assert_not(p->is_feasible);
	cr_assert_eq(p->nmoves, 0);
	cr_assert_null(p->result);
	cr_assert_not(p->is_budget_hit);
	cr_assert_not_null(strstr(p->reason, "no configuration"), "%s", p->reason);
	char *doc = rtc_plan_to_json(p, m);
	cr_assert_not_null(strstr(doc, "\"feasible\": false"), "%s", doc);
	free(doc);
	rtc_plan_free(p);
	/* y (0.5) fits on A but misses nothing: a plan with one move */
	p = plan_for(m, "B");
	cr_assert_not(p->is_feasible, "A at 0.8 + 0.5 > 1: never a target");
	cr_assert_eq(p->configs, 1 + 1 + 1 + 1 + 1, "one root per level, no candidate anywhere");
	rtc_plan_free(p);
	rtc_model_free(m);
}

Test(rtc_plan, network_tasks_never_move_and_bad_index_is_rejected)
{
	struct rtc_model *m = parse("{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":"
				    "\"lan\",\"policy\":\"fp\",\"kind\":\"network\"},"
				    "{\"name\":\"lan2\",\"policy\":\"fp\",\"kind\":\"network\"}],"
				    "\"streams\":[{\"name\":\"a\",\"period\":10,\"path\":["
				    "{\"task\":\"x\",\"resource\":\"A\",\"wcet\":1,\"bcet\":1,"
				    "\"priority\":1,\"deadline\":10},"
				    "{\"task\":\"c\",\"resource\":\"lan\",\"wcet\":1,\"bcet\":1,"
				    "\"priority\":1,\"deadline\":10}]}]}");
	struct rtc_plan *p = plan_for(m, "lan");
	cr_assert_not(p->is_feasible);
	cr_assert_not_null(strstr(p->reason, "network"), "%s", p->reason);
	rtc_plan_free(p);
	/* a failed resource that carries nothing: zero moves */
	p = plan_for(m, "lan2");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 0);
	rtc_plan_free(p);
	struct kairos_error err;
	cr_assert_eq(rtc_plan_compute(m, 7, NULL, &p, &err), -KAIROS_EINVAL);
	cr_assert_null(p);
	rtc_model_free(m);
}

/* P on A, its replica P2 on B, C empty: failing A or B must avoid the other. */
Test(rtc_plan, replica_of_is_kept_in_both_directions)
{
	static const char *json =
	    "{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":\"B\",\"policy\":\"fp\"},"
	    "{\"name\":\"C\",\"policy\":\"fp\"}],"
	    "\"streams\":["
	    "{\"name\":\"p\",\"period\":10,\"path\":[{\"task\":\"P\",\"resource\":\"A\",\"wcet\":1,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]},"
	    "{\"name\":\"p2\",\"period\":10,\"path\":[{\"task\":\"P2\",\"resource\":\"B\",\"wcet\":"
	    "1,\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10,\"replica_of\":\"P\"}]},"
	    "{\"name\":\"c\",\"period\":10,\"path\":[{\"task\":\"Q\",\"resource\":\"C\",\"wcet\":5,"
	    "\"bcet\":1,"
	    "\"priority\":3,\"deadline\":10}]}]}";
	struct rtc_model *m = parse(json);
	/* B is the roomiest target for P, but holds its replica */
	struct rtc_plan *p = plan_for(m, "A");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 1);
	cr_assert_str_eq(moved_to(m, p, "P"), "C");
	rtc_plan_free(p);
	p = plan_for(m, "B");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 1);
	cr_assert_str_eq(moved_to(m, p, "P2"), "C");
	rtc_plan_free(p);
	/* with C full, no plan: A and B exclude each other */
	m->tasks[rtc_model_find_task(m, "Q")].wcet = T(9.5);
	p = plan_for(m, "A");
	cr_assert_not(p->is_feasible);
	rtc_plan_free(p);
	rtc_model_free(m);
}

/*
 * F must leave X. B holds G with F's priority, so F can only go to A, where
 * T1 keeps a slack of 1. Moving T1 to B as well would give a slack of 2,
 * but one move beats two.
 */
Test(rtc_plan, fewest_moves_first)
{
	struct rtc_model *m = parse(
	    "{\"resources\":[{\"name\":\"X\",\"policy\":\"fp\"},{\"name\":\"A\",\"policy\":\"fp\"},"
	    "{\"name\":\"B\",\"policy\":\"fp\"}],"
	    "\"streams\":["
	    "{\"name\":\"f\",\"period\":10,\"path\":[{\"task\":\"F\",\"resource\":\"X\",\"wcet\":2,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]},"
	    "{\"name\":\"t\",\"period\":10,\"path\":[{\"task\":\"T1\",\"resource\":\"A\",\"wcet\":"
	    "3,\"bcet\":1,"
	    "\"priority\":2,\"deadline\":6}]},"
	    "{\"name\":\"g\",\"period\":10,\"path\":[{\"task\":\"G\",\"resource\":\"B\",\"wcet\":1,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]}]}");
	struct rtc_plan *p = plan_for(m, "X");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 1);
	cr_assert_str_eq(moved_to(m, p, "F"), "A");
	cr_assert_eq(p->min_slack, T(1), "T1: 6 - (2 + 3)");
	rtc_plan_free(p);
	/* and the two-move configuration is indeed better in slack */
	struct rtc_model *probe = rtc_model_clone(m);
	probe->tasks[rtc_model_find_task(m, "F")].resource = 1;
	probe->tasks[rtc_model_find_task(m, "T1")].resource = 2;
	struct rtc_result *r = NULL;
	struct kairos_error err;
	cr_assert_eq(rtc_analyze(probe, &r, &err), 0, "%s", err.message);
	cr_assert_eq(r->tasks[rtc_model_find_task(m, "T1")].wcrt, T(4));
	rtc_result_free(r);
	rtc_model_free(probe);
	rtc_model_free(m);
}

/*
 * Two one-move plans: A is the roomier target (tried first) but leaves T1 a
 * slack of 0.5; B leaves everyone at least 2.5. The planner takes B.
 */
Test(rtc_plan, ties_on_moves_go_to_the_largest_smallest_slack)
{
	struct rtc_model *m = parse(
	    "{\"resources\":[{\"name\":\"X\",\"policy\":\"fp\"},{\"name\":\"A\",\"policy\":\"fp\"},"
	    "{\"name\":\"B\",\"policy\":\"fp\"}],"
	    "\"streams\":["
	    "{\"name\":\"f\",\"period\":10,\"path\":[{\"task\":\"F\",\"resource\":\"X\",\"wcet\":2,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]},"
	    "{\"name\":\"t1\",\"period\":20,\"path\":[{\"task\":\"T1\",\"resource\":\"A\",\"wcet\":"
	    "1,\"bcet\":1,"
	    "\"priority\":2,\"deadline\":3.5}]},"
	    "{\"name\":\"t2\",\"period\":10,\"path\":[{\"task\":\"T2\",\"resource\":\"B\",\"wcet\":"
	    "4,\"bcet\":1,"
	    "\"priority\":3,\"deadline\":10}]}]}");
	struct rtc_plan *p = plan_for(m, "X");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 1);
	cr_assert_str_eq(moved_to(m, p, "F"), "B");
	cr_assert_eq(p->min_slack, T(2.5), "T1 alone on A: 3.5 - 1");
	cr_assert_geq(p->analyses, 2, "both targets were analysed");
	rtc_plan_free(p);
	rtc_model_free(m);
}

/*
 * 50 resources x 10 tasks in chains of 3 (500 tasks, 60%): the ten tasks of
 * r0 must move. The level with ten moves is searched completely (no budget
 * hit) thanks to the settled-task cuts, in far fewer configurations than the
 * 49^10 blind mappings.
 */
Test(rtc_plan, generated_model_is_planned_in_few_configurations, .timeout = 120)
{
	struct rtcbenchgen_options o = {.resources = 50,
					.tasks_per_resource = 10,
					.chain = 3,
					.utilization = 0.60,
					.vm_share = 0.0,
					.is_acyclic = true,
					.seed = 7};
	struct rtc_model *m = rtcbenchgen_model(&o);
	struct rtc_result *r = NULL;
	struct kairos_error err;
	cr_assert_eq(rtc_analyze(m, &r, &err), 0, "%s", err.message);
	cr_assert(r->schedulable, "the generated model must be schedulable before the failure");
	rtc_result_free(r);
	struct rtc_plan *p = plan_for(m, "r0");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_not(p->is_budget_hit);
	cr_assert_eq(p->nmoves, 10);
	for (int i = 0; i < p->nmoves; i++) {
		cr_assert_eq(p->moves[i].from, 0);
		cr_assert_neq(p->moves[i].to, 0);
	}
	cr_assert(p->result->schedulable);
	cr_assert_leq(p->configs, 5000, "%ld configurations", p->configs);
	cr_assert_eq(rtc_model_validate(p->model, &err), 0, "%s", err.message);
	rtc_plan_free(p);
	rtc_model_free(m);
}

/* ---- kairos-rtc plan: exit codes 0 / 1 / 2 --------------------------------- */

static int run_plan_cli(const char *model, const char *failed, char *out, size_t outsz,
			char *errout, size_t errsz)
{
	char errf[] = "/tmp/rtc_plan_err_XXXXXX";
	int efd = mkstemp(errf);
	cr_assert(efd >= 0);
	close(efd);
	const char *build = getenv("KAIROS_BUILD") ? getenv("KAIROS_BUILD") : "build";
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s/kairos-rtc plan %s --fail %s 2>%s", build, model, failed,
		 errf);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	FILE *e = fopen(errf, "r");
	cr_assert_not_null(e);
	n = fread(errout, 1, errsz - 1, e);
	errout[n] = '\0';
	fclose(e);
	unlink(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(rtc_plan, cli_exit_codes)
{
	static const char *seed = "/work/shared/examples/seed-scenario.json";
	char out[8192], err[1024];
	int rc = run_plan_cli(seed, "server2", out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 0, "%s %s", out, err);
	cr_assert_not_null(
	    strstr(out, "{\"task\": \"VM2\", \"from\": \"server2\", \"to\": \"server1\"}"), "%s",
	    out);
	cr_assert_not_null(
	    strstr(out, "{\"task\": \"VM3\", \"from\": \"server1\", \"to\": \"server3\"}"), "%s",
	    out);
	/* the lan carries C1, which never moves */
	rc = run_plan_cli(seed, "lan", out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 1, "%s %s", out, err);
	cr_assert_not_null(strstr(out, "\"feasible\": false"), "%s", out);
	rc = run_plan_cli(seed, "server7", out, sizeof(out), err, sizeof(err));
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(out, "");
	cr_assert_not_null(strstr(err, "server7"), "%s", err);
}

/*
 * F (priority 1, 0.5) can only fit on A, where G holds priority 1 too: G must
 * move to B first (the tie blocks A, it is not a model to analyse).
 */
Test(rtc_plan, a_priority_blocker_moves_first)
{
	struct rtc_model *m = parse(
	    "{\"resources\":[{\"name\":\"X\",\"policy\":\"fp\"},{\"name\":\"A\",\"policy\":\"fp\"},"
	    "{\"name\":\"B\",\"policy\":\"fp\"}],"
	    "\"streams\":["
	    "{\"name\":\"f\",\"period\":10,\"path\":[{\"task\":\"F\",\"resource\":\"X\",\"wcet\":5,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]},"
	    "{\"name\":\"g\",\"period\":10,\"path\":[{\"task\":\"G\",\"resource\":\"A\",\"wcet\":1,"
	    "\"bcet\":1,"
	    "\"priority\":1,\"deadline\":10}]},"
	    "{\"name\":\"h\",\"period\":10,\"path\":[{\"task\":\"H\",\"resource\":\"B\",\"wcet\":6,"
	    "\"bcet\":1,"
	    "\"priority\":2,\"deadline\":10}]}]}");
	struct rtc_plan *p = plan_for(m, "X");
	cr_assert(p->is_feasible, "%s", p->reason);
	cr_assert_eq(p->nmoves, 2);
	cr_assert_str_eq(moved_to(m, p, "F"), "A");
	cr_assert_str_eq(moved_to(m, p, "G"), "B");
	cr_assert_eq(p->min_slack, T(3), "H under G on B: 10 - 7");
	rtc_plan_free(p);
	rtc_model_free(m);
}
