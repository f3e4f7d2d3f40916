/*
 * gpc.c - one resource at a time: the greedy processing components of its
 * tasks under preemptive fixed priority, EDF or TDMA.
 *
 * Inputs are the tasks' event models (rtc_em) and execution times converted
 * to time ticks at the resource's rate (wcet rounded up, bcet down); service
 * is then "time at full speed": a rate/latency resource offers
 * beta(t) = max(0, t - L).
 *
 * - FP (Thiele et al. 2000; Wandeler 2006, sec. 4.2): tasks in priority order;
 *   task i gets the remaining service beta_i = sup-closure of
 *   max(0, beta_{i-1} - alpha_{i-1} * C_{i-1}); its delay is the horizontal
 *   deviation hdev(alpha_i * C_i, beta_i). With staircase curves this is the
 *   classical busy-window response time analysis, exact for synchronous
 *   periodic tasks (Lehoczky 1990), including several jobs per busy window.
 * - EDF: Spuri's response time analysis (Spuri 1996, INRIA RR-2772, sec. 3) on
 *   arrival curves: a job of i released x after the start of a deadline busy
 *   period completes at the least t with
 *   beta(t) >= alpha_i(x+) C_i + sum_j min(alpha_j(t), alpha_j((x+D_i-D_j)+)) C_j;
 *   the bound is the maximum of t - x over the release offsets x where one of
 *   those terms steps, within the busy window. Ties are counted as
 *   interfering, so the bound holds for any tie-break.
 * - TDMA: each task has its own lower service curve (Wandeler & Thiele 2006)
 *   and hdev gives its delay.
 *
 * Every curve is built exactly up to the busy window found first by the
 * usual fixed-point iteration (docs/RTC.md: why that is enough).
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_gpc.h"
#include "rtc/rtc_internal.h"

#define INF RTC_CURVE_INF
/* Give up (unbounded) when a busy window exceeds this many ticks (1e9 units)
 * or needs more iterations than this. */
#define BW_CAP ((int64_t)1000000000 * RTC_TICKS_PER_UNIT)
#define BW_ITER_CAP 100000
/* Largest number of steps one curve may have inside a busy window (memory
 * bound for hostile models, e.g. a 1e-6 period in a 1e3 busy window): past it
 * the resource is reported unbounded, which claims nothing and stays sound. */
#define STEPS_CAP ((int64_t)1 << 20)
/* Total EDF release offsets examined per resource analysis before falling back. */
#define EDF_CAND_CAP ((int64_t)1 << 16)

static bool too_many_steps(struct rtc_gpc_task *const *t, int n, int64_t bw)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < t[i]->in.n; k++)
			if (bw / t[i]->in.period[k] > STEPS_CAP)
				return true;
	return false;
}

/* Least t > 0 with beta(t) >= demand(t): the busy window. Returns INF if none. */
static int64_t busy_window(const struct rtc_curve *beta, struct rtc_gpc_task *const *t, int n, int64_t start)
{
	int64_t w = start > 0 ? start : 1;
	for (int it = 0; it < BW_ITER_CAP; it++) {
		int64_t demand = 0;
		for (int i = 0; i < n; i++)
			demand = rtc_sat_add(demand, rtc_sat_mul(rtc_em_eval(&t[i]->in, w, false), t[i]->c));
		if (demand >= BW_CAP)
			return INF;
		int64_t nw = rtc_curve_inverse(beta, demand);
		if (nw == INF || nw > BW_CAP)
			return INF;
		if (nw <= w)
			return w;
		w = nw;
	}
	return INF;
}

static int cmp_prio(const void *a, const void *b)
{
	const struct rtc_gpc_task *x = *(struct rtc_gpc_task *const *)a, *y = *(struct rtc_gpc_task *const *)b;
	return x->priority < y->priority ? -1 : x->priority > y->priority;
}

static void set_unbounded(struct rtc_gpc_task *t)
{
	t->bounded = false;
	t->wcrt = INF;
	t->backlog = INF;
}

static void finish(struct rtc_gpc_task *t, int64_t wcrt)
{
	t->bounded = true;
	t->wcrt = wcrt < t->bcrt ? t->bcrt : wcrt;
	/* jobs pending at any instant were released in the last wcrt */
	t->backlog = rtc_em_eval(&t->in, t->wcrt, false);
	if (t->backlog < 1 && t->c > 0)
		t->backlog = 1;
}

static int64_t analyse_fp(const struct rtc_resource *r, struct rtc_gpc_task **t, int n, struct rtc_gpc_scratch *s)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_prio);
	rtc_curve_rate_latency(&s->beta, 1, 1, r->latency);
	/* level-i busy windows grow with i; the last finite one is the horizon */
	int nb = 0;
	int64_t bw = 0;
	for (int i = 0; i < n; i++) {
		if (!t[i]->in_bounded)
			break;
		int64_t w = busy_window(&s->beta, t, i + 1, bw);
		if (w == INF || too_many_steps(t, i + 1, w))
			break;
		bw = w;
		nb = i + 1;
	}
	for (int i = nb; i < n; i++)
		set_unbounded(t[i]);
	int64_t horizon = bw + 1;
	for (int i = 0; i < nb; i++) {
		rtc_curve_em_upper(&s->alpha, &t[i]->in, horizon);
		rtc_curve_scale(&s->alpha, t[i]->c);
		int64_t d = rtc_curve_hdev_upto(&s->alpha, &s->beta, bw);
		if (d == INF) {
			for (int j = i; j < nb; j++)
				set_unbounded(t[j]);
			break;
		}
		finish(t[i], d);
		if (i + 1 < nb) {
			/* remaining service: (beta - alpha C)+, sup-closed */
			rtc_curve_sub(&s->tmp, &s->beta, &s->alpha);
			rtc_curve_sup_closure_from(&s->tmp, 0);
			rtc_curve_copy(&s->beta, &s->tmp);
		}
	}
	return nb == n ? bw : INF;
}

static int64_t analyse_tdma(const struct rtc_resource *r, struct rtc_gpc_task **t, int n,
			    struct rtc_gpc_scratch *s)
{
	int64_t worst = 0;
	for (int i = 0; i < n; i++) {
		if (!t[i]->in_bounded) {
			set_unbounded(t[i]);
			worst = INF;
			continue;
		}
		/* busy window of this task alone under its slot's service */
		rtc_curve_tdma_lower(&s->beta, t[i]->slot, r->cycle, 1);
		int64_t w = busy_window(&s->beta, &t[i], 1, 0);
		if (w == INF || too_many_steps(&t[i], 1, w)) {
			set_unbounded(t[i]);
			worst = INF;
			continue;
		}
		int64_t horizon = w + 1;
		rtc_curve_tdma_lower(&s->beta, t[i]->slot, r->cycle, horizon);
		rtc_curve_em_upper(&s->alpha, &t[i]->in, horizon);
		rtc_curve_scale(&s->alpha, t[i]->c);
		int64_t d = rtc_curve_hdev_upto(&s->alpha, &s->beta, w);
		if (d == INF) {
			set_unbounded(t[i]);
			worst = INF;
			continue;
		}
		finish(t[i], d);
		if (worst != INF && w > worst)
			worst = w;
	}
	return worst;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void cand_push(struct rtc_gpc_scratch *s, int64_t x)
{
	if (s->ncand == s->capcand) {
		s->capcand = s->capcand ? 2 * s->capcand : 64;
		s->cand = kairos_xrealloc(s->cand, (size_t)s->capcand * sizeof(*s->cand));
	}
	s->cand[s->ncand++] = x;
}

/* Offsets x in [0, hi) where alpha(x + ...) of EM steps: its breakpoints y, at x = y + delta. */
static void add_steps(struct rtc_gpc_scratch *s, const struct rtc_em *em, int64_t delta, int64_t hi)
{
	if (hi - delta <= 0)
		return;
	rtc_curve_em_upper(&s->tmp, em, hi - delta);
	for (int i = 0; i < s->tmp.n; i++) {
		int64_t x = s->tmp.segs[i].x + delta;
		if (x >= 0 && x < hi)
			cand_push(s, x);
	}
}

static int64_t analyse_edf(struct rtc_gpc_task **t, int n, const struct rtc_resource *r,
			   struct rtc_gpc_scratch *s)
{
	for (int i = 0; i < n; i++)
		if (!t[i]->in_bounded) {
			for (int j = 0; j < n; j++)
				set_unbounded(t[j]);
			return INF;
		}
	rtc_curve_rate_latency(&s->beta, 1, 1, r->latency);
	int64_t bw = busy_window(&s->beta, t, n, 0);
	if (bw == INF || too_many_steps(t, n, bw)) {
		for (int j = 0; j < n; j++)
			set_unbounded(t[j]);
		return INF;
	}
	/* Spuri's candidates grow with (busy window / period) x tasks; past a
	 * budget the busy window itself is the bound (every job completes inside
	 * its busy period): coarse but sound, and the cost stays bounded. */
	int64_t ncand = 0;
	for (int j = 0; j < n; j++)
		ncand = rtc_sat_add(ncand, bw / t[j]->in.period[0] + 1);
	if (rtc_sat_mul(ncand, n) > EDF_CAND_CAP) {
		for (int i = 0; i < n; i++)
			finish(t[i], bw);
		return bw;
	}
	for (int i = 0; i < n; i++) {
		s->ncand = 0;
		cand_push(s, 0);
		add_steps(s, &t[i]->in, 0, bw);
		for (int j = 0; j < n; j++)
			if (j != i)
				add_steps(s, &t[j]->in, t[j]->deadline - t[i]->deadline, bw);
		int64_t worst = 0, prev = 0;
		qsort(s->cand, (size_t)s->ncand, sizeof(*s->cand), cmp_i64);
		for (int k = 0; k < s->ncand; k++) {
			int64_t x = s->cand[k];
			if (k > 0 && x == s->cand[k - 1])
				continue;
			int64_t own = rtc_sat_mul(rtc_em_eval(&t[i]->in, x, true), t[i]->c);
			/* least fixed point from below; t < x: the busy period ended
			 * before x, a case the candidate x = 0 of a later one covers.
			 * The demand grows with x, so the previous candidate's fixed
			 * point is a valid start from below for this one. */
			int64_t w = rtc_curve_inverse(&s->beta, own);
			if (prev > w)
				w = prev;
			for (int it = 0; it < BW_ITER_CAP; it++) {
				int64_t demand = own;
				for (int j = 0; j < n; j++) {
					if (j == i)
						continue;
					int64_t y = x + t[i]->deadline - t[j]->deadline;
					if (y < 0)
						continue;
					int64_t a = rtc_em_eval(&t[j]->in, w, false);
					int64_t b = rtc_em_eval(&t[j]->in, y, true);
					demand = rtc_sat_add(demand, rtc_sat_mul(a < b ? a : b, t[j]->c));
				}
				int64_t nw = rtc_curve_inverse(&s->beta, demand);
				if (nw > bw) {
					w = bw;
					break;
				}
				if (nw <= w)
					break;
				w = nw;
			}
			if (w > bw)
				w = bw;
			prev = w;
			if (w > x && w - x > worst)
				worst = w - x;
		}
		/* a job finishes within the busy window it belongs to */
		finish(t[i], worst < bw ? worst : bw);
	}
	return bw;
}

int64_t rtc_gpc_analyse(const struct rtc_resource *r, struct rtc_gpc_task **t, int n, struct rtc_gpc_scratch *s)
{
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		t[i]->bounded = false;
	switch (r->policy) {
	case RTC_POLICY_FP:
		return analyse_fp(r, t, n, s);
	case RTC_POLICY_EDF:
		return analyse_edf(t, n, r, s);
	case RTC_POLICY_TDMA:
		return analyse_tdma(r, t, n, s);
	}
	return INF;
}

void rtc_gpc_scratch_init(struct rtc_gpc_scratch *s)
{
	memset(s, 0, sizeof(*s));
	rtc_curve_init(&s->beta, false);
	rtc_curve_init(&s->alpha, true);
	rtc_curve_init(&s->tmp, false);
}

void rtc_gpc_scratch_destroy(struct rtc_gpc_scratch *s)
{
	rtc_curve_destroy(&s->beta);
	rtc_curve_destroy(&s->alpha);
	rtc_curve_destroy(&s->tmp);
	free(s->cand);
}
