/*
 * rtc.h - the Real-Time Calculus engine of Kairos: the whole public contract.
 *
 * Every admission decision rests on this engine. It reads an analysis model
 * (SPEC §4: resources, streams with a path of tasks), analyses it with
 * greedy processing components (GPC) of Real-Time Calculus (Thiele et al. 2000,
 * Wandeler 2006) and returns per-task delay/backlog bounds, per-stream
 * end-to-end latency bounds and per-resource utilisation.
 *
 * Units. All times are int64 "ticks" of 1e-6 model time units
 * (RTC_TICKS_PER_UNIT); service demands (wcet, bcet) are int64 in 1e-6 service
 * units; a resource's rate is int64 in 1e-6 (rate_micro = rate * 1e6). Model
 * numbers with up to 6 fractional digits are therefore represented exactly.
 *
 * Pure library: no I/O, no global state; everything the caller gets it frees
 * with the matching _free / _destroy. docs/RTC.md explains the mathematics.
 */
#ifndef KAIROS_RTC_H
#define KAIROS_RTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define RTC_TICKS_PER_UNIT 1000000LL

/* ======================================================================== */
/* Model                                                                     */
/* ======================================================================== */

enum rtc_policy { RTC_POLICY_FP, RTC_POLICY_EDF, RTC_POLICY_TDMA };
enum rtc_kind { RTC_KIND_HOST, RTC_KIND_NETWORK };

struct rtc_resource {
	char *name;              /* owned */
	enum rtc_policy policy;
	enum rtc_kind kind;      /* host (default) or network: network tasks never move */
	int64_t rate_micro;      /* service units per time unit, * 1e6 (> 0; default 1e6) */
	int64_t latency;         /* ticks (>= 0; must be 0 on tdma) */
	int64_t cycle;           /* ticks, tdma only (> 0) */
	bool is_down;            /* a failed resource: it must carry no task (planner) */
};

/*
 * A task: one hop of one stream's path. A caller (planner, Audsley) may change
 * `resource` and `priority` directly on a model and re-analyse; with an
 * rtc_analysis it must use rtc_analysis_task_move() so that the engine knows.
 */
struct rtc_task {
	char *name;              /* owned; unique in the model */
	int resource;            /* index into rtc_model.resources */
	int stream;              /* index of its stream; -1 once removed (tombstone) */
	int hop;                 /* position in the stream's path, 0-based */
	int64_t wcet, bcet;      /* service demand per activation, 1e-6 service units */
	long priority;           /* fp: smaller = higher; must be set (has_priority) on fp */
	bool has_priority;
	int64_t deadline;        /* ticks; meaningful when has_deadline (required on edf) */
	bool has_deadline;
	int64_t slot;            /* ticks, tdma only (> 0 required on a tdma resource) */
	int replica_of;          /* index of the task it replicates, or -1 */
};

struct rtc_stream {
	char *name;              /* owned; unique */
	int64_t period;          /* ticks, > 0 */
	int64_t jitter;          /* ticks, >= 0 */
	int64_t min_distance;    /* ticks, >= 0 (0: no constraint) */
	int64_t deadline;        /* ticks; meaningful when has_deadline */
	bool has_deadline;
	int *path;               /* task indices in path order (owned) */
	int path_len;
	int path_cap;
};

/*
 * The model. Arrays are owned; indices are stable: removing a task leaves a
 * tombstone (stream = -1), removing a stream empties it (path_len = 0).
 * TDMA slots are laid back to back in declaration order (stream order, then
 * path order) from offset 0 of every cycle.
 */
struct rtc_model {
	struct rtc_resource *resources;
	int nresources, cap_resources;
	struct rtc_task *tasks;
	int ntasks, cap_tasks;
	struct rtc_stream *streams;
	int nstreams, cap_streams;
};

/* A new empty model (never NULL; aborts on OOM). Free with rtc_model_free. */
struct rtc_model *rtc_model_new(void);
void rtc_model_free(struct rtc_model *m);
/* A deep copy (never NULL). */
struct rtc_model *rtc_model_clone(const struct rtc_model *m);

/*
 * Builders. Each returns the new element's index (>= 0), or -KAIROS_EINVAL
 * with err naming the problem when the name is already used or (task) the
 * stream/resource index is out of range. Defaults: rate 1, latency 0, kind
 * host, jitter 0, min_distance 0, no deadline, no priority, replica_of -1.
 * Values are validated by rtc_model_validate(), not here.
 */
int rtc_model_add_resource(struct rtc_model *m, const char *name, enum rtc_policy policy,
			   struct kairos_error *err);
int rtc_model_add_stream(struct rtc_model *m, const char *name, int64_t period, struct kairos_error *err);
/* Appends a task at the end of STREAM's path. */
int rtc_model_add_task(struct rtc_model *m, int stream, const char *name, int resource, int64_t wcet,
		       int64_t bcet, struct kairos_error *err);

/* Index of the element called NAME, or -1 (removed tasks are not found). */
int rtc_model_find_resource(const struct rtc_model *m, const char *name);
int rtc_model_find_stream(const struct rtc_model *m, const char *name);
int rtc_model_find_task(const struct rtc_model *m, const char *name);

/*
 * Checks every rule of a well-formed model (SPEC §4 and /tmp contract §5):
 * non-negative times, period > 0, bcet <= wcet, known resources, no priority
 * tie on an fp resource, priority present on fp, deadline present on edf,
 * slot present on tdma, sum of slots <= cycle, latency 0 on tdma, rate > 0,
 * no task twice in a path (a cycle), replica_of on another resource, no task
 * on a resource that is_down. Returns 0 or -KAIROS_EINVAL; err->field is the
 * JSON path of the offending field (e.g. "streams[1].path[0].bcet") and
 * err->message starts with it.
 */
int rtc_model_validate(const struct rtc_model *m, struct kairos_error *err);

/*
 * Parses SPEC §4 input JSON (LEN bytes, need not be NUL-terminated) into a new
 * model (*out, caller frees with rtc_model_free) and validates it. Numbers may
 * have at most 6 fractional digits. Returns 0, -KAIROS_ESYNTAX (not JSON) or
 * -KAIROS_EINVAL (bad model; err names the field). *out is NULL on error.
 */
int rtc_model_parse(const char *json, size_t len, struct rtc_model **out, struct kairos_error *err);

/* Serialises a model back to SPEC §4 input JSON (caller frees). */
char *rtc_model_to_json(const struct rtc_model *m);

/* ======================================================================== */
/* Results                                                                   */
/* ======================================================================== */

struct rtc_task_result {
	char *task, *resource;   /* owned copies of the names */
	bool is_removed;         /* tombstone in the model: not reported */
	bool is_bounded;         /* false: no finite bound (overload); wcrt is INT64_MAX */
	int64_t wcrt;            /* ticks: release -> completion, upper bound */
	int64_t bcrt;            /* ticks: lower bound of the same */
	int64_t backlog;         /* pending activations, upper bound */
	int64_t deadline;        /* ticks (has_deadline) */
	bool has_deadline;
	bool ok;                 /* wcrt <= deadline (true without deadline, when bounded) */
};

struct rtc_stream_result {
	char *stream;
	bool is_removed;         /* emptied stream: not reported */
	bool is_bounded;
	int64_t latency;         /* ticks: event arrival -> completion of the last task */
	int64_t deadline;
	bool has_deadline;
	bool ok;
};

struct rtc_resource_result {
	char *resource;
	double utilization;      /* sum wcet/(period*rate) of its tasks */
	int64_t busy_window;     /* ticks: longest busy period bound (INT64_MAX: overload) */
};

struct rtc_result {
	bool schedulable;        /* every task and stream ok */
	struct rtc_task_result *tasks;       /* ntasks, same indices as the model */
	int ntasks;
	struct rtc_stream_result *streams;   /* nstreams */
	int nstreams;
	struct rtc_resource_result *resources; /* nresources */
	int nresources;
	long resources_analysed; /* GPC resource analyses done to produce this result */
	int iterations;          /* outer fixed-point rounds (cyclic dependencies) */
};

/*
 * Analyses M (validated first). On success *out is a new result (caller frees
 * with rtc_result_free) and 0 is returned, whether or not deadlines hold
 * (look at ->schedulable). -KAIROS_EINVAL for a bad model.
 */
int rtc_analyze(const struct rtc_model *m, struct rtc_result **out, struct kairos_error *err);
void rtc_result_free(struct rtc_result *r);
/* A deep copy. */
struct rtc_result *rtc_result_clone(const struct rtc_result *r);

/*
 * SPEC §4 output document (caller frees). Times are printed in model units
 * with up to 6 fractional digits; an unbounded wcrt/latency is printed as null.
 * Removed tasks are not listed.
 */
char *rtc_result_to_json(const struct rtc_result *r);

/* Ticks -> model units as a decimal string ("2.5", "-1", "0.000001") into buf. */
void rtc_ticks_format(int64_t ticks, char *buf, size_t size);

/* ======================================================================== */
/* Incremental analysis                                                      */
/* ======================================================================== */

/*
 * An analysis context: owns a copy of a model and its current result, and
 * re-analyses only the resources touched by a change (the resources of the
 * changed tasks and, transitively, those of tasks downstream in the same
 * streams whose input changed).
 */
struct rtc_analysis;

/* Copies M, analyses it fully. Returns 0 or -KAIROS_EINVAL (bad model). */
int rtc_analysis_new(const struct rtc_model *m, struct rtc_analysis **out, struct kairos_error *err);
void rtc_analysis_free(struct rtc_analysis *a);
/* The model inside (read-only: change it through the functions below). */
const struct rtc_model *rtc_analysis_model(const struct rtc_analysis *a);
/* The current result (valid until the next change). */
const struct rtc_result *rtc_analysis_result(const struct rtc_analysis *a);

/*
 * Adds a stream with one task (a VM; returns the new stream's index) or
 * appends a task to an existing stream (returns the new task's index), or
 * -KAIROS_EINVAL (duplicate name, bad index). Values as in the model builders;
 * the `priority`, `deadline`, `slot` and `replica_of` fields of *proto are
 * copied (its name/resource/wcet/bcet too; stream/hop are ignored).
 */
int rtc_analysis_stream_add(struct rtc_analysis *a, const struct rtc_stream *proto_stream,
			    const struct rtc_task *proto_task, struct kairos_error *err);
int rtc_analysis_task_add(struct rtc_analysis *a, int stream, const struct rtc_task *proto,
			  struct kairos_error *err);
/* Removes a task (tombstone). Its successor in the path is then activated by its predecessor. */
int rtc_analysis_task_remove(struct rtc_analysis *a, int task, struct kairos_error *err);
/* Removes a whole stream (its tasks become tombstones). */
int rtc_analysis_stream_remove(struct rtc_analysis *a, int stream, struct kairos_error *err);
/* Moves a task to RESOURCE with PRIORITY (planner, Audsley). */
int rtc_analysis_task_move(struct rtc_analysis *a, int task, int resource, long priority,
			   struct kairos_error *err);

/*
 * Re-analyses what the changes since the last update touched. Returns 0, or
 * -KAIROS_EINVAL if the changed model is bad (the context then keeps the bad
 * model; undo the change). The result's resources_analysed counts the
 * resources re-analysed by this update only.
 */
int rtc_analysis_update(struct rtc_analysis *a, struct kairos_error *err);

/* ======================================================================== */
/* Curves (the algebra under the analysis; also usable on its own)          */
/* ======================================================================== */

/*
 * A piecewise-linear curve on [0, inf) with integer breakpoints and an affine
 * tail. Segment i describes f on [x_i, x_{i+1}): f(x_i) = y (the value AT the
 * breakpoint) and f(t) = y_right + slope*(t - x_i) for t in (x_i, x_{i+1}), so
 * both left- and right-continuous staircases are exact. segs[0].x == 0.
 *
 * Beyond `horizon` (>= the last x), f is given by the tail
 *     f(t) = tail_y + tail_slope * (t - horizon) / RTC_TAIL_DEN   (t >= horizon)
 * which is exact or, as marked by `is_upper`, a conservative bound: an upper
 * curve's tail lies above the true curve, a lower curve's below. Segments
 * stop at the horizon; the tail covers t >= horizon (including t = horizon).
 * Values are int64 (ticks, events or service units as the caller decides).
 * RTC_CURVE_INF as a tail_y / value means +infinity.
 */
#define RTC_TAIL_DEN (1LL << 24)
#define RTC_CURVE_INF INT64_MAX

struct rtc_curve_seg {
	int64_t x, y, y_right, slope;
};

struct rtc_curve {
	struct rtc_curve_seg *segs;
	int n, cap;
	int64_t horizon;
	int64_t tail_y;
	int64_t tail_slope; /* per RTC_TAIL_DEN ticks */
	bool is_upper;
};

void rtc_curve_init(struct rtc_curve *c, bool is_upper);
void rtc_curve_destroy(struct rtc_curve *c);
void rtc_curve_copy(struct rtc_curve *dst, const struct rtc_curve *src);
/* Appends a segment starting at X (> previous x) to the prefix. */
void rtc_curve_push(struct rtc_curve *c, int64_t x, int64_t y, int64_t y_right, int64_t slope);
/* Sets the tail from HORIZON on: value Y and slope NUM/DEN (rounded up for upper, down for lower). */
void rtc_curve_set_tail(struct rtc_curve *c, int64_t horizon, int64_t y, int64_t num, int64_t den);

/* f(t), the right limit f(t+) and the left limit f(t-) (t > 0). */
int64_t rtc_curve_eval(const struct rtc_curve *c, int64_t t);
int64_t rtc_curve_eval_right(const struct rtc_curve *c, int64_t t);
int64_t rtc_curve_eval_left(const struct rtc_curve *c, int64_t t);

/* Constructors (exact). */
/* b + r*t for t > 0, 0 at t = 0 when ZERO_AT_0 (token bucket) ; r = NUM/DEN. */
void rtc_curve_affine(struct rtc_curve *c, bool is_upper, int64_t b, int64_t num, int64_t den, bool zero_at_0);
/* rate-latency beta(t) = NUM/DEN * max(0, t - latency) with integer-slope prefix (NUM/DEN integer) or tail. */
void rtc_curve_rate_latency(struct rtc_curve *c, int64_t num, int64_t den, int64_t latency);
/* Upper PJD arrival curve min(ceil((t+J)/P), ceil(t/d)) (0 at 0), exact up to HORIZON. */
void rtc_curve_pjd_upper(struct rtc_curve *c, int64_t period, int64_t jitter, int64_t dmin, int64_t horizon);
/* Lower PJD arrival curve max(0, floor((t-J)/P)), exact up to HORIZON. */
void rtc_curve_pjd_lower(struct rtc_curve *c, int64_t period, int64_t jitter, int64_t horizon);
/* TDMA lower service (Wandeler & Thiele 2006): max(floor(t/c)*s, t - ceil(t/c)*(c-s)), in time ticks. */
void rtc_curve_tdma_lower(struct rtc_curve *c, int64_t slot, int64_t cycle, int64_t horizon);

/* Pointwise operations: out = f op g (out may not alias f or g). Horizon = min of both. */
void rtc_curve_min(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
void rtc_curve_max(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
void rtc_curve_add(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
/* f - g: g must be of the opposite kind (upper - lower is upper). */
void rtc_curve_sub(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
/* In place: k * f (k >= 0), max(f, 0), running supremum sup_{0<=s<=t} f(s). */
void rtc_curve_scale(struct rtc_curve *c, int64_t k);
void rtc_curve_clamp0(struct rtc_curve *c);
void rtc_curve_sup_closure(struct rtc_curve *c);
/* Staircase of a workload curve in units of K: ceil(f/k) (upper) / floor(f/k) (lower). */
void rtc_curve_div_ceil(struct rtc_curve *out, const struct rtc_curve *f, int64_t k);
void rtc_curve_div_floor(struct rtc_curve *out, const struct rtc_curve *f, int64_t k);

/*
 * Min-plus / max-plus convolution and deconvolution (Le Boudec & Thiran 2001,
 * ch. 3) of non-decreasing curves. Exact on the result's prefix where the
 * operands have integral slopes; where a rational tail has to be crossed the
 * result is rounded to its safe side (above for upper, below for lower).
 */
void rtc_curve_minplus_conv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
void rtc_curve_minplus_deconv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
void rtc_curve_maxplus_conv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);
void rtc_curve_maxplus_deconv(struct rtc_curve *out, const struct rtc_curve *f, const struct rtc_curve *g);

/*
 * Horizontal deviation sup_t inf{d >= 0 : f(t) <= g(t + d)} (delay bound of
 * demand F under service G) and vertical deviation sup_t f(t) - g(t) (backlog).
 * RTC_CURVE_INF when unbounded.
 */
int64_t rtc_curve_hdev(const struct rtc_curve *f, const struct rtc_curve *g);
int64_t rtc_curve_vdev(const struct rtc_curve *f, const struct rtc_curve *g);
/* Smallest t with f(t) >= y (pseudo-inverse), RTC_CURVE_INF if never. */
int64_t rtc_curve_inverse(const struct rtc_curve *f, int64_t y);

/* ======================================================================== */
/* Priority assignment (audsley.c) and reconfiguration planning (plan.c)     */
/* ======================================================================== */

struct rtc_priority_stats {
	long checks;             /* oracle questions: incremental analyses run */
	int rounds;              /* outer rounds over the resources (chains: fixed point) */
};

/*
 * Audsley's optimal priority assignment (Audsley 1991; Davis & Burns 2011)
 * with the RTC analysis as the oracle: from the lowest level up, a task takes
 * the lowest free level when it meets its deadline (and its stream meets
 * its own, when the whole stream runs on that resource) with every
 * unassigned task of the resource above it.
 *
 * RESOURCE is the index of an fp resource, or -1 for every fp resource of M
 * that carries tasks. On success (0) the `priority` of the tasks of M are
 * rewritten (1 = highest; a replica gets its primary's number, SPEC §4; fp
 * tasks of other resources may be renumbered, keeping their relative order)
 * and M is schedulable. Otherwise M is left unchanged and the return is
 * -KAIROS_ENOTFOUND (no feasible order: err names the resource and the level
 * where no task fitted), -KAIROS_ECONFLICT (feasible orders exist per
 * resource but replicas cannot keep their primaries' numbers), or
 * -KAIROS_EINVAL (bad model or RESOURCE not fp). STATS may be NULL.
 * Optimality (what is and is not guaranteed with chains): audsley.c.
 */
int rtc_priority_assign(struct rtc_model *m, int resource, struct rtc_priority_stats *stats,
			struct kairos_error *err);

struct rtc_plan_move {
	int task;                /* task index in the model */
	int from, to;            /* resource indices */
};

/* Search limits; zero fields take the defaults (RTC_PLAN_DEFAULT_*). */
#define RTC_PLAN_DEFAULT_MAX_CONFIGS 20000L
#define RTC_PLAN_DEFAULT_MAX_EXTRA 4
struct rtc_plan_options {
	long max_configs;        /* configurations explored (search nodes) before giving up */
	int max_extra_moves;     /* moves beyond the tasks of the failed resource */
};

struct rtc_plan {
	bool is_feasible;        /* a configuration keeping every deadline was found */
	bool is_budget_hit;      /* the search stopped at max_configs (answer, if any: fewest moves, best slack seen) */
	struct rtc_plan_move *moves; /* owned, in task index order */
	int nmoves;
	int64_t min_slack;       /* ticks: min over tasks with deadlines of deadline - wcrt */
	struct rtc_model *model; /* owned: the reconfigured model (failed resource is_down), when feasible */
	struct rtc_result *result; /* owned: its analysis, when feasible */
	long configs;            /* configurations explored (search nodes) */
	long analyses;           /* of which analysed (incremental updates) */
	long resources_analysed; /* GPC resource analyses spent by the search */
	char reason[256];        /* why there is no plan (empty when feasible) */
};

/*
 * Reconfiguration for the failure of resource FAILED (SPEC §4): the tasks on
 * it move to host resources of the same kind, others may move too, network
 * tasks never move, replica_of is kept in both directions, priorities are
 * kept (a target fp resource holding the same priority number is not a
 * candidate unless that task moves away first), no target above utilisation
 * 1. Iterative deepening on the number of moves; among the feasible
 * configurations with the fewest moves, the largest min_slack (search, cuts
 * and the one heuristic restriction: plan.c). OPT may be NULL. Returns 0
 * with *out set (look at ->is_feasible; ->reason says why not), or
 * -KAIROS_EINVAL (bad model, FAILED out of range). M is not modified.
 * Caller frees with rtc_plan_free.
 */
int rtc_plan_compute(const struct rtc_model *m, int failed, const struct rtc_plan_options *opt,
		     struct rtc_plan **out, struct kairos_error *err);
void rtc_plan_free(struct rtc_plan *p);
/* SPEC §4 plan document {"feasible", "moves", "analysis"} (caller frees). */
char *rtc_plan_to_json(const struct rtc_plan *p, const struct rtc_model *m);

#endif
