/*
 * rtc_gpc.h - internal: the per-resource analysis (gpc.c) that analyze.c
 * drives. Never included from outside rtc/.
 */
#ifndef KAIROS_RTC_GPC_H
#define KAIROS_RTC_GPC_H

#include "rtc/rtc_internal.h"

/* One task as its resource's analysis sees it. */
struct rtc_gpc_task {
	/* inputs */
	struct rtc_em in;    /* activations */
	bool in_bounded;     /* false: an upstream hop has no bound */
	int64_t c;           /* wcet in ticks at the resource's rate (rounded up) */
	long priority;       /* fp */
	int64_t deadline;    /* edf: relative deadline, ticks */
	int64_t slot;        /* tdma: ticks */
	int64_t bcrt;        /* lower bound on the response (bcet at full rate, rounded down) */
	/* outputs */
	bool bounded;
	int64_t wcrt, backlog;
	int index;           /* caller's task index */
};

/* Reusable buffers, so that a whole analysis allocates only while they grow. */
struct rtc_gpc_scratch {
	struct rtc_curve beta, alpha, tmp;
	int64_t *cand;
	int ncand, capcand;
};

void rtc_gpc_scratch_init(struct rtc_gpc_scratch *s);
void rtc_gpc_scratch_destroy(struct rtc_gpc_scratch *s);

/*
 * Analyses the N tasks T (reordered in place) on resource R: fills bounded,
 * wcrt and backlog of each. Returns the busy window (ticks) or RTC_CURVE_INF.
 */
int64_t rtc_gpc_analyse(const struct rtc_resource *r, struct rtc_gpc_task **t, int n, struct rtc_gpc_scratch *s);

#endif
