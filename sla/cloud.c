/*
 * cloud.c - admission, negotiation and renegotiation on the admitted cloud.
 *
 * Admission: the strict placement search of the scheduler; found means
 * admitted. Rejection: a relaxed search (the new VSN's deadlines, latencies
 * and bandwidths become soft, every admitted SLA stays hard) gives the best
 * placement that keeps the cloud's promises; its bounds are what Kairos can
 * guarantee now, so every term they miss is a reason, and the VSN with those
 * terms is the counter-offer. The relaxed plan is kept as a quote: submitting
 * the counter-offer while the cloud has not changed is admitted with exactly
 * that plan (checked again, strictly, before it is used).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sla/internal.h"

#define SLA_QUOTES 8

struct sla_quote {
	struct vsn_doc *doc;
	char *reneg_id;      /* the VSN being renegotiated, NULL for an admission */
	long generation;
	struct sched_plan plan;
};

struct sla_cloud {
	struct sched_cloud *sc;
	long generation;     /* bumped by every change of the admitted cloud */
	struct sla_quote quotes[SLA_QUOTES];
	int nquotes, next_quote;
};

int sla_cloud_new(const struct sched_host *hosts, int n, const struct sched_lan *lan, struct sla_cloud **out,
		  struct kairos_error *err)
{
	*out = NULL;
	struct sched_cloud *sc;
	int rc = sched_cloud_new(hosts, n, lan, &sc, err);
	if (rc)
		return rc;
	struct sla_cloud *c = kairos_xcalloc(1, sizeof(*c));
	c->sc = sc;
	*out = c;
	return 0;
}

static void quote_clear(struct sla_quote *q)
{
	vsn_doc_free(q->doc);
	free(q->reneg_id);
	sched_plan_destroy(&q->plan);
	memset(q, 0, sizeof(*q));
}

void sla_cloud_free(struct sla_cloud *c)
{
	if (!c)
		return;
	for (int i = 0; i < SLA_QUOTES; i++)
		quote_clear(&c->quotes[i]);
	sched_cloud_free(c->sc);
	free(c);
}

const struct sched_cloud *sla_cloud_sched(const struct sla_cloud *c)
{
	return c->sc;
}

static void quote_store(struct sla_cloud *c, const struct vsn_doc *doc, const char *reneg_id,
			const struct sched_plan *plan)
{
	struct sla_quote *q = &c->quotes[c->next_quote];
	quote_clear(q);
	q->doc = sla_doc_copy(doc);
	q->reneg_id = reneg_id ? kairos_xstrdup(reneg_id) : NULL;
	q->generation = c->generation;
	sched_placement_copy(&q->plan.placement, &plan->placement);
	q->plan.nothers = plan->nothers;
	q->plan.others = kairos_xcalloc((size_t)plan->nothers + 1, sizeof(*q->plan.others));
	for (int i = 0; i < plan->nothers; i++)
		sched_placement_copy(&q->plan.others[i], &plan->others[i]);
	c->next_quote = (c->next_quote + 1) % SLA_QUOTES;
}

/* A quoted plan for DOC that still admits PROB strictly, copied into *PLAN. */
static bool quote_find(struct sla_cloud *c, const struct vsn_doc *doc, const char *reneg_id,
		       const struct sched_problem *prob, struct sched_plan *plan)
{
	for (int i = 0; i < SLA_QUOTES; i++) {
		struct sla_quote *q = &c->quotes[i];
		if (!q->doc || q->generation != c->generation)
			continue;
		if ((q->reneg_id == NULL) != (reneg_id == NULL) || (reneg_id && strcmp(q->reneg_id, reneg_id) != 0))
			continue;
		if (!vsn_doc_equal(q->doc, doc) || sched_plan_verify(c->sc, prob, &q->plan, NULL) != 1)
			continue;
		sched_placement_copy(&plan->placement, &q->plan.placement);
		plan->nothers = q->plan.nothers;
		plan->others = kairos_xcalloc((size_t)plan->nothers + 1, sizeof(*plan->others));
		for (int k = 0; k < plan->nothers; k++)
			sched_placement_copy(&plan->others[k], &q->plan.others[k]);
		return true;
	}
	return false;
}

static struct sla_reason *reason_add(struct sla_decision *d, const char *element, const char *bound, double required,
				     double achievable)
{
	d->reasons = kairos_xrealloc(d->reasons, ((size_t)d->nreasons + 1) * sizeof(*d->reasons));
	struct sla_reason *r = &d->reasons[d->nreasons++];
	r->element = kairos_xstrdup(element);
	r->bound = bound;
	r->required = required;
	r->achievable = achievable;
	return r;
}

/* Floor of X to DIGITS fraction digits (what is offered must not exceed what is achieved). */
static double floor_digits(double x, int digits)
{
	double k = pow(10.0, digits);
	return floor(x * k + 1e-9) / k;
}

/*
 * Reasons (every term of PROB that bounds B miss, and bandwidths the plan could
 * not grant) into D, and the counter-offer terms into COUNTER (may be NULL).
 */
static void terms_compare(const struct sched_problem *prob, const struct sched_placement *pl,
			  const struct sched_bounds *b, struct sla_decision *d, struct vsn_doc *counter)
{
	for (int i = 0; i < prob->nnodes; i++) {
		const struct sched_node *n = &prob->nodes[i];
		int64_t w = b->node_wcrt[i];
		if (n->has_deadline && w > sched_ms_to_ticks(n->deadline_ms)) {
			double ach = w == INT64_MAX ? -1 : sched_ticks_to_ms(w);
			reason_add(d, n->name, "deadlineMs", n->deadline_ms, ach);
			if (counter && ach > 0)
				counter->nodes[i].deadline_ms = ach;
		}
		if (n->has_availability && b->node_availability[i] + 1e-12 < n->availability) {
			reason_add(d, n->name, "availability", n->availability, b->node_availability[i]);
			if (counter)
				counter->nodes[i].availability = floor_digits(b->node_availability[i], 9);
		}
	}
	for (int l = 0; l < prob->nlinks; l++) {
		const struct sched_link *lk = &prob->links[l];
		int64_t w = b->link_latency[l];
		if (lk->latency_ms > 0 && w > sched_ms_to_ticks(lk->latency_ms)) {
			double ach = w == INT64_MAX ? -1 : sched_ticks_to_ms(w);
			reason_add(d, lk->name, "latencyMs", lk->latency_ms, ach);
			if (counter && ach > 0)
				counter->links[l].latency_ms = ach;
		}
		if (pl->links[l].is_remote && pl->links[l].granted_mbps + 1e-9 < lk->bandwidth_mbps) {
			double g = floor_digits(pl->links[l].granted_mbps, 3);
			reason_add(d, lk->name, "bandwidthMbps", lk->bandwidth_mbps, g);
			if (counter)
				counter->links[l].bandwidth_mbps = g;
		}
	}
	for (int f = 0; f < prob->nflows; f++) {
		int64_t w = b->flow_latency[f];
		if (w >= 0 && w > sched_ms_to_ticks(prob->flows[f].deadline_ms)) {
			double ach = w == INT64_MAX ? -1 : sched_ticks_to_ms(w);
			reason_add(d, prob->flows[f].name, "deadlineMs", prob->flows[f].deadline_ms, ach);
			if (counter && ach > 0)
				counter->flows[f].deadline_ms = ach;
		}
	}
	if (prob->availability > 0 && b->composed_availability + 1e-12 < prob->availability) {
		reason_add(d, prob->name, "availability", prob->availability, b->composed_availability);
		if (counter)
			counter->availability = floor_digits(b->composed_availability, 9);
	}
}

/*
 * Capacity terms no host can hold even alone (memory, disk, IOPS, throughput,
 * vCPUs): reasons, and COUNTER lowered to the most any up host has left.
 * Returns how many.
 */
static int capacity_compare(const struct sched_cloud *sc, const struct sched_problem *prob, struct sla_decision *d,
			    struct vsn_doc *counter)
{
	int nh = sched_cloud_host_count(sc), n = 0;
	struct sched_free best = {0};
	int cores = 0;
	for (int h = 0; h < nh; h++) {
		const struct sched_host *ho = sched_cloud_host(sc, h);
		if (!ho->is_up)
			continue;
		struct sched_free f;
		sched_cloud_host_free(sc, h, &f);
		if (f.memory_mib > best.memory_mib)
			best.memory_mib = f.memory_mib;
		if (f.storage_gib > best.storage_gib)
			best.storage_gib = f.storage_gib;
		if (f.storage_iops > best.storage_iops)
			best.storage_iops = f.storage_iops;
		if (f.storage_mbps > best.storage_mbps)
			best.storage_mbps = f.storage_mbps;
		if (ho->cores > cores)
			cores = ho->cores;
	}
	for (int i = 0; i < prob->nnodes; i++) {
		const struct sched_node *x = &prob->nodes[i];
		struct vsn_node *cn = counter ? &counter->nodes[i] : NULL;
		if (!x->is_storage && x->memory_mib > best.memory_mib) {
			reason_add(d, x->name, "memoryMiB", (double)x->memory_mib, (double)best.memory_mib);
			if (cn)
				cn->memory_mib = best.memory_mib;
			n++;
		}
		if (!x->is_storage && x->vcpus > cores) {
			reason_add(d, x->name, "vcpus", x->vcpus, cores);
			if (cn)
				cn->vcpus = cores;
			n++;
		}
		if (x->is_storage && x->disk_gib > best.storage_gib) {
			reason_add(d, x->name, "diskGiB", (double)x->disk_gib, (double)best.storage_gib);
			if (cn)
				cn->disk_gib = best.storage_gib;
			n++;
		}
		if (x->is_storage && x->iops > best.storage_iops) {
			reason_add(d, x->name, "iops", (double)x->iops, (double)best.storage_iops);
			if (cn)
				cn->iops = best.storage_iops;
			n++;
		}
		if (x->is_storage && x->throughput_mbps > best.storage_mbps + 1e-9) {
			reason_add(d, x->name, "throughputMBps", x->throughput_mbps, floor_digits(best.storage_mbps, 3));
			if (cn)
				cn->throughput_mbps = floor_digits(best.storage_mbps, 3);
			n++;
		}
	}
	return n;
}

/* Names of the VSNs whose priorities PLAN changes. */
static void changed_list(const struct sched_cloud *sc, const struct sched_plan *plan, struct sla_decision *d)
{
	for (int i = 0; i < plan->nothers && i < sched_cloud_count(sc); i++) {
		const struct sched_placement *now = sched_cloud_placement(sc, i);
		bool diff = false;
		for (int k = 0; k < plan->others[i].nprios && !diff; k++) {
			long p;
			diff = !sched_placement_prio_get(now, plan->others[i].prios[k].key, &p) ||
			       p != plan->others[i].prios[k].priority;
		}
		if (!diff)
			continue;
		d->changed = kairos_xrealloc(d->changed, ((size_t)d->nchanged + 1) * sizeof(char *));
		d->changed[d->nchanged++] = kairos_xstrdup(sched_cloud_id(sc, i));
	}
}

/* Admits PROB with PLAN into D (and the cloud unless DRY_RUN). */
static int admit_with(struct sla_cloud *c, const char *id, const struct sched_problem *prob,
		      const struct sched_plan *plan, bool dry_run, struct sla_decision *d, struct kairos_error *err)
{
	struct sched_bounds b;
	int rc = sched_plan_bounds(c->sc, id, prob, plan, &b, err);
	if (rc)
		return rc;
	/*
	 * The search decided on an incrementally updated analysis; the bounds
	 * answered come from a fresh analysis of the model the cloud will export.
	 * Both must agree that every promise holds.
	 */
	if (!b.is_cloud_ok || !sched_bounds_meet(prob, &b)) {
		sched_bounds_destroy(&b);
		return kairos_error_set(err, KAIROS_EINTERNAL, id,
					"vsn \"%s\": the plan found does not hold on a fresh analysis", id);
	}
	sla_decision_fill(c->sc, prob, &plan->placement, &b, d);
	sched_bounds_destroy(&b);
	d->is_admitted = true;
	sched_placement_copy(&d->placement, &plan->placement);
	changed_list(c->sc, plan, d);
	if (!dry_run) {
		rc = sched_cloud_commit(c->sc, id, prob, plan, err);
		if (rc)
			return rc;
		c->generation++;
	}
	return 0;
}

/*
 * The rejection of DOC: reasons and counter-offer from the relaxed search.
 * Sets *ADMIT_PLAN (returns 1) instead when the relaxed plan meets every term.
 */
static int reject(struct sla_cloud *c, const char *id, const char *reneg_id, const struct vsn_doc *doc,
		  const struct sched_problem *prob, struct sla_decision *d, struct sched_plan *admit_plan,
		  struct kairos_error *err)
{
	struct vsn_doc *counter = sla_doc_copy(doc);
	struct sched_problem lowered;
	const struct sched_problem *p = prob;
	bool is_lowered = false;
	int rc = 0;
	if (capacity_compare(c->sc, prob, d, counter) > 0) {
		rc = sla_problem_from_doc(counter, &lowered, err);
		if (rc)
			goto out;
		is_lowered = true;
		p = &lowered;
	}
	struct sched_plan plan;
	int found = sched_cloud_place(c->sc, p, SCHED_RELAXED, 0, &plan, NULL, err);
	if (found < 0) {
		rc = found;
		goto out;
	}
	if (found == 0) {
		/* not even the cloud's own promises leave room for this VSN's load */
		reason_add(d, prob->name, "schedulable", 1, 0);
		vsn_doc_free(counter);
		counter = NULL;
		goto out;
	}
	struct sched_bounds b;
	rc = sched_plan_bounds(c->sc, id, p, &plan, &b, err);
	if (rc) {
		sched_plan_destroy(&plan);
		goto out;
	}
	terms_compare(p, &plan.placement, &b, d, counter);
	if (d->nreasons == 0 && sched_plan_verify(c->sc, prob, &plan, err) == 1) {
		/* the strict search ran out of budget; this plan keeps every term */
		*admit_plan = plan;
		sched_bounds_destroy(&b);
		vsn_doc_free(counter);
		counter = NULL;
		rc = 1;
		goto out;
	}
	sla_decision_fill(c->sc, p, &plan.placement, &b, d);
	sched_bounds_destroy(&b);
	/* the counter-offer is quoted only if it is admitted with this very plan */
	struct sched_problem cp;
	if (sla_problem_from_doc(counter, &cp, NULL) == 0) {
		if (sched_plan_verify(c->sc, &cp, &plan, NULL) == 1)
			quote_store(c, counter, reneg_id, &plan);
		sla_problem_destroy(&cp);
	}
	sched_plan_destroy(&plan);
out:
	if (is_lowered)
		sla_problem_destroy(&lowered);
	if (rc < 0) {
		vsn_doc_free(counter);
		counter = NULL;
	}
	d->counter_offer = counter;
	return rc;
}

/* Decides DOC under ID (absent from the cloud). */
static int decide(struct sla_cloud *c, const char *id, const char *reneg_id, const struct vsn_doc *doc, bool dry_run,
		  struct sla_decision **out, struct kairos_error *err)
{
	*out = NULL;
	struct sched_problem prob;
	int rc = sla_problem_from_doc(doc, &prob, err);
	if (rc)
		return rc;
	struct sla_decision *d = kairos_xcalloc(1, sizeof(*d));
	d->vsn_iri = kairos_xstrdup(doc->iri ? doc->iri : "");
	struct sched_plan plan;
	int found = sched_cloud_place(c->sc, &prob, SCHED_STRICT, 0, &plan, NULL, err);
	if (found == 0 && quote_find(c, doc, reneg_id, &prob, &plan))
		found = 1;
	if (found == 0) {
		found = reject(c, id, reneg_id, doc, &prob, d, &plan, err);
		if (found == 1) {
			/* admitted after all: drop what reject() filled */
			for (int i = 0; i < d->nreasons; i++)
				free(d->reasons[i].element);
			free(d->reasons);
			d->reasons = NULL;
			d->nreasons = 0;
		}
	}
	if (found == 1) {
		rc = admit_with(c, id, &prob, &plan, dry_run, d, err);
		sched_plan_destroy(&plan);
	} else if (found < 0) {
		rc = found;
	}
	sla_problem_destroy(&prob);
	if (rc) {
		sla_decision_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int sla_cloud_admit(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *doc, bool dry_run,
		    struct sla_decision **out, struct kairos_error *err)
{
	*out = NULL;
	if (sched_cloud_find(c->sc, vsn_id) >= 0)
		return kairos_error_set(err, KAIROS_ECONFLICT, vsn_id, "vsn \"%s\": already admitted", vsn_id);
	return decide(c, vsn_id, NULL, doc, dry_run, out, err);
}

int sla_cloud_renegotiate(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *new_doc, bool dry_run,
			  struct sla_decision **out, struct kairos_error *err)
{
	*out = NULL;
	struct sched_detached *old;
	if (sched_cloud_detach(c->sc, vsn_id, &old))
		return kairos_error_set(err, KAIROS_ENOTFOUND, vsn_id, "vsn \"%s\": not admitted", vsn_id);
	long gen = c->generation;
	int rc = decide(c, vsn_id, vsn_id, new_doc, dry_run, out, err);
	if (rc == 0 && (*out)->is_admitted && !dry_run) {
		sched_detached_free(old);
	} else {
		/* nothing was committed: the old version goes back exactly as it was */
		sched_cloud_reattach(c->sc, old);
		c->generation = gen;
	}
	return rc;
}

int sla_cloud_remove(struct sla_cloud *c, const char *vsn_id)
{
	int rc = sched_cloud_remove(c->sc, vsn_id);
	if (rc == 0)
		c->generation++;
	return rc;
}

int sla_cloud_restore(struct sla_cloud *c, const char *vsn_id, const struct vsn_doc *doc,
		      const struct sched_placement *placement, struct kairos_error *err)
{
	struct sched_problem prob;
	int rc = sla_problem_from_doc(doc, &prob, err);
	if (rc)
		return rc;
	rc = sched_cloud_add(c->sc, vsn_id, &prob, placement, true, err);
	sla_problem_destroy(&prob);
	if (rc == 0)
		c->generation++;
	return rc;
}

const struct sched_placement *sla_cloud_placement(const struct sla_cloud *c, const char *vsn_id)
{
	int i = sched_cloud_find(c->sc, vsn_id);
	return i < 0 ? NULL : sched_cloud_placement(c->sc, i);
}

int sla_cloud_describe(struct sla_cloud *c, const char *vsn_id, struct sla_decision **out, struct kairos_error *err)
{
	*out = NULL;
	int i = sched_cloud_find(c->sc, vsn_id);
	if (i < 0)
		return kairos_error_set(err, KAIROS_ENOTFOUND, vsn_id, "vsn \"%s\": not admitted", vsn_id);
	const struct sched_problem *prob = sched_cloud_problem(c->sc, i);
	const struct sched_placement *pl = sched_cloud_placement(c->sc, i);
	struct sched_bounds b;
	int rc = sched_cloud_bounds(c->sc, vsn_id, prob, pl, &b, err);
	if (rc)
		return rc;
	struct sla_decision *d = kairos_xcalloc(1, sizeof(*d));
	d->vsn_iri = kairos_xstrdup(prob->name);
	d->is_admitted = true;
	sla_decision_fill(c->sc, prob, pl, &b, d);
	sched_placement_copy(&d->placement, pl);
	sched_bounds_destroy(&b);
	*out = d;
	return 0;
}

char *sla_cloud_model_json(const struct sla_cloud *c)
{
	struct rtc_model *m = sched_cloud_model(c->sc, NULL, NULL);
	if (!m)
		return NULL;
	char *s = rtc_model_to_json(m);
	rtc_model_free(m);
	return s;
}
