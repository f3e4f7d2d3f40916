/*
 * test_rtc_audsley.c - Audsley's priority assignment with the RTC oracle:
 * optimality against an exhaustive search over every permutation, the seed
 * scenario, chains, and replicas keeping their primary's priority.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "rtc/rtc.h"

#define T(units) ((int64_t)((units)*RTC_TICKS_PER_UNIT))

/* xorshift64*: deterministic task sets */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* One fp resource, N single-task streams with constrained deadlines. */
static struct rtc_model *random_set(uint64_t *seed, int n)
{
	struct kairos_error err;
	struct rtc_model *m = rtc_model_new();
	int r = rtc_model_add_resource(m, "cpu", RTC_POLICY_FP, &err);
	cr_assert_eq(r, 0);
	for (int i = 0; i < n; i++) {
		char name[32];
		int64_t period = rng_range(seed, 4, 40);
		/* utilisation per task around 0.8 / n, at least one tick of work */
		int64_t wcet = rng_range(seed, 1, (period * 16) / (10 * n) + 1);
		if (wcet > period)
			wcet = period;
		snprintf(name, sizeof(name), "s%d", i);
		int s = rtc_model_add_stream(m, name, T(period), &err);
		cr_assert_geq(s, 0);
		snprintf(name, sizeof(name), "t%d", i);
		int t = rtc_model_add_task(m, s, name, r, T(wcet), T(wcet) / 2, &err);
		cr_assert_geq(t, 0, "%s", err.message);
		m->tasks[t].priority = i + 1;
		m->tasks[t].has_priority = true;
		m->tasks[t].deadline = T(rng_range(seed, wcet, period));
		m->tasks[t].has_deadline = true;
	}
	return m;
}

static bool is_schedulable(const struct rtc_model *m)
{
	struct kairos_error err;
	struct rtc_result *res = NULL;
	cr_assert_eq(rtc_analyze(m, &res, &err), 0, "%s", err.message);
	bool ok = res->schedulable;
	rtc_result_free(res);
	return ok;
}

/* Heap's algorithm over the priorities of the N tasks: is any order feasible? */
static bool exhaustive(struct rtc_model *m, int n, long *count)
{
	int c[8] = {0};
	long perm[8];
	for (int i = 0; i < n; i++)
		perm[i] = i + 1;
	for (int i = 0; i < n; i++)
		m->tasks[i].priority = perm[i];
	(*count)++;
	if (is_schedulable(m))
		return true;
	for (int i = 0; i < n;) {
		if (c[i] < i) {
			int j = i % 2 == 0 ? 0 : c[i];
			long x = perm[j];
			perm[j] = perm[i];
			perm[i] = x;
			for (int k = 0; k < n; k++)
				m->tasks[k].priority = perm[k];
			(*count)++;
			if (is_schedulable(m))
				return true;
			c[i]++;
			i = 0;
		} else {
			c[i] = 0;
			i++;
		}
	}
	return false;
}

Test(rtc_audsley, finds_an_order_whenever_exhaustive_search_does)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int feasible = 0, infeasible = 0, changed = 0;
	for (int trial = 0; trial < 300; trial++) {
		int n = 2 + trial % 5; /* 2..6 tasks: up to 720 orders */
		struct rtc_model *m = random_set(&seed, n);
		struct rtc_model *probe = rtc_model_clone(m);
		long count = 0;
		bool exists = exhaustive(probe, n, &count);
		rtc_model_free(probe);

		bool was_ok = is_schedulable(m);
		struct rtc_priority_stats st;
		struct kairos_error err;
		kairos_error_clear(&err);
		int rc = rtc_priority_assign(m, 0, &st, &err);
		if (exists) {
			cr_assert_eq(rc, 0, "trial %d (n=%d): an order exists but Audsley says: %s",
				     trial, n, err.message);
			cr_assert(is_schedulable(m), "trial %d: the assignment is not schedulable",
				  trial);
			/* n(n+1)/2 oracle questions at most */
			cr_assert_leq(st.checks, (long)n * (n + 1) / 2, "trial %d: %ld checks",
				      trial, st.checks);
			feasible++;
			changed += !was_ok;
		} else {
			cr_assert_eq(rc, -KAIROS_ENOTFOUND, "trial %d: no order exists, rc %d",
				     trial, rc);
			cr_assert_str_eq(err.field, "cpu");
			/* M is left as it was */
			for (int i = 0; i < n; i++)
				cr_assert_eq(m->tasks[i].priority, i + 1);
			infeasible++;
		}
		rtc_model_free(m);
	}
	/* the generator must exercise all three cases, or the test proves little */
	cr_assert_geq(feasible, 60, "only %d feasible sets", feasible);
	cr_assert_geq(infeasible, 20, "only %d infeasible sets", infeasible);
	cr_assert_geq(changed, 20, "only %d sets needed a new order", changed);
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

static struct rtc_model *parse(const char *json)
{
	struct rtc_model *m = NULL;
	struct kairos_error err;
	int rc = rtc_model_parse(json, strlen(json), &m, &err);
	cr_assert_eq(rc, 0, "%s", err.message);
	return m;
}

static long prio(const struct rtc_model *m, const char *task)
{
	int t = rtc_model_find_task(m, task);
	cr_assert_geq(t, 0);
	return m->tasks[t].priority;
}

Test(rtc_audsley, seed_keeps_a_feasible_order_and_replica_numbers)
{
	struct rtc_model *m = seed_model();
	struct kairos_error err;
	struct rtc_priority_stats st;
	cr_assert_eq(rtc_priority_assign(m, -1, &st, &err), 0, "%s", err.message);
	cr_assert(is_schedulable(m));
	cr_assert_lt(prio(m, "VM1"), prio(m, "VM3"));
	cr_assert_eq(prio(m, "VM2"), prio(m, "VM2b"), "a replica keeps its primary's priority");
	cr_assert_eq(st.rounds, 1, "a feasible order needs no second round");
	rtc_model_free(m);
}

Test(rtc_audsley, repairs_the_seed_with_inverted_priorities)
{
	struct rtc_model *m = seed_model();
	struct kairos_error err;
	/* VM3 above VM1: VM1 waits 2 + runs 3 = 5 > 4 */
	m->tasks[rtc_model_find_task(m, "VM1")].priority = 9;
	cr_assert_not(is_schedulable(m));
	int s1 = rtc_model_find_resource(m, "server1");
	cr_assert_eq(rtc_priority_assign(m, s1, NULL, &err), 0, "%s", err.message);
	cr_assert(is_schedulable(m));
	cr_assert_lt(prio(m, "VM1"), prio(m, "VM3"));
	cr_assert_eq(prio(m, "VM2"), prio(m, "VM2b"));
	rtc_model_free(m);
}

Test(rtc_audsley, rejects_a_resource_that_is_not_fp)
{
	struct rtc_model *m =
	    parse("{\"resources\":[{\"name\":\"e\",\"policy\":\"edf\"}],"
		  "\"streams\":[{\"name\":\"s\",\"period\":10,\"path\":[{\"task\":\"a\","
		  "\"resource\":\"e\",\"wcet\":1,\"bcet\":1,\"deadline\":5}]}]}");
	struct kairos_error err;
	cr_assert_eq(rtc_priority_assign(m, 0, NULL, &err), -KAIROS_EINVAL);
	cr_assert_eq(rtc_priority_assign(m, 3, NULL, &err), -KAIROS_EINVAL);
	/* -1 with no fp resource: nothing to assign, the model is schedulable */
	cr_assert_eq(rtc_priority_assign(m, -1, NULL, &err), 0, "%s", err.message);
	rtc_model_free(m);
}

/*
 * Chain across two resources: the order on A decides the jitter that B's
 * task sees. With b1 upstream the assignment must put the tight task first
 * on both resources.
 */
Test(rtc_audsley, chains_reach_a_fixed_point)
{
	struct rtc_model *m = parse("{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":"
				    "\"B\",\"policy\":\"fp\"}],"
				    "\"streams\":["
				    "{\"name\":\"x\",\"period\":20,\"deadline\":8,\"path\":["
				    "{\"task\":\"x1\",\"resource\":\"A\",\"wcet\":2,\"bcet\":2,"
				    "\"priority\":2,\"deadline\":3},"
				    "{\"task\":\"x2\",\"resource\":\"B\",\"wcet\":2,\"bcet\":2,"
				    "\"priority\":2,\"deadline\":5}]},"
				    "{\"name\":\"y\",\"period\":20,\"path\":["
				    "{\"task\":\"y1\",\"resource\":\"A\",\"wcet\":4,\"bcet\":4,"
				    "\"priority\":1,\"deadline\":20},"
				    "{\"task\":\"y2\",\"resource\":\"B\",\"wcet\":4,\"bcet\":4,"
				    "\"priority\":1,\"deadline\":20}]}]}");
	cr_assert_not(is_schedulable(m));
	struct kairos_error err;
	struct rtc_priority_stats st;
	cr_assert_eq(rtc_priority_assign(m, -1, &st, &err), 0, "%s", err.message);
	cr_assert(is_schedulable(m));
	cr_assert_lt(prio(m, "x1"), prio(m, "y1"));
	cr_assert_lt(prio(m, "x2"), prio(m, "y2"));
	cr_assert_geq(st.rounds, 2, "the changed orders must be checked again");
	rtc_model_free(m);
}

/* P must be above Q on A, but Q's replica must be above P's replica on B. */
Test(rtc_audsley, replicas_that_cannot_share_numbers_conflict)
{
	struct rtc_model *m =
	    parse("{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":\"B\",\"policy\":"
		  "\"fp\"}],"
		  "\"streams\":["
		  "{\"name\":\"p\",\"period\":10,\"path\":[{\"task\":\"P\",\"resource\":\"A\","
		  "\"wcet\":2,\"bcet\":1,"
		  "\"priority\":1,\"deadline\":2}]},"
		  "{\"name\":\"q\",\"period\":10,\"path\":[{\"task\":\"Q\",\"resource\":\"B\","
		  "\"wcet\":2,\"bcet\":1,"
		  "\"priority\":1,\"deadline\":2}]},"
		  "{\"name\":\"p2\",\"period\":10,\"path\":[{\"task\":\"P2\",\"resource\":\"B\","
		  "\"wcet\":3,"
		  "\"bcet\":1,\"priority\":2,\"deadline\":10,\"replica_of\":\"P\"}]},"
		  "{\"name\":\"q2\",\"period\":10,\"path\":[{\"task\":\"Q2\",\"resource\":\"A\","
		  "\"wcet\":3,"
		  "\"bcet\":1,\"priority\":2,\"deadline\":10,\"replica_of\":\"Q\"}]}]}");
	struct kairos_error err;
	kairos_error_clear(&err);
	cr_assert_eq(rtc_priority_assign(m, -1, NULL, &err), -KAIROS_ECONFLICT, "%s", err.message);
	cr_assert_str_eq(err.field, "replica_of");
	cr_assert_eq(prio(m, "P"), 1, "M unchanged on failure");
	cr_assert_eq(prio(m, "P2"), 2);
	rtc_model_free(m);
}

/* A replica on another resource gets its primary's number, without ties. */
Test(rtc_audsley, replica_gets_its_primary_number)
{
	struct rtc_model *m =
	    parse("{\"resources\":[{\"name\":\"A\",\"policy\":\"fp\"},{\"name\":\"B\",\"policy\":"
		  "\"fp\"}],"
		  "\"streams\":["
		  "{\"name\":\"p\",\"period\":10,\"path\":[{\"task\":\"P\",\"resource\":\"A\","
		  "\"wcet\":2,\"bcet\":1,"
		  "\"priority\":5,\"deadline\":2}]},"
		  "{\"name\":\"u\",\"period\":10,\"path\":[{\"task\":\"U\",\"resource\":\"A\","
		  "\"wcet\":3,\"bcet\":1,"
		  "\"priority\":1,\"deadline\":10}]},"
		  "{\"name\":\"v\",\"period\":10,\"path\":[{\"task\":\"V\",\"resource\":\"B\","
		  "\"wcet\":1,\"bcet\":1,"
		  "\"priority\":1,\"deadline\":1}]},"
		  "{\"name\":\"p2\",\"period\":10,\"path\":[{\"task\":\"P2\",\"resource\":\"B\","
		  "\"wcet\":2,"
		  "\"bcet\":1,\"priority\":7,\"deadline\":10,\"replica_of\":\"P\"}]}]}");
	struct kairos_error err;
	cr_assert_not(is_schedulable(m)); /* U above P: P waits 3 */
	cr_assert_eq(rtc_priority_assign(m, -1, NULL, &err), 0, "%s", err.message);
	cr_assert(is_schedulable(m));
	cr_assert_eq(prio(m, "P"), prio(m, "P2"));
	cr_assert_lt(prio(m, "P"), prio(m, "U"));
	cr_assert_lt(prio(m, "V"), prio(m, "P2"));
	cr_assert_eq(rtc_model_validate(m, &err), 0, "%s", err.message);
	rtc_model_free(m);
}
