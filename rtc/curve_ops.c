/*
 * curve_ops.c - pointwise operations on curves (min, max, +, -), scaling,
 * clamping at 0, running supremum, staircase division, and the deviations
 * that give delay and backlog bounds (Le Boudec & Thiran 2001, Thm 1.4.1/1.4.2;
 * Thiele et al. 2000).
 *
 * All operations walk the union of breakpoints once (O(n + m)); candidate
 * points for suprema are breakpoints with their point value and both limits,
 * which is exact for piecewise-linear curves.
 */
#include <stdlib.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

#define INF RTC_CURVE_INF
#define NINF RTC_CURVE_NEG_INF

static bool is_inf(int64_t v)
{
	return v == INF || v == NINF;
}

int64_t rtc_curve_slope_at(const struct rtc_curve *c, int64_t t)
{
	if (t >= c->horizon)
		return c->tail_slope / RTC_TAIL_DEN; /* integral where binop asks */
	int i = rtc_curve_seg_find(c, t);
	return i < 0 || is_inf(c->segs[i].y_right) ? 0 : c->segs[i].slope;
}

/* Keeps the worse (safe-side) of two candidate tail offsets. */
static int64_t worse(bool upper, int64_t a, int64_t b)
{
	if (upper)
		return a > b ? a : b;
	if (a == INF)
		return b;
	if (b == INF)
		return a;
	return a < b ? a : b;
}

struct bound_acc {
	bool up;
	int64_t r, from, acc;
};

static void bound_add(struct bound_acc *b, int64_t t, int64_t v)
{
	if (b->acc == (b->up ? INF : NINF))
		return; /* already the worst possible */
	if (is_inf(v)) {
		if (v == (b->up ? INF : NINF))
			b->acc = v;
		return; /* the other infinity never binds */
	}
	int64_t w = v - rtc_div_round((__int128)b->r * (t - b->from), RTC_TAIL_DEN, !b->up);
	if (b->acc == (b->up ? NINF : INF) || (b->up ? w > b->acc : w < b->acc))
		b->acc = w;
}

void rtc_curve_bound_from(const struct rtc_curve *c, int64_t from, int64_t *y)
{
	if (from >= c->horizon) {
		*y = rtc_curve_tail_at(c, from);
		if (from == c->horizon && c->n && c->segs[c->n - 1].x == from && !is_inf(*y))
			*y = worse(c->is_upper, *y, c->segs[c->n - 1].y);
		return;
	}
	/* value - r*(t - from) at every breakpoint in [from, horizon], with limits:
	 * between breakpoints that difference is linear, so these bound it. */
	struct bound_acc b = {c->is_upper, c->tail_slope, from, c->is_upper ? NINF : INF};
	bound_add(&b, from, rtc_curve_eval(c, from));
	bound_add(&b, from, rtc_curve_eval_right(c, from));
	for (int i = 0; i < c->n; i++) {
		int64_t x = c->segs[i].x;
		if (x <= from)
			continue;
		bound_add(&b, x, c->segs[i].y);
		bound_add(&b, x, rtc_curve_eval_left(c, x));
		bound_add(&b, x, c->segs[i].y_right);
	}
	bound_add(&b, c->horizon, rtc_curve_eval_left(c, c->horizon));
	bound_add(&b, c->horizon, c->tail_y);
	*y = b.acc;
}

/* ---- binary pointwise operations -------------------------------------- */

enum binop { OP_MIN, OP_MAX, OP_ADD, OP_SUB };

static int64_t apply(enum binop op, int64_t a, int64_t b)
{
	switch (op) {
	case OP_MIN:
		return a < b ? a : b;
	case OP_MAX:
		return a > b ? a : b;
	case OP_ADD:
		if (a == INF || b == INF)
			return INF;
		if (a == NINF || b == NINF)
			return NINF;
		return rtc_sat_add(a, b);
	case OP_SUB:
		if (a == INF || b == NINF)
			return INF;
		if (a == NINF || b == INF)
			return NINF;
		return rtc_sat_add(a, -b);
	}
	return 0;
}

/* Combines tails (offset y at H, slope r) of the operands into the result's. */
static void tail_combine(enum binop op, bool up, int64_t yf, int64_t rf, int64_t yg, int64_t rg, int64_t *y,
			 int64_t *r)
{
	switch (op) {
	case OP_ADD:
		*y = apply(op, yf, yg);
		*r = rf + rg;
		return;
	case OP_SUB:
		*y = apply(op, yf, yg);
		*r = rf - rg;
		return;
	case OP_MIN:
		if (yf == INF || yg == INF || yf == NINF || yg == NINF) {
			*y = apply(op, yf, yg);
			*r = *y == yf ? rf : rg;
		} else if (up) { /* any one operand bounds the minimum from above */
			bool pick_f = rf < rg || (rf == rg && yf <= yg);
			*y = pick_f ? yf : yg;
			*r = pick_f ? rf : rg;
		} else {
			*y = yf < yg ? yf : yg;
			*r = rf < rg ? rf : rg;
		}
		return;
	case OP_MAX:
		if (yf == INF || yg == INF || yf == NINF || yg == NINF) {
			*y = apply(op, yf, yg);
			*r = *y == yf ? rf : rg;
		} else if (up) {
			*y = yf > yg ? yf : yg;
			*r = rf > rg ? rf : rg;
		} else { /* any one operand bounds the maximum from below */
			bool pick_f = rf > rg || (rf == rg && yf >= yg);
			*y = pick_f ? yf : yg;
			*r = pick_f ? rf : rg;
		}
		return;
	}
}

/*
 * Point value, right limit and slope of C at A, where K is the number of
 * segments with x <= A (the caller's cursor): O(1) instead of a search.
 */
static void probe(const struct rtc_curve *c, int k, int64_t a, int64_t *pt, int64_t *r, int64_t *s)
{
	if (a >= c->horizon) {
		*r = rtc_curve_tail_at(c, a);
		*s = c->tail_slope / RTC_TAIL_DEN;
		*pt = (a == c->horizon && k > 0 && c->segs[k - 1].x == a) ? c->segs[k - 1].y : *r;
		return;
	}
	if (k == 0) {
		*pt = *r = 0;
		*s = 0;
		return;
	}
	const struct rtc_curve_seg *g = &c->segs[k - 1];
	bool inf = is_inf(g->y_right);
	*r = inf ? g->y_right : g->y_right + g->slope * (a - g->x);
	*pt = g->x == a ? g->y : *r;
	*s = inf ? 0 : g->slope;
}

static void binop(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g, enum binop op,
		  bool up)
{
	/* A tail with an integral slope is just one more segment: the result
	 * stays exact up to the other curve's horizon. */
	int64_t ef = f->tail_slope % RTC_TAIL_DEN == 0 ? INF : f->horizon;
	int64_t eg = g->tail_slope % RTC_TAIL_DEN == 0 ? INF : g->horizon;
	int64_t H = ef < eg ? ef : eg;
	if (H == INF) {
		H = f->horizon > g->horizon ? f->horizon : g->horizon;
		/* two lines: let the prefix run past the point where they cross */
		int64_t yf = rtc_curve_tail_at(f, H), yg = rtc_curve_tail_at(g, H);
		int64_t sf = f->tail_slope / RTC_TAIL_DEN, sg = g->tail_slope / RTC_TAIL_DEN;
		if ((op == OP_MIN || op == OP_MAX) && !is_inf(yf) && !is_inf(yg) && sf != sg &&
		    ((yf < yg) != (sf < sg)) && yf != yg)
			H = rtc_sat_add(H, rtc_div_round((__int128)yg - yf, (__int128)sf - sg, true) + 1);
	}
	rtc_curve_reset(out, up);
	int i = 0, j = 0;
	int64_t a = 0;
	for (;;) {
		/* next breakpoint after a */
		while (i < f->n && f->segs[i].x <= a)
			i++;
		while (j < g->n && g->segs[j].x <= a)
			j++;
		int64_t b = H;
		if (i < f->n && f->segs[i].x < b)
			b = f->segs[i].x;
		if (j < g->n && g->segs[j].x < b)
			b = g->segs[j].x;
		if (f->horizon > a && f->horizon < b)
			b = f->horizon;
		if (g->horizon > a && g->horizon < b)
			b = g->horizon;
		if (a >= H)
			break;
		int64_t fp, fr, sf, gp, gr, sg;
		probe(f, i, a, &fp, &fr, &sf);
		probe(g, j, a, &gp, &gr, &sg);
		int64_t pt = apply(op, fp, gp);
		if (op == OP_ADD || op == OP_SUB) {
			int64_t s = op == OP_ADD ? sf + sg : sf - sg;
			int64_t r = apply(op, fr, gr);
			rtc_curve_push(out, a, pt, r, is_inf(r) ? 0 : s);
		} else if (is_inf(fr) || is_inf(gr) || sf == sg) {
			int64_t r = apply(op, fr, gr);
			int64_t s = is_inf(r) ? 0 : r == fr && (r != gr || (op == OP_MIN ? sf <= sg : sf >= sg)) ? sf : sg;
			rtc_curve_push(out, a, pt, r, s);
		} else {
			/* which line wins right after a, and does the other take over before b? */
			bool f_wins = op == OP_MIN ? (fr < gr || (fr == gr && sf < sg)) : (fr > gr || (fr == gr && sf > sg));
			int64_t wr = f_wins ? fr : gr, ws = f_wins ? sf : sg;
			int64_t lr = f_wins ? gr : fr, ls = f_wins ? sg : sf;
			/* crossing: wr + ws d = lr + ls d  ->  d = (lr - wr)/(ws - ls) */
			__int128 num = (__int128)lr - wr, den = (__int128)ws - ls;
			if (den < 0) {
				num = -num;
				den = -den;
			}
			bool crosses = num > 0 && num < den * (b - a);
			rtc_curve_push(out, a, pt, wr, ws);
			if (crosses) {
				int64_t d0 = rtc_div_round(num, den, false), d1 = rtc_div_round(num, den, true);
				int64_t c0 = a + d0, c1 = a + d1;
				if (c0 == c1) {
					if (c1 < b)
						rtc_curve_push(out, c1, apply(op, wr + ws * d1, lr + ls * d1),
							       lr + ls * d1, ls);
				} else {
					/* non-integer crossing: one safe line over (c0, c1) */
					int64_t A = wr + ws * d0, B = lr + ls * d0;
					int64_t sy = up ? (A > B ? A : B) : (A < B ? A : B);
					int64_t ss = up ? (ws > ls ? ws : ls) : (ws < ls ? ws : ls);
					rtc_curve_push(out, c0, apply(op, A, B), sy, ss);
					if (c1 < b)
						rtc_curve_push(out, c1, apply(op, wr + ws * d1, lr + ls * d1),
							       lr + ls * d1, ls);
				}
			}
		}
		a = b;
	}
	int64_t yf, yg, y, r;
	rtc_curve_bound_from(f, H, &yf);
	rtc_curve_bound_from(g, H, &yg);
	tail_combine(op, up, yf, f->tail_slope, yg, g->tail_slope, &y, &r);
	out->horizon = H;
	out->tail_y = y;
	out->tail_slope = r;
}

void rtc_curve_min(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	binop(out, f, g, OP_MIN, f->is_upper);
}

void rtc_curve_max(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	binop(out, f, g, OP_MAX, f->is_upper);
}

void rtc_curve_add(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	binop(out, f, g, OP_ADD, f->is_upper);
}

void rtc_curve_sub(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	binop(out, f, g, OP_SUB, f->is_upper);
}

/* ---- unary operations -------------------------------------------------- */

void rtc_curve_scale(struct rtc_curve *c, int64_t k)
{
	for (int i = 0; i < c->n; i++) {
		struct rtc_curve_seg *s = &c->segs[i];
		if (!is_inf(s->y))
			s->y = rtc_sat_mul(s->y, k);
		if (!is_inf(s->y_right)) {
			s->y_right = rtc_sat_mul(s->y_right, k);
			s->slope = rtc_sat_mul(s->slope, k);
		}
	}
	if (!is_inf(c->tail_y))
		c->tail_y = rtc_sat_mul(c->tail_y, k);
	c->tail_slope = rtc_sat_mul(c->tail_slope, k);
}

void rtc_curve_clamp0(struct rtc_curve *c)
{
	struct rtc_curve zero, tmp;
	rtc_curve_init(&zero, c->is_upper);
	rtc_curve_init(&tmp, c->is_upper);
	rtc_curve_push(&zero, 0, 0, 0, 0);
	zero.horizon = c->horizon;
	binop(&tmp, c, &zero, OP_MAX, c->is_upper);
	/* beyond the horizon max(tail, 0) is not affine: an upper tail keeps max
	 * offset and slope (done by binop); a lower one keeps the curve's tail. */
	rtc_curve_copy(c, &tmp);
	rtc_curve_destroy(&zero);
	rtc_curve_destroy(&tmp);
}

void rtc_curve_sup_closure(struct rtc_curve *c)
{
	rtc_curve_sup_closure_from(c, NINF);
}

void rtc_curve_sup_closure_from(struct rtc_curve *c, int64_t floor)
{
	/* f'(t) = max(FLOOR, sup_{0<=s<=t} f(s)) (Wandeler 2006, remaining
	 * service of FP with FLOOR = 0: sup-closure of max(0, f)). */
	struct rtc_curve tmp;
	rtc_curve_init(&tmp, c->is_upper);
	int64_t M = floor;
	for (int i = 0; i < c->n; i++) {
		const struct rtc_curve_seg *s = &c->segs[i];
		int64_t end = i + 1 < c->n ? c->segs[i + 1].x : c->horizon;
		if (s->y > M)
			M = s->y;
		int64_t pt = M;
		if (is_inf(s->y_right) || s->y_right >= M) {
			if (!is_inf(s->y_right) && s->slope < 0) {
				/* a falling line: flat at its start value */
				rtc_curve_push(&tmp, s->x, pt, s->y_right, 0);
				M = s->y_right;
			} else {
				rtc_curve_push(&tmp, s->x, pt, s->y_right, s->slope);
				if (!is_inf(s->y_right))
					M = s->y_right + s->slope * (end - s->x);
			}
			continue;
		}
		/* starts below M: flat until the line climbs past M (if it does before end) */
		int64_t endv = s->y_right + s->slope * (end - s->x);
		if (s->slope <= 0 || endv <= M) {
			rtc_curve_push(&tmp, s->x, pt, M, 0);
			continue;
		}
		int64_t d0 = rtc_div_round(M - s->y_right, s->slope, false);
		int64_t d1 = rtc_div_round(M - s->y_right, s->slope, true);
		rtc_curve_push(&tmp, s->x, pt, M, 0);
		if (d0 == d1) {
			rtc_curve_push(&tmp, s->x + d0, M, M, s->slope);
		} else if (c->is_upper) {
			rtc_curve_push(&tmp, s->x + d0, M, M, s->slope);
		} else {
			rtc_curve_push(&tmp, s->x + d1, M, s->y_right + s->slope * d1, s->slope);
		}
		M = endv;
	}
	tmp.horizon = c->horizon;
	tmp.tail_y = c->tail_y;
	tmp.tail_slope = c->tail_slope < 0 ? 0 : c->tail_slope;
	if (c->is_upper && !is_inf(tmp.tail_y) && M != NINF && M > tmp.tail_y)
		tmp.tail_y = M;
	if (!c->is_upper && c->tail_slope < 0)
		tmp.tail_y = M == NINF ? c->tail_y : M; /* flat at the reached maximum */
	free(c->segs); /* hand tmp's storage over instead of copying */
	*c = tmp;
}

/*
 * ceil(v/k) (UP) or floor(v/k) of the segment starting at A (point value PT,
 * line R + S(t - A) up to B). Where a step falls between two ticks an upper
 * staircase steps at the earlier tick and a lower one at the later tick.
 */
static void div_segment(struct rtc_curve *out, int64_t a, int64_t b, int64_t pt, int64_t r, int64_t s, int64_t k,
			bool up)
{
	int64_t ptq = is_inf(pt) ? pt : rtc_div_round(pt, k, up);
	if (is_inf(r) || s <= 0) {
		rtc_curve_push(out, a, ptq, is_inf(r) ? r : rtc_div_round(r, k, up), 0);
		return; /* (the curves we divide never fall) */
	}
	/* a rising line is above r right after a */
	int64_t q = up ? rtc_div_round(r, k, false) + 1 : rtc_div_round(r, k, false);
	rtc_curve_push(out, a, ptq, q, 0);
	for (;;) {
		if (up) {
			/* ceil steps to q+1 right after v = q*k */
			int64_t x = a + rtc_div_round((__int128)q * k - r, s, false);
			if (x >= b)
				return;
			int64_t v = r + s * (x - a);
			rtc_curve_push(out, x, x == a ? ptq : rtc_div_round(v, k, true), q + 1, 0);
			q++;
		} else {
			/* floor reaches q+1 at v = (q+1)*k */
			int64_t x = a + rtc_div_round((__int128)(q + 1) * k - r, s, true);
			if (x >= b)
				return;
			q = rtc_div_round(r + s * (x - a), k, false);
			rtc_curve_push(out, x, q, q, 0);
		}
	}
}

static void divide(struct rtc_curve *out, const struct rtc_curve *f, int64_t k, bool up)
{
	rtc_curve_reset(out, f->is_upper);
	for (int i = 0; i < f->n; i++) {
		const struct rtc_curve_seg *s = &f->segs[i];
		int64_t end = i + 1 < f->n ? f->segs[i + 1].x : f->horizon;
		div_segment(out, s->x, end, s->y, s->y_right, s->slope, k, up);
	}
	out->horizon = f->horizon;
	/* ceil(v/k) <= (v + k - 1)/k; floor(v/k) >= (v - k + 1)/k */
	out->tail_y = is_inf(f->tail_y) ? f->tail_y : rtc_div_round(f->tail_y + (up ? k - 1 : 1 - k), k, up);
	out->tail_slope = rtc_div_round(f->tail_slope, k, up);
}

void rtc_curve_div_ceil(struct rtc_curve *out, const struct rtc_curve *f, int64_t k)
{
	divide(out, f, k, true);
}

void rtc_curve_div_floor(struct rtc_curve *out, const struct rtc_curve *f, int64_t k)
{
	divide(out, f, k, false);
}

/* ---- deviations and inverse ------------------------------------------- */

/* Non-decreasing prefix (every service curve the analysis builds): inverse can bisect. */
static bool is_monotone(const struct rtc_curve *f)
{
	for (int i = 0; i < f->n; i++) {
		const struct rtc_curve_seg *s = &f->segs[i];
		if (is_inf(s->y) || is_inf(s->y_right) || s->slope < 0 || s->y_right < s->y)
			return false;
		int64_t end = i + 1 < f->n ? f->segs[i + 1].x : f->horizon;
		int64_t endv = s->y_right + s->slope * (end - s->x);
		if (i + 1 < f->n && f->segs[i + 1].y < endv)
			return false;
	}
	return true;
}

static int64_t inverse_from(const struct rtc_curve *f, int64_t y, int first);

int64_t rtc_curve_inverse(const struct rtc_curve *f, int64_t y)
{
	return inverse_from(f, y, 0);
}

/* inverse on a monotone curve: skip the segments whose end value is below y */
static int64_t inverse_mono(const struct rtc_curve *f, int64_t y)
{
	int lo = 0, hi = f->n; /* first segment whose end value reaches y */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct rtc_curve_seg *s = &f->segs[mid];
		int64_t end = mid + 1 < f->n ? f->segs[mid + 1].x : f->horizon;
		if (s->y_right + s->slope * (end - s->x) >= y)
			hi = mid;
		else
			lo = mid + 1;
	}
	return inverse_from(f, y, lo > 0 ? lo - 1 : 0);
}

static int64_t inverse_from(const struct rtc_curve *f, int64_t y, int first)
{
	for (int i = first; i < f->n; i++) {
		const struct rtc_curve_seg *s = &f->segs[i];
		int64_t end = i + 1 < f->n ? f->segs[i + 1].x : f->horizon;
		if (s->y >= y || (s->y_right >= y && s->y_right != NINF))
			return s->x;
		if (is_inf(s->y_right) || s->slope <= 0)
			continue;
		int64_t d = rtc_div_round((__int128)y - s->y_right, s->slope, true);
		if (s->x + d < end || (s->x + d == end && end == f->horizon))
			return s->x + d;
	}
	if (f->tail_y >= y)
		return f->horizon;
	if (f->tail_slope <= 0 || f->tail_y == NINF)
		return INF;
	/* tail_y + slope*(t-h)/DEN >= y; the tail value is rounded down for lower curves. */
	int64_t d = rtc_div_round(((__int128)y - f->tail_y) * RTC_TAIL_DEN, f->tail_slope, true);
	return rtc_sat_add(f->horizon, d);
}

/* Updates *best with inverse(g, v) - t (a delay candidate); false when infinite. */
static bool delay_try(const struct rtc_curve *g, bool mono, int64_t t, int64_t v, int64_t *best)
{
	if (v == NINF)
		return true;
	if (v == INF)
		return false;
	int64_t u = mono ? inverse_mono(g, v) : rtc_curve_inverse(g, v);
	if (u == INF)
		return false;
	if (u - t > *best)
		*best = u - t;
	return true;
}

/* The values at which g's inverse changes slope: breakpoint values and limits. */
static int g_values(const struct rtc_curve *g, int j, int64_t v[3])
{
	v[0] = g->segs[j].y;
	v[1] = g->segs[j].y_right;
	v[2] = rtc_curve_eval_left(g, g->segs[j].x);
	return 3;
}

/*
 * For a rising piece of demand v(t) = r + s (t - x) on [x, end] (s per tick,
 * or per RTC_TAIL_DEN ticks in the tail), tries the points where it meets one
 * of g's breakpoint values: between those points the delay is linear in t.
 * The meeting time is rounded down, which can only enlarge the delay.
 */
static bool delay_try_rising(const struct rtc_curve *g, bool mono, int64_t x, int64_t end, int64_t r, int64_t s, int64_t per,
			     int64_t *best)
{
	for (int j = 0; j <= g->n; j++) {
		int64_t v[3];
		int nv = j < g->n ? g_values(g, j, v) : 1;
		if (j == g->n)
			v[0] = g->tail_y;
		for (int q = 0; q < nv; q++) {
			if (is_inf(v[q]) || v[q] <= r)
				continue;
			int64_t t = rtc_sat_add(x, rtc_div_round(((__int128)v[q] - r) * per, s, false));
			if (t > end)
				continue;
			if (!delay_try(g, mono, t, v[q], best))
				return false;
		}
	}
	return true;
}

int64_t rtc_curve_hdev_upto(const struct rtc_curve *f, const struct rtc_curve *g, int64_t tmax)
{
	int64_t best = 0;
	bool mono = is_monotone(g);
	for (int i = 0; i < f->n; i++) {
		const struct rtc_curve_seg *s = &f->segs[i];
		int64_t end = i + 1 < f->n ? f->segs[i + 1].x : f->horizon;
		if (s->x >= tmax)
			break;
		if (end > tmax)
			end = tmax;
		if (!delay_try(g, mono, s->x, s->y, &best) || !delay_try(g, mono, s->x, s->y_right, &best))
			return INF;
		if (s->slope > 0 && !is_inf(s->y_right)) {
			if (!delay_try(g, mono, end, s->y_right + s->slope * (end - s->x), &best) ||
			    !delay_try_rising(g, mono, s->x, end, s->y_right, s->slope, 1, &best))
				return INF;
		}
	}
	/* the tail: f(t) <= a + rf (t - h) for t >= h */
	int64_t h = f->horizon, a = rtc_curve_tail_at(f, h);
	if (tmax <= h)
		return best;
	if (!delay_try(g, mono, h, rtc_curve_eval(f, h), &best) || !delay_try(g, mono, h, a, &best))
		return INF;
	if (f->tail_slope > 0) {
		if (g->tail_slope < f->tail_slope)
			return INF;
		if (!delay_try_rising(g, mono, h, INF, a, f->tail_slope, RTC_TAIL_DEN, &best))
			return INF;
	}
	return best;
}

int64_t rtc_curve_hdev(const struct rtc_curve *f, const struct rtc_curve *g)
{
	return rtc_curve_hdev_upto(f, g, INF);
}

int64_t rtc_curve_vdev(const struct rtc_curve *f, const struct rtc_curve *g)
{
	int64_t best = NINF;
#define TRYV(fv, gv)                                                 \
	do {                                                         \
		int64_t fv_ = (fv), gv_ = (gv);                      \
		if (fv_ == INF || gv_ == NINF)                       \
			return INF;                                  \
		if (fv_ != NINF && gv_ != INF && fv_ - gv_ > best)   \
			best = fv_ - gv_;                            \
	} while (0)
	const struct rtc_curve *cs[2] = {f, g};
	for (int c = 0; c < 2; c++) {
		for (int i = 0; i < cs[c]->n; i++) {
			int64_t x = cs[c]->segs[i].x;
			TRYV(rtc_curve_eval(f, x), rtc_curve_eval(g, x));
			TRYV(rtc_curve_eval_right(f, x), rtc_curve_eval_right(g, x));
			if (x > 0)
				TRYV(rtc_curve_eval_left(f, x), rtc_curve_eval_left(g, x));
		}
		int64_t h = cs[c]->horizon;
		TRYV(rtc_curve_eval(f, h), rtc_curve_eval(g, h));
		if (h > 0)
			TRYV(rtc_curve_eval_left(f, h), rtc_curve_eval_left(g, h));
	}
	if (f->tail_slope > g->tail_slope)
		return INF;
#undef TRYV
	return best < 0 ? 0 : best;
}
