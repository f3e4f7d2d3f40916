/*
 * placegen.h - random small placement instances for measuring the placement
 * heuristic against exhaustive search (tests/test_scheduler_quality.c and
 * bench/placement). Deterministic for a given seed.
 */
#ifndef KAIROS_TESTS_PLACEGEN_H
#define KAIROS_TESTS_PLACEGEN_H

#include <stdint.h>

#include "scheduler/scheduler.h"

/* One instance: a small cloud already loaded with some VSNs, and one more VSN to place. */
struct placegen_instance {
	struct sched_cloud *cloud;
	struct sched_problem prob;   /* owned by the instance */
	int nhosts;
};

/*
 * Builds instance SEED: 3 hosts of 2 cores (speeds 1 or 2, two failure
 * domains), a 1 Gbit/s LAN, 0-3 VSNs admitted with the heuristic, and a VSN of
 * 2-4 compute nodes (a flow over a link, sometimes a backup) to decide.
 */
void placegen_instance_init(struct placegen_instance *in, uint64_t seed);
void placegen_instance_destroy(struct placegen_instance *in);

/* One random VSN (as in the instances) named after I; free with sched_problem_destroy. */
void placegen_problem(uint64_t seed, int i, struct sched_problem *p);

/* Heuristic vs exhaustive over instances [first, first + n). */
struct placegen_quality {
	int instances;
	int exhaustive_admits;       /* E */
	int both_admit;              /* heuristic admits among E */
	int heuristic_only;          /* heuristic admits, exhaustive does not (priority order differs) */
	double heuristic_seconds, exhaustive_seconds;
	long heuristic_evaluations, exhaustive_evaluations;
};

void placegen_quality_run(uint64_t first, int n, struct placegen_quality *q);

#endif
