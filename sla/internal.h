/*
 * internal.h - what the files of sla/ share. Never included from outside sla/.
 */
#ifndef KAIROS_SLA_INTERNAL_H
#define KAIROS_SLA_INTERNAL_H

#include "sla/sla.h"

/*
 * Fills D's nodes, links, flows, availability and reservations from PROB
 * placed at PL with bounds B (replacing what D had there).
 */
void sla_decision_fill(const struct sched_cloud *sc, const struct sched_problem *prob,
		       const struct sched_placement *pl, const struct sched_bounds *b, struct sla_decision *d);

#endif
