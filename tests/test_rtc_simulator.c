/*
 * test_rtc_simulator.c - the soundness oracle's own tests: the simulator
 * (tests/support/rtcsim.c) against schedules computed by hand, and the random
 * model generator (tests/support/rtcgen.c) against its promises. The oracle
 * must be trustworthy by itself before it can judge the engine.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/rtcgen.h"
#include "tests/support/rtcsim.h"

#define T(x) ((int64_t)((x) * (double)RTCSIM_TICKS))

static struct rtcsim_model *parse_ok(const char *json)
{
	struct rtcsim_model *m = NULL;
	char err[256] = "";
	int rc = rtcsim_model_parse(json, strlen(json), &m, err, sizeof(err));
	cr_assert_eq(rc, 0, "parse failed: %s", err);
	return m;
}

/* Synchronous release, WCET, bursts for jitter, blackouts at 0: the critical instant. */
static void run_critical(const struct rtcsim_model *m, struct rtcsim_stats *st)
{
	struct rtcsim_options o;
	char err[256] = "";
	rtcsim_options_init(&o);
	o.phase = RTCSIM_PHASE_SYNC;
	o.exec = RTCSIM_EXEC_WCET;
	o.jitter = RTCSIM_JITTER_BURST;
	o.blackout = RTCSIM_BLACKOUT_CRITICAL;
	o.edf_random_ties = 0;
	o.hyperperiods = 2;
	o.min_events = 2;
	cr_assert_eq(rtcsim_run(m, &o, st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st->pending, 0);
	cr_assert_eq(st->inexact, 0);
}

static int64_t wcrt(const struct rtcsim_model *m, const struct rtcsim_stats *st, const char *task)
{
	int t = rtcsim_task_find(m, task);
	cr_assert_geq(t, 0, "no task %s", task);
	return st->tasks[t].max_response;
}

static const char *fp3 =
    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\", \"rate\": %s, "
    "\"latency\": %s}],"
    " \"streams\": ["
    "{\"name\": \"a\", \"period\": 4, \"path\": [{\"task\": \"A\", \"resource\": "
    "\"cpu\", \"wcet\": %s, \"priority\": 1}]},"
    "{\"name\": \"b\", \"period\": 6, \"path\": [{\"task\": \"B\", \"resource\": "
    "\"cpu\", \"wcet\": %s, \"priority\": 2}]},"
    "{\"name\": \"c\", \"period\": 12, \"path\": [{\"task\": \"C\", \"resource\": "
    "\"cpu\", \"wcet\": %s, \"bcet\": %s, \"priority\": 3}]}]}";

/*
 * A (P4,C1) > B (P6,C2) > C (P12,C3) from 0: A 0-1, B 1-3, C 3-4, A 4-5,
 * C 5-6, B 6-8, A 8-9, C 9-10: responses 1, 3 and 10 (the classic response-time
 * recurrence gives the same), B's second job 6-8 takes 2.
 */
Test(rtc_simulator, fp_preemption_matches_hand_schedule)
{
	char json[2048];
	snprintf(json, sizeof(json), fp3, "1", "0", "1", "2", "3", "3");
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "A"), T(1));
	cr_assert_eq(wcrt(m, &st, "B"), T(3));
	cr_assert_eq(wcrt(m, &st, "C"), T(10));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "B")].min_response, T(2));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "A")].min_response, T(1));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "C")].max_backlog, 1);
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "c")].max_latency, T(10));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "A")].jobs, 6); /* 2 hyperperiods of 12 */
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/* The same demands at rate 2 take half the time: the schedule is the first one scaled. */
Test(rtc_simulator, fp_rate_scales_execution)
{
	char json[2048];
	snprintf(json, sizeof(json), fp3, "2", "0", "2", "4", "6", "6");
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "A"), T(1));
	cr_assert_eq(wcrt(m, &st, "B"), T(3));
	cr_assert_eq(wcrt(m, &st, "C"), T(10));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * latency 1 = a blackout 0-1: A 1-2, B 2-4, A 4-5, C 5-6, B 6-8, A 8-9,
 * C 9-10, C 10-11: responses 2, 4, 11.
 */
Test(rtc_simulator, fp_latency_is_a_blackout)
{
	char json[2048];
	snprintf(json, sizeof(json), fp3, "1", "1", "1", "2", "3", "3");
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "A"), T(2));
	cr_assert_eq(wcrt(m, &st, "B"), T(4));
	cr_assert_eq(wcrt(m, &st, "C"), T(11));
	/* After the blackout the resource is never unavailable again: A's later jobs take 1. */
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "A")].min_response, T(1));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * The blackout can also fall on the release of a chosen job: then exactly one
 * job of the only task waits the whole latency (1 + 3), every other takes 1.
 * In the critical mode with jitter bursts, it falls on the aligned burst.
 */
Test(rtc_simulator, blackout_on_a_release_and_on_the_burst)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\", \"latency\": 3}],"
	    " \"streams\": [{\"name\": \"a\", \"period\": 10, \"jitter\": 4, \"path\": "
	    "[{\"task\": \"A\", \"resource\": \"cpu\", \"wcet\": 1, \"priority\": 1}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_options o;
	struct rtcsim_stats st;
	char err[128];
	for (uint64_t seed = 1; seed <= 10; seed++) {
		rtcsim_options_init(&o);
		o.seed = seed;
		o.exec = RTCSIM_EXEC_WCET;
		o.blackout = RTCSIM_BLACKOUT_RELEASE;
		cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
		cr_assert_eq(st.tasks[0].max_response, T(4));
		cr_assert_eq(st.tasks[0].min_response, T(1));
		rtcsim_stats_free(&st);
	}
	rtcsim_options_init(&o);
	o.phase = RTCSIM_PHASE_CRITICAL;
	o.jitter = RTCSIM_JITTER_BURST;
	o.exec = RTCSIM_EXEC_WCET;
	o.blackout = RTCSIM_BLACKOUT_CRITICAL;
	int64_t *ev;
	cr_assert_eq(rtcsim_arrivals(m, &o, 0, &ev) > 0, 1);
	cr_assert_eq(ev[0], T(4)); /* the burst: the first event late by the whole jitter */
	free(ev);
	cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
	cr_assert_eq(st.tasks[0].max_response, T(4));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * EDF, X (P5,C2,D5) and Y (P10,C4,D7) from 0: X 0-2 (d5), Y 2-6 (d7 beats X's
 * second job, d10, at 5), X 6-8: X 3, Y 6. Under FP with X first, Y would be
 * preempted at 5 and finish at 8.
 */
Test(rtc_simulator, edf_orders_by_absolute_deadline)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"edf\"}],"
	    " \"streams\": ["
	    "{\"name\": \"x\", \"period\": 5, \"path\": [{\"task\": \"X\", \"resource\": "
	    "\"cpu\", \"wcet\": 2, \"deadline\": 5}]},"
	    "{\"name\": \"y\", \"period\": 10, \"path\": [{\"task\": \"Y\", \"resource\": "
	    "\"cpu\", \"wcet\": 4, \"deadline\": 7}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "X"), T(3));
	cr_assert_eq(wcrt(m, &st, "Y"), T(6));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "X")].min_response, T(2));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);

	const char *fp =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\"}],"
	    " \"streams\": ["
	    "{\"name\": \"x\", \"period\": 5, \"path\": [{\"task\": \"X\", \"resource\": "
	    "\"cpu\", \"wcet\": 2, \"priority\": 1}]},"
	    "{\"name\": \"y\", \"period\": 10, \"path\": [{\"task\": \"Y\", \"resource\": "
	    "\"cpu\", \"wcet\": 4, \"priority\": 2}]}]}";
	m = parse_ok(fp);
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "Y"), T(8));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * The EDF adversary: first jobs released so that their absolute deadlines
 * coincide. X (C2, D3) and Y (C4, D5): Y at 0, X at 2, both due at 5. With
 * the tie decided for Y, X waits until 4 and ends at 6 (response 4 > D); with
 * the tie decided for X (declaration order), X runs 2-4 at once.
 */
Test(rtc_simulator, edf_deadline_aligned_phases)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"edf\"}],"
	    " \"streams\": ["
	    "{\"name\": \"x\", \"period\": 10, \"path\": [{\"task\": \"X\", \"resource\": "
	    "\"cpu\", \"wcet\": 2, \"deadline\": 3}]},"
	    "{\"name\": \"y\", \"period\": 10, \"path\": [{\"task\": \"Y\", \"resource\": "
	    "\"cpu\", \"wcet\": 4, \"deadline\": 5}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_options o;
	struct rtcsim_stats st;
	char err[128];
	int64_t *ev;
	rtcsim_options_init(&o);
	o.phase = RTCSIM_PHASE_DEADLINE;
	o.exec = RTCSIM_EXEC_WCET;
	o.jitter = RTCSIM_JITTER_BURST;
	o.edf_random_ties = 0;
	cr_assert_gt(rtcsim_arrivals(m, &o, 0, &ev), 0);
	cr_assert_eq(ev[0], T(2));
	free(ev);
	cr_assert_gt(rtcsim_arrivals(m, &o, 1, &ev), 0);
	cr_assert_eq(ev[0], T(0));
	free(ev);
	cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
	cr_assert_eq(wcrt(m, &st, "X"), T(2));
	rtcsim_stats_free(&st);
	/* random ties: over a few seeds, Y wins the tie at least once */
	int64_t worst = 0;
	for (uint64_t seed = 1; seed <= 16; seed++) {
		o.seed = seed;
		o.edf_random_ties = 1;
		cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
		if (wcrt(m, &st, "X") > worst)
			worst = wcrt(m, &st, "X");
		cr_assert_leq(wcrt(m, &st, "X"), T(4));
		rtcsim_stats_free(&st);
	}
	cr_assert_eq(worst, T(4));
	rtcsim_model_free(m);
}

/*
 * TDMA cycle 10: P's slot is 0-3, Q's 3-5 (declaration order). P (C4) from 0
 * gets 0-3 and 10-11: 11. Q (C3) gets 3-5 and 13-14: 14. Q's jobs never run
 * outside 3-5 of a cycle even when the resource is otherwise idle.
 */
Test(rtc_simulator, tdma_serves_only_in_own_slot)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"bus\", \"policy\": \"tdma\", \"cycle\": 10}],"
	    " \"streams\": ["
	    "{\"name\": \"p\", \"period\": 20, \"path\": [{\"task\": \"P\", \"resource\": "
	    "\"bus\", \"wcet\": 4, \"slot\": 3}]},"
	    "{\"name\": \"q\", \"period\": 20, \"path\": [{\"task\": \"Q\", \"resource\": "
	    "\"bus\", \"wcet\": 3, \"slot\": 2}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	cr_assert_eq(m->tasks[1].slot_offset, T(3));
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "P"), T(11));
	cr_assert_eq(wcrt(m, &st, "Q"), T(14));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * Two hops: T1 (C2) on r0, then T2 (C3) on r1 where H (P4, C1) has the higher
 * priority. Event at 0: T1 0-2; T2 released at 2 runs 2-4, H 4-5, T2 5-6:
 * T2 takes 4, the stream 6. The same holds for every event (hyperperiod 20).
 */
Test(rtc_simulator, chain_releases_next_hop_on_completion)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"r0\", \"policy\": \"fp\"}, {\"name\": "
	    "\"r1\", \"policy\": \"fp\"}],"
	    " \"streams\": ["
	    "{\"name\": \"s\", \"period\": 10, \"path\": ["
	    "{\"task\": \"T1\", \"resource\": \"r0\", \"wcet\": 2, \"priority\": 1},"
	    "{\"task\": \"T2\", \"resource\": \"r1\", \"wcet\": 3, \"priority\": 2}]},"
	    "{\"name\": \"h\", \"period\": 4, \"path\": [{\"task\": \"H\", \"resource\": "
	    "\"r1\", \"wcet\": 1, \"priority\": 1}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "T1"), T(2));
	cr_assert_eq(wcrt(m, &st, "T2"), T(4));
	cr_assert_eq(st.tasks[rtcsim_task_find(m, "T2")].min_response, T(4));
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "s")].max_latency, T(6));
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "s")].events, 4);
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * Jitter 15 on period 10 with min_distance 2, burst pattern: events at 15
 * (late by 15), 17 (the distance), 20, 30, ... A task of C3 serves 15-18,
 * 18-21 (released 17: 4), 21-24 (released 20: 4); two activations pending at
 * once at most. Without min_distance the first two arrive together at 15 and
 * the second waits 6.
 */
Test(rtc_simulator, jitter_burst_and_min_distance)
{
	const char *fmt =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\"}],"
	    " \"streams\": [{\"name\": \"j\", \"period\": 10, \"jitter\": 15, "
	    "\"min_distance\": %s, \"path\": [{\"task\": \"J\", \"resource\": \"cpu\", "
	    "\"wcet\": 3, \"priority\": 1}]}]}";
	char json[1024];
	snprintf(json, sizeof(json), fmt, "2");
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	struct rtcsim_options o;
	rtcsim_options_init(&o);
	o.phase = RTCSIM_PHASE_SYNC;
	o.jitter = RTCSIM_JITTER_BURST;
	int64_t *ev;
	long n = rtcsim_arrivals(m, &o, 0, &ev);
	cr_assert_geq(n, 4);
	cr_assert_eq(ev[0], T(15));
	cr_assert_eq(ev[1], T(17));
	cr_assert_eq(ev[2], T(20));
	cr_assert_eq(ev[3], T(30));
	free(ev);
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "J"), T(4));
	cr_assert_eq(st.tasks[0].max_backlog, 2);
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);

	snprintf(json, sizeof(json), fmt, "0");
	m = parse_ok(json);
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "J"), T(6));
	cr_assert_eq(st.tasks[0].max_backlog, 2);
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * Random jitter draws stay inside the arrival model of SPEC §4: event k in
 * [phase + kP, phase + kP + J], consecutive events >= min_distance apart, so
 * any window of length D holds at most min(ceil((D+J)/P), ceil(D/d)) events
 * (counting a window as half-open [t, t+D)).
 */
Test(rtc_simulator, random_arrivals_respect_arrival_curve)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\"}],"
	    " \"streams\": [{\"name\": \"j\", \"period\": 7.5, \"jitter\": 20.25, "
	    "\"min_distance\": 1.5, \"path\": [{\"task\": \"J\", \"resource\": \"cpu\", "
	    "\"wcet\": 1, \"priority\": 1}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	const int64_t P = T(7.5), J = T(20.25), d = T(1.5);
	for (int mode = 0; mode < 3; mode++) {
		for (uint64_t seed = 1; seed <= 20; seed++) {
			struct rtcsim_options o;
			rtcsim_options_init(&o);
			o.seed = seed;
			o.jitter = (enum rtcsim_jitter_mode)mode;
			o.min_events = 200;
			int64_t *ev;
			long n = rtcsim_arrivals(m, &o, 0, &ev);
			cr_assert_geq(n, 200);
			int64_t phase = ev[0] - J; /* unknown; bound it from the first event */
			(void)phase;
			for (long i = 1; i < n; i++)
				cr_assert_geq(ev[i] - ev[i - 1], d, "distance at %ld", i);
			for (long i = 0; i < n; i++)
				for (long k = i + 1; k < n && k < i + 12; k++) {
					int64_t D =
					    ev[k] - ev[i] + 1; /* smallest window holding i..k */
					long count = k - i + 1;
					long a1 = (long)((D + J + P - 1) / P);
					long a2 = (long)((D + d - 1) / d);
					cr_assert_leq(count, a1 < a2 ? a1 : a2, "window %ld..%ld",
						      i, k);
				}
			free(ev);
		}
	}
	rtcsim_model_free(m);
}

/* Decimal times and rates other than 1 stay exact: 12.5 periods, rate 0.25, 0.001 demands. */
Test(rtc_simulator, decimals_are_exact)
{
	const char *json =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\", \"rate\": 0.25}],"
	    " \"streams\": ["
	    "{\"name\": \"a\", \"period\": 12.5, \"path\": [{\"task\": \"A\", \"resource\": "
	    "\"cpu\", \"wcet\": 0.001, \"priority\": 1}]},"
	    "{\"name\": \"b\", \"period\": 2.5, \"path\": [{\"task\": \"B\", \"resource\": "
	    "\"cpu\", \"wcet\": 0.125, \"priority\": 2}]}]}";
	struct rtcsim_model *m = parse_ok(json);
	cr_assert_eq(m->streams[0].period, 12500000);
	cr_assert_eq(rtcsim_hyperperiod(m, INT64_MAX), T(12.5));
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(wcrt(m, &st, "A"), 4000);		/* 0.001 / 0.25 = 0.004 */
	cr_assert_eq(wcrt(m, &st, "B"), 4000 + 500000); /* waits for A, then 0.5 */
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/*
 * Overload: 50 events of period 2 demanding 3 each drain late (job k answers in
 * k + 3); demanding 100 each, they cannot drain before the simulator's cap, and
 * the pending jobs count with their age at the end.
 */
Test(rtc_simulator, overload_reports_pending_age)
{
	const char *fmt =
	    "{\"resources\": [{\"name\": \"cpu\", \"policy\": \"fp\"}],"
	    " \"streams\": [{\"name\": \"a\", \"period\": 2, \"path\": [{\"task\": \"A\", "
	    "\"resource\": \"cpu\", \"wcet\": %d, \"priority\": 1}]}]}";
	char json[512];
	struct rtcsim_stats st;
	struct rtcsim_options o;
	char err[128];
	rtcsim_options_init(&o);
	o.exec = RTCSIM_EXEC_WCET;
	o.min_events = 50;

	snprintf(json, sizeof(json), fmt, 3);
	struct rtcsim_model *m = parse_ok(json);
	cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
	cr_assert_eq(st.pending, 0);
	cr_assert_eq(st.tasks[0].jobs, 50);
	cr_assert_eq(st.tasks[0].max_response, T(52));
	cr_assert_eq(st.tasks[0].max_backlog, 18);
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);

	snprintf(json, sizeof(json), fmt, 100);
	m = parse_ok(json);
	cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0);
	cr_assert_gt(st.pending, 0);
	cr_assert_gt(st.tasks[0].max_response, T(1700));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
}

/* Bad models are refused with the field named. */
Test(rtc_simulator, rejects_bad_models)
{
	struct {
		const char *json, *field;
	} cases[] = {
	    {"{\"resources\": [{\"name\": \"c\", \"policy\": \"fp\"}], \"streams\": [{\"name\": "
	     "\"a\", \"period\": 2, \"path\": [{\"task\": \"A\", \"resource\": \"c\", \"wcet\": 1, "
	     "\"bcet\": 2, \"priority\": 1}]}]}",
	     "streams[0].path[0].bcet"},
	    {"{\"resources\": [{\"name\": \"c\", \"policy\": \"fp\"}], \"streams\": [{\"name\": "
	     "\"a\", \"period\": 2, \"path\": [{\"task\": \"A\", \"resource\": \"c\", \"wcet\": 1, "
	     "\"priority\": 1}, {\"task\": \"B\", \"resource\": \"c\", \"wcet\": 1, \"priority\": "
	     "1}]}]}",
	     "streams[0].path[1].priority"},
	    {"{\"resources\": [{\"name\": \"c\", \"policy\": \"tdma\", \"cycle\": 2}], "
	     "\"streams\": "
	     "[{\"name\": \"a\", \"period\": 2, \"path\": [{\"task\": \"A\", \"resource\": \"c\", "
	     "\"wcet\": 1, \"slot\": 3}]}]}",
	     "resources[0].cycle"},
	    {"{\"resources\": [{\"name\": \"c\", \"policy\": \"tdma\", \"cycle\": 2, \"latency\": "
	     "1}], "
	     "\"streams\": []}",
	     "resources[0].latency"},
	    {"{\"resources\": [{\"name\": \"c\", \"policy\": \"fp\"}], \"streams\": [{\"name\": "
	     "\"a\", \"period\": 2, \"path\": [{\"task\": \"A\", \"resource\": \"nope\", \"wcet\": "
	     "1, "
	     "\"priority\": 1}]}]}",
	     "streams[0].path[0].resource"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rtcsim_model *m = NULL;
		char err[256] = "";
		cr_assert_eq(
		    rtcsim_model_parse(cases[i].json, strlen(cases[i].json), &m, err, sizeof(err)),
		    -1, "case %zu parsed", i);
		cr_assert_null(m);
		cr_assert(strncmp(err, cases[i].field, strlen(cases[i].field)) == 0,
			  "case %zu: '%s' does not name %s", i, err, cases[i].field);
	}
}

/* The seed scenario of SPEC §4 simulated at its critical instant: a1 = 3, a2 = 8, a3 = 5. */
Test(rtc_simulator, seed_scenario_worst_case)
{
	char *json = NULL;
	size_t len = 0;
	FILE *f = fopen("../shared/examples/seed-scenario.json", "r");
	if (!f) {
		const char *root = getenv("KAIROS_ROOT");
		char path[1024];
		snprintf(path, sizeof(path), "%s/../shared/examples/seed-scenario.json",
			 root ? root : ".");
		f = fopen(path, "r");
	}
	cr_assert_not_null(f, "seed-scenario.json not found");
	json = malloc(1 << 16);
	len = fread(json, 1, (1 << 16) - 1, f);
	json[len] = '\0';
	fclose(f);
	struct rtcsim_model *m = parse_ok(json);
	struct rtcsim_stats st;
	run_critical(m, &st);
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "a1")].max_latency, T(3));
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "a2")].max_latency, T(8));
	cr_assert_eq(st.streams[rtcsim_stream_find(m, "a3")].max_latency, T(5));
	rtcsim_stats_free(&st);
	rtcsim_model_free(m);
	free(json);
}

/* ---- the generator ------------------------------------------------------------ */

Test(rtc_generator, deterministic_and_within_its_promises)
{
	struct rtcgen_options go;
	rtcgen_options_init(&go);
	int policies_seen = 0, max_hops_seen = 0, jitter_seen = 0, latency_seen = 0;
	double max_util = 0;
	for (uint64_t seed = 1; seed <= 500; seed++) {
		char *a = rtcgen_model(seed, &go), *b = rtcgen_model(seed, &go);
		cr_assert_str_eq(a, b, "seed %llu not deterministic", (unsigned long long)seed);
		struct rtcsim_model *m = NULL;
		char err[256] = "";
		cr_assert_eq(rtcsim_model_parse(a, strlen(a), &m, err, sizeof(err)), 0,
			     "seed %llu: %s\n%s", (unsigned long long)seed, err, a);
		cr_assert_eq(200000000 % rtcsim_hyperperiod(m, INT64_MAX), 0);
		for (int i = 0; i < m->nstreams; i++) {
			const struct rtcsim_stream *s = &m->streams[i];
			cr_assert(s->ntasks >= 1 && s->ntasks <= 5);
			cr_assert_leq(s->min_distance, s->period);
			if (s->ntasks > max_hops_seen)
				max_hops_seen = s->ntasks;
			jitter_seen |= s->jitter > 0;
		}
		for (int r = 0; r < m->nresources; r++) {
			double u = 0;
			policies_seen |= 1 << m->resources[r].policy;
			latency_seen |= m->resources[r].latency > 0;
			for (int t = 0; t < m->ntasks; t++) {
				const struct rtcsim_task *task = &m->tasks[t];
				if (task->resource != r)
					continue;
				cr_assert_leq(task->bcet, task->wcet);
				cr_assert_gt(task->bcet, 0);
				/* demand / rate is a whole number of ticks: the simulation is exact
				 */
				cr_assert_eq(task->wcet * RTCSIM_TICKS % m->resources[r].rate_micro,
					     0);
				u += (double)task->wcet /
				     ((double)m->streams[task->stream].period *
				      ((double)m->resources[r].rate_micro / RTCSIM_TICKS));
			}
			/* 0.001 grid bumps aside, the target utilisation is at most 95% */
			cr_assert_leq(u, 0.96, "seed %llu resource %d: %f",
				      (unsigned long long)seed, r, u);
			if (u > max_util)
				max_util = u;
		}
		rtcsim_model_free(m);
		free(a);
		free(b);
	}
	cr_assert_eq(policies_seen, 7, "fp, edf and tdma all drawn");
	cr_assert_eq(max_hops_seen, 5);
	cr_assert(jitter_seen && latency_seen);
	cr_assert_gt(max_util, 0.85);
}

/* Random runs of random models complete, exactly, and never report less than they saw. */
Test(rtc_generator, random_models_simulate_exactly)
{
	struct rtcgen_options go;
	rtcgen_options_init(&go);
	for (uint64_t seed = 1; seed <= 60; seed++) {
		char *json = rtcgen_model(seed, &go);
		struct rtcsim_model *m = parse_ok(json);
		struct rtcsim_options o;
		struct rtcsim_stats st;
		char err[256];
		rtcsim_options_init(&o);
		o.seed = seed;
		cr_assert_eq(rtcsim_run(m, &o, &st, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(st.inexact, 0, "seed %llu", (unsigned long long)seed);
		for (int t = 0; t < m->ntasks; t++) {
			cr_assert_gt(st.tasks[t].jobs, 0);
			cr_assert_leq(st.tasks[t].min_response, st.tasks[t].max_response);
			/* a job takes at least bcet / rate */
			const struct rtcsim_task *task = &m->tasks[t];
			cr_assert_geq(st.tasks[t].min_response *
					  m->resources[task->resource].rate_micro,
				      task->bcet * RTCSIM_TICKS);
		}
		rtcsim_stats_free(&st);
		rtcsim_model_free(m);
		free(json);
	}
}
