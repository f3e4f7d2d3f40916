/*
 * plan.c - the reconfiguration planner (SPEC §4: kairos-rtc plan MODEL --fail R).
 *
 * When resource F fails, its tasks must move to other resources of the same
 * kind, other tasks may move too, and the result must keep every deadline
 * and every replica_of. We want the fewest moves, then the largest smallest
 * slack, where
 *
 *     min_slack = min over live tasks with a deadline of (deadline - wcrt)
 *
 * (an unbounded wcrt counts as -infinity; streams count for feasibility, not
 * for the slack).
 *
 * Search: iterative deepening on the number of moves d = |tasks on F|,
 * |F| + 1, ... up to |F| + max_extra_moves; depth-first inside a level. A node places the
 * first task still on F (in task index order) on each of its candidate
 * targets, or - when the level leaves room for extra moves - moves one
 * "useful" other task:
 *   - a task on a resource where some task misses its deadline, or of a
 *     stream that misses its own (only once every task of F is placed: the
 *     misses of half-placed states are not yet the answer's);
 *   - a blocker: a task that keeps a task of F from a target because it has
 *     the same priority there (fp) or is its primary/replica.
 * Extra moves that relieve nothing are never tried; this is the one place
 * where the search is a heuristic (a move that only shortens some other
 * resource's jitter is not considered), see docs/PERFORMANCE.md.
 *
 * Candidate targets: same kind as the task's own resource, not F, not down,
 * never the primary's or a replica's resource, no fp priority tie (tasks
 * keep their priorities; a tie would make the model invalid, so such a
 * target is simply not a candidate unless its blocker moves first), the
 * fields the target's policy needs (priority on fp, deadline on edf, a slot
 * that still fits the cycle on tdma), and a utilisation that stays <= 1.
 * Targets are tried from the least loaded up, so the first answers found are
 * the roomy ones and the slack bound below cuts the rest early.
 *
 * Every state with all of F placed is analysed incrementally
 * (rtc_analysis_task_move + rtc_analysis_update: only the resources touched
 * and what lies downstream are re-analysed) and moves are undone the same
 * way. Partial states are analysed too, for two sound cuts that rest on the
 * monotonicity of the analysis (more load or more input jitter never makes a
 * bound smaller):
 *   - "settled" tasks are those whose bounds do not depend on a task still
 *     on F: not its successors in their streams, not the tasks below them
 *     on an fp resource, not the other tasks of an edf resource, to a fixed
 *     point (compute_settled). When no extra move is left in the level, the
 *     remaining placements only add load, so a settled task that misses its
 *     deadline keeps missing it (cut), and the smallest slack of the settled
 *     tasks only shrinks: a node whose bound is not above the best answer of
 *     the level is cut (branch and bound).
 *   - Visited configurations are remembered (an order-independent hash of
 *     the moved tasks and their targets), so two orders of the same moves
 *     are explored once.
 * The search stops after max_configs configurations (search nodes, analysed
 * or not): the answer is then the best
 * of the deepest level reached (fewest moves still proven when that level
 * was the first with an answer; the slack is the best seen) or "no plan
 * found within the search budget".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"

#define SLACK_NONE INT64_MIN

struct plan_set {
	uint64_t *v; /* 0 = empty */
	size_t cap, n;
};

struct planner {
	struct rtc_analysis *a;
	int failed;
	int ntasks, nres;
	int *home;	/* per task: resource in the original model */
	double *util;	/* per resource: current utilisation */
	int64_t *slots; /* per resource: current sum of tdma slots */
	int *ftasks;	/* tasks on the failed resource, index order */
	int nf;
	int *moved_to; /* per task: current resource if moved, -1 otherwise */
	int nmoved;
	uint64_t hash; /* XOR of h(task, to) over moved tasks */
	struct plan_set seen;
	bool *settled; /* per task, scratch (compute_settled) */
	long *top;     /* per resource, scratch */
	bool *any;     /* per resource, scratch */
	int **on;      /* per resource: its live tasks (unordered) */
	int *non, *capon;
	/* limits and counters */
	long max_configs, configs, analyses;
	long resources_analysed;
	bool is_budget_hit;
	/* best of the current level */
	int depth;
	bool found;
	int64_t best_slack;
	int *best_to; /* per task: target in the best, -1 when not moved */
	int rc;	      /* first hard error */
	struct kairos_error *err;
};

static const struct rtc_model *pmodel(const struct planner *p)
{
	return rtc_analysis_model(p->a);
}

/* ---- the visited set ------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t move_hash(int task, int to)
{
	return mix(((uint64_t)(uint32_t)task << 32) | (uint32_t)to);
}

static void set_clear(struct plan_set *s)
{
	if (s->v)
		memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

/* Adds KEY; false when it was there already. */
static bool set_add(struct plan_set *s, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024;
		uint64_t *nv = kairos_xcalloc(ncap, sizeof(*nv));
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i]) {
				size_t j = s->v[i] & (ncap - 1);
				while (nv[j])
					j = (j + 1) & (ncap - 1);
				nv[j] = s->v[i];
			}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	size_t j = key & (s->cap - 1);
	while (s->v[j]) {
		if (s->v[j] == key)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = key;
	s->n++;
	return true;
}

/* ---- candidate targets ----------------------------------------------------- */

static double task_util(const struct rtc_model *m, int t, int r)
{
	const struct rtc_task *k = &m->tasks[t];
	return (double)k->wcet / ((double)m->streams[k->stream].period *
				  (double)m->resources[r].rate_micro / RTC_TICKS_PER_UNIT);
}

/* Is task O the primary or a replica of T (either direction)? */
static bool is_replica_pair(const struct rtc_model *m, int t, int o)
{
	return m->tasks[t].replica_of == o || m->tasks[o].replica_of == t;
}

/*
 * Could task T stand on resource R? The static rules (kind, policy fields,
 * capacity) decide the return; the rules that another task enforces
 * (replica pair, fp priority tie) go to *blocker: -1 none, the task when
 * exactly one, -2 when several.
 */
static bool target_check(const struct planner *p, int t, int r, int *blocker)
{
	const struct rtc_model *m = pmodel(p);
	const struct rtc_task *k = &m->tasks[t];
	const struct rtc_resource *res = &m->resources[r];
	*blocker = -1;
	if (r == p->failed || r == k->resource || res->is_down)
		return false;
	if (res->kind != m->resources[p->home[t]].kind || res->kind != RTC_KIND_HOST)
		return false;
	switch (res->policy) {
	case RTC_POLICY_FP:
		if (!k->has_priority)
			return false;
		break;
	case RTC_POLICY_EDF:
		if (!k->has_deadline)
			return false;
		break;
	case RTC_POLICY_TDMA:
		if (k->slot <= 0 || p->slots[r] + k->slot > res->cycle)
			return false;
		break;
	}
	/* a little tolerance: utilisations are sums of doubles */
	if (p->util[r] + task_util(m, t, r) > 1.0 + 1e-9)
		return false;
	for (int i = 0; i < p->non[r]; i++) {
		int o = p->on[r][i];
		if (is_replica_pair(m, t, o) ||
		    (res->policy == RTC_POLICY_FP && m->tasks[o].priority == k->priority))
			*blocker = *blocker == -1 ? o : -2;
	}
	return true;
}

/* A target T may move to now. */
static bool target_ok(const struct planner *p, int t, int r)
{
	int b;
	return target_check(p, t, r, &b) && b == -1;
}

/* ---- moves ------------------------------------------------------------------ */

static void on_add(struct planner *p, int r, int t)
{
	if (p->non[r] == p->capon[r]) {
		p->capon[r] = p->capon[r] ? 2 * p->capon[r] : 8;
		p->on[r] = kairos_xrealloc(p->on[r], (size_t)p->capon[r] * sizeof(int));
	}
	p->on[r][p->non[r]++] = t;
}

static void on_remove(struct planner *p, int r, int t)
{
	for (int i = 0; i < p->non[r]; i++)
		if (p->on[r][i] == t) {
			p->on[r][i] = p->on[r][--p->non[r]];
			return;
		}
}

static int do_move(struct planner *p, int t, int to)
{
	const struct rtc_model *m = pmodel(p);
	int from = m->tasks[t].resource;
	long prio = m->tasks[t].priority;
	p->util[from] -= task_util(m, t, from);
	p->util[to] += task_util(m, t, to);
	p->slots[from] -= m->tasks[t].slot;
	p->slots[to] += m->tasks[t].slot;
	on_remove(p, from, t);
	on_add(p, to, t);
	if (p->moved_to[t] >= 0)
		p->hash ^= move_hash(t, p->moved_to[t]);
	if (to == p->home[t]) {
		p->moved_to[t] = -1;
		p->nmoved--;
	} else {
		if (p->moved_to[t] < 0)
			p->nmoved++;
		p->moved_to[t] = to;
		p->hash ^= move_hash(t, to);
	}
	/* tasks keep their priority (SPEC §4) */
	return rtc_analysis_task_move(p->a, t, to, prio, p->err);
}

static int analyse(struct planner *p)
{
	int rc = rtc_analysis_update(p->a, p->err);
	if (rc)
		return rc;
	p->analyses++;
	p->resources_analysed += rtc_analysis_result(p->a)->resources_analysed;
	return 0;
}

static int64_t task_slack(const struct rtc_task *k, const struct rtc_task_result *tr)
{
	if (!tr->is_bounded)
		return SLACK_NONE;
	return k->deadline - tr->wcrt;
}

/* Smallest slack over the tasks with FILTER[t] (NULL: all); *all_ok: their deadlines hold. */
static int64_t min_slack(const struct planner *p, const bool *filter, bool *all_ok)
{
	const struct rtc_model *m = pmodel(p);
	const struct rtc_result *res = rtc_analysis_result(p->a);
	int64_t s = INT64_MAX;
	*all_ok = true;
	for (int t = 0; t < m->ntasks; t++) {
		const struct rtc_task *k = &m->tasks[t];
		if (k->stream < 0 || (filter && !filter[t]))
			continue;
		if (!res->tasks[t].ok)
			*all_ok = false;
		if (k->has_deadline) {
			int64_t x = task_slack(k, &res->tasks[t]);
			if (x < s)
				s = x;
		}
	}
	if (!filter) {
		for (int si = 0; si < m->nstreams; si++)
			if (!res->streams[si].ok)
				*all_ok = false;
	} else {
		/* a stream all of whose tasks are settled is settled too */
		for (int si = 0; si < m->nstreams; si++) {
			const struct rtc_stream *st = &m->streams[si];
			bool in = st->path_len > 0;
			for (int h = 0; h < st->path_len && in; h++)
				in = filter[st->path[h]];
			if (in && !res->streams[si].ok)
				*all_ok = false;
		}
	}
	return s;
}

/*
 * settled[t]: task T's bounds cannot improve whatever happens to the tasks
 * still on the failed resource. Unsettled are those tasks, the tasks they
 * activate (their input depends on their jitter), and the tasks a unsettled
 * task can delay: lower priorities on an fp resource, everyone on an edf
 * resource (a tdma slot is its task's alone); to a fixed point.
 */
static void compute_settled(struct planner *p)
{
	const struct rtc_model *m = pmodel(p);
	long *top = p->top; /* per resource: best priority among unsettled tasks */
	bool *any = p->any;
	for (int t = 0; t < m->ntasks; t++)
		p->settled[t] = m->tasks[t].stream >= 0 && m->tasks[t].resource != p->failed;
	for (bool changed = true; changed;) {
		changed = false;
		for (int r = 0; r < m->nresources; r++) {
			top[r] = LONG_MAX;
			any[r] = false;
		}
		for (int t = 0; t < m->ntasks; t++) {
			const struct rtc_task *k = &m->tasks[t];
			if (k->stream < 0 || p->settled[t])
				continue;
			any[k->resource] = true;
			if (k->priority < top[k->resource])
				top[k->resource] = k->priority;
		}
		for (int t = 0; t < m->ntasks; t++) {
			const struct rtc_task *k = &m->tasks[t];
			if (k->stream < 0 || !p->settled[t])
				continue;
			const struct rtc_resource *res = &m->resources[k->resource];
			bool hit = false;
			if (k->hop > 0)
				hit = !p->settled[m->streams[k->stream].path[k->hop - 1]];
			if (res->policy == RTC_POLICY_FP)
				hit |= top[k->resource] < k->priority;
			else if (res->policy == RTC_POLICY_EDF)
				hit |= any[k->resource];
			if (hit) {
				p->settled[t] = false;
				changed = true;
			}
		}
	}
}

static int unplaced(const struct planner *p)
{
	const struct rtc_model *m = pmodel(p);
	int n = 0;
	for (int i = 0; i < p->nf; i++)
		n += m->tasks[p->ftasks[i]].resource == p->failed;
	return n;
}

static void record(struct planner *p, int64_t slack)
{
	if (p->found && slack <= p->best_slack)
		return;
	p->found = true;
	p->best_slack = slack;
	for (int t = 0; t < p->ntasks; t++)
		p->best_to[t] = p->moved_to[t];
}

/* Resources of M by increasing current utilisation (ties: index) into OUT. */
static void targets_by_room(const struct planner *p, int *out)
{
	int R = p->nres;
	for (int r = 0; r < R; r++)
		out[r] = r;
	for (int i = 1; i < R; i++) {
		int x = out[i], j = i;
		while (j > 0 && p->util[out[j - 1]] > p->util[x]) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
}

static void search(struct planner *p, int level);

/* Tries moving T to R (and, when R is blocked by one movable task, that one first). */
static void try_move(struct planner *p, int t, int r, int level)
{
	if (p->rc || p->is_budget_hit)
		return;
	int from = pmodel(p)->tasks[t].resource;
	uint64_t h = p->hash ^ (p->moved_to[t] >= 0 ? move_hash(t, p->moved_to[t]) : 0) ^
		     (r == p->home[t] ? 0 : move_hash(t, r));
	if (!set_add(&p->seen, h ^ mix((uint64_t)level + 0x51)))
		return;
	if ((p->rc = do_move(p, t, r)))
		return;
	search(p, level + 1);
	int rc = do_move(p, t, from);
	if (!p->rc)
		p->rc = rc;
}

/* Extra-move candidates: tasks that are not on F, not moved, movable, and useful. */
static void extra_moves(struct planner *p, int level, bool all_placed)
{
	const struct rtc_model *m = pmodel(p);
	const struct rtc_result *res = rtc_analysis_result(p->a);
	int T = m->ntasks, R = m->nresources;
	bool *useful = kairos_xcalloc((size_t)T + 1, sizeof(bool));
	bool *miss_res = kairos_xcalloc((size_t)R + 1, sizeof(bool));
	int *targets = kairos_xmalloc(((size_t)R + 1) * sizeof(int));
	if (all_placed) {
		for (int t = 0; t < T; t++)
			if (m->tasks[t].stream >= 0 && !res->tasks[t].ok)
				miss_res[m->tasks[t].resource] = true;
		for (int t = 0; t < T; t++)
			if (m->tasks[t].stream >= 0 && miss_res[m->tasks[t].resource])
				useful[t] = true;
		for (int si = 0; si < m->nstreams; si++)
			if (!res->streams[si].ok)
				for (int h = 0; h < m->streams[si].path_len; h++)
					useful[m->streams[si].path[h]] = true;
	}
	/* blockers of the tasks still on F */
	for (int i = 0; i < p->nf; i++) {
		int f = p->ftasks[i];
		if (m->tasks[f].resource != p->failed)
			continue;
		for (int r = 0; r < R; r++) {
			int b;
			if (target_check(p, f, r, &b) && b >= 0)
				useful[b] = true;
		}
	}
	targets_by_room(p, targets);
	for (int t = 0; t < T && !p->rc && !p->is_budget_hit; t++) {
		const struct rtc_task *k = &m->tasks[t];
		if (!useful[t] || k->stream < 0 || p->moved_to[t] >= 0 ||
		    k->resource == p->failed || m->resources[k->resource].kind != RTC_KIND_HOST)
			continue;
		for (int i = 0; i < R && !p->rc && !p->is_budget_hit; i++)
			if (target_ok(p, t, targets[i]))
				try_move(p, t, targets[i], level);
	}
	free(useful);
	free(miss_res);
	free(targets);
}

static int first_unplaced(const struct planner *p)
{
	const struct rtc_model *m = pmodel(p);
	for (int i = 0; i < p->nf; i++)
		if (m->tasks[p->ftasks[i]].resource == p->failed)
			return p->ftasks[i];
	return -1;
}

/* One node of the depth-first search; LEVEL = moves made so far. */
static void search(struct planner *p, int level)
{
	if (p->rc || p->is_budget_hit)
		return;
	if (++p->configs >= p->max_configs)
		p->is_budget_hit = true;
	int left = unplaced(p);
	int room = p->depth - level;
	bool ok;
	if (left > room)
		return;
	if (left == 0) {
		if ((p->rc = analyse(p)))
			return;
		int64_t s = min_slack(p, NULL, &ok);
		if (ok) {
			/* with fewer moves than the level it was found by an earlier level */
			if (level == p->depth)
				record(p, s);
			return;
		}
		if (level == p->depth)
			return;
	} else if (room == left) {
		/* only placements of F remain: settled tasks only get worse */
		if ((p->rc = analyse(p)))
			return;
		compute_settled(p);
		int64_t ub = min_slack(p, p->settled, &ok);
		if (!ok || (p->found && ub <= p->best_slack))
			return;
	}
	if (left > 0) {
		int f = first_unplaced(p);
		int *targets = kairos_xmalloc(((size_t)p->nres + 1) * sizeof(int));
		targets_by_room(p, targets);
		for (int i = 0; i < p->nres && !p->rc && !p->is_budget_hit; i++)
			if (target_ok(p, f, targets[i]))
				try_move(p, f, targets[i], level);
		free(targets);
	}
	if (room > left)
		extra_moves(p, level, left == 0);
}

static void planner_destroy(struct planner *p)
{
	rtc_analysis_free(p->a);
	free(p->home);
	free(p->util);
	free(p->slots);
	free(p->ftasks);
	free(p->moved_to);
	free(p->seen.v);
	free(p->settled);
	free(p->top);
	free(p->any);
	for (int r = 0; r < p->nres; r++)
		free(p->on ? p->on[r] : NULL);
	free(p->on);
	free(p->non);
	free(p->capon);
	free(p->best_to);
}

/* The plan of the best configuration: moves and the analysis of the reconfigured model. */
static int plan_fill(struct planner *p, const struct rtc_model *m, struct rtc_plan *plan,
		     struct kairos_error *err)
{
	plan->model = rtc_model_clone(m);
	plan->moves = kairos_xcalloc((size_t)m->ntasks + 1, sizeof(*plan->moves));
	for (int t = 0; t < m->ntasks; t++) {
		if (p->best_to[t] < 0)
			continue;
		struct rtc_plan_move *mv = &plan->moves[plan->nmoves++];
		mv->task = t;
		mv->from = p->home[t];
		mv->to = p->best_to[t];
		plan->model->tasks[t].resource = mv->to;
	}
	plan->model->resources[p->failed].is_down = true;
	int rc = rtc_analyze(plan->model, &plan->result, err);
	if (rc)
		return rc;
	plan->min_slack = p->best_slack;
	plan->is_feasible = plan->result->schedulable;
	if (!plan->is_feasible)
		snprintf(plan->reason, sizeof(plan->reason),
			 "internal: the chosen configuration does not re-analyse as schedulable");
	return 0;
}

int rtc_plan_compute(const struct rtc_model *m, int failed, const struct rtc_plan_options *opt,
		     struct rtc_plan **out, struct kairos_error *err)
{
	struct planner p;
	int rc;
	*out = NULL;
	if (failed < 0 || failed >= m->nresources)
		return kairos_error_set(err, KAIROS_EINVAL, "resource",
					"resource: no resource with index %d", failed);
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.failed = failed;
	p.max_configs =
	    opt && opt->max_configs > 0 ? opt->max_configs : RTC_PLAN_DEFAULT_MAX_CONFIGS;
	int max_extra =
	    opt && opt->max_extra_moves > 0 ? opt->max_extra_moves : RTC_PLAN_DEFAULT_MAX_EXTRA;
	if ((rc = rtc_analysis_new(m, &p.a, err)))
		return rc;
	p.ntasks = m->ntasks;
	p.nres = m->nresources;
	p.home = kairos_xmalloc(((size_t)p.ntasks + 1) * sizeof(int));
	p.moved_to = kairos_xmalloc(((size_t)p.ntasks + 1) * sizeof(int));
	p.best_to = kairos_xmalloc(((size_t)p.ntasks + 1) * sizeof(int));
	p.ftasks = kairos_xmalloc(((size_t)p.ntasks + 1) * sizeof(int));
	p.util = kairos_xcalloc((size_t)p.nres + 1, sizeof(double));
	p.slots = kairos_xcalloc((size_t)p.nres + 1, sizeof(int64_t));
	p.settled = kairos_xcalloc((size_t)p.ntasks + 1, sizeof(bool));
	p.top = kairos_xcalloc((size_t)p.nres + 1, sizeof(long));
	p.any = kairos_xcalloc((size_t)p.nres + 1, sizeof(bool));
	p.on = kairos_xcalloc((size_t)p.nres + 1, sizeof(int *));
	p.non = kairos_xcalloc((size_t)p.nres + 1, sizeof(int));
	p.capon = kairos_xcalloc((size_t)p.nres + 1, sizeof(int));
	bool network_task = false;
	for (int t = 0; t < p.ntasks; t++) {
		const struct rtc_task *k = &m->tasks[t];
		p.home[t] = k->resource;
		p.moved_to[t] = p.best_to[t] = -1;
		if (k->stream < 0)
			continue;
		p.util[k->resource] += task_util(m, t, k->resource);
		p.slots[k->resource] += k->slot;
		on_add(&p, k->resource, t);
		if (k->resource == failed) {
			p.ftasks[p.nf++] = t;
			network_task |= m->resources[failed].kind != RTC_KIND_HOST;
		}
	}
	struct rtc_plan *plan = kairos_xcalloc(1, sizeof(*plan));
	if (network_task) {
		snprintf(plan->reason, sizeof(plan->reason),
			 "%s is a network resource: its tasks never move",
			 m->resources[failed].name);
		goto done;
	}
	for (int depth = p.nf; depth <= p.nf + max_extra && !p.found && !p.rc && !p.is_budget_hit;
	     depth++) {
		set_clear(&p.seen);
		p.depth = depth;
		search(&p, 0);
	}
	if (p.rc) {
		rc = p.rc;
		rtc_plan_free(plan);
		plan = NULL;
		goto out;
	}
	if (p.found) {
		if ((rc = plan_fill(&p, m, plan, err))) {
			rtc_plan_free(plan);
			plan = NULL;
			goto out;
		}
	} else if (p.is_budget_hit) {
		snprintf(plan->reason, sizeof(plan->reason),
			 "no plan found within the search budget (%ld configurations explored)",
			 p.configs);
	} else {
		snprintf(plan->reason, sizeof(plan->reason),
			 "no configuration with at most %d moves keeps every deadline and every "
			 "replica_of",
			 p.nf + max_extra);
	}
done:
	plan->is_budget_hit = p.is_budget_hit;
	plan->configs = p.configs;
	plan->analyses = p.analyses;
	plan->resources_analysed = p.resources_analysed;
	*out = plan;
	rc = 0;
out:
	planner_destroy(&p);
	return rc;
}

void rtc_plan_free(struct rtc_plan *p)
{
	if (!p)
		return;
	free(p->moves);
	rtc_model_free(p->model);
	rtc_result_free(p->result);
	free(p);
}

/* A JSON string literal of S (names are user text). */
static void put_json_str(struct kairos_buf *b, const char *s)
{
	kairos_buf_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			kairos_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			kairos_buf_printf(b, "\\u%04x", c);
		else
			kairos_buf_append(b, (const char *)&c, 1);
	}
	kairos_buf_puts(b, "\"");
}

char *rtc_plan_to_json(const struct rtc_plan *p, const struct rtc_model *m)
{
	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_printf(&b, "{\"feasible\": %s", p->is_feasible ? "true" : "false");
	if (!p->is_feasible) {
		kairos_buf_puts(&b, ",\n \"reason\": ");
		put_json_str(&b, p->reason);
	}
	kairos_buf_puts(&b, ",\n \"moves\": [");
	for (int i = 0; i < p->nmoves; i++) {
		const struct rtc_plan_move *mv = &p->moves[i];
		kairos_buf_puts(&b, i ? ",\n  {\"task\": " : "\n  {\"task\": ");
		put_json_str(&b, m->tasks[mv->task].name);
		kairos_buf_puts(&b, ", \"from\": ");
		put_json_str(&b, m->resources[mv->from].name);
		kairos_buf_puts(&b, ", \"to\": ");
		put_json_str(&b, m->resources[mv->to].name);
		kairos_buf_puts(&b, "}");
	}
	kairos_buf_puts(&b, "]");
	if (p->result) {
		char *r = rtc_result_to_json(p->result);
		size_t n = strlen(r);
		while (n > 0 && r[n - 1] == '\n')
			n--;
		kairos_buf_puts(&b, ",\n \"analysis\": ");
		kairos_buf_append(&b, r, n);
		free(r);
	}
	kairos_buf_puts(&b, "}\n");
	return kairos_buf_steal(&b);
}
