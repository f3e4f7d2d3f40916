/*
 * scheduler.h - placement of Virtual Service Networks on the hosts of a
 * real-time cloud, and fixed-priority assignment, decided with the RTC engine.
 *
 * The scheduler does not know RDF or VSN documents: sla/ hands it a neutral
 * description of one VSN (struct sched_problem: nodes with their demands,
 * links, flows). The scheduler keeps the admitted cloud (struct sched_cloud:
 * the inventory and every admitted problem with its placement), maps it to an
 * RTC model (docs/SLA-MAPPING.md is the written promise of that mapping), and
 * searches placements for a new problem such that the *whole* cloud stays
 * schedulable and within cores, memory, bandwidth, disk, IOPS and throughput,
 * with every backup on another failure domain than its primary.
 *
 * Priorities are assigned per fixed-priority resource: a new task is first
 * inserted into the existing order (lowest position that keeps everything
 * schedulable); when no position works the whole resource is re-assigned with
 * Audsley's optimal priority assignment (Audsley 2001; Davis & Burns 2009,
 * "Priority assignment for global fixed priority pre-emptive scheduling")
 * with the RTC test as the oracle.
 *
 * Pure logic: no I/O, no locking (the caller serialises calls on one cloud).
 */
#ifndef KAIROS_SCHEDULER_H
#define KAIROS_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "rtc/rtc.h"

/* ---- inventory ----------------------------------------------------------- */

/* One physical host. Strings are copied by sched_cloud_new(). */
struct sched_host {
	const char *name;
	int cores;
	int64_t memory_mib;
	double speed;              /* relative to the reference core (WCETs are for 1.0) */
	double uplink_mbps;
	int64_t storage_gib;
	int64_t storage_iops;
	double storage_mbps;       /* pool throughput, MB/s */
	double availability_host;
	double availability_hypervisor;
	const char *failure_domain;
	bool is_up;
};

/* The LAN (switch fabric) every host's uplink is attached to. */
struct sched_lan {
	const char *name;
	double capacity_mbps;
};

/* ---- one VSN in neutral form ---------------------------------------------- */

struct sched_node {
	const char *name;          /* IRI */
	bool is_storage;
	int vcpus;
	int64_t memory_mib;
	int64_t disk_gib;
	int64_t iops;
	double throughput_mbps;
	int backup_of;             /* index of the primary node, -1 */
	double period_ms, jitter_ms, wcet_ms, bcet_ms, deadline_ms;
	bool has_deadline;
	double availability;       /* per-node target */
	bool has_availability;
};

struct sched_link {
	const char *name;          /* IRI */
	int source, target;        /* node indices */
	double bandwidth_mbps;     /* guaranteed */
	double latency_ms;
	int64_t message_bytes;
};

/* One element of a flow's path: a node or a link (by index). */
struct sched_elem {
	bool is_link;
	int index;
};

struct sched_flow {
	const char *name;          /* IRI */
	double deadline_ms;
	int path_len;
	struct sched_elem *path;
};

/* A VSN. The scheduler deep-copies what it keeps. */
struct sched_problem {
	const char *name;          /* the VSN IRI */
	double availability;       /* VSN target; 0 = none */
	int nnodes, nlinks, nflows;
	struct sched_node *nodes;
	struct sched_link *links;
	struct sched_flow *flows;
};

/*
 * A deep copy of SRC into DST, which then owns every string and array (the
 * scheduler keeps such copies); sched_problem_destroy frees an owning problem.
 */
void sched_problem_copy(struct sched_problem *dst, const struct sched_problem *src);
void sched_problem_destroy(struct sched_problem *p);

/* ---- placement ------------------------------------------------------------ */

/*
 * The hops of a link between two hosts: the source host's uplink, then the LAN
 * switch's port towards the target host (see build.c). Bandwidth is reserved
 * on the source uplink, the LAN and the target uplink.
 */
enum { SCHED_HOP_SRC_UPLINK, SCHED_HOP_LAN, SCHED_HOPS };

struct sched_node_place {
	int host;                  /* index into the cloud's hosts */
	int core;                  /* core on that host; -1 for a storage node */
};

struct sched_link_place {
	bool is_remote;            /* endpoints on different hosts: three hops */
	double granted_mbps;       /* the bandwidth reserved (0 when co-located) */
};

/*
 * The fp priority of one task of a problem, by a key local to the problem:
 * a node's IRI, "LINK@RESOURCE" for a link hop, and "ELEMENT@FLOW" for the
 * extra task of an element that appears in more than one flow.
 */
struct sched_prio {
	char *key;
	long priority;
};

/* Where every node of a problem runs, with the priorities of all its tasks. */
struct sched_placement {
	int nnodes, nlinks, nprios;
	struct sched_node_place *nodes;
	struct sched_link_place *links;
	struct sched_prio *prios;
};

void sched_placement_init(struct sched_placement *p, int nnodes, int nlinks);
void sched_placement_destroy(struct sched_placement *p);
void sched_placement_copy(struct sched_placement *dst, const struct sched_placement *src);
/* Sets (adds or replaces) the priority of KEY. */
void sched_placement_prio_set(struct sched_placement *p, const char *key, long priority);
/* The priority of KEY, or false when absent. */
bool sched_placement_prio_get(const struct sched_placement *p, const char *key, long *priority);

/*
 * The outcome of a search: the placement of the new problem and the
 * placements of every admitted problem afterwards (priority assignment may
 * re-order tasks already admitted on a shared resource; their hosts and cores
 * never change).
 */
struct sched_plan {
	struct sched_placement placement;
	int nothers;
	struct sched_placement *others; /* same order as the cloud's entries */
};

void sched_plan_destroy(struct sched_plan *p);

/* ---- the cloud ------------------------------------------------------------ */

struct sched_cloud;

/*
 * A cloud of N hosts (copied) on LAN (copied), with nothing admitted.
 * Returns 0 or -KAIROS_EINVAL (no host, duplicate name, cores < 1, speed <= 0).
 */
int sched_cloud_new(const struct sched_host *hosts, int n, const struct sched_lan *lan,
		    struct sched_cloud **out, struct kairos_error *err);
void sched_cloud_free(struct sched_cloud *c);

int sched_cloud_host_count(const struct sched_cloud *c);
const struct sched_host *sched_cloud_host(const struct sched_cloud *c, int i);
const struct sched_lan *sched_cloud_lan(const struct sched_cloud *c);

enum sched_mode {
	SCHED_STRICT,     /* every term of the new problem must hold */
	SCHED_RELAXED,    /* the new problem's deadlines, latencies and bandwidths are
			     soft: find the best placement that keeps every admitted SLA,
			     granting what remains (counter-offers) */
	SCHED_EXHAUSTIVE, /* strict, every host/core combination, Audsley on every
			     resource: the reference for measuring the heuristic */
};

/* Search statistics of the last sched_cloud_place(). */
struct sched_stats {
	long evaluations;          /* candidate placements analysed */
	long analyses;             /* rtc_analysis updates (incl. priority probes) */
	bool is_budget_exhausted;
};

/*
 * Searches a placement of PROB (not yet part of the cloud) in MODE.
 * Returns 1 and fills *OUT (destroy it with sched_plan_destroy) when one is
 * found, 0 when none was found (*OUT zeroed), negative on a bad problem.
 * The cloud is unchanged. BUDGET bounds the candidate evaluations (0: default).
 * STATS may be NULL.
 */
int sched_cloud_place(struct sched_cloud *c, const struct sched_problem *prob, enum sched_mode mode,
		      long budget, struct sched_plan *out, struct sched_stats *stats, struct kairos_error *err);

/*
 * Admits PROB under ID with the plan found for it by sched_cloud_place() on
 * this very cloud (unchanged since): the other problems take their new
 * priorities. Returns 0 or -KAIROS_ECONFLICT (id taken).
 */
int sched_cloud_commit(struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		       const struct sched_plan *plan, struct kairos_error *err);

/*
 * Adds PROB under ID with a stored placement PL (copied), as at a restart or
 * to put back a problem taken out for a renegotiation. Checks that PL matches
 * PROB and the inventory (host and core indices); CHECK adds the capacity
 * checks. Returns 0, -KAIROS_ECONFLICT (id taken, does not fit) or
 * -KAIROS_EINVAL (PL does not fit PROB).
 */
int sched_cloud_add(struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		    const struct sched_placement *pl, bool check, struct kairos_error *err);

/* Removes problem ID and releases everything. -KAIROS_ENOTFOUND if absent. */
int sched_cloud_remove(struct sched_cloud *c, const char *id);

/* Position of ID among the admitted problems, or -1. */
int sched_cloud_find(const struct sched_cloud *c, const char *id);
int sched_cloud_count(const struct sched_cloud *c);
const char *sched_cloud_id(const struct sched_cloud *c, int i);
const struct sched_problem *sched_cloud_problem(const struct sched_cloud *c, int i);
/* The current placement of entry I (priorities may change when others are admitted). */
const struct sched_placement *sched_cloud_placement(const struct sched_cloud *c, int i);

/*
 * Takes problem ID out of the cloud (everything it reserved is released) and
 * keeps it in *OUT, so that sched_cloud_reattach() can put it back exactly as
 * it was (same position, names and priorities): a renegotiation that fails.
 * Returns 0 or -KAIROS_ENOTFOUND.
 */
struct sched_detached;
int sched_cloud_detach(struct sched_cloud *c, const char *id, struct sched_detached **out);
/* Puts D back (the cloud must not have changed since the detach) and frees it. */
void sched_cloud_reattach(struct sched_cloud *c, struct sched_detached *d);
/* Frees D without putting it back (the renegotiation succeeded). */
void sched_detached_free(struct sched_detached *d);

/*
 * The RTC model of the whole admitted cloud plus, when PROB/PL are given, one
 * more problem with that placement (not admitted). Task names are node IRIs
 * (made unique with " [id]" when two VSNs use the same IRI), link hops are
 * "LINK@RESOURCE", resources "HOST/coreN", "HOST.uplink" and "LAN/HOST" (the
 * LAN switch's port towards HOST).
 * Caller frees with rtc_model_free.
 */
struct rtc_model *sched_cloud_model(const struct sched_cloud *c, const struct sched_problem *prob,
				    const struct sched_placement *pl);

/* Bounds of one problem read from an analysis of the model built with it. */
struct sched_bounds {
	int nnodes, nlinks, nflows;
	int64_t *node_wcrt;        /* ticks; -1 for storage; INT64_MAX unbounded */
	int64_t *link_latency;     /* ticks: sum of hop wcrts; 0 when co-located */
	int64_t *flow_latency;     /* ticks; INT64_MAX unbounded; -1 no timing */
	double composed_availability;
	double *node_availability; /* composed per node (with its backups) */
	bool is_cloud_ok;          /* the whole analysed cloud schedulable, every link within its latency */
};

void sched_bounds_destroy(struct sched_bounds *b);

/*
 * Analyses the cloud plus PROB at PL (PROB may already be admitted under ID:
 * then pass id so that it is not counted twice; NULL otherwise) and fills *B.
 * Returns 0 or negative (bad model).
 */
int sched_cloud_bounds(const struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		       const struct sched_placement *pl, struct sched_bounds *b, struct kairos_error *err);

/* The bounds of PROB placed as in PLAN (not committed), with the other problems at their planned priorities. */
int sched_plan_bounds(const struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		      const struct sched_plan *plan, struct sched_bounds *b, struct kairos_error *err);

/*
 * Whether PLAN (found for another problem, e.g. a counter-offer's relaxed
 * search) admits PROB strictly now: capacities, every deadline of the cloud
 * and of PROB, link latencies and availability targets. 1 yes, 0 no, negative error.
 */
int sched_plan_verify(const struct sched_cloud *c, const struct sched_problem *prob, const struct sched_plan *plan,
		      struct kairos_error *err);

/* Whether bounds B meet every term of PROB (deadlines, latencies, availability). */
bool sched_bounds_meet(const struct sched_problem *prob, const struct sched_bounds *b);

/* ---- capacity ------------------------------------------------------------- */

/* What remains on host H (the admitted cloud only). */
struct sched_free {
	int64_t memory_mib, storage_gib, storage_iops;
	double storage_mbps, uplink_mbps;
};
void sched_cloud_host_free(const struct sched_cloud *c, int h, struct sched_free *f);
double sched_cloud_lan_free(const struct sched_cloud *c);

/* ---- availability ----------------------------------------------------------- */

/* Series A = prod a_i and parallel A = 1 - prod (1 - a_i) composition (SPEC §5). */
double sched_availability_series(const double *a, int n);
double sched_availability_parallel(const double *a, int n);

/* ---- priorities (usable on any model) -------------------------------------- */

/*
 * Audsley's optimal priority assignment on fixed-priority resource R of the
 * model inside A: from the lowest level up, gives the level to a task whose
 * own bound meets its deadline with every unassigned task above it. Priorities
 * become 1..n (1 highest). Returns 1 (assigned and every task on R ok), 0 (no
 * feasible assignment: priorities are left in a valid but unspecified order),
 * negative on a bad model. *PROBES counts the analyses done (may be NULL).
 */
int sched_priorities_assign(struct rtc_analysis *a, int r, long *probes, struct kairos_error *err);

/* Milliseconds (a decimal with <= 6 fraction digits) to RTC ticks, exactly. */
int64_t sched_ms_to_ticks(double ms);
double sched_ticks_to_ms(int64_t ticks);

#endif
