/*
 * internal.h - what the files of scheduler/ share: the cloud's layout, the
 * builder that turns one placed problem into RTC tasks and streams (the
 * mapping of docs/SLA-MAPPING.md lives in build.c and nowhere else), and the
 * priority helpers. Never included from outside scheduler/.
 */
#ifndef KAIROS_SCHEDULER_INTERNAL_H
#define KAIROS_SCHEDULER_INTERNAL_H

#include "scheduler/scheduler.h"

/* Spacing of fp priorities so that a new task can usually be inserted between two. */
#define SCHED_PRIO_GAP 1024L

struct sched_entry {
	char *id;
	char *suffix;               /* "" or " [id]" when the VSN's IRIs were already taken */
	struct sched_problem prob;  /* deep copy */
	struct sched_placement pl;
};

struct sched_cloud {
	struct sched_host *hosts;
	int nhosts;
	struct sched_lan lan;
	int *core_base;             /* RTC resource index of core 0 of host h */
	int uplink_base;            /* resource index of host 0's uplink */
	int port_base;              /* resource index of the LAN's port towards host 0 */
	int nresources;
	struct sched_entry *entries;
	int nentries, cap_entries;
};

/* One task emitted by a builder: its problem-local key and model index. */
struct sched_emit {
	char *key;
	int task;
};

/*
 * Emits the tasks and streams of one problem into an rtc_analysis, as far as
 * its nodes are placed: a flow's stream grows over the placed prefix of its
 * path; standalone nodes and links get their own stream once placed.
 */
struct sched_builder {
	const struct sched_cloud *cloud;
	const struct sched_problem *prob;
	const struct sched_placement *pl; /* priorities by key (NULL: new tasks) */
	const char *suffix;
	bool is_relaxed;            /* the problem's own deadlines are left out */
	bool is_prio_top;           /* new tasks start at the highest priority */
	int *node_host, *node_core; /* -1: not placed */
	int *flow_stream, *flow_prefix, *flow_activator;
	int *node_home;             /* flow owning the node's task, -1 standalone */
	int *node_task;             /* home task index, -1 */
	int *node_stream;           /* standalone stream index, -1 */
	int *link_home;
	int (*link_hop)[SCHED_HOPS]; /* home hop task indices, -1 */
	int *link_stream;
	bool *link_is_done;         /* standalone link emitted (or without tasks) */
	bool *node_is_done;
	double *link_granted;       /* bandwidth granted (search) */
	struct sched_emit *emit;
	int nemit, cap_emit;
};

/* A snapshot of a builder's progress, to undo one search step. */
struct sched_builder_mark {
	int nemit;
	int *flow_prefix, *node_task, *link_hop;
	bool *node_is_done, *link_is_done;
};

void sched_builder_init(struct sched_builder *b, const struct sched_cloud *c, const struct sched_problem *prob,
			const struct sched_placement *pl, const char *suffix);
void sched_builder_destroy(struct sched_builder *b);
/* Emits everything newly possible. Returns 0 or negative (err). */
int sched_builder_extend(struct sched_builder *b, struct rtc_analysis *a, struct kairos_error *err);
void sched_builder_mark(const struct sched_builder *b, struct sched_builder_mark *mk);
/* Removes the tasks emitted since MK and restores the progress; frees MK. */
void sched_builder_undo(struct sched_builder *b, struct rtc_analysis *a, struct sched_builder_mark *mk);
void sched_builder_mark_free(struct sched_builder_mark *mk);

/* RTC resource index of core C of host H / of host H's uplink. */
static inline int sched_core_resource(const struct sched_cloud *c, int h, int core)
{
	return c->core_base[h] + core;
}
static inline int sched_uplink_resource(const struct sched_cloud *c, int h)
{
	return c->uplink_base + h;
}
/* RTC resource index of the LAN switch's output port towards host H. */
static inline int sched_port_resource(const struct sched_cloud *c, int h)
{
	return c->port_base + h;
}

/* Transmission time of BYTES at MBPS, in ticks (ms * 1e6), rounded up. */
int64_t sched_transfer_ticks(int64_t bytes, double mbps);

/* A model with the cloud's resources and no task. */
struct rtc_model *sched_cloud_empty_model(const struct sched_cloud *c);


/* Availability composed for node I of PROB at PL (with its backups) and for the VSN. */
double sched_node_availability(const struct sched_cloud *c, const struct sched_problem *prob,
			       const struct sched_placement *pl, int i);
double sched_problem_availability(const struct sched_cloud *c, const struct sched_problem *prob,
				  const struct sched_placement *pl);

/* Whether the analysis in A is acceptable (the search adds link latency sums to schedulability). */
typedef bool (*sched_accept_fn)(void *ctx, const struct rtc_analysis *a);

/*
 * Gives task T on its fp resource the priority position, among the others,
 * that makes ACCEPT (NULL: schedulable) true: tries every position (top first
 * when FROM_TOP). Returns 1 when one works (kept), 0 when none (T is left at
 * the position it had), negative on error.
 */
int sched_priority_insert(struct rtc_analysis *a, int t, bool from_top, sched_accept_fn accept, void *ctx,
			  long *probes, struct kairos_error *err);

/* Lowest (largest number) / highest priority now used on resource R, or 0 when empty. */
long sched_priority_lowest(const struct rtc_model *m, int r);
long sched_priority_highest(const struct rtc_model *m, int r);

/* What remains on every host (F[nhosts]) and the LAN, with entry SKIP left out (-1: none). */
void sched_cloud_free_all(const struct sched_cloud *c, int skip, struct sched_free *f, double *lan);
/* " [ID]" when an IRI of PROB is already used in the cloud, else "" (caller frees). */
char *sched_cloud_suffix(const struct sched_cloud *c, const char *id, const struct sched_problem *prob);
/*
 * An analysis context holding every entry (and PROB at PL with SUFFIX when
 * PROB is given; the entries with the priorities of OTHERS[] when not NULL), analysed, with one builder per entry in (*B)[0..nentries]
 * (the last one for PROB, zeroed when none). Free with sched_builders_free.
 */
int sched_cloud_build(const struct sched_cloud *c, const struct sched_placement *others,
		      const struct sched_problem *prob, const struct sched_placement *pl, const char *suffix, struct rtc_analysis **a, struct sched_builder **b, struct kairos_error *err);
void sched_builders_free(const struct sched_cloud *c, struct sched_builder *b);
/* Whether every link of the problems of builders B[0..n) is within its latencyMs in A. */
bool sched_links_ok(const struct sched_builder *b, int n, const struct rtc_analysis *a);
/* Reads the bounds of the problem of builder BLD (placed at PL) out of analysis A. */
void sched_bounds_read(const struct sched_cloud *c, const struct sched_builder *bld, const struct rtc_analysis *a,
		       const struct sched_placement *pl, struct sched_bounds *b);

#endif
