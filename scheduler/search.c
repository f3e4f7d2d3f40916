/*
 * search.c - placement search: a depth-first search over the nodes of the new
 * problem, in flow order (so that every flow grows as a prefix of its path and
 * a prefix that already misses its deadline prunes the whole subtree: adding
 * tasks never shortens a bound), with the candidates of each node sorted best
 * first and a budget of analysed candidates.
 *
 * Heuristic order of candidates for a compute node: hosts that already hold
 * the nodes it talks to (no network hops), then the least loaded core
 * (spreading keeps response times short), then the most available host. Of
 * the empty cores of a host only the first is tried: they are equivalent.
 * SCHED_EXHAUSTIVE tries every core of every host with no budget and runs
 * Audsley on every touched resource at every step: the reference against
 * which the heuristic is measured (tests/test_scheduler_quality.c).
 *
 * Each step adds the node's tasks (and those of the links and flows it
 * completes) to one rtc_analysis of the whole cloud, places their priorities
 * (insertion, then Audsley) and re-analyses incrementally; a failed candidate
 * is undone (tasks removed, priorities restored).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/internal.h"

#define EPS 1e-9
/* The highest utilisation a placement may give any resource. */
#define SCHED_UTIL_CAP 0.9

struct search {
	struct sched_cloud *c;
	const struct sched_problem *p;
	enum sched_mode mode;
	long budget;
	struct rtc_analysis *a;
	struct sched_builder *b;   /* b[c->nentries] is the new problem's */
	struct sched_builder *nb;
	int *order;
	struct sched_free *f;
	double lan;
	struct sched_placement pl;
	struct sched_stats st;
	bool is_aborted;
	bool is_audsley;           /* Audsley at every step instead of insertion */
	int rc;                    /* a negative error met on the way */
	struct kairos_error *err;
};

struct cand {
	int host, core;
	int coloc;
	double load;
	double avail;
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->coloc != b->coloc)
		return b->coloc - a->coloc;
	if (a->load < b->load - EPS || a->load > b->load + EPS)
		return a->load < b->load ? -1 : 1;
	if (a->avail != b->avail)
		return a->avail > b->avail ? -1 : 1;
	if (a->host != b->host)
		return a->host - b->host;
	return a->core - b->core;
}

/* Links between node I and nodes already placed on host H (backup pairs excluded). */
static int coloc(const struct search *s, int i, int h)
{
	int n = 0;
	for (int l = 0; l < s->p->nlinks; l++) {
		const struct sched_link *lk = &s->p->links[l];
		int j = lk->source == i ? lk->target : lk->target == i ? lk->source : -1;
		if (j >= 0 && s->pl.nodes[j].host == h)
			n++;
	}
	return n;
}

/* Whether node I may go to host H by failure domains (backupOf pairs). */
static bool domain_ok(const struct search *s, int i, int h)
{
	const struct sched_node *n = &s->p->nodes[i];
	const char *dom = s->c->hosts[h].failure_domain;
	for (int j = 0; j < s->p->nnodes; j++) {
		int hj = s->pl.nodes[j].host;
		if (hj < 0 || j == i)
			continue;
		bool pair = n->backup_of == j || s->p->nodes[j].backup_of == i;
		if (pair && (hj == h || strcmp(s->c->hosts[hj].failure_domain, dom) == 0))
			return false;
	}
	return true;
}

static bool host_fits(const struct search *s, int i, int h)
{
	const struct sched_node *n = &s->p->nodes[i];
	const struct sched_host *ho = &s->c->hosts[h];
	const struct sched_free *f = &s->f[h];
	if (!ho->is_up || !domain_ok(s, i, h))
		return false;
	if (n->is_storage)
		return f->storage_gib >= n->disk_gib && f->storage_iops >= n->iops &&
		       f->storage_mbps + EPS >= n->throughput_mbps;
	return n->vcpus <= ho->cores && f->memory_mib >= n->memory_mib;
}

static int candidates(struct search *s, int i, struct cand **out)
{
	const struct sched_node *n = &s->p->nodes[i];
	const struct rtc_result *res = rtc_analysis_result(s->a);
	const struct rtc_model *m = rtc_analysis_model(s->a);
	int cap = 0;
	for (int h = 0; h < s->c->nhosts; h++)
		cap += s->c->hosts[h].cores + 1;
	struct cand *v = kairos_xcalloc((size_t)cap, sizeof(*v));
	int nc = 0;
	/* tasks per resource, counted once (a core-by-core scan is quadratic on a large cloud) */
	int *ntask = kairos_xcalloc((size_t)m->nresources + 1, sizeof(int));
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0)
			ntask[m->tasks[t].resource]++;
	for (int h = 0; h < s->c->nhosts; h++) {
		if (!host_fits(s, i, h))
			continue;
		const struct sched_host *ho = &s->c->hosts[h];
		double avail = ho->availability_host * ho->availability_hypervisor;
		if (n->is_storage) {
			v[nc++] = (struct cand){h, -1, coloc(s, i, h), -(double)s->f[h].storage_gib, avail};
			continue;
		}
		bool empty_seen = false;
		for (int k = 0; k < ho->cores; k++) {
			int r = sched_core_resource(s->c, h, k);
			bool used = ntask[r] > 0;
			if (!used && empty_seen && s->mode != SCHED_EXHAUSTIVE)
				continue;
			empty_seen |= !used;
			double load = (used ? res->resources[r].utilization : 0) +
				      n->wcet_ms / (n->period_ms * ho->speed);
			v[nc++] = (struct cand){h, k, coloc(s, i, h), load, avail};
		}
	}
	free(ntask);
	if (s->mode != SCHED_EXHAUSTIVE)
		qsort(v, (size_t)nc, sizeof(*v), cand_cmp);
	*out = v;
	return nc;
}

/* Reserves the bandwidth of the links node I completes; false when one does not fit. */
static bool links_reserve(struct search *s, int i)
{
	for (int l = 0; l < s->p->nlinks; l++) {
		const struct sched_link *lk = &s->p->links[l];
		if (lk->source != i && lk->target != i)
			continue;
		int hs = s->pl.nodes[lk->source].host, ht = s->pl.nodes[lk->target].host;
		if (hs < 0 || ht < 0)
			continue;
		s->pl.links[l].is_remote = hs != ht;
		if (hs == ht) {
			s->pl.links[l].granted_mbps = 0;
			continue;
		}
		double room = s->f[hs].uplink_mbps;
		if (s->f[ht].uplink_mbps < room)
			room = s->f[ht].uplink_mbps;
		if (s->lan < room)
			room = s->lan;
		double g = lk->bandwidth_mbps;
		if (s->mode == SCHED_RELAXED && g > room)
			g = room;
		if (g <= EPS || g > room + EPS)
			return false;
		s->pl.links[l].granted_mbps = g;
		s->nb->link_granted[l] = g;
		s->f[hs].uplink_mbps -= g;
		s->f[ht].uplink_mbps -= g;
		s->lan -= g;
	}
	return true;
}

/* Resources touched by the tasks emitted since FROM, without repetition. */
static int touched(const struct search *s, int from, int *v)
{
	const struct rtc_model *m = rtc_analysis_model(s->a);
	int n = 0;
	for (int e = from; e < s->nb->nemit; e++) {
		int r = m->tasks[s->nb->emit[e].task].resource;
		bool seen = false;
		for (int j = 0; j < n; j++)
			seen |= v[j] == r;
		if (!seen)
			v[n++] = r;
	}
	return n;
}

/* Schedulable, and every admitted link (and, strict, every new one) within its latency. */
static bool accept(void *ctx, const struct rtc_analysis *a)
{
	struct search *s = ctx;
	return rtc_analysis_result(a)->schedulable && sched_links_ok(s->b, s->c->nentries, a) &&
	       (s->mode == SCHED_RELAXED || sched_links_ok(s->nb, 1, a));
}

/*
 * Whether a resource touched by the tasks emitted since FROM is loaded beyond
 * SCHED_UTIL_CAP. Over 1 no bound exists; close to 1 the busy windows grow
 * so long that one analysis of the engine takes seconds (a model at 0.92 took
 * over 100 s: bench/placement/slow-analysis-model.json), so such a candidate
 * is refused without analysis. The cap also keeps a margin on every core.
 */
static bool overloaded(const struct search *s, int from)
{
	const struct rtc_model *m = rtc_analysis_model(s->a);
	int *res = kairos_xmalloc(((size_t)(s->nb->nemit - from) + 1) * sizeof(int));
	int nres = touched(s, from, res);
	bool over = false;
	for (int j = 0; j < nres && !over; j++) {
		double u = 0;
		for (int t = 0; t < m->ntasks; t++) {
			const struct rtc_task *k = &m->tasks[t];
			if (k->stream >= 0 && k->resource == res[j])
				u += (double)k->wcet / ((double)m->streams[k->stream].period *
							(double)m->resources[res[j]].rate_micro / 1e6);
		}
		over = u > SCHED_UTIL_CAP + 1e-12;
	}
	free(res);
	return over;
}

/* Gives the tasks emitted since FROM priorities that keep the cloud schedulable. 1 / 0 / negative. */
static int prioritise(struct search *s, int from)
{
	int rc = rtc_analysis_update(s->a, s->err);
	s->st.analyses++;
	if (rc)
		return rc;
	int *res = kairos_xmalloc(((size_t)(s->nb->nemit - from) + 1) * sizeof(int));
	int nres = touched(s, from, res);
	if (s->mode == SCHED_EXHAUSTIVE || s->is_audsley) {
		for (int j = 0; j < nres && rc >= 0; j++)
			rc = sched_priorities_assign(s->a, res[j], &s->st.analyses, s->err);
		free(res);
		return rc < 0 ? rc : accept(s, s->a);
	}
	if (accept(s, s->a)) {
		free(res);
		return 1;
	}
	for (int e = from; e < s->nb->nemit; e++) {
		rc = sched_priority_insert(s->a, s->nb->emit[e].task, s->mode == SCHED_RELAXED, accept, s,
					   &s->st.analyses, s->err);
		if (rc != 0) {
			free(res);
			return rc;
		}
	}
	for (int j = 0; j < nres && rc >= 0; j++)
		rc = sched_priorities_assign(s->a, res[j], &s->st.analyses, s->err);
	free(res);
	return rc < 0 ? rc : accept(s, s->a);
}

/* Strict end checks: every link's hops within its latency, availability targets. */
static bool complete_ok(struct search *s)
{
	if (!sched_links_ok(s->b, s->c->nentries, s->a))
		return false;
	if (s->mode == SCHED_RELAXED)
		return true;
	struct sched_bounds bd;
	sched_bounds_read(s->c, s->nb, s->a, &s->pl, &bd);
	bool ok = sched_bounds_meet(s->p, &bd) && sched_links_ok(s->nb, 1, s->a);
	sched_bounds_destroy(&bd);
	return ok;
}

static int dfs(struct search *s, int depth);

/* Tries node I at candidate CD. 1 found (below), 0 not, negative error. */
static int try_cand(struct search *s, int depth, int i, const struct cand *cd)
{
	if (s->st.evaluations >= s->budget) {
		s->is_aborted = true;
		s->st.is_budget_exhausted = true;
		return 0;
	}
	s->st.evaluations++;
	const struct sched_node *n = &s->p->nodes[i];
	int nh = s->c->nhosts;
	struct sched_free *fsave = kairos_xmalloc((size_t)nh * sizeof(*fsave));
	memcpy(fsave, s->f, (size_t)nh * sizeof(*fsave));
	double lansave = s->lan;
	struct sched_link_place *lsave = kairos_xmalloc(((size_t)s->p->nlinks + 1) * sizeof(*lsave));
	memcpy(lsave, s->pl.links, (size_t)s->p->nlinks * sizeof(*lsave));
	const struct rtc_model *m = rtc_analysis_model(s->a);
	int nt = m->ntasks;
	long *psave = kairos_xmalloc(((size_t)nt + 1) * sizeof(long));
	for (int t = 0; t < nt; t++)
		psave[t] = m->tasks[t].priority;
	struct sched_builder_mark mk;
	sched_builder_mark(s->nb, &mk);

	struct sched_free *f = &s->f[cd->host];
	if (n->is_storage) {
		f->storage_gib -= n->disk_gib;
		f->storage_iops -= n->iops;
		f->storage_mbps -= n->throughput_mbps;
	} else {
		f->memory_mib -= n->memory_mib;
	}
	s->pl.nodes[i].host = cd->host;
	s->pl.nodes[i].core = cd->core;
	s->nb->node_host[i] = cd->host;
	s->nb->node_core[i] = cd->core;
	int rc = 0;
	if (links_reserve(s, i)) {
		int from = s->nb->nemit;
		rc = sched_builder_extend(s->nb, s->a, s->err);
		if (rc == 0 && !overloaded(s, from))
			rc = prioritise(s, from);
		if (rc == 1)
			rc = dfs(s, depth + 1);
	}
	if (rc != 1) {
		sched_builder_undo(s->nb, s->a, &mk);
		for (int t = 0; t < nt; t++)
			if (m->tasks[t].stream >= 0 && m->tasks[t].priority != psave[t])
				rtc_analysis_task_move(s->a, t, m->tasks[t].resource, psave[t], NULL);
		s->pl.nodes[i].host = s->pl.nodes[i].core = -1;
		s->nb->node_host[i] = s->nb->node_core[i] = -1;
		memcpy(s->f, fsave, (size_t)nh * sizeof(*fsave));
		memcpy(s->pl.links, lsave, (size_t)s->p->nlinks * sizeof(*lsave));
		for (int l = 0; l < s->p->nlinks; l++)
			s->nb->link_granted[l] = s->pl.links[l].granted_mbps;
		s->lan = lansave;
	} else {
		sched_builder_mark_free(&mk);
	}
	free(fsave);
	free(lsave);
	free(psave);
	return rc;
}

static int dfs(struct search *s, int depth)
{
	if (depth == s->p->nnodes) {
		if (complete_ok(s))
			return 1;
		return 0;
	}
	int i = s->order[depth];
	struct cand *v;
	int nc = candidates(s, i, &v);
	int rc = 0;
	for (int k = 0; k < nc && rc == 0 && !s->is_aborted; k++)
		rc = try_cand(s, depth, i, &v[k]);
	free(v);
	return rc;
}

/* Nodes in flow order (first appearance), then the others in document order. */
static void node_order(const struct sched_problem *p, int *order)
{
	bool *seen = kairos_xcalloc((size_t)p->nnodes + 1, sizeof(bool));
	int n = 0;
	for (int f = 0; f < p->nflows; f++)
		for (int k = 0; k < p->flows[f].path_len; k++) {
			const struct sched_elem *e = &p->flows[f].path[k];
			if (!e->is_link && !seen[e->index]) {
				seen[e->index] = true;
				order[n++] = e->index;
			}
		}
	for (int i = 0; i < p->nnodes; i++)
		if (!seen[i])
			order[n++] = i;
	free(seen);
}

static int problem_check(const struct sched_problem *p, struct kairos_error *err)
{
	for (int i = 0; i < p->nnodes; i++) {
		const struct sched_node *n = &p->nodes[i];
		if (!n->is_storage && !(n->period_ms > 0))
			return kairos_error_set(err, KAIROS_EINVAL, n->name, "%s: periodMs must be > 0", n->name);
		if (n->backup_of >= p->nnodes)
			return kairos_error_set(err, KAIROS_EINVAL, n->name, "%s: backupOf out of range", n->name);
	}
	for (int l = 0; l < p->nlinks; l++)
		if (p->links[l].source < 0 || p->links[l].source >= p->nnodes || p->links[l].target < 0 ||
		    p->links[l].target >= p->nnodes)
			return kairos_error_set(err, KAIROS_EINVAL, p->links[l].name, "%s: endpoint out of range",
						p->links[l].name);
	return 0;
}

int sched_cloud_place(struct sched_cloud *c, const struct sched_problem *prob, enum sched_mode mode,
		      long budget, struct sched_plan *out, struct sched_stats *stats, struct kairos_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = problem_check(prob, err);
	if (rc)
		return rc;
	struct search s;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.p = prob;
	s.mode = mode;
	s.err = err;
	s.budget = mode == SCHED_EXHAUSTIVE ? LONG_MAX : budget > 0 ? budget : 64 + 16L * prob->nnodes;
	rc = sched_cloud_build(c, NULL, NULL, NULL, NULL, &s.a, &s.b, err);
	if (rc)
		return rc;
	char *suffix = sched_cloud_suffix(c, "new", prob);
	s.nb = &s.b[c->nentries];
	sched_builder_init(s.nb, c, prob, NULL, suffix);
	s.nb->is_relaxed = mode == SCHED_RELAXED;
	s.nb->is_prio_top = mode == SCHED_RELAXED;
	s.order = kairos_xcalloc((size_t)prob->nnodes + 1, sizeof(int));
	node_order(prob, s.order);
	s.f = kairos_xcalloc((size_t)c->nhosts, sizeof(*s.f));
	sched_cloud_free_all(c, -1, s.f, &s.lan);
	sched_placement_init(&s.pl, prob->nnodes, prob->nlinks);

	rc = dfs(&s, 0);
	if (rc == 0 && mode == SCHED_STRICT) {
		/*
		 * Insertion keeps the admitted order; when no placement is found that
		 * way, search again re-assigning every touched resource with Audsley
		 * (a fresh budget): slower, but it finds orders insertion cannot.
		 */
		s.is_audsley = true;
		s.is_aborted = false;
		s.budget += s.st.evaluations;
		rc = dfs(&s, 0);
	}
	if (rc == 1) {
		const struct rtc_model *m = rtc_analysis_model(s.a);
		sched_placement_copy(&out->placement, &s.pl);
		for (int e = 0; e < s.nb->nemit; e++)
			sched_placement_prio_set(&out->placement, s.nb->emit[e].key, m->tasks[s.nb->emit[e].task].priority);
		out->nothers = c->nentries;
		out->others = kairos_xcalloc((size_t)c->nentries + 1, sizeof(*out->others));
		for (int i = 0; i < c->nentries; i++) {
			sched_placement_copy(&out->others[i], &c->entries[i].pl);
			for (int e = 0; e < s.b[i].nemit; e++)
				sched_placement_prio_set(&out->others[i], s.b[i].emit[e].key,
							 m->tasks[s.b[i].emit[e].task].priority);
		}
	}
	if (stats)
		*stats = s.st;
	sched_placement_destroy(&s.pl);
	free(s.f);
	free(s.order);
	free(suffix);
	sched_builders_free(c, s.b);
	rtc_analysis_free(s.a);
	return rc;
}
