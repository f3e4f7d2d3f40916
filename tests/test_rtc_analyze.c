/*
 * test_rtc_analyze.c - whole-model analysis: the seed scenario, textbook
 * cross-checks with their published numbers, and tightness against the
 * simulator for synchronous periodic fixed-priority task sets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "rtc/rtc.h"
#include "tests/support/rtcsim.h"

#define T(units) ((int64_t)((units) * RTC_TICKS_PER_UNIT))

static struct rtc_model *g_model;
static struct rtc_result *g_res;

static void analyse(const char *json)
{
	struct kairos_error err;
	kairos_error_clear(&err);
	rtc_result_free(g_res);
	rtc_model_free(g_model);
	g_res = NULL;
	g_model = NULL;
	int rc = rtc_model_parse(json, strlen(json), &g_model, &err);
	cr_assert_eq(rc, 0, "parse: %s", err.message);
	rc = rtc_analyze(g_model, &g_res, &err);
	cr_assert_eq(rc, 0, "analyze: %s", err.message);
}

static void cleanup(void)
{
	rtc_result_free(g_res);
	rtc_model_free(g_model);
	g_res = NULL;
	g_model = NULL;
}

static const struct rtc_task_result *task(const char *name)
{
	int t = rtc_model_find_task(g_model, name);
	cr_assert_geq(t, 0, "no task %s", name);
	return &g_res->tasks[t];
}

static int64_t latency(const char *name)
{
	int s = rtc_model_find_stream(g_model, name);
	cr_assert_geq(s, 0);
	cr_assert(g_res->streams[s].is_bounded);
	return g_res->streams[s].latency;
}

static char *read_seed(size_t *len)
{
	char *text = NULL;
	const char *paths[] = {"/work/shared/examples/seed-scenario.json", "tests/data/seed-scenario.json"};
	for (size_t i = 0; i < 2; i++)
		if (kairos_read_file(paths[i], &text, len) == 0)
			return text;
	return NULL;
}

TestSuite(rtc_analyze, .fini = cleanup);

Test(rtc_analyze, seed_scenario_latencies_are_3_8_5)
{
	size_t len;
	char *text = read_seed(&len);
	cr_assert_not_null(text);
	analyse(text);
	free(text);
	cr_assert_eq(latency("a1"), T(3));
	cr_assert_eq(latency("a2"), T(8));
	cr_assert_eq(latency("a3"), T(5));
	cr_assert_eq(task("VM2")->wcrt, T(5));
	cr_assert_eq(task("VM2")->bcrt, T(2));
	cr_assert_eq(task("VM2")->backlog, 1);
	cr_assert_eq(task("C1")->wcrt, T(1));
	cr_assert_eq(task("VM2b")->wcrt, T(2));
	cr_assert(g_res->schedulable);
	char *json = rtc_result_to_json(g_res);
	cr_assert(strstr(json, "{\"stream\": \"a2\", \"latency\": 8, \"ok\": true}") != NULL, "%s", json);
	cr_assert(strstr(json, "\"utilization\": 0.32") != NULL, "%s", json);
	free(json);
}

/*
 * Burns & Wellings, "Real-Time Systems and Programming Languages" (3rd ed.,
 * 2001), section 13.6, the response time analysis example: tasks a (T=7, C=3),
 * b (T=12, C=3), c (T=20, C=5) in rate-monotonic priority order give
 * R_a = 3, R_b = 6, R_c = 20.
 */
Test(rtc_analyze, burns_wellings_rta_example)
{
	analyse("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"a\",\"period\":7,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":1}]},"
		"{\"name\":\"b\",\"period\":12,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":2}]},"
		"{\"name\":\"c\",\"period\":20,\"path\":[{\"task\":\"c\",\"resource\":\"cpu\",\"wcet\":5,\"priority\":3,\"deadline\":20}]}]}");
	cr_assert_eq(task("a")->wcrt, T(3));
	cr_assert_eq(task("b")->wcrt, T(6));
	cr_assert_eq(task("c")->wcrt, T(20));
	cr_assert(task("c")->ok);
}

/*
 * Buttazzo, "Hard Real-Time Computing Systems" (3rd ed., 2011), section 4.5.2
 * (response time analysis): tau1 (C=1, T=4), tau2 (C=2, T=6), tau3 (C=3,
 * T=10) under rate monotonic: R1 = 1, R2 = 3, R3 = 10.
 */
Test(rtc_analyze, buttazzo_rta_example)
{
	analyse("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"s1\",\"period\":4,\"path\":[{\"task\":\"t1\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":1}]},"
		"{\"name\":\"s2\",\"period\":6,\"path\":[{\"task\":\"t2\",\"resource\":\"cpu\",\"wcet\":2,\"priority\":2}]},"
		"{\"name\":\"s3\",\"period\":10,\"path\":[{\"task\":\"t3\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":3}]}]}");
	cr_assert_eq(task("t1")->wcrt, T(1));
	cr_assert_eq(task("t2")->wcrt, T(3));
	cr_assert_eq(task("t3")->wcrt, T(10));
}

/*
 * Release jitter: Audsley, Burns, Richardson, Tindell & Wellings, "Applying
 * new scheduling theory to static priority pre-emptive scheduling", Software
 * Engineering Journal 8(5), 1993, eq. (3): w_i = C_i + sum_j ceil((w_i + J_j)/T_j) C_j,
 * R_i = J_i + w_i. Our wcrt is measured from the (jittered) release, i.e. w_i.
 * On the Burns & Wellings set with J_a = 2: w_b = 3 + ceil((9+2)/7)*3 = 9
 * (against 6 without jitter); c keeps D = T = 30 here so that one job per busy
 * window suffices: w_c = 5 + ceil((w+2)/7)*3 + ceil(w/12)*3 = 23.
 */
Test(rtc_analyze, tindell_release_jitter)
{
	analyse("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"a\",\"period\":7,\"jitter\":2,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":1}]},"
		"{\"name\":\"b\",\"period\":12,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":2}]},"
		"{\"name\":\"c\",\"period\":30,\"path\":[{\"task\":\"c\",\"resource\":\"cpu\",\"wcet\":5,\"priority\":3}]}]}");
	cr_assert_eq(task("a")->wcrt, T(3));
	cr_assert_eq(task("b")->wcrt, T(9));
	cr_assert_eq(task("c")->wcrt, T(23));
	/* backlog: a's events can come 7 - 2 = 5 apart, so at most one is pending */
	cr_assert_eq(task("a")->backlog, 1);
}

/*
 * EDF: Liu & Layland, JACM 20(1), 1973, Theorem 7: implicit-deadline tasks
 * are EDF-schedulable iff U <= 1. tau1 (C=2, T=D=4) and tau2 (C=3, T=D=6)
 * have U = 1; the synchronous schedule with the tie at t = 8 broken either way
 * reaches R1 = 4 and R2 = 6 (both deadlines are met exactly), so a sound and
 * tight bound is exactly the deadline for both.
 */
Test(rtc_analyze, edf_liu_layland_full_utilisation)
{
	analyse("{\"resources\":[{\"name\":\"plc\",\"policy\":\"edf\"}],\"streams\":["
		"{\"name\":\"s1\",\"period\":4,\"path\":[{\"task\":\"t1\",\"resource\":\"plc\",\"wcet\":2,\"deadline\":4}]},"
		"{\"name\":\"s2\",\"period\":6,\"path\":[{\"task\":\"t2\",\"resource\":\"plc\",\"wcet\":3,\"deadline\":6}]}]}");
	cr_assert_eq(task("t1")->wcrt, T(4));
	cr_assert_eq(task("t2")->wcrt, T(6));
	cr_assert(g_res->schedulable);
}

/*
 * EDF with constrained deadlines, checked by hand with Spuri's analysis
 * (Spuri 1996, INRIA RR-2772, sec. 3): tau1 (C=1, T=4, D=2), tau2 (C=2, T=6,
 * D=5). tau2 released with a tau1 job (deadline 2 < 5) waits for it: R2 = 3.
 * A tau1 job released at a can only be delayed by tau2 jobs with deadline
 * <= a + 2, i.e. released <= a - 3, which are done by a - 1 even after the
 * previous tau1 job: R1 = 1.
 */
Test(rtc_analyze, edf_constrained_deadlines)
{
	analyse("{\"resources\":[{\"name\":\"plc\",\"policy\":\"edf\"}],\"streams\":["
		"{\"name\":\"s1\",\"period\":4,\"path\":[{\"task\":\"t1\",\"resource\":\"plc\",\"wcet\":1,\"deadline\":2}]},"
		"{\"name\":\"s2\",\"period\":6,\"path\":[{\"task\":\"t2\",\"resource\":\"plc\",\"wcet\":2,\"deadline\":5}]}]}");
	cr_assert_eq(task("t1")->wcrt, T(1));
	cr_assert_eq(task("t2")->wcrt, T(3));
}

/*
 * TDMA: Wandeler & Thiele, "Optimal TDMA time-slot and cycle length
 * allocation for hard real-time systems", ASP-DAC 2006, eq. (3):
 * beta(t) = max(floor(t/c) s, t - ceil(t/c)(c - s)). Slot s = 2 in a cycle
 * c = 10: a job of C = 1 released just after its slot closes waits 8 and runs
 * 1: 9; a job of C = 3 needs two slots: 8 + 2 + 8 + 1 = 19.
 */
Test(rtc_analyze, tdma_wandeler_thiele)
{
	analyse("{\"resources\":[{\"name\":\"bus\",\"policy\":\"tdma\",\"cycle\":10}],\"streams\":["
		"{\"name\":\"s1\",\"period\":10,\"path\":[{\"task\":\"m1\",\"resource\":\"bus\",\"wcet\":1,\"slot\":2}]},"
		"{\"name\":\"s2\",\"period\":40,\"path\":[{\"task\":\"m2\",\"resource\":\"bus\",\"wcet\":3,\"slot\":2}]}]}");
	cr_assert_eq(task("m1")->wcrt, T(9));
	cr_assert_eq(task("m2")->wcrt, T(19));
}

/* Rate and latency: rate 0.5 doubles execution times, latency adds once. */
Test(rtc_analyze, rate_latency_resource)
{
	analyse("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\",\"rate\":0.5,\"latency\":1.5}],\"streams\":["
		"{\"name\":\"a\",\"period\":20,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":1,\"bcet\":0.5,\"priority\":1}]},"
		"{\"name\":\"b\",\"period\":30,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":2,\"priority\":2}]}]}");
	cr_assert_eq(task("a")->wcrt, T(3.5));
	cr_assert_eq(task("a")->bcrt, T(1));
	cr_assert_eq(task("b")->wcrt, T(7.5));
	cr_assert_float_eq(g_res->resources[0].utilization, 1.0 / 10 + 2.0 / 15, 1e-9);
}

/*
 * A chain: the second hop is activated by the first hop's completions, whose
 * jitter (wcrt - bcrt = 3 - 1 = 2 on cpu1) reaches the interference that
 * stream x suffers on cpu2.
 */
Test(rtc_analyze, chain_output_jitter_propagates)
{
	analyse("{\"resources\":[{\"name\":\"cpu1\",\"policy\":\"fp\"},{\"name\":\"cpu2\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"hi\",\"period\":4,\"path\":[{\"task\":\"h\",\"resource\":\"cpu1\",\"wcet\":2,\"bcet\":2,\"priority\":1}]},"
		"{\"name\":\"s\",\"period\":8,\"path\":["
		"{\"task\":\"s1\",\"resource\":\"cpu1\",\"wcet\":1,\"bcet\":1,\"priority\":2},"
		"{\"task\":\"s2\",\"resource\":\"cpu2\",\"wcet\":2,\"bcet\":2,\"priority\":1}]},"
		"{\"name\":\"x\",\"period\":100,\"path\":[{\"task\":\"x\",\"resource\":\"cpu2\",\"wcet\":3,\"priority\":2}]}]}");
	cr_assert_eq(task("s1")->wcrt, T(3));
	cr_assert_eq(task("s1")->bcrt, T(1));
	cr_assert_eq(task("s2")->wcrt, T(2));
	/* s2's events: period 8, jitter 2 => at most one in any window < 6: x = 3 + 2 = 5 */
	cr_assert_eq(task("x")->wcrt, T(5));
	cr_assert_eq(latency("s"), T(5));
}

/* Overload: no bound, deadline missed, JSON prints null. */
Test(rtc_analyze, overload_is_unbounded)
{
	analyse("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"a\",\"period\":2,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":1.5,\"priority\":1}]},"
		"{\"name\":\"b\",\"period\":2,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":1,\"priority\":2}]}]}");
	cr_assert(task("a")->is_bounded);
	cr_assert_eq(task("a")->wcrt, T(1.5));
	cr_assert_not(task("b")->is_bounded);
	cr_assert_not(g_res->schedulable);
	char *json = rtc_result_to_json(g_res);
	cr_assert(strstr(json, "\"wcrt\": null") != NULL, "%s", json);
	free(json);
}

/* A path that visits a resource twice makes a cyclic dependency: fixed point. */
Test(rtc_analyze, cyclic_dependency_reaches_fixed_point)
{
	analyse("{\"resources\":[{\"name\":\"r1\",\"policy\":\"fp\"},{\"name\":\"r2\",\"policy\":\"fp\"}],\"streams\":["
		"{\"name\":\"s\",\"period\":10,\"path\":["
		"{\"task\":\"p1\",\"resource\":\"r1\",\"wcet\":1,\"bcet\":1,\"priority\":2},"
		"{\"task\":\"p2\",\"resource\":\"r2\",\"wcet\":1,\"bcet\":1,\"priority\":1},"
		"{\"task\":\"p3\",\"resource\":\"r1\",\"wcet\":2,\"bcet\":1,\"priority\":1}]}]}");
	/* p3 (higher priority on r1) delays p1 by at most one job: p1 = 1 + 2 = 3 */
	cr_assert_eq(task("p3")->wcrt, T(2));
	cr_assert_eq(task("p1")->wcrt, T(3));
	cr_assert_eq(latency("s"), T(6));
	cr_assert_geq(g_res->iterations, 1);
}

/* ---- tightness: bound == simulated worst case ------------------------- */

static void check_tight(const char *json)
{
	analyse(json);
	struct rtcsim_model *sm;
	char ebuf[256];
	cr_assert_eq(rtcsim_model_parse(json, strlen(json), &sm, ebuf, sizeof(ebuf)), 0, "%s", ebuf);
	struct rtcsim_options o;
	rtcsim_options_init(&o);
	o.phase = RTCSIM_PHASE_SYNC;
	o.exec = RTCSIM_EXEC_WCET;
	o.jitter = RTCSIM_JITTER_EXTREMES;
	o.hyperperiods = 2;
	struct rtcsim_stats st;
	cr_assert_eq(rtcsim_run(sm, &o, &st, ebuf, sizeof(ebuf)), 0, "%s", ebuf);
	for (int i = 0; i < sm->ntasks; i++) {
		const struct rtc_task_result *tr = task(sm->tasks[i].name);
		cr_assert(tr->is_bounded);
		cr_assert_eq(tr->wcrt, st.tasks[i].max_response, "task %s: bound %lld, simulated %lld",
			     sm->tasks[i].name, (long long)tr->wcrt, (long long)st.tasks[i].max_response);
	}
	rtcsim_stats_free(&st);
	rtcsim_model_free(sm);
}

Test(rtc_analyze, tight_single_fp_synchronous_periodic)
{
	check_tight("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		    "{\"name\":\"a\",\"period\":7,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":1}]},"
		    "{\"name\":\"b\",\"period\":12,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":3,\"priority\":2}]},"
		    "{\"name\":\"c\",\"period\":20,\"path\":[{\"task\":\"c\",\"resource\":\"cpu\",\"wcet\":5,\"priority\":3}]}]}");
}

/* Lehoczky 1990: with U close to 1 the lowest task has several jobs in its busy window. */
Test(rtc_analyze, tight_several_jobs_per_busy_window)
{
	check_tight("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		    "{\"name\":\"a\",\"period\":70,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":26,\"priority\":1}]},"
		    "{\"name\":\"b\",\"period\":100,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":62,\"priority\":2}]}]}");
	/* Lehoczky's example: the second job of b has the largest response, 118 */
	cr_assert_eq(task("b")->wcrt, T(118));
}

Test(rtc_analyze, tight_coprime_decimal_periods)
{
	check_tight("{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":["
		    "{\"name\":\"a\",\"period\":1.3,\"path\":[{\"task\":\"a\",\"resource\":\"cpu\",\"wcet\":0.25,\"priority\":1}]},"
		    "{\"name\":\"b\",\"period\":1.7,\"path\":[{\"task\":\"b\",\"resource\":\"cpu\",\"wcet\":0.4,\"priority\":2}]},"
		    "{\"name\":\"c\",\"period\":2.9,\"path\":[{\"task\":\"c\",\"resource\":\"cpu\",\"wcet\":0.7,\"priority\":3}]},"
		    "{\"name\":\"d\",\"period\":3.1,\"path\":[{\"task\":\"d\",\"resource\":\"cpu\",\"wcet\":0.5,\"priority\":4}]}]}");
}

/* ---- tightness against an independent RTA on co-prime periods ------------- */

/* Lehoczky 1990: worst response of task i over the jobs of its level-i busy period. */
static int64_t rta_lehoczky(const int64_t *c, const int64_t *p, int i)
{
	int64_t L = 0, nl = 0;
	for (int j = 0; j <= i; j++)
		nl += c[j];
	while (nl != L) {
		L = nl;
		nl = 0;
		for (int j = 0; j <= i; j++)
			nl += (L + p[j] - 1) / p[j] * c[j];
	}
	int64_t worst = 0;
	for (int64_t q = 0; q * p[i] < L; q++) {
		int64_t w = 0, nw = (q + 1) * c[i];
		while (nw != w) {
			w = nw;
			nw = (q + 1) * c[i];
			for (int j = 0; j < i; j++)
				nw += (w + p[j] - 1) / p[j] * c[j];
		}
		if (w - q * p[i] > worst)
			worst = w - q * p[i];
	}
	return worst;
}

/*
 * Periods that are distinct primes in ticks (hyperperiod ~10^50 ticks): the
 * engine's bounds equal the exact response times and it never looks at a
 * hyperperiod (it would not finish otherwise).
 */
Test(rtc_analyze, tight_on_coprime_periods_against_rta)
{
	static const int64_t primes[] = {999983, 1299709, 1999993, 2750159, 3999971, 5000011, 7368787, 9999991};
	unsigned seed = 11;
	for (int round = 0; round < 6; round++) {
		int64_t c[8], p[8];
		struct kairos_buf b;
		kairos_buf_init(&b);
		kairos_buf_puts(&b, "{\"resources\":[{\"name\":\"cpu\",\"policy\":\"fp\"}],\"streams\":[");
		for (int i = 0; i < 8; i++) {
			seed = seed * 1103515245u + 12345u;
			p[i] = primes[i];
			c[i] = p[i] * (int64_t)(60 + (seed >> 16) % 60) / 1000; /* 6..12 % each: ~72 % total */
			char per[32], wc[32];
			rtc_ticks_format(p[i], per, sizeof(per));
			rtc_ticks_format(c[i], wc, sizeof(wc));
			kairos_buf_printf(&b, "%s{\"name\":\"s%d\",\"period\":%s,\"path\":[{\"task\":\"t%d\",\"resource\":\"cpu\","
					      "\"wcet\":%s,\"priority\":%d}]}",
					  i ? "," : "", i, per, i, wc, i + 1);
		}
		kairos_buf_puts(&b, "]}");
		analyse(kairos_buf_str(&b));
		kairos_buf_destroy(&b);
		for (int i = 0; i < 8; i++) {
			char name[8];
			snprintf(name, sizeof(name), "t%d", i);
			cr_assert_eq(task(name)->wcrt, rta_lehoczky(c, p, i), "round %d task %d: %lld vs %lld", round, i,
				     (long long)task(name)->wcrt, (long long)rta_lehoczky(c, p, i));
		}
	}
}
