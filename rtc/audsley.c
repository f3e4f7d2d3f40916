/*
 * audsley.c - optimal fixed-priority assignment with the RTC analysis as the
 * oracle (Audsley 1991, "Optimal priority assignment and feasibility of
 * static priority tasks with arbitrary start times"; Davis & Burns 2011,
 * "Improved priority assignment for global fixed priority pre-emptive
 * scheduling in multiprocessor real-time systems", sec. 3, for the
 * conditions under which it is optimal).
 *
 * Per resource, from the lowest level up: the unassigned tasks are tried at
 * the lowest free level, all other unassigned tasks above it; the first one
 * that meets its deadline takes the level (and, when its whole stream runs
 * on this resource and it is the last of its tasks to be placed, the stream
 * must meet its deadline too). Candidates are tried from the currently
 * lowest priority up when the model and the resource are schedulable as
 * they are (so a feasible order is kept as is), else from the largest
 * deadline down (deadline-monotonic preference, Leung & Whitehead 1982:
 * small output jitter for the tight tasks, which matters to the resources
 * downstream in a chain). Which feasible candidate is chosen does not
 * change the optimality below, only which feasible order comes out.
 *
 * What is guaranteed (optimality).
 *  - One resource whose tasks' activations do not depend on the order on
 *    that resource (no path visits the resource twice): the GPC fixed
 *    priority test of gpc.c bounds a task's delay from its activation model
 *    and the SET of tasks above it (the level-i busy window and the remaining
 *    service of the higher-priority demand), and ignores the tasks below it.
 *    That makes the test "OPA-compatible" (Davis & Burns 2011, conditions
 *    1-3), and Audsley's algorithm then finds a feasible order whenever one
 *    exists. tests/test_rtc_audsley.c checks this against an exhaustive search
 *    over every permutation on random task sets.
 *  - Several resources joined by chains (RESOURCE = -1): a task's activation
 *    depends on the delay jitter of upstream tasks on other resources, hence
 *    on their orders. We run the per-resource algorithm resource by resource
 *    (upstream first), each optimal for the input curves of the moment, and
 *    repeat rounds until no order changes (at most RTC_AUDSLEY_ROUNDS); a
 *    resource with no feasible order in a round gets its deadline-monotonic
 *    order meanwhile (its upstream may still change). The
 *    result is a fixed point, not a proof that no other combination of
 *    orders is feasible: when we fail, some exotic combination might still
 *    exist. When we succeed, the final whole-model analysis is schedulable.
 *
 * Replicas keep their primary's priority number (SPEC §4): once the orders
 * are chosen, the tasks of every fp resource are renumbered along a
 * topological order of the "is above" relation in which a primary and its
 * replicas are one node (Kahn 1962; ties by the old numbers, so that the
 * numbering changes as little as it can). A cycle means that the orders
 * cannot share numbers: -KAIROS_ECONFLICT.
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"

#define RTC_AUDSLEY_ROUNDS 8

struct audsley {
	struct rtc_analysis *a;
	struct rtc_priority_stats *stats;
	int *tasks; /* the tasks of the resource under assignment, by position */
	int n;
	int *placed;	  /* per task: 1 once it has a level (this resource's pass) */
	bool is_model_ok; /* the whole model was schedulable when the round began */
};

static const struct rtc_model *amodel(const struct audsley *s)
{
	return rtc_analysis_model(s->a);
}

/* The live tasks of resource R in priority order into *out (caller frees). */
static int resource_tasks(const struct rtc_model *m, int r, int **out)
{
	int n = 0;
	int *v = kairos_xmalloc(((size_t)m->ntasks + 1) * sizeof(int));
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && m->tasks[t].resource == r)
			v[n++] = t;
	/* insertion sort: qsort has no context argument, and n is small */
	for (int i = 1; i < n; i++) {
		int x = v[i], j = i;
		while (j > 0 &&
		       (m->tasks[v[j - 1]].priority > m->tasks[x].priority ||
			(m->tasks[v[j - 1]].priority == m->tasks[x].priority && v[j - 1] > x))) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	*out = v;
	return n;
}

/* Deadline-monotonic sort key: no deadline sorts last. */
static int64_t dm_key(const struct rtc_model *m, int t)
{
	return m->tasks[t].has_deadline ? m->tasks[t].deadline : INT64_MAX;
}

/* Gives position P (0 = highest) of the resource its priority number P + 1. */
static int put(struct audsley *s, int p, int r, struct kairos_error *err)
{
	return rtc_analysis_task_move(s->a, s->tasks[p], r, (long)p + 1, err);
}

/*
 * Is task T, at the lowest free level, good enough? It must meet its own
 * deadline; when its whole stream runs on this resource and every other task
 * of it is already placed, the stream's latency is settled too and must meet
 * the stream's deadline. Streams that cross other resources are judged by
 * the final whole-model analysis only: their other hops are not this
 * resource's to order, and judging them here would make the test depend on
 * orders elsewhere (no longer OPA-compatible).
 */
static bool candidate_ok(const struct audsley *s, int t)
{
	const struct rtc_model *m = amodel(s);
	const struct rtc_result *res = rtc_analysis_result(s->a);
	if (!res->tasks[t].ok)
		return false;
	int si = m->tasks[t].stream;
	const struct rtc_stream *st = &m->streams[si];
	int r = m->tasks[t].resource;
	for (int h = 0; h < st->path_len; h++) {
		int o = st->path[h];
		if (m->tasks[o].resource != r || (o != t && !s->placed[o]))
			return true; /* not settled by this resource alone */
	}
	return res->streams[si].ok;
}

/*
 * Audsley on fp resource R inside the analysis. Returns 0 (the order in the
 * analysis is the assignment), -KAIROS_ENOTFOUND (the order is restored), or
 * another negative code. *changed tells whether the order differs from the
 * one before.
 */
static int assign_resource(struct audsley *s, int r, bool *changed, struct kairos_error *err)
{
	const struct rtc_model *m = amodel(s);
	int *orig = NULL;
	int rc = 0;
	*changed = false;
	free(s->tasks);
	s->n = resource_tasks(m, r, &s->tasks);
	int n = s->n;
	if (n == 0)
		return 0;
	orig = kairos_xmalloc((size_t)n * sizeof(int));
	long *orig_prio = kairos_xmalloc((size_t)n * sizeof(long));
	memcpy(orig, s->tasks, (size_t)n * sizeof(int));
	for (int i = 0; i < n; i++) {
		orig_prio[i] = m->tasks[orig[i]].priority;
		s->placed[orig[i]] = 0;
	}
	/*
	 * Preference among the tasks that fit a level: a current order is kept
	 * (the currently lowest is tried first) when the whole model and this
	 * resource were schedulable as the round began; otherwise
	 * deadline-monotonic (largest deadline tried lowest first), which keeps
	 * the output jitter of tight tasks small for the resources downstream.
	 */
	const struct rtc_result *res = rtc_analysis_result(s->a);
	bool is_ok = s->is_model_ok;
	for (int i = 0; i < n; i++)
		is_ok &= res->tasks[s->tasks[i]].ok;
	for (int i = 1; !is_ok && i < n; i++) {
		int x = s->tasks[i], j = i;
		while (j > 0 && dm_key(m, s->tasks[j - 1]) > dm_key(m, x)) {
			s->tasks[j] = s->tasks[j - 1];
			j--;
		}
		s->tasks[j] = x;
	}
	/* working numbers 1..n in the preferred order */
	for (int p = 0; p < n; p++)
		if ((rc = put(s, p, r, err)))
			goto out;
	for (int k = n - 1; k >= 0; k--) {
		bool found = false;
		for (int j = k; j >= 0 && !found; j--) {
			if (j != k) {
				int x = s->tasks[j];
				s->tasks[j] = s->tasks[k];
				s->tasks[k] = x;
				if ((rc = put(s, j, r, err)) || (rc = put(s, k, r, err)))
					goto out;
			}
			if ((rc = rtc_analysis_update(s->a, err)))
				goto out;
			if (s->stats)
				s->stats->checks++;
			found = candidate_ok(s, s->tasks[k]);
			if (!found && j != k) {
				int x = s->tasks[j];
				s->tasks[j] = s->tasks[k];
				s->tasks[k] = x;
				/* the next trial (or the restore) re-puts both */
				if ((rc = put(s, j, r, err)) || (rc = put(s, k, r, err)))
					goto out;
			}
		}
		if (!found) {
			rc = kairos_error_set(
			    err, KAIROS_ENOTFOUND, m->resources[r].name,
			    "%s: no task meets its deadline at priority level %d of %d "
			    "(every order of the %d tasks misses a deadline, given the "
			    "current activations from upstream resources)",
			    m->resources[r].name, k + 1, n, n);
			goto out;
		}
		s->placed[s->tasks[k]] = 1;
	}
	for (int p = 0; p < n; p++)
		*changed |= s->tasks[p] != orig[p];
out:
	if (rc) {
		/* restore the numbers the resource had */
		struct kairos_error ignored;
		for (int i = 0; i < n; i++)
			rtc_analysis_task_move(s->a, orig[i], r, orig_prio[i], &ignored);
		if (rtc_analysis_update(s->a, &ignored) == 0 && s->stats)
			s->stats->checks++;
	}
	free(orig);
	free(orig_prio);
	return rc;
}

/* Puts resource R in deadline-monotonic order; *changed when that differs. */
static int order_dm(struct audsley *s, int r, bool *changed, struct kairos_error *err)
{
	const struct rtc_model *m = amodel(s);
	int rc = 0;
	free(s->tasks);
	s->n = resource_tasks(m, r, &s->tasks);
	int *dm = kairos_xmalloc(((size_t)s->n + 1) * sizeof(int));
	memcpy(dm, s->tasks, (size_t)s->n * sizeof(int));
	for (int i = 1; i < s->n; i++) {
		int x = dm[i], j = i;
		while (j > 0 && dm_key(m, dm[j - 1]) > dm_key(m, x)) {
			dm[j] = dm[j - 1];
			j--;
		}
		dm[j] = x;
	}
	*changed = memcmp(dm, s->tasks, (size_t)s->n * sizeof(int)) != 0;
	memcpy(s->tasks, dm, (size_t)s->n * sizeof(int));
	free(dm);
	for (int p = 0; p < s->n && !rc; p++)
		rc = put(s, p, r, err);
	if (!rc && *changed && (rc = rtc_analysis_update(s->a, err)) == 0)
		s->stats->checks++;
	return rc;
}

/* ---- renumbering with replicas --------------------------------------------- */

static int uf_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* A binary min-heap of groups keyed by (key, group). */
struct heap {
	int *v;
	int n;
	const long *key;
};

static bool heap_less(const struct heap *h, int a, int b)
{
	return h->key[a] != h->key[b] ? h->key[a] < h->key[b] : a < b;
}

static void heap_push(struct heap *h, int g)
{
	int i = h->n++;
	h->v[i] = g;
	while (i > 0 && heap_less(h, h->v[i], h->v[(i - 1) / 2])) {
		int p = (i - 1) / 2, x = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = x;
		i = p;
	}
}

static int heap_pop(struct heap *h)
{
	int top = h->v[0];
	h->v[0] = h->v[--h->n];
	for (int i = 0;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && heap_less(h, h->v[l], h->v[m]))
			m = l;
		if (r < h->n && heap_less(h, h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		int x = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = x;
		i = m;
	}
	return top;
}

/*
 * Numbers the fp tasks of WORK (orders as in WORK) into OUT->priority so that
 * a replica shares its primary's number. OLD gives the tie-break keys.
 */
static int renumber(const struct rtc_model *work, const struct rtc_model *old,
		    struct rtc_model *out, struct kairos_error *err)
{
	int N = work->ntasks, rc = 0;
	int *parent = kairos_xmalloc(((size_t)N + 1) * sizeof(int));
	long *key = kairos_xmalloc(((size_t)N + 1) * sizeof(long));
	int *indeg = kairos_xcalloc((size_t)N + 1, sizeof(int));
	int *estart = kairos_xcalloc((size_t)N + 2, sizeof(int));
	int *edges = kairos_xmalloc(((size_t)N + 1) * sizeof(int));
	int *from = kairos_xmalloc(((size_t)N + 1) * sizeof(int));
	int *to = kairos_xmalloc(((size_t)N + 1) * sizeof(int));
	long *num = kairos_xmalloc(((size_t)N + 1) * sizeof(long));
	int ne = 0;
	struct heap h = {kairos_xmalloc(((size_t)N + 1) * sizeof(int)), 0, key};

	for (int t = 0; t < N; t++)
		parent[t] = t;
	for (int t = 0; t < N; t++) {
		const struct rtc_task *k = &work->tasks[t];
		if (k->stream >= 0 && k->replica_of >= 0)
			parent[uf_find(parent, t)] = uf_find(parent, k->replica_of);
	}
	for (int t = 0; t < N; t++)
		key[t] = RTC_CURVE_INF;
	for (int t = 0; t < N; t++) {
		int g = uf_find(parent, t);
		if (work->tasks[t].stream >= 0 && old->tasks[t].priority < key[g])
			key[g] = old->tasks[t].priority;
	}
	/* edges: consecutive tasks of every fp resource, higher -> lower */
	for (int r = 0; r < work->nresources; r++) {
		if (work->resources[r].policy != RTC_POLICY_FP)
			continue;
		int *v;
		int n = resource_tasks(work, r, &v);
		for (int i = 0; i + 1 < n; i++) {
			int a = uf_find(parent, v[i]), b = uf_find(parent, v[i + 1]);
			if (a == b) {
				rc = kairos_error_set(
				    err, KAIROS_ECONFLICT, work->tasks[v[i + 1]].name,
				    "%s: replicas of one task on resource \"%s\" would share a "
				    "priority",
				    work->tasks[v[i + 1]].name, work->resources[r].name);
				free(v);
				goto out;
			}
			from[ne] = a;
			to[ne++] = b;
		}
		free(v);
	}
	for (int e = 0; e < ne; e++) {
		estart[from[e] + 2]++;
		indeg[to[e]]++;
	}
	for (int g = 0; g < N; g++)
		estart[g + 2] += estart[g + 1];
	for (int e = 0; e < ne; e++)
		edges[estart[from[e] + 1]++] = to[e];
	int live = 0;
	for (int g = 0; g < N; g++)
		if (uf_find(parent, g) == g && work->tasks[g].stream >= 0) {
			live++;
			if (indeg[g] == 0)
				heap_push(&h, g);
		}
	long next = 1;
	int done = 0;
	while (h.n > 0) {
		int g = heap_pop(&h);
		num[g] = next++;
		done++;
		for (int e = estart[g]; e < estart[g + 1]; e++)
			if (--indeg[edges[e]] == 0)
				heap_push(&h, edges[e]);
	}
	if (done < live) {
		rc = kairos_error_set(err, KAIROS_ECONFLICT, "replica_of",
				      "replica_of: the feasible orders put a primary above a task "
				      "on one resource and "
				      "its replica below it on another, so replicas cannot keep "
				      "their primary's priority");
		goto out;
	}
	for (int t = 0; t < N; t++) {
		const struct rtc_task *k = &work->tasks[t];
		if (k->stream >= 0 && work->resources[k->resource].policy == RTC_POLICY_FP) {
			out->tasks[t].priority = num[uf_find(parent, t)];
			out->tasks[t].has_priority = true;
		}
	}
out:
	free(parent);
	free(key);
	free(indeg);
	free(estart);
	free(edges);
	free(from);
	free(to);
	free(num);
	free(h.v);
	return rc;
}

/* ---- public ---------------------------------------------------------------- */

/* Smallest hop index of the tasks on each resource: upstream resources first. */
static int *resource_order(const struct rtc_model *m)
{
	int R = m->nresources;
	int *order = kairos_xmalloc(((size_t)R + 1) * sizeof(int));
	int *minhop = kairos_xmalloc(((size_t)R + 1) * sizeof(int));
	for (int r = 0; r < R; r++) {
		order[r] = r;
		minhop[r] = 1 << 30;
	}
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && m->tasks[t].hop < minhop[m->tasks[t].resource])
			minhop[m->tasks[t].resource] = m->tasks[t].hop;
	for (int i = 1; i < R; i++) {
		int x = order[i], j = i;
		while (j > 0 && minhop[order[j - 1]] > minhop[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	free(minhop);
	return order;
}

/* The first task or stream that misses its deadline, for the message. */
static int explain_miss(const struct rtc_model *m, const struct rtc_result *res,
			struct kairos_error *err)
{
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && !res->tasks[t].ok)
			return kairos_error_set(
			    err, KAIROS_ENOTFOUND, m->tasks[t].name,
			    "%s: misses its deadline on \"%s\" under every priority order tried",
			    m->tasks[t].name, m->resources[m->tasks[t].resource].name);
	for (int s = 0; s < m->nstreams; s++)
		if (!res->streams[s].ok)
			return kairos_error_set(
			    err, KAIROS_ENOTFOUND, m->streams[s].name,
			    "%s: misses its end-to-end deadline under every priority order tried",
			    m->streams[s].name);
	return kairos_error_set(err, KAIROS_ENOTFOUND, NULL, "no feasible priority order");
}

int rtc_priority_assign(struct rtc_model *m, int resource, struct rtc_priority_stats *stats,
			struct kairos_error *err)
{
	struct rtc_priority_stats local = {0, 0};
	struct audsley s = {NULL, stats ? stats : &local, NULL, 0, NULL, false};
	int *order = NULL, rc;
	s.stats->checks = 0;
	s.stats->rounds = 0;
	if (resource >= m->nresources || resource < -1 ||
	    (resource >= 0 && m->resources[resource].policy != RTC_POLICY_FP))
		return kairos_error_set(
		    err, KAIROS_EINVAL, "resource",
		    "resource: %d is not the index of a fixed-priority resource", resource);
	if ((rc = rtc_analysis_new(m, &s.a, err)))
		return rc;
	s.placed = kairos_xcalloc((size_t)m->ntasks + 1, sizeof(int));
	order = resource_order(m);
	int R = m->nresources;
	int last_fail = -1;
	struct kairos_error fail_err;
	kairos_error_clear(&fail_err);
	for (int round = 0; round < RTC_AUDSLEY_ROUNDS; round++) {
		bool any_change = false;
		s.stats->rounds = round + 1;
		s.is_model_ok = resource >= 0 || rtc_analysis_result(s.a)->schedulable;
		last_fail = -1;
		for (int i = 0; i < R; i++) {
			int r = order[i];
			if (resource >= 0 && r != resource)
				continue;
			if (m->resources[r].policy != RTC_POLICY_FP)
				continue;
			bool changed = false;
			rc = assign_resource(&s, r, &changed, &fail_err);
			if (rc == -KAIROS_ENOTFOUND) {
				/* with chains the inputs may still change: meanwhile give
				 * the resource its deadline-monotonic order, which keeps
				 * the jitter it passes downstream small */
				last_fail = r;
				if (resource < 0) {
					if ((rc = order_dm(&s, r, &changed, err)))
						goto out;
					any_change |= changed;
				}
				continue;
			}
			if (rc)
				goto out;
			any_change |= changed;
		}
		/* one resource alone has fixed inputs: one pass is the answer */
		if (resource >= 0 || !any_change)
			break;
	}
	const struct rtc_result *res = rtc_analysis_result(s.a);
	if (!res->schedulable) {
		if (last_fail >= 0 && err) {
			*err = fail_err;
			rc = -KAIROS_ENOTFOUND;
		} else {
			rc = explain_miss(rtc_analysis_model(s.a), res, err);
		}
		goto out;
	}
	rc = renumber(rtc_analysis_model(s.a), m, m, err);
out:
	free(order);
	free(s.tasks);
	free(s.placed);
	rtc_analysis_free(s.a);
	return rc;
}
