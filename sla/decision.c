/*
 * decision.c - the decision record (bounds, modes, reservations, reasons),
 * its SPEC §3 JSON form, and placements as JSON for storage.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sla/internal.h"

static void bounds_clear(struct sla_decision *d)
{
	for (int i = 0; i < d->nnodes; i++) {
		free(d->nodes[i].iri);
		free(d->nodes[i].host);
	}
	for (int i = 0; i < d->nlinks; i++)
		free(d->links[i].iri);
	for (int i = 0; i < d->nflows; i++)
		free(d->flows[i].iri);
	for (int i = 0; i < d->nreservations; i++) {
		free(d->reservations[i].element);
		free(d->reservations[i].resource);
	}
	free(d->nodes);
	free(d->links);
	free(d->flows);
	free(d->reservations);
	d->nodes = NULL;
	d->links = NULL;
	d->flows = NULL;
	d->reservations = NULL;
	d->nnodes = d->nlinks = d->nflows = d->nreservations = 0;
}

void sla_decision_free(struct sla_decision *d)
{
	if (!d)
		return;
	bounds_clear(d);
	for (int i = 0; i < d->nreasons; i++)
		free(d->reasons[i].element);
	free(d->reasons);
	vsn_doc_free(d->counter_offer);
	sched_placement_destroy(&d->placement);
	for (int i = 0; i < d->nchanged; i++)
		free(d->changed[i]);
	free(d->changed);
	free(d->vsn_iri);
	free(d);
}

static void reserve(struct sla_decision *d, const char *element, const char *resource, const char *kind,
		    double amount)
{
	d->reservations =
		kairos_xrealloc(d->reservations, ((size_t)d->nreservations + 1) * sizeof(*d->reservations));
	struct sla_reservation *r = &d->reservations[d->nreservations++];
	r->element = kairos_xstrdup(element);
	r->resource = kairos_xstrdup(resource);
	r->kind = kind;
	r->amount = amount;
}

/* SPEC §5 modes: a node with a backup (or a backup) runs in remote redundancy. */
static const char *node_mode(const struct sched_problem *p, int i)
{
	if (p->nodes[i].backup_of >= 0)
		return "remote";
	for (int j = 0; j < p->nnodes; j++)
		if (p->nodes[j].backup_of == i)
			return "remote";
	return "normal";
}

void sla_decision_fill(const struct sched_cloud *sc, const struct sched_problem *prob,
		       const struct sched_placement *pl, const struct sched_bounds *b, struct sla_decision *d)
{
	bounds_clear(d);
	struct kairos_buf name = {0};
	d->nnodes = prob->nnodes;
	d->nodes = kairos_xcalloc((size_t)prob->nnodes + 1, sizeof(*d->nodes));
	for (int i = 0; i < prob->nnodes; i++) {
		const struct sched_node *n = &prob->nodes[i];
		struct sla_node_bound *o = &d->nodes[i];
		const struct sched_host *h = sched_cloud_host(sc, pl->nodes[i].host);
		o->iri = kairos_xstrdup(n->name);
		o->host = kairos_xstrdup(h ? h->name : "");
		o->core = pl->nodes[i].core;
		o->mode = node_mode(prob, i);
		o->has_wcrt = !n->is_storage && b->node_wcrt[i] >= 0 && b->node_wcrt[i] != INT64_MAX;
		o->wcrt_ms = o->has_wcrt ? sched_ticks_to_ms(b->node_wcrt[i]) : 0;
		o->has_deadline = n->has_deadline;
		o->deadline_ms = n->deadline_ms;
		o->availability = b->node_availability[i];
		if (!n->is_storage)
			sched_placement_prio_get(pl, n->name, &o->priority);
		if (!h)
			continue;
		if (n->is_storage) {
			reserve(d, n->name, h->name, "disk", (double)n->disk_gib);
			reserve(d, n->name, h->name, "iops", (double)n->iops);
			reserve(d, n->name, h->name, "throughput", n->throughput_mbps);
		} else {
			kairos_buf_reset(&name);
			kairos_buf_printf(&name, "%s/core%d", h->name, o->core);
			reserve(d, n->name, kairos_buf_str(&name), "cpu", n->wcet_ms / (n->period_ms * h->speed));
			reserve(d, n->name, h->name, "memory", (double)n->memory_mib);
		}
	}
	d->nlinks = prob->nlinks;
	d->links = kairos_xcalloc((size_t)prob->nlinks + 1, sizeof(*d->links));
	for (int l = 0; l < prob->nlinks; l++) {
		const struct sched_link *lk = &prob->links[l];
		struct sla_link_bound *o = &d->links[l];
		o->iri = kairos_xstrdup(lk->name);
		o->is_remote = pl->links[l].is_remote;
		o->latency_ms = b->link_latency[l] == INT64_MAX ? INFINITY : sched_ticks_to_ms(b->link_latency[l]);
		o->latency_bound_ms = lk->latency_ms;
		o->bandwidth_mbps = pl->links[l].is_remote ? pl->links[l].granted_mbps : 0;
		if (!o->is_remote)
			continue;
		const struct sched_host *hs = sched_cloud_host(sc, pl->nodes[lk->source].host);
		const struct sched_host *ht = sched_cloud_host(sc, pl->nodes[lk->target].host);
		const char *res[3] = {hs->name, sched_cloud_lan(sc)->name, ht->name};
		for (int k = 0; k < 3; k++) {
			kairos_buf_reset(&name);
			kairos_buf_printf(&name, k == 1 ? "%s" : "%s.uplink", res[k]);
			reserve(d, lk->name, kairos_buf_str(&name), "bandwidth", o->bandwidth_mbps);
		}
	}
	d->nflows = prob->nflows;
	d->flows = kairos_xcalloc((size_t)prob->nflows + 1, sizeof(*d->flows));
	for (int f = 0; f < prob->nflows; f++) {
		struct sla_flow_bound *o = &d->flows[f];
		o->iri = kairos_xstrdup(prob->flows[f].name);
		o->has_latency = b->flow_latency[f] >= 0 && b->flow_latency[f] != INT64_MAX;
		o->latency_ms = o->has_latency ? sched_ticks_to_ms(b->flow_latency[f]) : 0;
		o->deadline_ms = prob->flows[f].deadline_ms;
	}
	d->availability_target = prob->availability;
	d->availability_composed = b->composed_availability;
	kairos_buf_destroy(&name);
}

/* An integral value as a JSON integer, anything else as a real. */
static json_t *num(double x)
{
	if (isfinite(x) && x == floor(x) && fabs(x) < 1e15)
		return json_integer((json_int_t)x);
	return isfinite(x) ? json_real(x) : json_null();
}

json_t *sla_decision_to_json(const struct sla_decision *d)
{
	json_t *j = json_object();
	json_object_set_new(j, "state", json_string(d->is_admitted ? "admitted" : "rejected"));
	json_object_set_new(j, "vsn", json_string(d->vsn_iri ? d->vsn_iri : ""));
	json_t *av = json_object();
	if (d->availability_target > 0)
		json_object_set_new(av, "target", num(d->availability_target));
	else
		json_object_set_new(av, "target", json_null());
	json_object_set_new(av, "composed", num(d->availability_composed));
	json_object_set_new(j, "sla", json_pack("{s:o}", "availability", av));
	json_t *pl = json_object(), *bn = json_object(), *bf = json_object(), *bl = json_object();
	for (int i = 0; i < d->nnodes; i++) {
		const struct sla_node_bound *n = &d->nodes[i];
		json_t *p = json_pack("{s:s, s:s}", "host", n->host, "mode", n->mode);
		if (n->core >= 0) { /* storage nodes have neither core nor priority */
			json_object_set_new(p, "core", json_integer(n->core));
			json_object_set_new(p, "priority", json_integer(n->priority));
		}
		json_object_set_new(pl, n->iri, p);
		if (!n->has_wcrt && n->core >= 0) {
			json_object_set_new(bn, n->iri, json_pack("{s:n}", "wcrtMs"));
		} else if (n->has_wcrt) {
			json_t *o = json_pack("{s:o}", "wcrtMs", num(n->wcrt_ms));
			if (n->has_deadline)
				json_object_set_new(o, "deadlineMs", num(n->deadline_ms));
			json_object_set_new(o, "availability", num(n->availability));
			json_object_set_new(bn, n->iri, o);
		}
	}
	for (int f = 0; f < d->nflows; f++) {
		const struct sla_flow_bound *x = &d->flows[f];
		json_object_set_new(bf, x->iri,
				    json_pack("{s:o, s:o}", "latencyMs", x->has_latency ? num(x->latency_ms) : json_null(),
					      "deadlineMs", num(x->deadline_ms)));
	}
	for (int l = 0; l < d->nlinks; l++) {
		const struct sla_link_bound *x = &d->links[l];
		json_object_set_new(bl, x->iri,
				    json_pack("{s:o, s:o, s:o, s:b}", "latencyMs", num(x->latency_ms), "latencyBoundMs",
					      num(x->latency_bound_ms), "bandwidthMbps", num(x->bandwidth_mbps),
					      "remote", x->is_remote));
	}
	json_object_set_new(j, "placement", pl);
	json_object_set_new(j, "bounds", json_pack("{s:o, s:o, s:o}", "nodes", bn, "flows", bf, "links", bl));
	json_t *res = json_array();
	for (int i = 0; i < d->nreservations; i++) {
		const struct sla_reservation *r = &d->reservations[i];
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:o}", "element", r->element, "resource",
						     r->resource, "kind", r->kind, "amount", num(r->amount)));
	}
	json_object_set_new(j, "reservations", res);
	if (!d->is_admitted) {
		json_t *rs = json_array();
		for (int i = 0; i < d->nreasons; i++) {
			const struct sla_reason *r = &d->reasons[i];
			json_array_append_new(rs, json_pack("{s:s, s:s, s:o, s:o}", "element", r->element, "bound",
							    r->bound, "required", num(r->required), "achievable",
							    r->achievable < 0 ? json_null() : num(r->achievable)));
		}
		json_object_set_new(j, "reasons", rs);
		json_t *co = json_null();
		if (d->counter_offer) {
			char *s = vsn_write_json(d->counter_offer);
			json_t *parsed = s ? json_loads(s, 0, NULL) : NULL;
			free(s);
			if (parsed) {
				json_decref(co);
				co = parsed;
			}
		}
		json_object_set_new(j, "counter_offer", co);
	}
	return j;
}

json_t *sla_placement_to_json(const struct sla_cloud *c, const struct sched_placement *p)
{
	json_t *nodes = json_array(), *links = json_array(), *prios = json_object();
	for (int i = 0; i < p->nnodes; i++) {
		const struct sched_host *h = sched_cloud_host(sla_cloud_sched(c), p->nodes[i].host);
		json_array_append_new(nodes, json_pack("[s, i]", h ? h->name : "", p->nodes[i].core));
	}
	for (int l = 0; l < p->nlinks; l++)
		json_array_append_new(links, json_pack("[b, f]", p->links[l].is_remote, p->links[l].granted_mbps));
	for (int k = 0; k < p->nprios; k++)
		json_object_set_new(prios, p->prios[k].key, json_integer(p->prios[k].priority));
	return json_pack("{s:o, s:o, s:o}", "nodes", nodes, "links", links, "priorities", prios);
}

int sla_placement_from_json(const struct sla_cloud *c, const json_t *j, struct sched_placement *p,
			    struct kairos_error *err)
{
	const struct sched_cloud *sc = sla_cloud_sched(c);
	const json_t *nodes = json_object_get(j, "nodes"), *links = json_object_get(j, "links");
	const json_t *prios = json_object_get(j, "priorities");
	if (!json_is_array(nodes) || !json_is_array(links) || !json_is_object(prios))
		return kairos_error_set(err, KAIROS_EINVAL, "placement",
					"placement: expected {\"nodes\": [...], \"links\": [...], \"priorities\": {...}}");
	sched_placement_init(p, (int)json_array_size(nodes), (int)json_array_size(links));
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		const json_t *x = json_array_get(nodes, i);
		int host = -1;
		const char *name = json_string_value(json_array_get(x, 0));
		for (int h = 0; name && h < sched_cloud_host_count(sc); h++)
			if (strcmp(sched_cloud_host(sc, h)->name, name) == 0)
				host = h;
		if (host < 0 || !json_is_integer(json_array_get(x, 1))) {
			sched_placement_destroy(p);
			return kairos_error_set(err, KAIROS_EINVAL, "placement.nodes",
						"placement.nodes[%zu]: expected [host of the inventory, core]", i);
		}
		p->nodes[i].host = host;
		p->nodes[i].core = (int)json_integer_value(json_array_get(x, 1));
	}
	for (size_t l = 0; l < json_array_size(links); l++) {
		const json_t *x = json_array_get(links, l);
		if (!json_is_boolean(json_array_get(x, 0)) || !json_is_number(json_array_get(x, 1))) {
			sched_placement_destroy(p);
			return kairos_error_set(err, KAIROS_EINVAL, "placement.links",
						"placement.links[%zu]: expected [is_remote, mbps]", l);
		}
		p->links[l].is_remote = json_is_true(json_array_get(x, 0));
		p->links[l].granted_mbps = json_number_value(json_array_get(x, 1));
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)prios, key, v)
	{
		if (!json_is_integer(v)) {
			sched_placement_destroy(p);
			return kairos_error_set(err, KAIROS_EINVAL, "placement.priorities",
						"placement.priorities.%s: expected an integer", key);
		}
		sched_placement_prio_set(p, key, (long)json_integer_value(v));
	}
	return 0;
}
