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
#define RTC_DIVERGE_ROUND 8
#define RTC_DIVERGE_PERIODS 1024
#define INF RTC_CURVE_INF

struct rtc_rvec {
	int *t;
	int n, cap;
};

/* Appends V to a growable int array. */
static void ivec_push(int **arr, int *n, int *cap, int v)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*arr = kairos_xrealloc(*arr, (size_t)*cap * sizeof(int));
	}
	(*arr)[(*n)++] = v;
}

struct rtc_analysis {
	struct rtc_model *m;
	struct rtc_result *res;
	bool *dirty; /* per resource */
	int cap_dirty;
	struct rtc_gpc_scratch scratch;
	struct rtc_gpc_task *gt;
	struct rtc_gpc_task **gp;
	int cap_gt;
	/* per-resource task lists, kept up to date by every change */
	struct rtc_rvec *rv;
	int cap_rv;
	/* the resource dependency graph (CSR), rebuilt only when a path changes */
	int *estart, *edges;
	bool is_graph_dirty;
	/* results that may have moved since the last summary, and the bad counts */
	int *touched_t, *touched_s;
	int ntouched_t, cap_touched_t, ntouched_s, cap_touched_s;
	bool *bad_t, *bad_s;
	int cap_bad_t, cap_bad_s;
	long nbad;
	int cap_res_t, cap_res_s; /* allocated entries of res->tasks / res->streams */
	/* name -> index (open addressing, FNV-1a): O(1) duplicate checks */
	int *tname, *sname;
	int cap_tname, cap_sname, n_tname, n_sname;
	int *changed; /* tasks added or moved since the last update */
	int nchanged, cap_changed;
	/* Tarjan */
	int *idx, *low, *stack, *comp, *order;
	bool *onstack;
	int ncomp, counter, sp;
};

/* ---- name index ---------------------------------------------------------- */

#define SLOT_EMPTY (-1)
#define SLOT_GONE (-2)

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Slot of NAME in TAB (or the empty slot where it would go); NAMEOF gives an index's name. */
static int name_slot(const int *tab, int cap, const char *name, const char *(*nameof)(const struct rtc_model *, int),
		     const struct rtc_model *m)
{
	int gone = -1;
	for (uint64_t i = name_hash(name) & (uint64_t)(cap - 1);; i = (i + 1) & (uint64_t)(cap - 1)) {
		if (tab[i] == SLOT_EMPTY)
			return gone >= 0 ? gone : (int)i;
		if (tab[i] == SLOT_GONE) {
			if (gone < 0)
				gone = (int)i;
		} else if (strcmp(nameof(m, tab[i]), name) == 0) {
			return (int)i;
		}
	}
}

static const char *task_name(const struct rtc_model *m, int i)
{
	return m->tasks[i].name;
}

static const char *stream_name(const struct rtc_model *m, int i)
{
	return m->streams[i].name;
}

static void name_insert(int **tab, int *cap, int *n, const char *(*nameof)(const struct rtc_model *, int),
			const struct rtc_model *m, int idx);

static void name_rehash(int **tab, int *cap, int *n, const char *(*nameof)(const struct rtc_model *, int),
			const struct rtc_model *m)
{
	int old = *cap, *otab = *tab;
	*cap = old ? 2 * old : 64;
	*tab = kairos_xmalloc((size_t)*cap * sizeof(int));
	for (int i = 0; i < *cap; i++)
		(*tab)[i] = SLOT_EMPTY;
	*n = 0;
	for (int i = 0; i < old; i++)
		if (otab[i] >= 0)
			name_insert(tab, cap, n, nameof, m, otab[i]);
	free(otab);
}

static void name_insert(int **tab, int *cap, int *n, const char *(*nameof)(const struct rtc_model *, int),
			const struct rtc_model *m, int idx)
{
	if (2 * (*n + 1) > *cap)
		name_rehash(tab, cap, n, nameof, m);
	(*tab)[name_slot(*tab, *cap, nameof(m, idx), nameof, m)] = idx;
	(*n)++;
}

static int name_find(const int *tab, int cap, const char *name, const char *(*nameof)(const struct rtc_model *, int),
		     const struct rtc_model *m)
{
	if (cap == 0)
		return -1;
	int v = tab[name_slot(tab, cap, name, nameof, m)];
	return v >= 0 ? v : -1;
}

static void name_remove(int *tab, int cap, const char *name, const char *(*nameof)(const struct rtc_model *, int),
			const struct rtc_model *m)
{
	int i = name_slot(tab, cap, name, nameof, m);
	if (tab[i] >= 0)
		tab[i] = SLOT_GONE;
}

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
	int n = a->rv[r].n;
	struct rtc_resource_result *rr = &a->res->resources[r];
	rr->utilization = 0;
	if (n > a->cap_gt) {
		a->cap_gt = 2 * n;
		a->gt = kairos_xrealloc(a->gt, (size_t)a->cap_gt * sizeof(*a->gt));
		a->gp = kairos_xrealloc(a->gp, (size_t)a->cap_gt * sizeof(*a->gp));
	}
	for (int i = 0; i < n; i++) {
		int t = a->rv[r].t[i];
		ivec_push(&a->touched_t, &a->ntouched_t, &a->cap_touched_t, t);
		ivec_push(&a->touched_s, &a->ntouched_s, &a->cap_touched_s, m->tasks[t].stream);
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

static void build_graph(struct rtc_analysis *a)
{
	const struct rtc_model *m = a->m;
	int R = m->nresources;
	a->estart = kairos_xrealloc(a->estart, ((size_t)R + 2) * sizeof(int));
	a->edges = kairos_xrealloc(a->edges, ((size_t)m->ntasks + 1) * sizeof(int));
	memset(a->estart, 0, ((size_t)R + 2) * sizeof(int));
	for (int t = 0; t < m->ntasks; t++)
		if (successor(m, t) >= 0)
			a->estart[m->tasks[t].resource + 2]++;
	for (int r = 0; r < R; r++)
		a->estart[r + 2] += a->estart[r + 1];
	for (int t = 0; t < m->ntasks; t++) {
		int s = successor(m, t);
		if (s >= 0)
			a->edges[a->estart[m->tasks[t].resource + 1]++] = m->tasks[s].resource;
	}
}

static void rv_ensure(struct rtc_analysis *a)
{
	int R = a->m->nresources;
	if (R > a->cap_rv) {
		a->rv = kairos_xrealloc(a->rv, (size_t)R * sizeof(*a->rv));
		memset(a->rv + a->cap_rv, 0, (size_t)(R - a->cap_rv) * sizeof(*a->rv));
		a->cap_rv = R;
	}
}

static void rv_add(struct rtc_analysis *a, int r, int t)
{
	rv_ensure(a);
	ivec_push(&a->rv[r].t, &a->rv[r].n, &a->rv[r].cap, t);
}

static void rv_del(struct rtc_analysis *a, int r, int t)
{
	struct rtc_rvec *v = &a->rv[r];
	for (int i = 0; i < v->n; i++)
		if (v->t[i] == t) {
			v->t[i] = v->t[--v->n]; /* order is irrelevant to every policy's analysis */
			return;
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
		for (int q = 0; q < a->rv[mem[k]].n; q++)
			task_reset(a, a->rv[mem[k]].t[q]);
	}
}

/*
 * A cyclic component whose jitter keeps feeding itself grows its bounds every
 * round until a cap stops it, with ever longer busy windows. After a few rounds,
 * a response beyond RTC_DIVERGE_PERIODS periods of its stream (that many
 * activations pending) is taken as divergence: the component is then reported
 * unbounded, which is always sound.
 */
static bool diverging(const struct rtc_analysis *a, const int *mem, int n)
{
	for (int k = 0; k < n; k++)
		for (int q = 0; q < a->rv[mem[k]].n; q++) {
			int t = a->rv[mem[k]].t[q];
			const struct rtc_task_result *tr = &a->res->tasks[t];
			int64_t period = a->m->streams[a->m->tasks[t].stream].period;
			if (tr->is_bounded && tr->wcrt / RTC_DIVERGE_PERIODS > period)
				return true;
		}
	return false;
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
		if (round >= RTC_DIVERGE_ROUND && diverging(a, mem, n))
			return false;
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
	if (a->is_graph_dirty) {
		build_graph(a);
		build_components(a);
		a->is_graph_dirty = false;
	}
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
			for (int q = 0; q < a->rv[mem[k]].n; q++) {
				int t = a->rv[mem[k]].t[q];
				a->res->tasks[t].is_bounded = false;
				a->res->tasks[t].wcrt = INF;
				mark_downstream(a, t);
			}
		}
		for (int k = 0; k < n; k++)
			a->dirty[mem[k]] = false;
	}
}

static void summarise_task(struct rtc_analysis *a, int t)
{
	const struct rtc_model *m = a->m;
	struct rtc_task_result *tr = &a->res->tasks[t];
	const struct rtc_task *k = &m->tasks[t];
	tr->is_removed = k->stream < 0;
	if (!tr->is_removed) {
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
	}
	bool bad = !tr->is_removed && !tr->ok;
	a->nbad += (long)bad - (long)a->bad_t[t];
	a->bad_t[t] = bad;
}

static void summarise_stream(struct rtc_analysis *a, int si)
{
	const struct rtc_stream *s = &a->m->streams[si];
	struct rtc_stream_result *sr = &a->res->streams[si];
	sr->is_removed = s->path_len == 0;
	sr->is_bounded = true;
	sr->latency = 0;
	for (int h = 0; h < s->path_len; h++) {
		const struct rtc_task_result *tr = &a->res->tasks[s->path[h]];
		sr->is_bounded &= tr->is_bounded;
		sr->latency = sr->is_bounded ? rtc_sat_add(sr->latency, tr->wcrt) : INF;
	}
	sr->deadline = s->deadline;
	sr->has_deadline = s->has_deadline;
	sr->ok = sr->is_removed || (sr->is_bounded && (!s->has_deadline || sr->latency <= s->deadline));
	bool bad = !sr->ok;
	a->nbad += (long)bad - (long)a->bad_s[si];
	a->bad_s[si] = bad;
}

/* Brings the summary (ok flags, latencies, schedulable) up to date for what was touched. */
static void summarise(struct rtc_analysis *a, bool full)
{
	if (full) {
		for (int t = 0; t < a->m->ntasks; t++)
			summarise_task(a, t);
		for (int s = 0; s < a->m->nstreams; s++)
			summarise_stream(a, s);
	} else {
		for (int i = 0; i < a->ntouched_t; i++)
			summarise_task(a, a->touched_t[i]);
		for (int i = 0; i < a->ntouched_s; i++)
			if (a->touched_s[i] >= 0)
				summarise_stream(a, a->touched_s[i]);
	}
	a->ntouched_t = a->ntouched_s = 0;
	a->res->schedulable = a->nbad == 0;
}

/* Grows the result and the dirty flags to the model's sizes (new entries optimistic). */
static void sync_sizes(struct rtc_analysis *a)
{
	const struct rtc_model *m = a->m;
	struct rtc_result *r = a->res;
	if (m->ntasks > r->ntasks) {
		if (m->ntasks > a->cap_res_t) { /* geometric: one admission is not a copy of all */
			a->cap_res_t = 2 * m->ntasks;
			r->tasks = kairos_xrealloc(r->tasks, (size_t)a->cap_res_t * sizeof(*r->tasks));
		}
		for (int t = r->ntasks; t < m->ntasks; t++) {
			memset(&r->tasks[t], 0, sizeof(r->tasks[t]));
			r->tasks[t].task = kairos_xstrdup(m->tasks[t].name);
			r->tasks[t].resource = kairos_xstrdup(m->resources[m->tasks[t].resource].name);
			task_reset(a, t);
		}
		r->ntasks = m->ntasks;
	}
	if (m->nstreams > r->nstreams) {
		if (m->nstreams > a->cap_res_s) {
			a->cap_res_s = 2 * m->nstreams;
			r->streams = kairos_xrealloc(r->streams, (size_t)a->cap_res_s * sizeof(*r->streams));
		}
		for (int s = r->nstreams; s < m->nstreams; s++) {
			memset(&r->streams[s], 0, sizeof(r->streams[s]));
			r->streams[s].stream = kairos_xstrdup(m->streams[s].name);
		}
		r->nstreams = m->nstreams;
	}
	if (m->ntasks > a->cap_bad_t) {
		int c = 2 * m->ntasks;
		a->bad_t = kairos_xrealloc(a->bad_t, (size_t)c * sizeof(bool));
		memset(a->bad_t + a->cap_bad_t, 0, (size_t)(c - a->cap_bad_t) * sizeof(bool));
		a->cap_bad_t = c;
	}
	if (m->nstreams > a->cap_bad_s) {
		int c = 2 * m->nstreams;
		a->bad_s = kairos_xrealloc(a->bad_s, (size_t)c * sizeof(bool));
		memset(a->bad_s + a->cap_bad_s, 0, (size_t)(c - a->cap_bad_s) * sizeof(bool));
		a->cap_bad_s = c;
	}
	rv_ensure(a);
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
	a->cap_res_t = a->m->ntasks + 1;
	a->cap_res_s = a->m->nstreams + 1;
	rtc_gpc_scratch_init(&a->scratch);
	sync_sizes(a);
	for (int t = 0; t < a->m->ntasks; t++)
		task_reset(a, t);
	for (int r = 0; r < a->m->nresources; r++)
		a->dirty[r] = true;
	for (int t = 0; t < a->m->ntasks; t++)
		if (a->m->tasks[t].stream >= 0) {
			rv_add(a, a->m->tasks[t].resource, t);
			name_insert(&a->tname, &a->cap_tname, &a->n_tname, task_name, a->m, t);
		}
	for (int s = 0; s < a->m->nstreams; s++)
		name_insert(&a->sname, &a->cap_sname, &a->n_sname, stream_name, a->m, s);
	a->is_graph_dirty = true;
	process(a, true);
	summarise(a, true);
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
	for (int r = 0; r < a->cap_rv; r++)
		free(a->rv[r].t);
	free(a->rv);
	free(a->touched_t);
	free(a->touched_s);
	free(a->bad_t);
	free(a->bad_s);
	free(a->tname);
	free(a->sname);
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
	if (name_find(a->tname, a->cap_tname, proto->name, task_name, a->m) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: duplicate task name \"%s\"", proto->name);
	if (stream >= 0 && stream < a->m->nstreams && a->m->streams[stream].path_len > 0)
		a->is_graph_dirty = true; /* a new edge from the previous last hop */
	int t = rtc_model_add_task(a->m, stream, proto->name, proto->resource, proto->wcet, proto->bcet, err);
	if (t < 0)
		return t;
	copy_task_fields(&a->m->tasks[t], proto);
	note_change(a, t);
	sync_sizes(a);
	task_reset(a, t);
	rv_add(a, proto->resource, t);
	name_insert(&a->tname, &a->cap_tname, &a->n_tname, task_name, a->m, t);
	a->dirty[proto->resource] = true;
	return t;
}

int rtc_analysis_stream_add(struct rtc_analysis *a, const struct rtc_stream *proto_stream,
			    const struct rtc_task *proto_task, struct kairos_error *err)
{
	if (proto_task->resource < 0 || proto_task->resource >= a->m->nresources)
		return kairos_error_set(err, KAIROS_EINVAL, "resource", "resource: no resource with index %d",
					proto_task->resource);
	if (name_find(a->tname, a->cap_tname, proto_task->name, task_name, a->m) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "task", "task: duplicate task name \"%s\"",
					proto_task->name);
	if (name_find(a->sname, a->cap_sname, proto_stream->name, stream_name, a->m) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "streams.name", "streams.name: duplicate stream \"%s\"",
					proto_stream->name);
	int s = rtc_model_stream_append(a->m, proto_stream->name, proto_stream->period);
	name_insert(&a->sname, &a->cap_sname, &a->n_sname, stream_name, a->m, s);
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
	if (s->path_len > 1)
		a->is_graph_dirty = true;
	rv_del(a, k->resource, task);
	name_remove(a->tname, a->cap_tname, k->name, task_name, m);
	ivec_push(&a->touched_t, &a->ntouched_t, &a->cap_touched_t, task);
	ivec_push(&a->touched_s, &a->ntouched_s, &a->cap_touched_s, k->stream);
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
	if (m->streams[k->stream].path_len > 1)
		a->is_graph_dirty = true;
	rv_del(a, k->resource, task);
	rv_add(a, resource, task);
	k->resource = resource;
	k->priority = priority;
	k->has_priority = true;
	note_change(a, -(task + 1)); /* a move: its replicas are checked too */
	return 0;
}

int rtc_analysis_update(struct rtc_analysis *a, struct kairos_error *err)
{
	/* only what changed needs checking: the rest was valid before */
	for (int i = 0; i < a->nchanged; i++) {
		bool is_move = a->changed[i] < 0;
		int t = is_move ? -a->changed[i] - 1 : a->changed[i];
		if (a->m->tasks[t].stream < 0)
			continue;
		int r = a->m->tasks[t].resource;
		int rc = rtc_model_validate_task(a->m, t, a->rv[r].t, a->rv[r].n, err);
		if (rc)
			return rc;
		/* a moved primary must not land on one of its replicas */
		for (int q = 0; is_move && q < a->m->ntasks; q++) {
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
	summarise(a, false);
	return 0;
}
