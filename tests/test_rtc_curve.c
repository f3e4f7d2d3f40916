/*
 * test_rtc_curve.c - the curve algebra: constructors, pointwise operations,
 * closures, staircase division, deviations, (de)convolutions; every value
 * computed by hand from the definitions (times in plain integer ticks).
 */
#include <criterion/criterion.h>

#include "rtc/rtc.h"

static struct rtc_curve A, B, C;

static void setup(void)
{
	rtc_curve_init(&A, true);
	rtc_curve_init(&B, false);
	rtc_curve_init(&C, true);
}

static void teardown(void)
{
	rtc_curve_destroy(&A);
	rtc_curve_destroy(&B);
	rtc_curve_destroy(&C);
}

TestSuite(rtc_curve, .init = setup, .fini = teardown);

#define EQ(c, t, v) cr_assert_eq(rtc_curve_eval((c), (t)), (v), "f(%d) = %lld, expected %lld", (int)(t), \
				 (long long)rtc_curve_eval((c), (t)), (long long)(v))
#define EQR(c, t, v) cr_assert_eq(rtc_curve_eval_right((c), (t)), (v), "f(%d+) = %lld, expected %lld", (int)(t), \
				  (long long)rtc_curve_eval_right((c), (t)), (long long)(v))

Test(rtc_curve, pjd_upper_counts_half_open_windows)
{
	rtc_curve_pjd_upper(&A, 10, 0, 0, 100);
	EQ(&A, 0, 0);
	EQR(&A, 0, 1);
	EQ(&A, 10, 1);
	EQR(&A, 10, 2);
	EQ(&A, 25, 3);
	/* beyond the horizon: above the truth, by less than one event */
	cr_assert_geq(rtc_curve_eval(&A, 1000), 100);
	cr_assert_leq(rtc_curve_eval(&A, 1000), 102); /* (+1 from the rounded tail slope) */
	/* jitter 4 and minimum distance 2: min(ceil((t+4)/10), ceil(t/2)): the
	 * distance term only binds right after 0 (a burst of 2 needs 2 apart) */
	rtc_curve_pjd_upper(&A, 10, 4, 2, 100);
	EQR(&A, 0, 1);
	EQ(&A, 2, 1);
	EQR(&A, 2, 1);
	EQ(&A, 6, 1);
	EQR(&A, 6, 2);
	EQ(&A, 7, 2);
	EQ(&A, 16, 2);
	EQR(&A, 16, 3);
	EQ(&A, 96, 10);
}

Test(rtc_curve, pjd_lower_and_service_curves)
{
	rtc_curve_pjd_lower(&B, 10, 4, 100);
	EQ(&B, 13, 0);
	EQ(&B, 14, 1);
	EQ(&B, 24, 2);
	cr_assert_leq(rtc_curve_eval(&B, 1000), 99); /* floor(996/10) = 99, bound below */
	cr_assert_geq(rtc_curve_eval(&B, 1000), 97);
	rtc_curve_rate_latency(&B, 1, 1, 2);
	EQ(&B, 1, 0);
	EQ(&B, 5, 3);
	rtc_curve_rate_latency(&B, 1, 2, 2);
	EQ(&B, 6, 2);
	EQ(&B, 7, 2); /* 2.5 rounded down: a lower curve */
	/* TDMA slot 2 of cycle 10 (Wandeler & Thiele 2006) */
	rtc_curve_tdma_lower(&B, 2, 10, 50);
	EQ(&B, 8, 0);
	EQ(&B, 9, 1);
	EQ(&B, 10, 2);
	EQ(&B, 18, 2);
	EQ(&B, 19, 3);
	EQ(&B, 20, 4);
	cr_assert_leq(rtc_curve_eval(&B, 98), 18); /* max(18, 98 - 80) = 18 */
}

Test(rtc_curve, min_max_add_sub)
{
	struct rtc_curve f, g;
	rtc_curve_init(&f, false);
	rtc_curve_init(&g, false);
	rtc_curve_affine(&f, false, 5, 1, 1, false); /* 5 + t */
	rtc_curve_affine(&g, false, 0, 2, 1, false); /* 2t */
	rtc_curve_min(&B, &f, &g);
	EQ(&B, 3, 6);
	EQ(&B, 5, 10);
	EQ(&B, 7, 12);
	EQ(&B, 100, 105);
	rtc_curve_max(&B, &f, &g);
	EQ(&B, 3, 8);
	EQ(&B, 7, 14);
	rtc_curve_add(&B, &f, &g);
	EQ(&B, 4, 17);
	rtc_curve_pjd_upper(&A, 10, 0, 0, 50);
	rtc_curve_scale(&A, 3);
	rtc_curve_rate_latency(&g, 1, 1, 0);
	rtc_curve_sub(&B, &g, &A); /* t - 3 ceil(t/10) */
	EQ(&B, 0, 0);
	EQR(&B, 0, -3);
	EQ(&B, 10, 7);
	EQR(&B, 10, 4);
	EQ(&B, 15, 9);
	rtc_curve_destroy(&f);
	rtc_curve_destroy(&g);
}

Test(rtc_curve, min_with_a_crossing_between_ticks_stays_on_its_side)
{
	struct rtc_curve f, g;
	rtc_curve_init(&f, false);
	rtc_curve_init(&g, false);
	rtc_curve_affine(&f, false, 3, 0, 1, false); /* 3 */
	rtc_curve_affine(&g, false, 0, 2, 1, false); /* 2t: crosses 3 at 1.5 */
	rtc_curve_min(&B, &f, &g);
	EQ(&B, 1, 2);
	EQ(&B, 2, 3);
	/* a lower result: at or below min on (1, 2) */
	cr_assert_leq(rtc_curve_eval_right(&B, 1), 2);
	f.is_upper = g.is_upper = true;
	rtc_curve_min(&C, &f, &g);
	EQ(&C, 1, 2);
	EQ(&C, 2, 3);
	cr_assert_geq(rtc_curve_eval_right(&C, 1), 2);
	rtc_curve_destroy(&f);
	rtc_curve_destroy(&g);
}

Test(rtc_curve, remaining_service_is_sup_closed)
{
	/* FP remaining service after a task of C = 3 every 10: sup(0, t - 3 ceil(t/10)) */
	rtc_curve_pjd_upper(&A, 10, 0, 0, 50);
	rtc_curve_scale(&A, 3);
	rtc_curve_rate_latency(&B, 1, 1, 0);
	struct rtc_curve r;
	rtc_curve_init(&r, false);
	rtc_curve_sub(&r, &B, &A);
	rtc_curve_clamp0(&r);
	EQR(&r, 0, 0);
	EQ(&r, 3, 0);
	EQ(&r, 5, 2);
	rtc_curve_sup_closure(&r);
	EQ(&r, 10, 7);
	EQ(&r, 12, 7);  /* t - 6 = 6 < 7: flat */
	EQ(&r, 14, 8);
	EQ(&r, 20, 14);
	/* and the delay of C = 2 every 10 under it: the first t with 2 units: 5 */
	rtc_curve_pjd_upper(&C, 10, 0, 0, 50);
	rtc_curve_scale(&C, 2);
	cr_assert_eq(rtc_curve_hdev(&C, &r), 5);
	rtc_curve_destroy(&r);
}

Test(rtc_curve, staircase_division)
{
	rtc_curve_destroy(&B);
	rtc_curve_init(&B, true);
	rtc_curve_push(&B, 0, 0, 0, 1); /* t, with a prefix up to 20 */
	rtc_curve_set_tail(&B, 20, 20, 1, 1);
	rtc_curve_div_ceil(&C, &B, 3);
	EQ(&C, 0, 0);
	EQ(&C, 3, 1);
	EQR(&C, 3, 2);
	EQ(&C, 4, 2);
	EQ(&C, 7, 3);
	B.is_upper = false;
	struct rtc_curve d;
	rtc_curve_init(&d, false);
	rtc_curve_div_floor(&d, &B, 3);
	EQ(&d, 2, 0);
	EQ(&d, 3, 1);
	EQ(&d, 8, 2);
	EQ(&d, 9, 3);
	rtc_curve_destroy(&d);
}

Test(rtc_curve, deviations_and_inverse)
{
	rtc_curve_pjd_upper(&A, 10, 0, 0, 100);
	rtc_curve_scale(&A, 3);
	rtc_curve_rate_latency(&B, 1, 1, 2);
	cr_assert_eq(rtc_curve_hdev(&A, &B), 5);
	cr_assert_eq(rtc_curve_vdev(&A, &B), 3);
	rtc_curve_rate_latency(&B, 1, 2, 2); /* half speed: 2 + 6 */
	cr_assert_eq(rtc_curve_hdev(&A, &B), 8);
	cr_assert_eq(rtc_curve_inverse(&B, 3), 8);
	cr_assert_eq(rtc_curve_inverse(&B, 0), 0);
	/* overload: demand 3 per 2 against rate 1 */
	rtc_curve_pjd_upper(&A, 2, 0, 0, 100);
	rtc_curve_scale(&A, 3);
	rtc_curve_rate_latency(&B, 1, 1, 0);
	cr_assert_eq(rtc_curve_hdev(&A, &B), RTC_CURVE_INF);
	cr_assert_eq(rtc_curve_vdev(&A, &B), RTC_CURVE_INF);
	/* two jobs in one busy window: C = 6 every 10 with latency 5 -> first job 11, second 10+? */
	rtc_curve_pjd_upper(&A, 10, 0, 0, 100);
	rtc_curve_scale(&A, 6);
	rtc_curve_rate_latency(&B, 1, 1, 5);
	/* job k released at 10k completes at 5 + 6(k+1) while busy: k=0: 11, k=1: 7 */
	cr_assert_eq(rtc_curve_hdev(&A, &B), 11);
}

Test(rtc_curve, minplus_convolution)
{
	struct rtc_curve f, g;
	rtc_curve_init(&f, false);
	rtc_curve_init(&g, false);
	/* rate-latency (1, 2) * rate-latency (1, 3) = rate-latency (1, 5) */
	rtc_curve_rate_latency(&f, 1, 1, 2);
	rtc_curve_rate_latency(&g, 1, 1, 3);
	rtc_curve_minplus_conv(&B, &f, &g);
	EQ(&B, 4, 0);
	EQ(&B, 5, 0);
	EQ(&B, 6, 1);
	EQ(&B, 9, 4);
	EQ(&B, 40, 35);
	/* a sub-additive staircase convolved with itself is itself */
	rtc_curve_pjd_upper(&A, 10, 0, 0, 60);
	rtc_curve_minplus_conv(&C, &A, &A);
	EQ(&C, 0, 0);
	EQR(&C, 0, 1);
	EQ(&C, 10, 1);
	EQR(&C, 10, 2);
	EQ(&C, 35, 4);
	rtc_curve_destroy(&f);
	rtc_curve_destroy(&g);
}

Test(rtc_curve, minplus_deconvolution)
{
	struct rtc_curve g;
	rtc_curve_init(&g, false);
	/* token bucket 3 + t (0 at 0) through rate 2 after latency 4: 7 + t */
	rtc_curve_affine(&A, true, 3, 1, 1, true);
	rtc_curve_rate_latency(&g, 2, 1, 4);
	rtc_curve_minplus_deconv(&C, &A, &g);
	EQ(&C, 0, 7);
	EQ(&C, 2, 9);
	cr_assert_geq(rtc_curve_eval(&C, 50), 57);
	/* a periodic stream through a rate-latency server (1, 5): output is the
	 * input with jitter 5, alpha((t + 5)+) */
	rtc_curve_pjd_upper(&A, 10, 0, 0, 100);
	rtc_curve_rate_latency(&g, 1, 1, 5);
	rtc_curve_minplus_deconv(&C, &A, &g);
	EQ(&C, 0, 1);
	EQ(&C, 4, 1);
	EQ(&C, 5, 2);
	EQ(&C, 15, 3);
	EQ(&C, 16, 3);
	rtc_curve_destroy(&g);
}

Test(rtc_curve, maxplus_operations)
{
	struct rtc_curve f, g;
	rtc_curve_init(&f, false);
	rtc_curve_init(&g, false);
	/* a super-additive lower staircase max-plus convolved with itself is itself */
	rtc_curve_pjd_lower(&f, 10, 0, 60);
	rtc_curve_maxplus_conv(&B, &f, &f);
	EQ(&B, 9, 0);
	EQ(&B, 25, 2);
	EQ(&B, 29, 2);
	EQ(&B, 30, 3);
	/* beta (/)max beta = beta for a rate-latency curve */
	rtc_curve_rate_latency(&g, 1, 1, 2);
	rtc_curve_maxplus_deconv(&B, &g, &g);
	EQ(&B, 1, 0);
	EQ(&B, 5, 3);
	rtc_curve_destroy(&f);
	rtc_curve_destroy(&g);
}
