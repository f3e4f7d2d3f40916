/*
 * cloud.c - the admitted cloud: inventory, admitted problems with their
 * placements, what remains on every host, and the RTC model of it all.
 *
 * The model is never kept: it is rebuilt from the entries in their order
 * (sched_cloud_model), so that the same cloud always gives the same model,
 * byte for byte, whatever was tried and rolled back in between.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/internal.h"

/* ---- placements ------------------------------------------------------------ */

void sched_placement_init(struct sched_placement *p, int nnodes, int nlinks)
{
	memset(p, 0, sizeof(*p));
	p->nnodes = nnodes;
	p->nlinks = nlinks;
	p->nodes = kairos_xcalloc((size_t)nnodes + 1, sizeof(*p->nodes));
	p->links = kairos_xcalloc((size_t)nlinks + 1, sizeof(*p->links));
	for (int i = 0; i < nnodes; i++)
		p->nodes[i].host = p->nodes[i].core = -1;
}

void sched_placement_destroy(struct sched_placement *p)
{
	if (!p)
		return;
	free(p->nodes);
	free(p->links);
	for (int i = 0; i < p->nprios; i++)
		free(p->prios[i].key);
	free(p->prios);
	memset(p, 0, sizeof(*p));
}

void sched_placement_copy(struct sched_placement *dst, const struct sched_placement *src)
{
	sched_placement_init(dst, src->nnodes, src->nlinks);
	memcpy(dst->nodes, src->nodes, (size_t)src->nnodes * sizeof(*src->nodes));
	memcpy(dst->links, src->links, (size_t)src->nlinks * sizeof(*src->links));
	dst->prios = kairos_xcalloc((size_t)src->nprios + 1, sizeof(*dst->prios));
	dst->nprios = src->nprios;
	for (int i = 0; i < src->nprios; i++) {
		dst->prios[i].key = kairos_xstrdup(src->prios[i].key);
		dst->prios[i].priority = src->prios[i].priority;
	}
}

void sched_placement_prio_set(struct sched_placement *p, const char *key, long priority)
{
	for (int i = 0; i < p->nprios; i++)
		if (strcmp(p->prios[i].key, key) == 0) {
			p->prios[i].priority = priority;
			return;
		}
	p->prios = kairos_xrealloc(p->prios, ((size_t)p->nprios + 1) * sizeof(*p->prios));
	p->prios[p->nprios].key = kairos_xstrdup(key);
	p->prios[p->nprios].priority = priority;
	p->nprios++;
}

bool sched_placement_prio_get(const struct sched_placement *p, const char *key, long *priority)
{
	for (int i = 0; i < p->nprios; i++)
		if (strcmp(p->prios[i].key, key) == 0) {
			*priority = p->prios[i].priority;
			return true;
		}
	return false;
}

void sched_plan_destroy(struct sched_plan *p)
{
	if (!p)
		return;
	sched_placement_destroy(&p->placement);
	for (int i = 0; i < p->nothers; i++)
		sched_placement_destroy(&p->others[i]);
	free(p->others);
	memset(p, 0, sizeof(*p));
}

/* ---- problems ---------------------------------------------------------------- */

void sched_problem_copy(struct sched_problem *dst, const struct sched_problem *src)
{
	*dst = *src;
	dst->name = kairos_xstrdup(src->name ? src->name : "");
	dst->nodes = kairos_xcalloc((size_t)src->nnodes + 1, sizeof(*dst->nodes));
	dst->links = kairos_xcalloc((size_t)src->nlinks + 1, sizeof(*dst->links));
	dst->flows = kairos_xcalloc((size_t)src->nflows + 1, sizeof(*dst->flows));
	for (int i = 0; i < src->nnodes; i++) {
		dst->nodes[i] = src->nodes[i];
		dst->nodes[i].name = kairos_xstrdup(src->nodes[i].name);
	}
	for (int i = 0; i < src->nlinks; i++) {
		dst->links[i] = src->links[i];
		dst->links[i].name = kairos_xstrdup(src->links[i].name);
	}
	for (int i = 0; i < src->nflows; i++) {
		dst->flows[i] = src->flows[i];
		dst->flows[i].name = kairos_xstrdup(src->flows[i].name);
		dst->flows[i].path = kairos_xcalloc((size_t)src->flows[i].path_len + 1, sizeof(struct sched_elem));
		memcpy(dst->flows[i].path, src->flows[i].path, (size_t)src->flows[i].path_len * sizeof(struct sched_elem));
	}
}

void sched_problem_destroy(struct sched_problem *p)
{
	free((char *)p->name);
	for (int i = 0; i < p->nnodes; i++)
		free((char *)p->nodes[i].name);
	for (int i = 0; i < p->nlinks; i++)
		free((char *)p->links[i].name);
	for (int i = 0; i < p->nflows; i++) {
		free((char *)p->flows[i].name);
		free(p->flows[i].path);
	}
	free(p->nodes);
	free(p->links);
	free(p->flows);
	memset(p, 0, sizeof(*p));
}

/* ---- availability (SPEC §5) --------------------------------------------------- */

double sched_availability_series(const double *a, int n)
{
	double r = 1.0;
	for (int i = 0; i < n; i++)
		r *= a[i];
	return r;
}

double sched_availability_parallel(const double *a, int n)
{
	double q = 1.0;
	for (int i = 0; i < n; i++)
		q *= 1.0 - a[i];
	return 1.0 - q;
}

/* One instance on host H: host · hypervisor (guest and application count as 1). */
static double instance_availability(const struct sched_cloud *c, const struct sched_node *n, int h)
{
	if (h < 0)
		return 0;
	double a[2] = {c->hosts[h].availability_host, c->hosts[h].availability_hypervisor};
	return sched_availability_series(a, n->is_storage ? 1 : 2);
}

double sched_node_availability(const struct sched_cloud *c, const struct sched_problem *prob,
			       const struct sched_placement *pl, int i)
{
	int primary = prob->nodes[i].backup_of >= 0 ? prob->nodes[i].backup_of : i;
	double a[64];
	int n = 0;
	a[n++] = instance_availability(c, &prob->nodes[primary], pl->nodes[primary].host);
	for (int j = 0; j < prob->nnodes && n < 64; j++)
		if (prob->nodes[j].backup_of == primary)
			a[n++] = instance_availability(c, &prob->nodes[j], pl->nodes[j].host);
	return sched_availability_parallel(a, n);
}

double sched_problem_availability(const struct sched_cloud *c, const struct sched_problem *prob,
				  const struct sched_placement *pl)
{
	double r = 1.0;
	for (int i = 0; i < prob->nnodes; i++)
		if (prob->nodes[i].backup_of < 0)
			r *= sched_node_availability(c, prob, pl, i);
	return r;
}

/* ---- the cloud ----------------------------------------------------------------- */

int sched_cloud_new(const struct sched_host *hosts, int n, const struct sched_lan *lan,
		    struct sched_cloud **out, struct kairos_error *err)
{
	*out = NULL;
	if (n < 1)
		return kairos_error_set(err, KAIROS_EINVAL, "hosts", "hosts: at least one host is needed");
	for (int i = 0; i < n; i++) {
		if (!hosts[i].name || !*hosts[i].name || hosts[i].cores < 1 || !(hosts[i].speed > 0))
			return kairos_error_set(err, KAIROS_EINVAL, hosts[i].name ? hosts[i].name : "hosts",
						"host %d: needs a name, cores >= 1 and speed > 0", i);
		for (int j = 0; j < i; j++)
			if (strcmp(hosts[i].name, hosts[j].name) == 0)
				return kairos_error_set(err, KAIROS_EINVAL, hosts[i].name,
							"host \"%s\": duplicate name", hosts[i].name);
	}
	struct sched_cloud *c = kairos_xcalloc(1, sizeof(*c));
	c->nhosts = n;
	c->hosts = kairos_xcalloc((size_t)n, sizeof(*c->hosts));
	c->core_base = kairos_xcalloc((size_t)n, sizeof(int));
	int r = 0;
	for (int i = 0; i < n; i++) {
		c->hosts[i] = hosts[i];
		c->hosts[i].name = kairos_xstrdup(hosts[i].name);
		c->hosts[i].failure_domain = kairos_xstrdup(hosts[i].failure_domain ? hosts[i].failure_domain : "");
		c->core_base[i] = r;
		r += hosts[i].cores;
	}
	c->uplink_base = r;
	c->port_base = r + n;
	c->nresources = r + 2 * n;
	c->lan.name = kairos_xstrdup(lan && lan->name ? lan->name : "lan");
	c->lan.capacity_mbps = lan ? lan->capacity_mbps : 0;
	*out = c;
	return 0;
}

static void entry_destroy(struct sched_entry *e)
{
	free(e->id);
	free(e->suffix);
	sched_problem_destroy(&e->prob);
	sched_placement_destroy(&e->pl);
}

void sched_cloud_free(struct sched_cloud *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nentries; i++)
		entry_destroy(&c->entries[i]);
	free(c->entries);
	for (int i = 0; i < c->nhosts; i++) {
		free((char *)c->hosts[i].name);
		free((char *)c->hosts[i].failure_domain);
	}
	free(c->hosts);
	free(c->core_base);
	free((char *)c->lan.name);
	free(c);
}

int sched_cloud_host_count(const struct sched_cloud *c)
{
	return c->nhosts;
}

const struct sched_host *sched_cloud_host(const struct sched_cloud *c, int i)
{
	return i >= 0 && i < c->nhosts ? &c->hosts[i] : NULL;
}

const struct sched_lan *sched_cloud_lan(const struct sched_cloud *c)
{
	return &c->lan;
}

int sched_cloud_find(const struct sched_cloud *c, const char *id)
{
	for (int i = 0; i < c->nentries; i++)
		if (strcmp(c->entries[i].id, id) == 0)
			return i;
	return -1;
}

int sched_cloud_count(const struct sched_cloud *c)
{
	return c->nentries;
}

const char *sched_cloud_id(const struct sched_cloud *c, int i)
{
	return c->entries[i].id;
}

const struct sched_problem *sched_cloud_problem(const struct sched_cloud *c, int i)
{
	return &c->entries[i].prob;
}

const struct sched_placement *sched_cloud_placement(const struct sched_cloud *c, int i)
{
	return &c->entries[i].pl;
}

/* ---- capacity -------------------------------------------------------------------- */

static void usage_add(const struct sched_cloud *c, const struct sched_problem *p, const struct sched_placement *pl,
		      struct sched_free *f, double *lan)
{
	for (int i = 0; i < p->nnodes; i++) {
		int h = pl->nodes[i].host;
		if (h < 0)
			continue;
		const struct sched_node *n = &p->nodes[i];
		f[h].memory_mib -= n->is_storage ? 0 : n->memory_mib;
		f[h].storage_gib -= n->is_storage ? n->disk_gib : 0;
		f[h].storage_iops -= n->is_storage ? n->iops : 0;
		f[h].storage_mbps -= n->is_storage ? n->throughput_mbps : 0;
	}
	for (int l = 0; l < p->nlinks; l++) {
		if (!pl->links[l].is_remote)
			continue;
		int hs = pl->nodes[p->links[l].source].host, ht = pl->nodes[p->links[l].target].host;
		f[hs].uplink_mbps -= pl->links[l].granted_mbps;
		f[ht].uplink_mbps -= pl->links[l].granted_mbps;
		*lan -= pl->links[l].granted_mbps;
	}
	(void)c;
}

void sched_cloud_free_all(const struct sched_cloud *c, int skip, struct sched_free *f, double *lan)
{
	for (int h = 0; h < c->nhosts; h++) {
		f[h].memory_mib = c->hosts[h].memory_mib;
		f[h].storage_gib = c->hosts[h].storage_gib;
		f[h].storage_iops = c->hosts[h].storage_iops;
		f[h].storage_mbps = c->hosts[h].storage_mbps;
		f[h].uplink_mbps = c->hosts[h].uplink_mbps;
	}
	*lan = c->lan.capacity_mbps;
	for (int i = 0; i < c->nentries; i++)
		if (i != skip)
			usage_add(c, &c->entries[i].prob, &c->entries[i].pl, f, lan);
}

void sched_cloud_host_free(const struct sched_cloud *c, int h, struct sched_free *f)
{
	struct sched_free *all = kairos_xcalloc((size_t)c->nhosts, sizeof(*all));
	double lan;
	sched_cloud_free_all(c, -1, all, &lan);
	*f = all[h];
	free(all);
}

double sched_cloud_lan_free(const struct sched_cloud *c)
{
	struct sched_free *all = kairos_xcalloc((size_t)c->nhosts, sizeof(*all));
	double lan;
	sched_cloud_free_all(c, -1, all, &lan);
	free(all);
	return lan;
}

#define EPS 1e-9

/* Checks that P at PL fits in what remains F / LAN; names the first excess in err. */
static int fits(const struct sched_cloud *c, const struct sched_problem *p, const struct sched_placement *pl,
		struct sched_free *f, double *lan, struct kairos_error *err)
{
	usage_add(c, p, pl, f, lan);
	for (int h = 0; h < c->nhosts; h++) {
		const char *what = f[h].memory_mib < 0 ? "memoryMiB"
				   : f[h].storage_gib < 0 ? "diskGiB"
				   : f[h].storage_iops < 0 ? "iops"
				   : f[h].storage_mbps < -EPS ? "throughputMBps"
				   : f[h].uplink_mbps < -EPS ? "bandwidthMbps"
							      : NULL;
		if (what)
			return kairos_error_set(err, KAIROS_ECONFLICT, c->hosts[h].name,
						"host \"%s\": %s over capacity", c->hosts[h].name, what);
	}
	if (*lan < -EPS)
		return kairos_error_set(err, KAIROS_ECONFLICT, c->lan.name, "lan \"%s\": bandwidthMbps over capacity",
					c->lan.name);
	return 0;
}

/* ---- model ------------------------------------------------------------------------ */

/*
 * Appends a resource without rtc_model_add_resource's duplicate-name scan,
 * which is quadratic over the ~10,000 resources of a 1,000-host cloud: the
 * names built here are unique by construction.
 */
static struct rtc_resource *resource_push(struct rtc_model *m, char *name, enum rtc_kind kind, double rate, bool down)
{
	if (m->nresources == m->cap_resources) {
		m->cap_resources = m->cap_resources ? 2 * m->cap_resources : 64;
		m->resources = kairos_xrealloc(m->resources, (size_t)m->cap_resources * sizeof(*m->resources));
	}
	struct rtc_resource *r = &m->resources[m->nresources++];
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->policy = RTC_POLICY_FP;
	r->kind = kind;
	r->rate_micro = llround(rate * 1e6);
	r->is_down = down;
	return r;
}

struct rtc_model *sched_cloud_empty_model(const struct sched_cloud *c)
{
	struct rtc_model *m = rtc_model_new();
	struct kairos_buf name = {0};
	for (int h = 0; h < c->nhosts; h++)
		for (int k = 0; k < c->hosts[h].cores; k++) {
			kairos_buf_printf(&name, "%s/core%d", c->hosts[h].name, k);
			resource_push(m, kairos_buf_steal(&name), RTC_KIND_HOST, c->hosts[h].speed, !c->hosts[h].is_up);
		}
	for (int h = 0; h < c->nhosts; h++) {
		kairos_buf_printf(&name, "%s.uplink", c->hosts[h].name);
		resource_push(m, kairos_buf_steal(&name), RTC_KIND_NETWORK, 1.0, !c->hosts[h].is_up);
	}
	for (int h = 0; h < c->nhosts; h++) {
		kairos_buf_printf(&name, "%s/%s", c->lan.name, c->hosts[h].name);
		resource_push(m, kairos_buf_steal(&name), RTC_KIND_NETWORK, 1.0, !c->hosts[h].is_up);
	}
	kairos_buf_destroy(&name);
	return m;
}

int sched_cloud_build(const struct sched_cloud *c, const struct sched_placement *others,
		      const struct sched_problem *prob, const struct sched_placement *pl, const char *suffix, struct rtc_analysis **out, struct sched_builder **bout,
		     struct kairos_error *err)
{
	struct rtc_model *m = sched_cloud_empty_model(c);
	struct rtc_analysis *a;
	int rc = rtc_analysis_new(m, &a, err);
	rtc_model_free(m);
	if (rc)
		return rc;
	struct sched_builder *b = kairos_xcalloc((size_t)c->nentries + 1, sizeof(*b));
	for (int i = 0; i < c->nentries && rc == 0; i++) {
		sched_builder_init(&b[i], c, &c->entries[i].prob, others ? &others[i] : &c->entries[i].pl,
				   c->entries[i].suffix);
		rc = sched_builder_extend(&b[i], a, err);
	}
	if (prob && rc == 0) {
		sched_builder_init(&b[c->nentries], c, prob, pl, suffix);
		rc = sched_builder_extend(&b[c->nentries], a, err);
	}
	/* replicas: a backup's task never shares a resource with its primary's */
	struct rtc_model *mm = (struct rtc_model *)rtc_analysis_model(a);
	for (int i = 0; i <= c->nentries && rc == 0; i++) {
		if (!b[i].prob)
			continue;
		for (int k = 0; k < b[i].prob->nnodes; k++) {
			int p = b[i].prob->nodes[k].backup_of;
			if (p >= 0 && b[i].node_task[k] >= 0 && b[i].node_task[p] >= 0 &&
			    mm->tasks[b[i].node_task[k]].resource != mm->tasks[b[i].node_task[p]].resource)
				mm->tasks[b[i].node_task[k]].replica_of = b[i].node_task[p];
		}
	}
	if (rc == 0)
		rc = rtc_analysis_update(a, err);
	if (rc) {
		for (int i = 0; i <= c->nentries; i++)
			if (b[i].prob)
				sched_builder_destroy(&b[i]);
		free(b);
		rtc_analysis_free(a);
		return rc;
	}
	*out = a;
	*bout = b;
	return 0;
}

void sched_builders_free(const struct sched_cloud *c, struct sched_builder *b)
{
	for (int i = 0; i <= c->nentries; i++)
		if (b[i].prob)
			sched_builder_destroy(&b[i]);
	free(b);
}

/* " [id]" when any IRI of PROB is already a task or stream name of the cloud. */
static char *suffix_for(const struct sched_cloud *c, const char *id, const struct sched_problem *prob)
{
	bool taken = false;
	for (int e = 0; e < c->nentries && !taken; e++) {
		const struct sched_problem *q = &c->entries[e].prob;
		taken = strcmp(q->name, prob->name) == 0;
		for (int i = 0; i < prob->nnodes && !taken; i++)
			for (int j = 0; j < q->nnodes && !taken; j++)
				taken = strcmp(prob->nodes[i].name, q->nodes[j].name) == 0;
		for (int i = 0; i < prob->nlinks && !taken; i++)
			for (int j = 0; j < q->nlinks && !taken; j++)
				taken = strcmp(prob->links[i].name, q->links[j].name) == 0;
		for (int i = 0; i < prob->nflows && !taken; i++)
			for (int j = 0; j < q->nflows && !taken; j++)
				taken = strcmp(prob->flows[i].name, q->flows[j].name) == 0;
	}
	struct kairos_buf s = {0};
	if (taken)
		kairos_buf_printf(&s, " [%s]", id);
	else
		kairos_buf_puts(&s, "");
	return kairos_buf_steal(&s);
}

char *sched_cloud_suffix(const struct sched_cloud *c, const char *id, const struct sched_problem *prob)
{
	return suffix_for(c, id, prob);
}

struct rtc_model *sched_cloud_model(const struct sched_cloud *c, const struct sched_problem *prob,
				    const struct sched_placement *pl)
{
	struct rtc_analysis *a;
	struct sched_builder *b;
	char *suffix = prob ? suffix_for(c, "new", prob) : NULL;
	int rc = sched_cloud_build(c, NULL, prob, pl, suffix, &a, &b, NULL);
	free(suffix);
	if (rc)
		return NULL;
	struct rtc_model *m = rtc_model_clone(rtc_analysis_model(a));
	sched_builders_free(c, b);
	rtc_analysis_free(a);
	return m;
}

void sched_bounds_destroy(struct sched_bounds *b)
{
	if (!b)
		return;
	free(b->node_wcrt);
	free(b->link_latency);
	free(b->flow_latency);
	free(b->node_availability);
	memset(b, 0, sizeof(*b));
}

void sched_bounds_read(const struct sched_cloud *c, const struct sched_builder *bld, const struct rtc_analysis *a,
		       const struct sched_placement *pl, struct sched_bounds *b)
{
	const struct sched_problem *p = bld->prob;
	const struct rtc_result *res = rtc_analysis_result(a);
	memset(b, 0, sizeof(*b));
	b->nnodes = p->nnodes;
	b->nlinks = p->nlinks;
	b->nflows = p->nflows;
	b->node_wcrt = kairos_xcalloc((size_t)p->nnodes + 1, sizeof(int64_t));
	b->node_availability = kairos_xcalloc((size_t)p->nnodes + 1, sizeof(double));
	b->link_latency = kairos_xcalloc((size_t)p->nlinks + 1, sizeof(int64_t));
	b->flow_latency = kairos_xcalloc((size_t)p->nflows + 1, sizeof(int64_t));
	for (int i = 0; i < p->nnodes; i++) {
		int t = bld->node_task[i];
		b->node_wcrt[i] = t < 0 ? -1 : res->tasks[t].is_bounded ? res->tasks[t].wcrt : INT64_MAX;
		b->node_availability[i] = sched_node_availability(c, p, pl, i);
	}
	for (int l = 0; l < p->nlinks; l++) {
		int64_t sum = 0;
		for (int h = 0; h < SCHED_HOPS; h++) {
			int t = bld->link_hop[l][h];
			if (t < 0)
				continue;
			if (!res->tasks[t].is_bounded || sum == INT64_MAX)
				sum = INT64_MAX;
			else
				sum += res->tasks[t].wcrt;
		}
		b->link_latency[l] = sum;
	}
	for (int f = 0; f < p->nflows; f++) {
		int s = bld->flow_stream[f];
		b->flow_latency[f] = s < 0 || rtc_analysis_model(a)->streams[s].path_len == 0 ? -1
				     : res->streams[s].is_bounded			       ? res->streams[s].latency
											       : INT64_MAX;
	}
	b->composed_availability = sched_problem_availability(c, p, pl);
}

static int bounds_with(const struct sched_cloud *c, const struct sched_placement *others, const char *id,
		       const struct sched_problem *prob, const struct sched_placement *pl, struct sched_bounds *b,
		       struct kairos_error *err)
{
	memset(b, 0, sizeof(*b));
	int e = id ? sched_cloud_find(c, id) : -1;
	struct rtc_analysis *a;
	struct sched_builder *bld;
	char *suffix = e < 0 ? suffix_for(c, id ? id : "new", prob) : NULL;
	int rc = sched_cloud_build(c, others, e < 0 ? prob : NULL, pl, suffix, &a, &bld, err);
	free(suffix);
	if (rc)
		return rc;
	int which = e < 0 ? c->nentries : e;
	sched_bounds_read(c, &bld[which], a, e < 0 ? pl : &c->entries[e].pl, b);
	b->is_cloud_ok = rtc_analysis_result(a)->schedulable && sched_links_ok(bld, c->nentries + 1, a);
	sched_builders_free(c, bld);
	rtc_analysis_free(a);
	return 0;
}

int sched_cloud_bounds(const struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		       const struct sched_placement *pl, struct sched_bounds *b, struct kairos_error *err)
{
	return bounds_with(c, NULL, id, prob, pl, b, err);
}

int sched_plan_bounds(const struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		      const struct sched_plan *plan, struct sched_bounds *b, struct kairos_error *err)
{
	return bounds_with(c, plan->others, id, prob, &plan->placement, b, err);
}

bool sched_links_ok(const struct sched_builder *b, int n, const struct rtc_analysis *a)
{
	const struct rtc_result *res = rtc_analysis_result(a);
	for (int i = 0; i < n; i++) {
		const struct sched_problem *p = b[i].prob;
		for (int l = 0; p && l < p->nlinks; l++) {
			if (!(p->links[l].latency_ms > 0) || b[i].link_hop[l][0] < 0)
				continue;
			int64_t sum = 0;
			for (int h = 0; h < SCHED_HOPS; h++) {
				int t = b[i].link_hop[l][h];
				if (t < 0)
					continue;
				if (!res->tasks[t].is_bounded)
					return false;
				sum += res->tasks[t].wcrt;
			}
			if (sum > sched_ms_to_ticks(p->links[l].latency_ms))
				return false;
		}
	}
	return true;
}

bool sched_bounds_meet(const struct sched_problem *p, const struct sched_bounds *b)
{
	for (int i = 0; i < p->nnodes; i++) {
		const struct sched_node *n = &p->nodes[i];
		if (b->node_wcrt[i] == INT64_MAX)
			return false;
		if (n->has_deadline && b->node_wcrt[i] > sched_ms_to_ticks(n->deadline_ms))
			return false;
		if (n->has_availability && b->node_availability[i] + 1e-12 < n->availability)
			return false;
	}
	for (int l = 0; l < p->nlinks; l++)
		if (p->links[l].latency_ms > 0 && b->link_latency[l] > sched_ms_to_ticks(p->links[l].latency_ms))
			return false;
	for (int f = 0; f < p->nflows; f++)
		if (b->flow_latency[f] == INT64_MAX || b->flow_latency[f] > sched_ms_to_ticks(p->flows[f].deadline_ms))
			return false;
	return !(p->availability > 0 && b->composed_availability + 1e-12 < p->availability);
}

int sched_plan_verify(const struct sched_cloud *c, const struct sched_problem *prob, const struct sched_plan *plan,
		      struct kairos_error *err)
{
	if (plan->nothers != c->nentries || plan->placement.nnodes != prob->nnodes ||
	    plan->placement.nlinks != prob->nlinks)
		return 0;
	for (int l = 0; l < prob->nlinks; l++)
		if (plan->placement.links[l].is_remote &&
		    plan->placement.links[l].granted_mbps + EPS < prob->links[l].bandwidth_mbps)
			return 0;
	struct sched_free *f = kairos_xcalloc((size_t)c->nhosts, sizeof(*f));
	double lan;
	sched_cloud_free_all(c, -1, f, &lan);
	int rc = fits(c, prob, &plan->placement, f, &lan, NULL);
	free(f);
	if (rc)
		return 0;
	struct rtc_analysis *a;
	struct sched_builder *bld;
	char *suffix = suffix_for(c, "new", prob);
	rc = sched_cloud_build(c, plan->others, prob, &plan->placement, suffix, &a, &bld, err);
	free(suffix);
	if (rc)
		return rc;
	struct sched_bounds b;
	sched_bounds_read(c, &bld[c->nentries], a, &plan->placement, &b);
	int ok = rtc_analysis_result(a)->schedulable && sched_bounds_meet(prob, &b) &&
		 sched_links_ok(bld, c->nentries, a);
	sched_bounds_destroy(&b);
	sched_builders_free(c, bld);
	rtc_analysis_free(a);
	return ok;
}

/* ---- adding and removing --------------------------------------------------------- */

static void entry_append(struct sched_cloud *c, const char *id, const struct sched_problem *prob,
			 const struct sched_placement *pl)
{
	char *suffix = suffix_for(c, id, prob);
	if (c->nentries == c->cap_entries) {
		c->cap_entries = c->cap_entries ? 2 * c->cap_entries : 8;
		c->entries = kairos_xrealloc(c->entries, (size_t)c->cap_entries * sizeof(*c->entries));
	}
	struct sched_entry *e = &c->entries[c->nentries++];
	memset(e, 0, sizeof(*e));
	e->id = kairos_xstrdup(id);
	e->suffix = suffix;
	sched_problem_copy(&e->prob, prob);
	sched_placement_copy(&e->pl, pl);
}

int sched_cloud_add(struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		    const struct sched_placement *pl, bool check, struct kairos_error *err)
{
	if (sched_cloud_find(c, id) >= 0)
		return kairos_error_set(err, KAIROS_ECONFLICT, id, "vsn \"%s\": already in the cloud", id);
	if (pl->nnodes != prob->nnodes || pl->nlinks != prob->nlinks)
		return kairos_error_set(err, KAIROS_EINVAL, id, "placement of \"%s\": %d nodes and %d links, expected %d and %d",
					id, pl->nnodes, pl->nlinks, prob->nnodes, prob->nlinks);
	for (int i = 0; i < prob->nnodes; i++) {
		int h = pl->nodes[i].host, k = pl->nodes[i].core;
		bool bad = h < 0 || h >= c->nhosts ||
			   (prob->nodes[i].is_storage ? k != -1 : (k < 0 || k >= c->hosts[h].cores));
		if (bad)
			return kairos_error_set(err, KAIROS_EINVAL, prob->nodes[i].name,
						"placement of \"%s\": no such host/core (%d/%d)", prob->nodes[i].name, h, k);
	}
	for (int l = 0; l < prob->nlinks; l++) {
		bool remote = pl->nodes[prob->links[l].source].host != pl->nodes[prob->links[l].target].host;
		if (remote != pl->links[l].is_remote)
			return kairos_error_set(err, KAIROS_EINVAL, prob->links[l].name,
						"placement of \"%s\": is_remote does not match the hosts", prob->links[l].name);
	}
	if (check) {
		struct sched_free *f = kairos_xcalloc((size_t)c->nhosts, sizeof(*f));
		double lan;
		sched_cloud_free_all(c, -1, f, &lan);
		int rc = fits(c, prob, pl, f, &lan, err);
		free(f);
		if (rc)
			return rc;
	}
	entry_append(c, id, prob, pl);
	return 0;
}

int sched_cloud_commit(struct sched_cloud *c, const char *id, const struct sched_problem *prob,
		       const struct sched_plan *plan, struct kairos_error *err)
{
	if (sched_cloud_find(c, id) >= 0)
		return kairos_error_set(err, KAIROS_ECONFLICT, id, "vsn \"%s\": already in the cloud", id);
	if (plan->nothers != c->nentries)
		return kairos_error_set(err, KAIROS_ECONFLICT, id, "vsn \"%s\": the cloud changed since the plan", id);
	for (int i = 0; i < c->nentries; i++) {
		sched_placement_destroy(&c->entries[i].pl);
		sched_placement_copy(&c->entries[i].pl, &plan->others[i]);
	}
	entry_append(c, id, prob, &plan->placement);
	return 0;
}

int sched_cloud_remove(struct sched_cloud *c, const char *id)
{
	int i = sched_cloud_find(c, id);
	if (i < 0)
		return -KAIROS_ENOTFOUND;
	entry_destroy(&c->entries[i]);
	memmove(&c->entries[i], &c->entries[i + 1], (size_t)(c->nentries - i - 1) * sizeof(*c->entries));
	c->nentries--;
	return 0;
}

struct sched_detached {
	int position;
	struct sched_entry entry;
};

int sched_cloud_detach(struct sched_cloud *c, const char *id, struct sched_detached **out)
{
	*out = NULL;
	int i = sched_cloud_find(c, id);
	if (i < 0)
		return -KAIROS_ENOTFOUND;
	struct sched_detached *d = kairos_xcalloc(1, sizeof(*d));
	d->position = i;
	d->entry = c->entries[i];
	memmove(&c->entries[i], &c->entries[i + 1], (size_t)(c->nentries - i - 1) * sizeof(*c->entries));
	c->nentries--;
	*out = d;
	return 0;
}

void sched_cloud_reattach(struct sched_cloud *c, struct sched_detached *d)
{
	if (c->nentries == c->cap_entries) {
		c->cap_entries = c->cap_entries ? 2 * c->cap_entries : 8;
		c->entries = kairos_xrealloc(c->entries, (size_t)c->cap_entries * sizeof(*c->entries));
	}
	int i = d->position <= c->nentries ? d->position : c->nentries;
	memmove(&c->entries[i + 1], &c->entries[i], (size_t)(c->nentries - i) * sizeof(*c->entries));
	c->entries[i] = d->entry;
	c->nentries++;
	free(d);
}

void sched_detached_free(struct sched_detached *d)
{
	if (!d)
		return;
	entry_destroy(&d->entry);
	free(d);
}
