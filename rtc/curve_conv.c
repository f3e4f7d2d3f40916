/*
 * curve_conv.c - min-plus and max-plus convolution and deconvolution
 * (Le Boudec & Thiran, "Network Calculus", 2001, sec. 3.1.6-3.1.10).
 *
 * (f (x) g)(t) = inf_{0<=s<=t} f(s) + g(t-s)   (min-plus convolution)
 * (f (/) g)(t) = sup_{u>=0} f(t+u) - g(u)      (min-plus deconvolution)
 * and the max-plus ones with sup/inf exchanged, computed as
 * -((-f) op (-g)).
 *
 * For piecewise-linear curves the infimum (supremum) over s is reached at, or
 * approached towards, a breakpoint of one of the operands, so the result is
 * the lower (upper) envelope of copies of one operand shifted to the other's
 * breakpoints, with the value at the breakpoint and both one-sided limits
 * (Bouillard & Thierry 2008, sec. 4, do the same per segment pair). That is
 * O((n+m)^2) operations of O(n+m): fine for the analysis sizes, which never
 * call these in their inner loops.
 *
 * Beyond the horizon the result keeps an affine bound of its kind: a lower
 * convolution is bounded below by the convolution of global affine lower
 * bounds of the operands, an upper one above by f(0) + g (or g(0) + f); an
 * upper deconvolution by f's tail plus sup_u (r_f u - g(u)).
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

#define INF RTC_CURVE_INF
#define NINF RTC_CURVE_NEG_INF

static bool is_inf(int64_t v)
{
	return v == INF || v == NINF;
}

static int64_t add_c(int64_t v, int64_t c)
{
	return is_inf(v) ? v : rtc_sat_add(v, c);
}

/* A tail with an integral slope behaves as one more segment. */
static bool tail_integral(const struct rtc_curve *c)
{
	return c->tail_slope % RTC_TAIL_DEN == 0;
}

/* Keeps only [0, h) of the prefix; the caller sets the tail. */
static void truncate_at(struct rtc_curve *c, int64_t h)
{
	while (c->n > 0 && c->segs[c->n - 1].x >= h)
		c->n--;
	c->horizon = h;
}

/*
 * out = c + V(t - x) for t >= x and FILL before, where V is g with its point
 * values replaced by: the values (VARIANT 0), the left limits (1), the right
 * limits (2). With variant 1 the point at t = x itself is FILL (the limit
 * from the left does not exist at 0).
 */
static void shifted(struct rtc_curve *out, const struct rtc_curve *g, int64_t x, int64_t c, int variant,
		    int64_t fill, bool up)
{
	rtc_curve_reset(out, up);
	if (x > 0)
		rtc_curve_push(out, 0, fill, fill, 0);
	for (int i = 0; i < g->n; i++) {
		const struct rtc_curve_seg *s = &g->segs[i];
		int64_t pt = variant == 0 ? s->y
			     : variant == 2 ? s->y_right
			     : s->x == 0   ? fill
					   : rtc_curve_eval_left(g, s->x);
		rtc_curve_push(out, x + s->x, add_c(pt, c), add_c(s->y_right, c), s->slope);
	}
	out->horizon = x + g->horizon;
	out->tail_y = add_c(g->tail_y, c);
	out->tail_slope = g->tail_slope;
	if (g->n == 0 || g->segs[g->n - 1].x != g->horizon) {
		/* the tail starts at the horizon: its point value follows the variant too */
		int64_t pt = variant == 1 && g->horizon == 0 ? fill : add_c(rtc_curve_tail_at(g, g->horizon), c);
		if (variant == 1 && g->horizon > 0)
			pt = add_c(rtc_curve_eval_left(g, g->horizon), c);
		rtc_curve_push(out, x + g->horizon, pt, out->tail_y, 0);
	}
}

/* Lower envelope (UP false: min) or upper envelope (max) of ACC and CAND, kept on [0, h). */
static void envelope(struct rtc_curve *acc, const struct rtc_curve *cand, struct rtc_curve *tmp, bool take_min,
		     int64_t h)
{
	if (take_min)
		rtc_curve_min(tmp, acc, cand);
	else
		rtc_curve_max(tmp, acc, cand);
	truncate_at(tmp, h);
	rtc_curve_copy(acc, tmp);
}

/* Global affine bound of C with slope R (per RTC_TAIL_DEN): offset at t = 0. */
static int64_t affine_offset(const struct rtc_curve *c, int64_t r, bool upper)
{
	struct rtc_curve t = *c;
	t.tail_slope = r;
	t.is_upper = upper;
	int64_t y;
	rtc_curve_bound_from(&t, 0, &y);
	return y;
}

static int64_t prefix_end(const struct rtc_curve *f, const struct rtc_curve *g)
{
	int64_t ef = tail_integral(f) ? INF : f->horizon, eg = tail_integral(g) ? INF : g->horizon;
	int64_t h = ef < eg ? ef : eg;
	if (h == INF)
		h = f->horizon + g->horizon + 1;
	return h > 0 ? h : 1;
}

/* Breakpoints of C below H, and H itself for the segment ending there. */
static int breakpoints(const struct rtc_curve *c, int64_t h, int64_t **xs)
{
	int n = 0;
	*xs = kairos_xmalloc(((size_t)c->n + 2) * sizeof(int64_t));
	for (int i = 0; i < c->n; i++)
		if (c->segs[i].x < h)
			(*xs)[n++] = c->segs[i].x;
	if (c->horizon < h && (n == 0 || (*xs)[n - 1] != c->horizon))
		(*xs)[n++] = c->horizon;
	if (n == 0 || (*xs)[0] != 0) {
		memmove(*xs + 1, *xs, (size_t)n * sizeof(int64_t));
		(*xs)[0] = 0;
		n++;
	}
	return n;
}

/* The min-plus convolution envelope of f's breakpoints against shifted g. */
static void conv_side(struct rtc_curve *acc, const struct rtc_curve *f, const struct rtc_curve *g, int64_t h,
		      struct rtc_curve *cand, struct rtc_curve *tmp)
{
	int64_t *xs;
	int n = breakpoints(f, h, &xs);
	for (int i = 0; i < n; i++) {
		int64_t x = xs[i];
		/* s = x: f(x) + g(t - x) */
		shifted(cand, g, x, rtc_curve_eval(f, x), 0, INF, acc->is_upper);
		envelope(acc, cand, tmp, true, h);
		/* s -> x+: f(x+) + g((t - x)-) */
		shifted(cand, g, x, rtc_curve_eval_right(f, x), 1, INF, acc->is_upper);
		envelope(acc, cand, tmp, true, h);
		/* s -> x-: f(x-) + g((t - x)+) */
		if (x > 0) {
			shifted(cand, g, x, rtc_curve_eval_left(f, x), 2, INF, acc->is_upper);
			envelope(acc, cand, tmp, true, h);
		}
	}
	free(xs);
}

void rtc_curve_minplus_conv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	bool up = f->is_upper;
	int64_t h = prefix_end(f, g);
	struct rtc_curve cand, tmp;
	rtc_curve_init(&cand, up);
	rtc_curve_init(&tmp, up);
	rtc_curve_reset(out, up);
	rtc_curve_push(out, 0, INF, INF, 0);
	out->horizon = h;
	out->tail_y = INF;
	conv_side(out, f, g, h, &cand, &tmp);
	conv_side(out, g, f, h, &cand, &tmp);
	truncate_at(out, h);
	if (up) {
		/* (f*g)(t) <= f(0) + g(t) and <= g(0) + f(t): keep the flatter */
		int64_t yf, yg;
		rtc_curve_bound_from(g, h, &yg);
		rtc_curve_bound_from(f, h, &yf);
		yg = add_c(yg, rtc_curve_eval(f, 0));
		yf = add_c(yf, rtc_curve_eval(g, 0));
		bool pick_g = g->tail_slope < f->tail_slope || (g->tail_slope == f->tail_slope && yg <= yf);
		out->tail_y = pick_g ? yg : yf;
		out->tail_slope = pick_g ? g->tail_slope : f->tail_slope;
	} else {
		/* f >= af + rf t, g >= ag + rg t  =>  f*g >= af + ag + min(rf, rg) t */
		int64_t r = f->tail_slope < g->tail_slope ? f->tail_slope : g->tail_slope;
		int64_t af = affine_offset(f, r, false), ag = affine_offset(g, r, false);
		out->tail_slope = r;
		out->tail_y = (af == NINF || ag == NINF) ? NINF
							 : af + ag + rtc_div_round((__int128)r * h, RTC_TAIL_DEN, false);
	}
	rtc_curve_destroy(&cand);
	rtc_curve_destroy(&tmp);
}

/*
 * out(t) = c - V(x - t) for t <= x, NINF after: g reflected at x, exact where
 * g has integral slopes (its prefix and an integral tail); over g's rational
 * tail, g(u) >= g(hg) gives the constant c - g(hg), above the truth (safe for
 * an upper result).
 */
static void reflected(struct rtc_curve *out, const struct rtc_curve *g, int64_t x, int64_t c, bool up)
{
	rtc_curve_reset(out, up);
	int64_t hg = g->horizon;
	if (x > hg) {
		/* u in (hg, x]: the tail */
		if (tail_integral(g)) {
			int64_t s = g->tail_slope / RTC_TAIL_DEN;
			int64_t v = rtc_curve_tail_at(g, x);
			rtc_curve_push(out, 0, c - v, c - v, s);
		} else {
			int64_t v = rtc_curve_eval(g, hg);
			rtc_curve_push(out, 0, c - v, c - v, 0);
		}
	}
	/* segments from the last (nearest t = x - hg) to the first (t = x) */
	for (int i = g->n - 1; i >= 0; i--) {
		const struct rtc_curve_seg *s = &g->segs[i];
		int64_t end = i + 1 < g->n ? g->segs[i + 1].x : hg;
		int64_t t0 = x - end;
		if (t0 + (end - s->x) <= 0)
			continue;
		if (t0 < 0) {
			/* starts before 0: the part with t in [0, x - s.x) */
			int64_t u = x; /* t = 0 <-> u = x */
			int64_t v = is_inf(s->y_right) ? s->y_right : s->y_right + s->slope * (u - s->x);
			rtc_curve_push(out, 0, add_c(-v, c), add_c(-v, c), s->slope);
		} else {
			int64_t pt = t0 == x - hg && end == hg ? rtc_curve_eval(g, end) : rtc_curve_eval(g, end);
			int64_t left = rtc_curve_eval_left(g, end);
			rtc_curve_push(out, t0, add_c(-pt, c), add_c(-left, c), s->slope);
		}
		(void)0;
	}
	/* t = x <-> u = 0, then nothing */
	int64_t g0 = rtc_curve_eval(g, 0);
	rtc_curve_push(out, x, add_c(-g0, c), NINF, 0);
	out->horizon = x + 1;
	out->tail_y = NINF;
	out->tail_slope = 0;
}

/*
 * Copies F with its prefix extended to UNTIL: the tail's stretch [h, until)
 * becomes one segment with the tail slope rounded to an integer on F's safe
 * side (exact for integral slopes), the tail continues from there.
 */
static void extend(struct rtc_curve *out, const struct rtc_curve *f, int64_t until)
{
	rtc_curve_copy(out, f);
	if (f->horizon >= until || is_inf(f->tail_y))
		return;
	int64_t s = rtc_div_round(f->tail_slope, RTC_TAIL_DEN, f->is_upper);
	int64_t pt = rtc_curve_eval(f, f->horizon);
	if (out->n && out->segs[out->n - 1].x == f->horizon)
		out->n--;
	rtc_curve_push(out, f->horizon, pt, f->tail_y, s);
	int64_t y = rtc_sat_add(f->tail_y, rtc_sat_mul(s, until - f->horizon));
	out->horizon = until;
	out->tail_y = y;
}

void rtc_curve_minplus_deconv(struct rtc_curve *out, const struct rtc_curve *f0, const struct rtc_curve *g)
{
	bool up = f0->is_upper;
	int64_t h = f0->horizon > 0 ? f0->horizon : 1;
	struct rtc_curve fx;
	rtc_curve_init(&fx, up);
	int64_t ylast = g->n ? g->segs[g->n - 1].x : 0;
	if (g->horizon > ylast)
		ylast = g->horizon;
	extend(&fx, f0, h + ylast + 2);
	const struct rtc_curve *f = &fx;
	struct rtc_curve cand, tmp, fl;
	rtc_curve_init(&cand, up);
	rtc_curve_init(&tmp, up);
	rtc_curve_init(&fl, up);
	rtc_curve_reset(out, up);
	rtc_curve_push(out, 0, NINF, NINF, 0);
	out->horizon = h;
	out->tail_y = NINF;
	if (g->tail_slope < f->tail_slope) {
		/* f grows faster than g serves: unbounded */
		rtc_curve_reset(out, up);
		rtc_curve_push(out, 0, INF, INF, 0);
		out->horizon = h;
		out->tail_y = INF;
		goto done;
	}
	/* u at g's breakpoints: f(t + y) - g(y), with the one-sided limits */
	int64_t *ys;
	int ny = breakpoints(g, INF, &ys);
	for (int j = 0; j < ny; j++) {
		int64_t y = ys[j];
		for (int v = 0; v < 3; v++) {
			if (v == 2 && y == 0)
				continue;
			int64_t gv = v == 0 ? rtc_curve_eval(g, y) : v == 1 ? rtc_curve_eval_right(g, y)
									   : rtc_curve_eval_left(g, y);
			/* f(t + y) (v 0), f((t+y)+) (v 1), f((t+y)-) (v 2) as a curve of t */
			rtc_curve_reset(&fl, up);
			int64_t p0 = v == 0 ? rtc_curve_eval(f, y) : v == 1 ? rtc_curve_eval_right(f, y)
									   : rtc_curve_eval_left(f, y);
			rtc_curve_push(&fl, 0, add_c(p0, -gv), add_c(rtc_curve_eval_right(f, y), -gv),
				       y < f->horizon ? rtc_curve_slope_at(f, y) : 0);
			for (int i = 0; i < f->n; i++) {
				const struct rtc_curve_seg *s = &f->segs[i];
				if (s->x <= y)
					continue;
				int64_t pt = v == 0 ? s->y : v == 1 ? s->y_right : rtc_curve_eval_left(f, s->x);
				rtc_curve_push(&fl, s->x - y, add_c(pt, -gv), add_c(s->y_right, -gv), s->slope);
			}
			fl.horizon = f->horizon > y ? f->horizon - y : 0;
			fl.tail_y = add_c(rtc_curve_tail_at(f, fl.horizon + y), -gv);
			fl.tail_slope = f->tail_slope;
			if (f->horizon <= y) {
				fl.n = 0;
				rtc_curve_push(&fl, 0, add_c(p0, -gv), fl.tail_y, 0);
			}
			envelope(out, &fl, &tmp, false, h);
		}
	}
	free(ys);
	/* t + u at f's breakpoints x: f(x) - g(x - t) for t <= x */
	int64_t *xs;
	int nx = breakpoints(f, INF, &xs);
	for (int i = 0; i < nx; i++) {
		reflected(&cand, g, xs[i], rtc_curve_eval(f, xs[i]), up);
		envelope(out, &cand, &tmp, false, h);
		reflected(&cand, g, xs[i], rtc_curve_eval_right(f, xs[i]), up);
		envelope(out, &cand, &tmp, false, h);
	}
	free(xs);
	/* t >= h: f(t+u) <= fy + rf (t + u - h), so (f/g)(t) <= fy + rf (t - h) + sup_u (rf u - g(u)) */
	{
		int64_t fy;
		rtc_curve_bound_from(f0, h, &fy);
		int64_t gmin = affine_offset(g, f->tail_slope, false);
		out->tail_y = (fy == INF || gmin == NINF) ? INF : fy - gmin;
		out->tail_slope = f->tail_slope;
	}
done:
	rtc_curve_destroy(&cand);
	rtc_curve_destroy(&tmp);
	rtc_curve_destroy(&fl);
	rtc_curve_destroy(&fx);
}

/* -c, which turns an upper curve into a lower one and back. */
static void negate(struct rtc_curve *out, const struct rtc_curve *c)
{
	rtc_curve_copy(out, c);
	out->is_upper = !c->is_upper;
	for (int i = 0; i < out->n; i++) {
		struct rtc_curve_seg *s = &out->segs[i];
		s->y = s->y == INF ? NINF : s->y == NINF ? INF : -s->y;
		s->y_right = s->y_right == INF ? NINF : s->y_right == NINF ? INF : -s->y_right;
		s->slope = -s->slope;
	}
	out->tail_y = out->tail_y == INF ? NINF : out->tail_y == NINF ? INF : -out->tail_y;
	out->tail_slope = -out->tail_slope;
}

typedef void (*minplus_op)(struct rtc_curve *, const struct rtc_curve *, const struct rtc_curve *);

/* out = -((-f) OP (-g)): the max-plus twin of a min-plus operation. */
static void negated(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g, minplus_op op)
{
	struct rtc_curve nf, ng, r;
	rtc_curve_init(&nf, true);
	rtc_curve_init(&ng, true);
	rtc_curve_init(&r, true);
	negate(&nf, f);
	negate(&ng, g);
	op(&r, &nf, &ng);
	negate(out, &r);
	rtc_curve_destroy(&nf);
	rtc_curve_destroy(&ng);
	rtc_curve_destroy(&r);
}

void rtc_curve_maxplus_conv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	negated(out, f, g, rtc_curve_minplus_conv);
}

void rtc_curve_maxplus_deconv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g)
{
	negated(out, f, g, rtc_curve_minplus_deconv);
}
