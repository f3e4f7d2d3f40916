/*
 * rtc_internal.h - helpers shared by the files of rtc/ (never included from
 * outside the folder).
 */
#ifndef KAIROS_RTC_INTERNAL_H
#define KAIROS_RTC_INTERNAL_H

#include "rtc/rtc.h"

#define RTC_CURVE_NEG_INF INT64_MIN

/* num/den rounded up (UP) or down, saturated to +-INF/2. den != 0. */
int64_t rtc_div_round(__int128 num, __int128 den, bool up);
/* Empties C (keeps its storage) and sets its kind. */
void rtc_curve_reset(struct rtc_curve *c, bool is_upper);
/* The tail's value at t >= horizon (rounded to the safe side). */
int64_t rtc_curve_tail_at(const struct rtc_curve *c, int64_t t);
/*
 * An affine bound of C on [from, inf) with C's tail slope: *y is the value at
 * FROM (upper curves: above every value of C there, lower: below).
 */
void rtc_curve_bound_from(const struct rtc_curve *c, int64_t from, int64_t *y);
/* Index of the last segment with x <= t, or -1. */
int rtc_curve_seg_find(const struct rtc_curve *c, int64_t t);
/* Appends S to B as a JSON string (quoted, escaped). */
void rtc_buf_put_json_string(struct kairos_buf *b, const char *s);
/* The slope of C on (t, next breakpoint) for t < horizon. */
int64_t rtc_curve_slope_at(const struct rtc_curve *c, int64_t t);

/*
 * An event model: for t > 0 the number of events in any half-open window of
 * length t is at most min_k ceil((t + shift[k]) / period[k]) (a PJD stream
 * and what a chain of GPCs makes of it: every hop adds its delay jitter to
 * the shifts and a minimum distance term). 0 at t = 0.
 */
#define RTC_EM_TERMS 3
struct rtc_em {
	int n;
	int64_t period[RTC_EM_TERMS];
	int64_t shift[RTC_EM_TERMS];
};

/* alpha(t) (RIGHT: the limit alpha(t+)). */
int64_t rtc_em_eval(const struct rtc_em *em, int64_t t, bool right);
/* The upper arrival curve of EM, exact on [0, horizon), affine above beyond. */
void rtc_curve_em_upper(struct rtc_curve *c, const struct rtc_em *em, int64_t horizon);

/*
 * hdev(f, g) restricted to t < TMAX: the delay of a GPC only depends on the
 * demand inside its busy window (docs/RTC.md), so the analysis passes the
 * busy window and never pays for the conservative tails beyond it.
 */
int64_t rtc_curve_hdev_upto(const struct rtc_curve *f, const struct rtc_curve *g, int64_t tmax);

/* Running supremum that never goes below FLOOR (0: sup-closure of max(f, 0)). */
void rtc_curve_sup_closure_from(struct rtc_curve *c, int64_t floor);

/*
 * Validates one (changed) task: its stream, its own fields, priority ties and
 * slot sum against SAME (the NSAME active tasks on its resource, itself included).
 */
int rtc_model_validate_task(const struct rtc_model *m, int t, const int *same, int nsame, struct kairos_error *err);

/* rtc_model_add_stream without the (linear) duplicate-name check: the caller has one. */
int rtc_model_stream_append(struct rtc_model *m, const char *name, int64_t period);

/* A result with names copied from M and everything else zero. */
struct rtc_result *rtc_result_alloc(const struct rtc_model *m);

/* Saturating int64 helpers. */
static inline int64_t rtc_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t rtc_sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return ((a < 0) != (b < 0)) ? INT64_MIN : INT64_MAX;
	return r;
}

#endif
