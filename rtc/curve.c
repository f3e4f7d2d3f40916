/*
 * curve.c - piecewise-linear curves with an affine tail: storage, evaluation,
 * constructors and the pointwise operations (min, max, +, -, scaling,
 * clamping, running supremum, staircase division).
 *
 * Why this representation: RTC curves (Thiele et al. 2000; Wandeler 2006) are
 * staircases and rate-latency lines. An exact finite prefix on [0, horizon)
 * with integer breakpoints, values and slopes keeps them exact at 1e-6
 * resolution; a GPC's delay and backlog only depend on the curves up to its
 * busy window, so the analysis builds prefixes exactly that long and replaces
 * the rest by an affine bound on the safe side (above an upper curve, below a
 * lower one). Co-prime periods therefore never expand to a hyperperiod: the
 * size of a curve is the number of events in one busy window. See docs/RTC.md.
 *
 * Rounding rule wherever a value is not an integer (a crossing between two
 * lines whose slopes differ by more than 1, a rational tail): upper curves
 * round up, lower curves round down, so every curve stays a valid bound.
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

void rtc_curve_init(struct rtc_curve *c, bool is_upper)
{
	memset(c, 0, sizeof(*c));
	c->is_upper = is_upper;
}

void rtc_curve_destroy(struct rtc_curve *c)
{
	free(c->segs);
	c->segs = NULL;
	c->n = c->cap = 0;
}

void rtc_curve_copy(struct rtc_curve *dst, const struct rtc_curve *src)
{
	struct rtc_curve_seg *segs = dst->segs;
	int cap = dst->cap;
	if (cap < src->n) {
		cap = src->n;
		segs = kairos_xrealloc(segs, (size_t)cap * sizeof(*segs));
	}
	*dst = *src;
	dst->segs = segs;
	dst->cap = cap;
	if (src->n)
		memcpy(segs, src->segs, (size_t)src->n * sizeof(*segs));
}

void rtc_curve_reset(struct rtc_curve *c, bool is_upper)
{
	c->n = 0;
	c->horizon = 0;
	c->tail_y = 0;
	c->tail_slope = 0;
	c->is_upper = is_upper;
}

void rtc_curve_push(struct rtc_curve *c, int64_t x, int64_t y, int64_t y_right, int64_t slope)
{
	if (c->n > 0) {
		struct rtc_curve_seg *l = &c->segs[c->n - 1];
		/* Merge a breakpoint that changes nothing (continuous, same slope). */
		if (l->slope == slope && l->y_right != RTC_CURVE_INF && y_right != RTC_CURVE_INF &&
		    l->y_right != RTC_CURVE_NEG_INF && y == y_right &&
		    l->y_right + l->slope * (x - l->x) == y)
			return;
		if (x == l->x) { /* replace a degenerate segment */
			l->y = y;
			l->y_right = y_right;
			l->slope = slope;
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->segs = kairos_xrealloc(c->segs, (size_t)c->cap * sizeof(*c->segs));
	}
	c->segs[c->n++] = (struct rtc_curve_seg){x, y, y_right, slope};
}

int64_t rtc_div_round(__int128 num, __int128 den, bool up)
{
	if (num >= -INT64_MAX && num <= INT64_MAX && den > 0 && den <= INT64_MAX) {
		/* the common case, without 128-bit division */
		int64_t n = (int64_t)num, d = (int64_t)den, q = n / d, r = n % d;
		if (r != 0) {
			if (up && n > 0)
				q++;
			else if (!up && n < 0)
				q--;
		}
		return q;
	}
	if (den < 0) {
		num = -num;
		den = -den;
	}
	__int128 q = num / den, r = num % den;
	if (r != 0) {
		if (up && num > 0)
			q++;
		else if (!up && num < 0)
			q--;
	}
	if (q > (__int128)RTC_CURVE_INF / 2)
		return RTC_CURVE_INF / 2;
	if (q < -(__int128)RTC_CURVE_INF / 2)
		return -RTC_CURVE_INF / 2;
	return (int64_t)q;
}

void rtc_curve_set_tail(struct rtc_curve *c, int64_t horizon, int64_t y, int64_t num, int64_t den)
{
	c->horizon = horizon;
	c->tail_y = y;
	c->tail_slope = rtc_div_round((__int128)num * RTC_TAIL_DEN, den, c->is_upper);
}

/* Value of the tail at t >= horizon, rounded to the safe side. */
int64_t rtc_curve_tail_at(const struct rtc_curve *c, int64_t t)
{
	if (c->tail_y == RTC_CURVE_INF || c->tail_y == RTC_CURVE_NEG_INF)
		return c->tail_y;
	return c->tail_y + rtc_div_round((__int128)c->tail_slope * (t - c->horizon), RTC_TAIL_DEN, c->is_upper);
}

int rtc_curve_seg_find(const struct rtc_curve *c, int64_t t)
{
	int lo = 0, hi = c->n - 1;
	if (c->n == 0 || c->segs[0].x > t)
		return -1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (c->segs[mid].x <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int64_t seg_line(const struct rtc_curve_seg *s, int64_t t)
{
	if (s->y_right == RTC_CURVE_INF || s->y_right == RTC_CURVE_NEG_INF)
		return s->y_right;
	return s->y_right + s->slope * (t - s->x);
}

int64_t rtc_curve_eval(const struct rtc_curve *c, int64_t t)
{
	int i = rtc_curve_seg_find(c, t);
	if (t > c->horizon || (t == c->horizon && (i < 0 || c->segs[i].x != t)))
		return rtc_curve_tail_at(c, t);
	if (i < 0)
		return 0;
	return c->segs[i].x == t ? c->segs[i].y : seg_line(&c->segs[i], t);
}

int64_t rtc_curve_eval_right(const struct rtc_curve *c, int64_t t)
{
	if (t >= c->horizon)
		return rtc_curve_tail_at(c, t);
	int i = rtc_curve_seg_find(c, t);
	return i < 0 ? 0 : seg_line(&c->segs[i], t);
}

int64_t rtc_curve_eval_left(const struct rtc_curve *c, int64_t t)
{
	if (t <= 0)
		return rtc_curve_eval(c, 0);
	if (t > c->horizon)
		return rtc_curve_tail_at(c, t);
	int i = rtc_curve_seg_find(c, t - 1);
	/* On (x_i, t) with x_i < t: the segment i line; t == horizon also ends in it. */
	return i < 0 ? 0 : seg_line(&c->segs[i], t);
}

/* ---- constructors ---------------------------------------------------- */

void rtc_curve_affine(struct rtc_curve *c, bool is_upper, int64_t b, int64_t num, int64_t den, bool zero_at_0)
{
	rtc_curve_reset(c, is_upper);
	if (zero_at_0)
		rtc_curve_push(c, 0, 0, b, 0);
	rtc_curve_set_tail(c, 0, b, num, den);
}

void rtc_curve_rate_latency(struct rtc_curve *c, int64_t num, int64_t den, int64_t latency)
{
	rtc_curve_reset(c, false);
	if (latency > 0)
		rtc_curve_push(c, 0, 0, 0, 0);
	rtc_curve_set_tail(c, latency, 0, num, den);
}

int64_t rtc_em_eval(const struct rtc_em *em, int64_t t, bool right)
{
	if (t <= 0 && !right)
		return 0;
	int64_t best = INT64_MAX;
	for (int k = 0; k < em->n; k++) {
		int64_t v = right ? rtc_div_round(t + em->shift[k], em->period[k], false) + 1
				  : rtc_div_round(t + em->shift[k], em->period[k], true);
		if (v < best)
			best = v;
	}
	return best < 0 ? 0 : best;
}

void rtc_curve_em_upper(struct rtc_curve *c, const struct rtc_em *em, int64_t horizon)
{
	/* Each term ceil((t+s)/p) counts events in a half-open window of length
	 * t: left-continuous, so each jump happens right after its breakpoint
	 * (value k at x, more right after). */
	rtc_curve_reset(c, true);
	if (horizon < 0)
		horizon = 0;
	int64_t x = 0, k = rtc_em_eval(em, 0, true);
	rtc_curve_push(c, 0, 0, k, 0);
	for (;;) {
		/* alpha(t+) > k  <=>  t >= k p - s for every term */
		int64_t nx = INT64_MIN;
		for (int i = 0; i < em->n; i++) {
			int64_t v = k * em->period[i] - em->shift[i];
			if (v > nx)
				nx = v;
		}
		if (nx <= x)
			nx = x + 1;
		if (nx >= horizon)
			break;
		k = rtc_em_eval(em, nx, true);
		rtc_curve_push(c, nx, rtc_em_eval(em, nx, false), k, 0);
		x = nx;
	}
	/* ceil((t+s)/p) <= (t+s+p-1)/p for integer t: an affine bound above, from
	 * the term with the smallest long-term rate. */
	int best = 0;
	for (int i = 1; i < em->n; i++)
		if (em->period[i] > em->period[best])
			best = i;
	int64_t p = em->period[best], s = em->shift[best];
	rtc_curve_set_tail(c, horizon, rtc_div_round((__int128)horizon + s + p - 1, p, true), 1, p);
}

void rtc_curve_pjd_upper(struct rtc_curve *c, int64_t period, int64_t jitter, int64_t dmin, int64_t horizon)
{
	struct rtc_em em = {1, {period, dmin}, {jitter, 0}};
	if (dmin > 0)
		em.n = 2;
	rtc_curve_em_upper(c, &em, horizon);
}

void rtc_curve_pjd_lower(struct rtc_curve *c, int64_t period, int64_t jitter, int64_t horizon)
{
	/* max(0, floor((t-J)/P)): right-continuous, jumps at t = J + kP. */
	rtc_curve_reset(c, false);
	if (horizon < 0)
		horizon = 0;
	rtc_curve_push(c, 0, 0, 0, 0);
	int64_t k = 1;
	for (int64_t x = jitter + period; x < horizon; x += period, k++)
		rtc_curve_push(c, x, k, k, 0);
	/* floor((t-J)/P) >= (t-J-P+1)/P: an affine bound below (may start negative). */
	rtc_curve_set_tail(c, horizon, rtc_div_round(horizon - jitter - period + 1, period, false), 1, period);
}

void rtc_curve_tdma_lower(struct rtc_curve *c, int64_t slot, int64_t cycle, int64_t horizon)
{
	/* Wandeler & Thiele 2006 (ASP-DAC), eq. 3 with bandwidth 1: the worst
	 * phase starts a window right after the slot ends: cycle - slot of
	 * silence, then slot of service, repeated. */
	rtc_curve_reset(c, false);
	int64_t gap = cycle - slot, served = 0;
	for (int64_t x = 0; x < horizon; x += cycle) {
		if (gap > 0)
			rtc_curve_push(c, x, served, served, 0);
		if (x + gap < horizon)
			rtc_curve_push(c, x + gap, served, served, 1);
		served += slot;
	}
	/* beta(t) >= slot/cycle * (t - gap) for all t (equality at every slot start). */
	int64_t h = horizon > 0 ? horizon : 0;
	rtc_curve_set_tail(c, h, rtc_div_round((__int128)slot * (h - gap), cycle, false), slot, cycle);
}
