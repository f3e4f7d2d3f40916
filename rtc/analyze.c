/*
 * analyze.c - the whole-model analysis and its incremental form.
 *
 * Resources depend on each other through the streams: the task at hop h+1 is
 * activated by the completions of hop h, whose output event model is the
 * input's shifted by that hop's delay jitter (wcrt - bcrt) and limited by its
 * minimum completion distance (bcrt): both are the GPC output bound
 * alpha' = alpha (/) delta_{wcrt-bcrt} (min) beta^u (Le Boudec & Thiran 2001,
 * Thm 1.4.3, with the delay of the hop as its service). Resources are
 * analysed in topological order of the strongly connected components of that
 * dependency graph; inside a cyclic component (a path that comes back to a
 * resource) the analysis starts from the optimistic jitter 0 and iterates to
 * the least fixed point (as in SymTA/S; Henia et al. 2005), at most
 * RTC_FIXPOINT_ROUNDS rounds, after which everything still moving is
 * declared unbounded (sound: no bound is claimed).
 *
 * End-to-end latency is the sum of the per-hop delay bounds (we do not apply
 * pay-bursts-only-once; see docs/RTC.md).
 *
 * Incremental: every change marks the resources whose inputs it changes;
 * update() re-analyses those, and a resource's downstream neighbours only
 * when one of its tasks' bounds actually moved.
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_gpc.h"
#include "rtc/rtc_internal.h"

#define RTC_FIXPOINT_ROUNDS 64
#define INF RTC_CURVE_INF

struct rtc_analysis {
	struct rtc_model *m;
	struct rtc_result *res;
	bool *dirty; /* per resource */
	int cap_dirty;
	struct rtc_gpc_scratch scratch;
	struct rtc_gpc_task *gt;
	struct rtc_gpc_task **gp;
	int cap_gt;
	/* per-resource task lists (CSR) and the dependency graph, rebuilt per update */
	int *rstart, *rtasks;
	int *estart, *edges;
	int *changed; /* tasks added or moved since the last update */
	int nchanged, cap_changed;
	/* Tarjan */
	int *idx, *low, *stack, *comp, *order;
	bool *onstack;
	int ncomp, counter, sp;
};

static int64_t to_ticks(int64_t service_micro, int64_t rate_micro, bool up)
{
	return rtc_div_round((__int128)service_micro * RTC_TICKS_PER_UNIT, rate_micro, up);
}

static int successor(const struct rtc_model *m, int t)
{
	const struct rtc_task *k = &m->tasks[t];
	if (k->stream < 0)
		return -1;
	const struct rtc_stream *s = &m->streams[k->stream];
	return k->hop + 1 < s->path_len ? s->path[k->hop + 1] : -1;
}

/* Optimistic start: no delay jitter yet. */
static void task_reset(struct rtc_analysis *a, int t)
{
	const struct rtc_task *k = &a->m->tasks[t];
	struct rtc_task_result *r = &a->res->tasks[t];
	r->is_removed = k->stream < 0;
	if (r->is_removed)
		return;
	r->bcrt = to_ticks(k->bcet, a->m->resources[k->resource].rate_micro, false);
	r->wcrt = r->bcrt;
	r->is_bounded = true;
	r->backlog = 0;
}

/* The activation model of task T from its stream and the hops before it. */
static bool task_input(const struct rtc_analysis *a, int t, struct rtc_em *em)
{
	const struct rtc_model *m = a->m;
	const struct rtc_task *k = &m->tasks[t];
	const struct rtc_stream *s = &m->streams[k->stream];
	int64_t shift = 0;
	for (int h = 0; h < k->hop; h++) {
		const struct rtc_task_result *p = &a->res->tasks[s->path[h]];
		if (!p->is_bounded)
			return false;
		shift = rtc_sat_add(shift, p->wcrt - p->bcrt);
	}
	em->n = 0;
	em->period[em->n] = s->period;
	em->shift[em->n++] = rtc_sat_add(s->jitter, shift);
	if (s->min_distance > 0) {
		em->period[em->n] = s->min_distance;
		em->shift[em->n++] = shift;
	}
	if (k->hop > 0) {
		int64_t gap = a->res->tasks[s->path[k->hop - 1]].bcrt;
		if (gap > 0) {
			em->period[em->n] = gap;
			em->shift[em->n++] = 0;
		}
	}
	return true;
}

/* Marks the resources of every task after T in its path. */
static void mark_downstream(struct rtc_analysis *a, int t)
{
	const struct rtc_model *m = a->m;
	const struct rtc_task *k = &m->tasks[t];
	if (k->stream < 0)
		return;
	const struct rtc_stream *s = &m->streams[k->stream];
	for (int h = k->hop + 1; h < s->path_len; h++)
		a->dirty[m->tasks[s->path[h]].resource] = true;
}

/* Analyses resource R; marks the resources downstream of every task whose bounds moved. */
static void analyse_resource(struct rtc_analysis *a, int r)
{
	const struct rtc_model *m = a->m;
	const struct rtc_resource *res = &m->resources[r];
	int n = a->rstart[r + 1] - a->rstart[r];
	struct rtc_resource_result *rr = &a->res->resources[r];
	rr->utilization = 0;
	for (int i = 0; i < n; i++) {
		int t = a->rtasks[a->rstart[r] + i];
		const struct rtc_task *k = &m->tasks[t];
		struct rtc_gpc_task *g = &a->gt[i];
		memset(g, 0, sizeof(*g));
		g->index = t;
		g->in_bounded = task_input(a, t, &g->in);
		g->c = to_ticks(k->wcet, res->rate_micro, true);
		g->bcrt = to_ticks(k->bcet, res->rate_micro, false);
		g->priority = k->priority;
		g->deadline = k->deadline;
		g->slot = k->slot;
		a->gp[i] = g;
		rr->utilization += (double)k->wcet / ((double)m->streams[k->stream].period * (double)res->rate_micro /
						      RTC_TICKS_PER_UNIT);
	}
	rr->busy_window = rtc_gpc_analyse(res, a->gp, n, &a->scratch);
	a->res->resources_analysed++;
	for (int i = 0; i < n; i++) {
		const struct rtc_gpc_task *g = &a->gt[i];
		struct rtc_task_result *tr = &a->res->tasks[g->index];
		bool moved = tr->is_bounded != g->bounded || tr->wcrt != g->wcrt || tr->bcrt != g->bcrt;
		tr->is_bounded = g->bounded;
		tr->wcrt = g->wcrt;
		tr->bcrt = g->bcrt;
		tr->backlog = g->backlog;
		if (moved) /* every later hop's input accumulates this hop's jitter */
			mark_downstream(a, g->index);
	}
}

/* ---- graph -------------------------------------------------------------- */

static void build_lists(struct rtc_analysis *a)
{
	const struct rtc_model *m = a->m;
	int R = m->nresources;
	a->rstart = kairos_xrealloc(a->rstart, ((size_t)R + 2) * sizeof(int));
	a->rtasks = kairos_xrealloc(a->rtasks, ((size_t)m->ntasks + 1) * sizeof(int));
	a->estart = kairos_xrealloc(a->estart, ((size_t)R + 2) * sizeof(int));
	a->edges = kairos_xrealloc(a->edges, ((size_t)m->ntasks + 1) * sizeof(int));
	memset(a->rstart, 0, ((size_t)R + 2) * sizeof(int));
	memset(a->estart, 0, ((size_t)R + 2) * sizeof(int));
	int maxn = 0;
	for (int t = 0; t < m->ntasks; t++) {
		if (m->tasks[t].stream < 0)
			continue;
		a->rstart[m->tasks[t].resource + 2]++;
		int s = successor(m, t);
		if (s >= 0)
			a->estart[m->tasks[t].resource + 2]++;
	}
	for (int r = 0; r < R; r++) {
		if (a->rstart[r + 2] > maxn)
			maxn = a->rstart[r + 2];
		a->rstart[r + 2] += a->rstart[r + 1];
		a->estart[r + 2] += a->estart[r + 1];
	}
	for (int t = 0; t < m->ntasks; t++) {
		if (m->tasks[t].stream < 0)
			continue;
		int r = m->tasks[t].resource;
		a->rtasks[a->rstart[r + 1]++] = t;
		int s = successor(m, t);
		if (s >= 0)
			a->edges[a->estart[r + 1]++] = m->tasks[s].resource;
	}
	if (maxn > a->cap_gt) {
		a->cap_gt = maxn;
		a->gt = kairos_xrealloc(a->gt, (size_t)maxn * sizeof(*a->gt));
		a->gp = kairos_xrealloc(a->gp, (size_t)maxn * sizeof(*a->gp));
	}
}

/* Tarjan's SCC (1972); components come out in reverse topological order. */
static void strongconnect(struct rtc_analysis *a, int v)
{
	a->idx[v] = a->low[v] = a->counter++;
	a->stack[a->sp++] = v;
	a->onstack[v] = true;
	for (int e = a->estart[v]; e < a->estart[v + 1]; e++) {
		int w = a->edges[e];
		if (a->idx[w] < 0) {
			strongconnect(a, w);
			if (a->low[w] < a->low[v])
				a->low[v] = a->low[w];
		} else if (a->onstack[w] && a->idx[w] < a->low[v]) {
			a->low[v] = a->idx[w];
		}
	}
	if (a->low[v] == a->idx[v]) {
		int w;
		do {
			w = a->stack[--a->sp];
			a->onstack[w] = false;
			a->comp[w] = a->ncomp;
		} while (w != v);
		a->ncomp++;
	}
}

static void build_components(struct rtc_analysis *a)
{
	int R = a->m->nresources;
	size_t sz = (size_t)R + 1;
	a->idx = kairos_xrealloc(a->idx, sz * sizeof(int));
	a->low = kairos_xrealloc(a->low, sz * sizeof(int));
	a->stack = kairos_xrealloc(a->stack, sz * sizeof(int));
	a->comp = kairos_xrealloc(a->comp, sz * sizeof(int));
	a->order = kairos_xrealloc(a->order, sz * sizeof(int));
	a->onstack = kairos_xrealloc(a->onstack, sz * sizeof(bool));
	for (int r = 0; r < R; r++) {
		a->idx[r] = -1;
		a->onstack[r] = false;
	}
	a->ncomp = a->counter = a->sp = 0;
	for (int r = 0; r < R; r++)
		if (a->idx[r] < 0)
			strongconnect(a, r);
	/* order: resources sorted by component, topological first (counting sort) */
	int *cnt = kairos_xcalloc((size_t)a->ncomp + 1, sizeof(int));
	for (int r = 0; r < R; r++)
		cnt[a->ncomp - 1 - a->comp[r] + 1]++;
	for (int c = 0; c < a->ncomp; c++)
		cnt[c + 1] += cnt[c];
	for (int r = 0; r < R; r++)
		a->order[cnt[a->ncomp - 1 - a->comp[r]]++] = r;
	free(cnt);
}

static bool is_cyclic(const struct rtc_analysis *a, const int *members, int n)
{
	if (n > 1)
		return true;
	for (int e = a->estart[members[0]]; e < a->estart[members[0] + 1]; e++)
		if (a->edges[e] == members[0])
			return true;
	return false;
}

static void component_reset(struct rtc_analysis *a, const int *mem, int n)
{
	for (int k = 0; k < n; k++) {
		a->dirty[mem[k]] = true;
		for (int q = a->rstart[mem[k]]; q < a->rstart[mem[k] + 1]; q++)
			task_reset(a, a->rtasks[q]);
	}
}

/* Iterates a component until no resource in it is dirty; false after the round cap. */
static bool component_iterate(struct rtc_analysis *a, const int *mem, int n)
{
	for (int round = 0; round < RTC_FIXPOINT_ROUNDS; round++) {
		bool any = false;
		for (int k = 0; k < n; k++)
			any |= a->dirty[mem[k]];
		if (!any)
			return true;
		if (round + 1 > a->res->iterations)
			a->res->iterations = round + 1;
		for (int k = 0; k < n; k++)
			if (a->dirty[mem[k]]) {
				a->dirty[mem[k]] = false;
				analyse_resource(a, mem[k]);
			}
	}
	return false;
}

/*
 * Analyses every component with a dirty resource, in topological order. A
 * full analysis starts each cyclic component from the optimistic state and
 * reaches the least fixed point. An incremental update starts from the
 * current fixed point instead, so that a change only ripples as far as it
 * moves bounds: after an addition (more interference) that converges to the
 * same least fixed point; after a removal or a move it converges to a fixed
 * point of the new model, which is never below the least one (Knaster-Tarski)
 * and hence as sound, though it may be less tight. Should it not converge,
 * the component is reset and iterated from the optimistic state.
 */
static void process(struct rtc_analysis *a, bool full)
{
	const struct rtc_model *m = a->m;
	build_components(a);
	a->res->iterations = 0;
	int R = m->nresources;
	for (int i = 0; i < R;) {
		int j = i;
		while (j < R && a->comp[a->order[j]] == a->comp[a->order[i]])
			j++;
		const int *mem = &a->order[i];
		int n = j - i;
		i = j;
		bool any = false;
		for (int k = 0; k < n; k++)
			any |= a->dirty[mem[k]];
		if (!any)
			continue;
		bool cyclic = is_cyclic(a, mem, n);
		if (cyclic && full)
			component_reset(a, mem, n);
		if (component_iterate(a, mem, n))
			continue;
		if (!full) {
			component_reset(a, mem, n);
			if (component_iterate(a, mem, n))
				continue;
		}
		/* no fixed point in sight: claim nothing for this component */
		for (int k = 0; k < n; k++) {
			a->dirty[mem[k]] = false;
			for (int q = a->rstart[mem[k]]; q < a->rstart[mem[k] + 1]; q++) {
				int t = a->rtasks[q];
				a->res->tasks[t].is_bounded = false;
				a->res->tasks[t].wcrt = INF;
				mark_downstream(a, t);
			}
		}
		for (int k = 0; k < n; k++)
			a->dirty[mem[k]] = false;
	}
}

static void summarise(struct rtc_analysis *a)
{
	const struct rtc_model *m = a->m;
	struct rtc_result *r = a->res;
	r->schedulable = true;
	for (int t = 0; t < m->ntasks; t++) {
		struct rtc_task_result *tr = &r->tasks[t];
		const struct rtc_task *k = &m->tasks[t];
		tr->is_removed = k->stream < 0;
		if (tr->is_removed)
			continue;
		if (strcmp(tr->resource, m->resources[k->resource].name) != 0) {
			free(tr->resource);
			tr->resource = kairos_xstrdup(m->resources[k->resource].name);
		}
		tr->deadline = k->deadline;
		tr->has_deadline = k->has_deadline;
		if (!tr->is_bounded) {
			tr->wcrt = INF;
			tr->backlog = INF;
		}
		tr->ok = tr->is_bounded && (!k->has_deadline || tr->wcrt <= k->deadline);
		r->schedulable &= tr->ok;
	}
	for (int si = 0; si < m->nstreams; si++) {
		const struct rtc_stream *s = &m->streams[si];
		struct rtc_stream_result *sr = &r->streams[si];
		sr->is_removed = s->path_len == 0;
		sr->is_bounded = true;
		sr->latency = 0;
		for (int h = 0; h < s->path_len; h++) {
			const struct rtc_task_result *tr = &r->tasks[s->path[h]];
			sr->is_bounded &= tr->is_bounded;
			sr->latency = sr->is_bounded ? rtc_sat_add(sr->latency, tr->wcrt) : INF;
		}
		sr->deadline = s->deadline;
		sr->has_deadline = s->has_deadline;
		sr->ok = sr->is_removed || (sr->is_bounded && (!s->has_deadline || sr->latency <= s->deadline));
		r->schedulable &= sr->ok;
	}
}

/* Grows the result and the dirty flags to the model's sizes (new entries optimistic). */
static void sync_sizes(struct rtc_analysis *a)
{
	const struct rtc_model *m = a->m;
	struct rtc_result *r = a->res;
	if (m->ntasks > r->ntasks) {
		r->tasks = kairos_xrealloc(r->tasks, ((size_t)m->ntasks + 1) * sizeof(*r->tasks));
		for (int t = r->ntasks; t < m->ntasks; t++) {
			memset(&r->tasks[t], 0, sizeof(r->tasks[t]));
			r->tasks[t].task = kairos_xstrdup(m->tasks[t].name);
			r->tasks[t].resource = kairos_xstrdup(m->resources[m->tasks[t].resource].name);
			task_reset(a, t);
		}
		r->ntasks = m->ntasks;
	}
	if (m->nstreams > r->nstreams) {
		r->streams = kairos_xrealloc(r->streams, ((size_t)m->nstreams + 1) * sizeof(*r->streams));
		for (int s = r->nstreams; s < m->nstreams; s++) {
			memset(&r->streams[s], 0, sizeof(r->streams[s]));
			r->streams[s].stream = kairos_xstrdup(m->streams[s].name);
		}
		r->nstreams = m->nstreams;
	}
	if (m->nresources > a->cap_dirty) {
		a->dirty = kairos_xrealloc(a->dirty, (size_t)m->nresources * sizeof(bool));
		memset(a->dirty + a->cap_dirty, 0, (size_t)(m->nresources - a->cap_dirty) * sizeof(bool));
		a->cap_dirty = m->nresources;
	}
}

/* ---- public ---------------------------------------------------------------- */

int rtc_analysis_new(const struct rtc_model *m, struct rtc_analysis **out, struct kairos_error *err)
{
	*out = NULL;
	int rc = rtc_model_validate(m, err);
	if (rc)
		return rc;
	struct rtc_analysis *a = kairos_xcalloc(1, sizeof(*a));
	a->m = rtc_model_clone(m);
	a->res = rtc_result_alloc(a->m);
	rtc_gpc_scratch_init(&a->scratch);
	sync_sizes(a);
	for (int t = 0; t < a->m->ntasks; t++)
		task_reset(a, t);
	for (int r = 0; r < a->m->nresources; r++)
		a->dirty[r] = true;
	build_lists(a);
	process(a, true);
	summarise(a);
	*out = a;
	return 0;
}

void rtc_analysis_free(struct rtc_analysis *a)
{
	if (!a)
		return;
	rtc_model_free(a->m);
	rtc_result_free(a->res);
	rtc_gpc_scratch_destroy(&a->scratch);
	free(a->dirty);
	free(a->gt);
	free(a->gp);
	free(a->rstart);
	free(a->rtasks);
	free(a->estart);
	free(a->edges);
	free(a->idx);
	free(a->low);
	free(a->stack);
	free(a->comp);
	free(a->order);
	free(a->onstack);
	free(a->changed);
	free(a);
}

const struct rtc_model *rtc_analysis_model(const struct rtc_analysis *a)
{
	return a->m;
}

const struct rtc_result *rtc_analysis_result(const struct rtc_analysis *a)
{
	return a->res;
}

int rtc_analyze(const struct rtc_model *m, struct rtc_result **out, struct kairos_error *err)
{
	struct rtc_analysis *a;
	*out = NULL;
	int rc = rtc_analysis_new(m, &a, err);
	if (rc)
		return rc;
	*out = a->res;
	a->res = rtc_result_alloc(a->m); /* an empty one for free() */
	rtc_analysis_free(a);
	return 0;
}

static void note_change(struct rtc_analysis *a, int t)
{
	if (a->nchanged == a->cap_changed) {
		a->cap_changed = a->cap_changed ? 2 * a->cap_changed : 16;
		a->changed = kairos_xrealloc(a->changed, (size_t)a->cap_changed * sizeof(int));
	}
	a->changed[a->nchanged++] = t;
}

static void copy_task_fields(struct rtc_task *dst, const struct rtc_task *src)
{
	dst->priority = src->priority;
	dst->has_priority = src->has_priority;
	dst->deadline = src->deadline;
	dst->has_deadline = src->has_deadline;
	dst->slot = src->slot;
	dst->replica_of = src->replica_of;
}

int rtc_analysis_task_add(struct rtc_analysis *a, int stream, const struct rtc_task *proto,
			  struct kairos_error *err)
{
	if (rtc_model_find_task(a->m, proto->name) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: duplicate task name \"%s\"", proto->name);
	int t = rtc_model_add_task(a->m, stream, proto->name, proto->resource, proto->wcet, proto->bcet, err);
	if (t < 0)
		return t;
	copy_task_fields(&a->m->tasks[t], proto);
	note_change(a, t);
	sync_sizes(a);
	task_reset(a, t);
	a->dirty[proto->resource] = true;
	return t;
}

int rtc_analysis_stream_add(struct rtc_analysis *a, const struct rtc_stream *proto_stream,
			    const struct rtc_task *proto_task, struct kairos_error *err)
{
	if (proto_task->resource < 0 || proto_task->resource >= a->m->nresources)
		return kairos_error_set(err, KAIROS_EINVAL, "resource", "resource: no resource with index %d",
					proto_task->resource);
	if (rtc_model_find_task(a->m, proto_task->name) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: duplicate task name \"%s\"",
					proto_task->name);
	int s = rtc_model_add_stream(a->m, proto_stream->name, proto_stream->period, err);
	if (s < 0)
		return s;
	struct rtc_stream *st = &a->m->streams[s];
	st->jitter = proto_stream->jitter;
	st->min_distance = proto_stream->min_distance;
	st->deadline = proto_stream->deadline;
	st->has_deadline = proto_stream->has_deadline;
	int t = rtc_analysis_task_add(a, s, proto_task, err);
	return t < 0 ? t : s;
}

int rtc_analysis_task_remove(struct rtc_analysis *a, int task, struct kairos_error *err)
{
	struct rtc_model *m = a->m;
	if (task < 0 || task >= m->ntasks || m->tasks[task].stream < 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: no task with index %d", task);
	struct rtc_task *k = &m->tasks[task];
	struct rtc_stream *s = &m->streams[k->stream];
	mark_downstream(a, task);
	a->dirty[k->resource] = true;
	for (int h = k->hop; h + 1 < s->path_len; h++) {
		s->path[h] = s->path[h + 1];
		m->tasks[s->path[h]].hop = h;
	}
	s->path_len--;
	k->stream = -1;
	a->res->tasks[task].is_removed = true;
	return 0;
}

int rtc_analysis_stream_remove(struct rtc_analysis *a, int stream, struct kairos_error *err)
{
	if (stream < 0 || stream >= a->m->nstreams)
		return kairos_error_set(err, KAIROS_EINVAL, "stream", "stream: no stream with index %d", stream);
	struct rtc_stream *s = &a->m->streams[stream];
	while (s->path_len > 0) {
		int rc = rtc_analysis_task_remove(a, s->path[s->path_len - 1], err);
		if (rc)
			return rc;
	}
	return 0;
}

int rtc_analysis_task_move(struct rtc_analysis *a, int task, int resource, long priority,
			   struct kairos_error *err)
{
	struct rtc_model *m = a->m;
	if (task < 0 || task >= m->ntasks || m->tasks[task].stream < 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: no task with index %d", task);
	if (resource < 0 || resource >= m->nresources)
		return kairos_error_set(err, KAIROS_EINVAL, "resource", "resource: no resource with index %d", resource);
	struct rtc_task *k = &m->tasks[task];
	a->dirty[k->resource] = true;
	a->dirty[resource] = true;
	k->resource = resource;
	k->priority = priority;
	k->has_priority = true;
	note_change(a, task);
	return 0;
}

int rtc_analysis_update(struct rtc_analysis *a, struct kairos_error *err)
{
	/* only what changed needs checking: the rest was valid before */
	build_lists(a);
	for (int i = 0; i < a->nchanged; i++) {
		int t = a->changed[i];
		if (a->m->tasks[t].stream < 0)
			continue;
		int r = a->m->tasks[t].resource;
		int rc = rtc_model_validate_task(a->m, t, &a->rtasks[a->rstart[r]], a->rstart[r + 1] - a->rstart[r], err);
		if (rc)
			return rc;
		/* a moved primary must not land on one of its replicas */
		for (int q = 0; q < a->m->ntasks; q++) {
			const struct rtc_task *k = &a->m->tasks[q];
			if (k->stream >= 0 && k->replica_of == t && k->resource == r)
				return kairos_error_set(err, KAIROS_EINVAL, "replica_of",
							"replica_of: \"%s\" shares resource \"%s\" with its primary \"%s\"",
							k->name, a->m->resources[r].name, a->m->tasks[t].name);
		}
	}
	a->nchanged = 0;
	sync_sizes(a);
	a->res->resources_analysed = 0;
	process(a, false);
	summarise(a);
	return 0;
}
