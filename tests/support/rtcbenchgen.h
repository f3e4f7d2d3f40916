/*
 * rtcbenchgen.h - large deterministic analysis models for the RTC benchmark
 * (bench/rtc) and the planner's scale test: R fixed-priority host resources,
 * T tasks on each, grouped into streams (chains) of L tasks that visit L
 * different resources, every resource loaded to about a target utilisation.
 */
#ifndef KAIROS_TESTS_RTCBENCHGEN_H
#define KAIROS_TESTS_RTCBENCHGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "rtc/rtc.h"

struct rtcbenchgen_options {
	int resources;		/* R >= L */
	int tasks_per_resource; /* T */
	int chain;		/* L >= 1: tasks per stream */
	double utilization;	/* per resource, e.g. 0.7 */
	double vm_share; /* fraction of a resource's tasks in one-task streams (0: all chains) */
	bool is_acyclic; /* chains visit resources in increasing index order (a DAG) */
	uint64_t seed;
};

/*
 * A new model (caller frees with rtc_model_free). Periods come from a set of
 * divisors of 1000 units; a resource's utilisation is split over its tasks
 * with UUniFast (Bini & Buttazzo 2005); wcet is rounded to 0.001 units,
 * bcet = wcet / 2; priorities are rate-monotonic and unique in the model
 * (ties by index); a task's deadline is two periods and a stream's 2 L periods.
 * resources are named r0, r1, ...; streams s0, s1, ...; tasks s<i>t<h>.
 */
struct rtc_model *rtcbenchgen_model(const struct rtcbenchgen_options *o);

#endif
