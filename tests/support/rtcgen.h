/*
 * rtcgen.h - random SPEC §4 analysis models for the RTC soundness oracle.
 *
 * A model is drawn deterministically from a seed: resources with policies
 * fp / edf / tdma (rates and latencies optional), streams whose paths of 1..5
 * hops visit resources, periods from a set whose hyperperiod stays small
 * (every period divides 200, some are decimals) so that the simulator
 * (rtcsim.h) covers several hyperperiods quickly, jitter and minimum
 * distances, bcet <= wcet, a target utilisation per resource (UUniFast split,
 * Bini & Buttazzo 2005) up to max_utilization, unique priorities per fp
 * resource, and tdma slots that fit in the cycle.
 *
 * Every time value is a multiple of 0.001, and every rate is one of
 * 1, 2, 0.5, 0.25, 4, so that a job's demand over its resource's rate is a
 * whole number of simulator ticks (1e-6) and the simulation is exact.
 */
#ifndef KAIROS_TESTS_RTCGEN_H
#define KAIROS_TESTS_RTCGEN_H

#include <stdint.h>

/* Bits of rtcgen_options.policies. */
#define RTCGEN_FP 1u
#define RTCGEN_EDF 2u
#define RTCGEN_TDMA 4u

struct rtcgen_options {
	int min_resources, max_resources; /* 1 .. 8 */
	int min_streams, max_streams;	  /* 1 .. 16 */
	int max_hops;			  /* 1 .. 5 */
	double max_utilization;		  /* per resource, <= 1 */
	unsigned policies;		  /* RTCGEN_* bits */
	int has_jitter;			  /* streams may have jitter and min_distance */
	int has_latency;		  /* fp/edf resources may have a latency */
	int has_rates;			  /* rates other than 1 */
	int has_revisits;		  /* a path may visit a resource twice */
};

/* The full mix: 1-4 resources, 1-6 streams, up to 5 hops, up to 95%, all features on. */
void rtcgen_options_init(struct rtcgen_options *o);

/*
 * Draws one model from SEED under O and returns its JSON text (SPEC §4 input),
 * which the caller frees with free().
 */
char *rtcgen_model(uint64_t seed, const struct rtcgen_options *o);

#endif
