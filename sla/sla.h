/*
 * sla.h - the SLA engine: admission control, negotiation and the admitted
 * cloud as seen by the API.
 *
 * A tenant's VSN (struct vsn_doc) is mapped to the scheduler's neutral
 * problem (docs/SLA-MAPPING.md), placed on the cloud so that every SLA
 * already admitted still holds, and answered with a decision: per node host,
 * core, priority, mode and worst-case response time; per flow end-to-end
 * latency; availability target and composed value; the reservations to
 * store. A rejection lists every unmet term (element, bound, required,
 * achievable) and a counter-offer: the same VSN with the terms Kairos can
 * guarantee now, computed from the best placement that keeps every admitted
 * SLA (submitting it unchanged is admitted while the cloud does not change).
 *
 * No I/O and no locking: the caller serialises the calls on one cloud.
 */
#ifndef KAIROS_SLA_H
#define KAIROS_SLA_H

#include <jansson.h>
#include <stdbool.h>

#include "common/common.h"
#include "scheduler/scheduler.h"
#include "vsn/vsn.h"

/* Hosts and LAN are the scheduler's inventory structs (scheduler/scheduler.h). */
struct sla_cloud;

/* Per node of the decision. Strings owned by the decision. */
struct sla_node_bound {
	char *iri;
	char *host;
	int core;                  /* -1 for a storage node */
	long priority;             /* fp priority on the core (0 for storage) */
	const char *mode;          /* "normal" | "local" | "remote" | "local+remote" */
	bool has_wcrt;             /* compute nodes */
	double wcrt_ms;
	bool has_deadline;
	double deadline_ms;
	double availability;       /* composed, with its backups */
};

struct sla_link_bound {
	char *iri;
	bool is_remote;
	double latency_ms;         /* sum of its hops' response times (0 co-located) */
	double latency_bound_ms;   /* the term asked (latencyMs) */
	double bandwidth_mbps;     /* reserved */
};

struct sla_flow_bound {
	char *iri;
	bool has_latency;          /* false: no compute node on the path */
	double latency_ms;
	double deadline_ms;
};

/* One reservation row: KIND ("cpu", "memory", "bandwidth", "disk", "iops", "throughput") of ELEMENT on RESOURCE. */
struct sla_reservation {
	char *element;             /* node or link IRI */
	char *resource;            /* "server1/core0", "server1", "server1.uplink", "lan" */
	const char *kind;
	double amount;             /* cpu: share of the core; memory MiB; bandwidth Mbps; disk GiB; iops; MB/s */
};

/* One unmet term of a rejected VSN. */
struct sla_reason {
	char *element;             /* IRI of the node, link, flow or VSN */
	const char *bound;         /* "deadlineMs", "latencyMs", "bandwidthMbps", "memoryMiB", "availability", ... */
	double required;
	double achievable;         /* what Kairos can guarantee now (-1: nothing) */
};

struct sla_decision {
	bool is_admitted;
	char *vsn_iri;
	int nnodes, nlinks, nflows, nreservations, nreasons;
	struct sla_node_bound *nodes;  /* document order */
	struct sla_link_bound *links;
	struct sla_flow_bound *flows;
	double availability_target;    /* 0: none asked */
	double availability_composed;
	struct sla_reservation *reservations;
	struct sla_reason *reasons;    /* rejections: every unmet term */
	struct vsn_doc *counter_offer; /* rejections: NULL when nothing can be offered */
	struct sched_placement placement; /* admitted: what sla_cloud_restore() needs */
	int nchanged;                  /* admitted: other VSNs whose priorities changed */
	char **changed;                /* their ids (store their sla_cloud_placement() again) */
};

void sla_decision_free(struct sla_decision *d);

/*
 * The SPEC §3 answer body: {"state": "admitted"|"rejected", "sla": {"availability":
 * {"target", "composed"}}, "placement": {IRI: {"host", "core", "mode", "priority"}},
 * "bounds": {"nodes": {IRI: {"wcrtMs", "deadlineMs"}}, "flows": {IRI: {"latencyMs",
 * "deadlineMs"}}, "links": {IRI: {"latencyMs", "latencyBoundMs", "bandwidthMbps"}}},
 * "reservations": [...], and for rejections "reasons" and "counter_offer" (the VSN
 * JSON form, or null)}. New reference; the caller json_decref()s it.
 */
json_t *sla_decision_to_json(const struct sla_decision *d);

/* ---- the cloud ---------------------------------------------------------- */

/* A cloud of N hosts (copied) on LAN, empty. 0 or -KAIROS_EINVAL. */
int sla_cloud_new(const struct sched_host *hosts, int n, const struct sched_lan *lan, struct sla_cloud **out,
		  struct kairos_error *err);
void sla_cloud_free(struct sla_cloud *c);

/* The scheduler's view (read-only) of the cloud. */
const struct sched_cloud *sla_cloud_sched(const struct sla_cloud *c);

/*
 * Decides on DOC under VSN_ID (a new id). When admitted and not DRY_RUN the
 * VSN becomes part of the cloud, all or nothing. *OUT is a new decision (free
 * it) whether admitted or not. Returns 0, -KAIROS_ECONFLICT (id already
 * admitted) or -KAIROS_EINVAL (a document the mapping cannot take).
 */
int sla_cloud_admit(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *doc, bool dry_run,
		    struct sla_decision **out, struct kairos_error *err);

/*
 * New terms NEW_DOC for the admitted VSN_ID: decided as an admission with the
 * old version taken out; when admitted (and not DRY_RUN) the new version
 * replaces the old atomically, otherwise the cloud is exactly as before (same
 * placement, priorities, bounds, model text). -KAIROS_ENOTFOUND if not admitted.
 */
int sla_cloud_renegotiate(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *new_doc, bool dry_run,
			  struct sla_decision **out, struct kairos_error *err);

/* Releases everything VSN_ID holds. 0 or -KAIROS_ENOTFOUND. */
int sla_cloud_remove(struct sla_cloud *c, const char *vsn_id);

/*
 * Re-adds an admitted VSN with its stored placement (service restart; no new
 * decision). Restoring every VSN in admission order with the placements last
 * returned (decision->placement, or sla_cloud_placement() for the ids in
 * decision->changed) gives the same bounds as before. 0, -KAIROS_EINVAL or
 * -KAIROS_ECONFLICT (does not fit any more).
 */
int sla_cloud_restore(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *doc,
		      const struct sched_placement *placement, struct kairos_error *err);

/* The current placement of VSN_ID (NULL if absent); valid until the next change. */
const struct sched_placement *sla_cloud_placement(const struct sla_cloud *c, const char *vsn_id);

/* The decision (bounds, reservations) of the admitted VSN_ID as it stands now. */
int sla_cloud_describe(struct sla_cloud *c, const char *vsn_id, struct sla_decision **out,
		       struct kairos_error *err);

/*
 * The whole admitted cloud as a SPEC §4 model (JSON text, caller frees): task
 * names are node IRIs, resources "HOST/coreN", "HOST.uplink" and the LAN.
 */
char *sla_cloud_model_json(const struct sla_cloud *c);

/*
 * A placement as JSON for storage by the API, and back:
 * {"nodes": [["server1", 0], ...], "links": [[is_remote, granted_mbps], ...],
 *  "priorities": {key: n, ...}} with nodes and links in document order and hosts
 * by name (so the inventory order may change between restarts). from_json
 * fails with -KAIROS_EINVAL when a host is not in C's inventory.
 */
json_t *sla_placement_to_json(const struct sla_cloud *c, const struct sched_placement *p);
int sla_placement_from_json(const struct sla_cloud *c, const json_t *j, struct sched_placement *p,
			    struct kairos_error *err);

/* ---- mapping ------------------------------------------------------------- */

/*
 * DOC as the scheduler's problem (strings point into DOC: keep it alive).
 * Destroy with sla_problem_destroy. 0 or -KAIROS_EINVAL (e.g. a backupOf, a
 * link end or a path element that is not in DOC).
 */
int sla_problem_from_doc(const struct vsn_doc *doc, struct sched_problem *p, struct kairos_error *err);
void sla_problem_destroy(struct sched_problem *p);

/* A deep copy of DOC (never NULL). */
struct vsn_doc *sla_doc_copy(const struct vsn_doc *doc);

#endif
