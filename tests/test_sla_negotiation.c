/*
 * test_sla_negotiation.c - negotiation on the SLA engine's API: filling the
 * demo cloud with copies of the seed VSN until one is refused (reasons naming
 * every unmet term, and a counter-offer that is then admitted), quotes and
 * refused renegotiations that leave the cloud byte-for-byte unchanged, a
 * renegotiation that succeeds, removal that releases everything, and a
 * restart (restore) that gives the same bounds.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "sla/sla.h"
#include "tests/support/slademo.h"

#define EX "https://tenant.example/grid#"

static struct vsn_doc *parse(const char *text, size_t len, enum vsn_syntax syntax)
{
	struct vsn_problems probs;
	vsn_problems_init(&probs);
	struct vsn_doc *doc = NULL;
	int rc = vsn_parse(text, len, syntax, NULL, NULL, &doc, &probs);
	char *msg = vsn_problems_to_text(&probs);
	cr_assert_eq(rc, 0, "document does not parse: %s", msg);
	free(msg);
	vsn_problems_destroy(&probs);
	return doc;
}

static struct vsn_doc *seed(void)
{
	char err[1024] = "";
	struct vsn_doc *doc = slademo_load("tests/vsn/good/seed.ttl", VSN_SYNTAX_TURTLE, err, sizeof(err));
	cr_assert_not_null(doc, "%s", err);
	return doc;
}

static struct sla_cloud *demo_cloud(void)
{
	struct sla_cloud *c;
	struct kairos_error err = {0};
	cr_assert_eq(sla_cloud_new(slademo_hosts, SLADEMO_NHOSTS, &slademo_lan, &c, &err), 0, "%s", err.message);
	return c;
}

static struct sla_decision *admit(struct sla_cloud *c, const char *id, const struct vsn_doc *doc, bool dry_run)
{
	struct sla_decision *d;
	struct kairos_error err = {0};
	cr_assert_eq(sla_cloud_admit(c, id, doc, dry_run, &d, &err), 0, "%s", err.message);
	return d;
}

/* Every bound of D within its terms. */
static void assert_within(const struct sla_decision *d)
{
	for (int i = 0; i < d->nnodes; i++)
		if (d->nodes[i].has_deadline)
			cr_assert(d->nodes[i].has_wcrt && d->nodes[i].wcrt_ms <= d->nodes[i].deadline_ms, "%s: %g > %g",
				  d->nodes[i].iri, d->nodes[i].wcrt_ms, d->nodes[i].deadline_ms);
	for (int f = 0; f < d->nflows; f++)
		cr_assert(d->flows[f].has_latency && d->flows[f].latency_ms <= d->flows[f].deadline_ms);
	for (int l = 0; l < d->nlinks; l++)
		cr_assert_leq(d->links[l].latency_ms, d->links[l].latency_bound_ms);
}

/* The exported model re-analysed gives the bounds sla_cloud_describe() reports for ID. */
static void assert_model_agrees(struct sla_cloud *c, const char *id)
{
	struct kairos_error err = {0};
	char *model = sla_cloud_model_json(c);
	struct rtc_model *m;
	cr_assert_eq(rtc_model_parse(model, strlen(model), &m, &err), 0, "%s", err.message);
	struct rtc_result *r;
	cr_assert_eq(rtc_analyze(m, &r, &err), 0, "%s", err.message);
	cr_assert(r->schedulable, "the admitted cloud is not schedulable");
	struct sla_decision *d;
	cr_assert_eq(sla_cloud_describe(c, id, &d, &err), 0, "%s", err.message);
	int matched = 0;
	for (int i = 0; i < d->nnodes; i++) {
		/* the node's task: its IRI, with " [id]" when an earlier VSN used the same IRIs */
		char name[512];
		snprintf(name, sizeof(name), "%s [%s]", d->nodes[i].iri, id);
		int t = rtc_model_find_task(m, name);
		if (t < 0)
			t = rtc_model_find_task(m, d->nodes[i].iri);
		cr_assert_geq(t, 0, "no task for %s", d->nodes[i].iri);
		cr_assert_eq(r->tasks[t].wcrt, llround(d->nodes[i].wcrt_ms * 1e6), "%s", name);
		matched++;
	}
	cr_assert_eq(matched, d->nnodes, "found %d of the %d tasks of %s", matched, d->nnodes, id);
	sla_decision_free(d);
	rtc_result_free(r);
	rtc_model_free(m);
	free(model);
}

/* Fills C with seed copies until one is refused; returns how many were admitted and the refusal. */
static int fill(struct sla_cloud *c, const struct vsn_doc *doc, struct sla_decision **refusal)
{
	for (int n = 0; n < 60; n++) {
		char id[32];
		snprintf(id, sizeof(id), "seed-%d", n);
		struct sla_decision *d = admit(c, id, doc, false);
		if (!d->is_admitted) {
			*refusal = d;
			return n;
		}
		assert_within(d);
		sla_decision_free(d);
	}
	cr_assert_fail("the demo cloud took 60 seeds");
	return -1;
}

Test(sla_negotiation, fill_until_refused_then_counter_offer_is_admitted)
{
	struct vsn_doc *doc = seed();
	struct sla_cloud *c = demo_cloud();
	struct sla_decision *no;
	int n = fill(c, doc, &no);
	cr_assert_geq(n, 2, "only %d seeds admitted", n);
	cr_assert_gt(no->nreasons, 0);
	for (int i = 0; i < no->nreasons; i++) {
		const struct sla_reason *r = &no->reasons[i];
		bool known = strcmp(r->element, doc->iri) == 0 || vsn_doc_node(doc, r->element) ||
			     vsn_doc_link(doc, r->element) || strcmp(r->element, EX "a2") == 0;
		cr_assert(known, "reason about unknown element %s", r->element);
		if (strcmp(r->bound, "deadlineMs") == 0 || strcmp(r->bound, "latencyMs") == 0)
			cr_assert_gt(r->achievable, r->required, "%s %s", r->element, r->bound);
		if (strcmp(r->bound, "bandwidthMbps") == 0)
			cr_assert_lt(r->achievable, r->required);
	}
	cr_assert_not_null(no->counter_offer, "no counter-offer");
	/* the counter-offer holds exactly the achievable terms of the reasons */
	for (int i = 0; i < no->nreasons; i++) {
		const struct sla_reason *r = &no->reasons[i];
		const struct vsn_node *nd = vsn_doc_node(no->counter_offer, r->element);
		const struct vsn_link *lk = vsn_doc_link(no->counter_offer, r->element);
		if (nd && strcmp(r->bound, "deadlineMs") == 0)
			cr_assert_float_eq(nd->deadline_ms, r->achievable, 1e-9);
		if (lk && strcmp(r->bound, "latencyMs") == 0)
			cr_assert_float_eq(lk->latency_ms, r->achievable, 1e-9);
	}
	json_t *j = sla_decision_to_json(no);
	cr_assert_str_eq(json_string_value(json_object_get(j, "state")), "rejected");
	cr_assert_eq(json_array_size(json_object_get(j, "reasons")), (size_t)no->nreasons);
	cr_assert(json_is_object(json_object_get(j, "counter_offer")));
	json_decref(j);

	/* the tenant submits the counter-offer as JSON text, the way the API receives it */
	char *text = vsn_write_json(no->counter_offer);
	struct vsn_doc *offer = parse(text, strlen(text), VSN_SYNTAX_JSON);
	free(text);
	struct sla_decision *yes = admit(c, "offer", offer, false);
	cr_assert(yes->is_admitted, "the counter-offer was refused (%d reasons)", yes->nreasons);
	assert_within(yes);
	assert_model_agrees(c, "offer");
	assert_model_agrees(c, "seed-0");
	sla_decision_free(yes);
	vsn_doc_free(offer);
	sla_decision_free(no);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}

Test(sla_negotiation, quote_and_refused_renegotiation_leave_the_cloud_unchanged)
{
	struct vsn_doc *doc = seed();
	struct sla_cloud *c = demo_cloud();
	struct sla_decision *d = admit(c, "a", doc, false);
	cr_assert(d->is_admitted);
	sla_decision_free(d);
	d = admit(c, "b", doc, false);
	cr_assert(d->is_admitted);
	sla_decision_free(d);
	char *before = sla_cloud_model_json(c);
	json_t *pl_before = sla_placement_to_json(c, sla_cloud_placement(c, "a"));

	/* a quote */
	d = admit(c, "q", doc, true);
	cr_assert(d->is_admitted);
	sla_decision_free(d);
	char *after = sla_cloud_model_json(c);
	cr_assert_str_eq(after, before, "a dry run changed the cloud");
	free(after);
	cr_assert_null(sla_cloud_placement(c, "q"));

	/* renegotiation nobody can meet: VM1 within 1 ms needs 3 ms of work on a core of speed <= 2 */
	struct vsn_doc *tight = sla_doc_copy(doc);
	for (size_t i = 0; i < tight->node_count; i++)
		if (strcmp(tight->nodes[i].iri, EX "VM1") == 0)
			tight->nodes[i].deadline_ms = 1;
	struct kairos_error err = {0};
	cr_assert_eq(sla_cloud_renegotiate(c, "a", tight, false, &d, &err), 0, "%s", err.message);
	cr_assert_not(d->is_admitted);
	bool found = false;
	for (int i = 0; i < d->nreasons; i++)
		if (strcmp(d->reasons[i].element, EX "VM1") == 0 && strcmp(d->reasons[i].bound, "deadlineMs") == 0) {
			found = true;
			cr_assert_float_eq(d->reasons[i].required, 1.0, 1e-9);
			cr_assert_geq(d->reasons[i].achievable, 1.5);
		}
	cr_assert(found, "no reason about VM1's deadline");
	cr_assert_not_null(d->counter_offer);
	sla_decision_free(d);
	after = sla_cloud_model_json(c);
	cr_assert_str_eq(after, before, "a refused renegotiation changed the cloud");
	free(after);
	json_t *pl_after = sla_placement_to_json(c, sla_cloud_placement(c, "a"));
	cr_assert(json_equal(pl_before, pl_after), "the placement changed");
	json_decref(pl_after);

	/* a renegotiation that can be met is admitted and replaces the old terms */
	struct vsn_doc *loose = sla_doc_copy(doc);
	for (size_t i = 0; i < loose->flow_count; i++)
		loose->flows[i].deadline_ms = 15;
	cr_assert_eq(sla_cloud_renegotiate(c, "a", loose, false, &d, &err), 0, "%s", err.message);
	cr_assert(d->is_admitted);
	cr_assert_float_eq(d->flows[0].deadline_ms, 15.0, 1e-9);
	sla_decision_free(d);
	cr_assert_eq(sla_cloud_describe(c, "a", &d, &err), 0);
	cr_assert_float_eq(d->flows[0].deadline_ms, 15.0, 1e-9);
	sla_decision_free(d);

	json_decref(pl_before);
	vsn_doc_free(loose);
	vsn_doc_free(tight);
	free(before);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}

Test(sla_negotiation, remove_releases_everything)
{
	struct vsn_doc *doc = seed();
	struct sla_cloud *c = demo_cloud();
	char *empty = sla_cloud_model_json(c);
	struct sched_free f0;
	sched_cloud_host_free(sla_cloud_sched(c), 0, &f0);
	double lan0 = sched_cloud_lan_free(sla_cloud_sched(c));
	for (int i = 0; i < 4; i++) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		struct sla_decision *d = admit(c, id, doc, false);
		cr_assert(d->is_admitted);
		sla_decision_free(d);
	}
	cr_assert_lt(sched_cloud_lan_free(sla_cloud_sched(c)), lan0);
	for (int i = 3; i >= 0; i--) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		cr_assert_eq(sla_cloud_remove(c, id), 0);
	}
	cr_assert_eq(sla_cloud_remove(c, "v0"), -KAIROS_ENOTFOUND);
	char *now = sla_cloud_model_json(c);
	cr_assert_str_eq(now, empty);
	struct sched_free f1;
	sched_cloud_host_free(sla_cloud_sched(c), 0, &f1);
	cr_assert_eq(f1.memory_mib, f0.memory_mib);
	cr_assert_float_eq(sched_cloud_lan_free(sla_cloud_sched(c)), lan0, 1e-9);
	free(now);
	free(empty);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}

Test(sla_negotiation, restore_gives_the_same_bounds)
{
	struct vsn_doc *doc = seed();
	struct sla_cloud *c = demo_cloud();
	const int n = 4; /* the demo cloud takes four seeds (sync latency on the LAN ports) */
	for (int i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		struct sla_decision *d = admit(c, id, doc, false);
		cr_assert(d->is_admitted);
		sla_decision_free(d);
	}
	char *model = sla_cloud_model_json(c);
	/* what the API stores: every placement as JSON */
	json_t *stored[4];
	for (int i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		stored[i] = sla_placement_to_json(c, sla_cloud_placement(c, id));
	}
	struct sla_cloud *r = demo_cloud();
	struct kairos_error err = {0};
	for (int i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		struct sched_placement pl;
		cr_assert_eq(sla_placement_from_json(r, stored[i], &pl, &err), 0, "%s", err.message);
		cr_assert_eq(sla_cloud_restore(r, id, doc, &pl, &err), 0, "%s", err.message);
		sched_placement_destroy(&pl);
		json_decref(stored[i]);
	}
	char *again = sla_cloud_model_json(r);
	cr_assert_str_eq(again, model);
	for (int i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof(id), "v%d", i);
		struct sla_decision *a, *b;
		cr_assert_eq(sla_cloud_describe(c, id, &a, &err), 0);
		cr_assert_eq(sla_cloud_describe(r, id, &b, &err), 0);
		for (int k = 0; k < a->nnodes; k++)
			cr_assert_eq(llround(a->nodes[k].wcrt_ms * 1e6), llround(b->nodes[k].wcrt_ms * 1e6));
		cr_assert_eq(llround(a->flows[0].latency_ms * 1e6), llround(b->flows[0].latency_ms * 1e6));
		sla_decision_free(a);
		sla_decision_free(b);
	}
	free(again);
	free(model);
	sla_cloud_free(r);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}

Test(sla_negotiation, capacity_and_availability_reasons_and_their_counter_offer)
{
	struct vsn_doc *doc = seed();
	struct vsn_doc *big = sla_doc_copy(doc);
	/* more memory than any demo host has (32 GiB at most) and an availability no host mix reaches */
	for (size_t i = 0; i < big->node_count; i++)
		if (strcmp(big->nodes[i].iri, EX "VM3") == 0)
			big->nodes[i].memory_mib = 40000;
	big->availability = 0.99999;
	big->fields |= VSN_F_AVAILABILITY;
	struct sla_cloud *c = demo_cloud();
	struct sla_decision *d = admit(c, "big", big, false);
	cr_assert_not(d->is_admitted);
	bool mem = false, avail = false;
	for (int i = 0; i < d->nreasons; i++) {
		const struct sla_reason *r = &d->reasons[i];
		if (strcmp(r->bound, "memoryMiB") == 0) {
			mem = true;
			cr_assert_str_eq(r->element, EX "VM3");
			cr_assert_float_eq(r->required, 40000, 1e-9);
			cr_assert_float_eq(r->achievable, 32768, 1e-9);
		}
		if (strcmp(r->bound, "availability") == 0) {
			avail = true;
			cr_assert_str_eq(r->element, big->iri);
			cr_assert_lt(r->achievable, 0.99999);
			cr_assert_gt(r->achievable, 0.99);
		}
	}
	cr_assert(mem && avail, "memory reason %d, availability reason %d", mem, avail);
	cr_assert_not_null(d->counter_offer);
	cr_assert_eq(vsn_doc_node(d->counter_offer, EX "VM3")->memory_mib, 32768);
	cr_assert_lt(d->counter_offer->availability, 0.99999);
	/* nothing was reserved by the refusal */
	struct sched_free f;
	sched_cloud_host_free(sla_cloud_sched(c), 3, &f);
	cr_assert_eq(f.memory_mib, 32768);
	struct sla_decision *yes = admit(c, "big-offer", d->counter_offer, false);
	cr_assert(yes->is_admitted);
	cr_assert_geq(yes->availability_composed, d->counter_offer->availability);
	sla_decision_free(yes);
	sla_decision_free(d);
	sla_cloud_free(c);
	vsn_doc_free(big);
	vsn_doc_free(doc);
}

Test(sla_negotiation, restore_follows_hosts_by_name_when_the_inventory_order_changes)
{
	struct vsn_doc *doc = seed();
	struct sla_cloud *c = demo_cloud();
	struct sla_decision *d = admit(c, "v", doc, false);
	cr_assert(d->is_admitted);
	json_t *stored = sla_placement_to_json(c, sla_cloud_placement(c, "v"));
	struct sched_host reversed[SLADEMO_NHOSTS];
	for (int i = 0; i < SLADEMO_NHOSTS; i++)
		reversed[i] = slademo_hosts[SLADEMO_NHOSTS - 1 - i];
	struct sla_cloud *r;
	struct kairos_error err = {0};
	cr_assert_eq(sla_cloud_new(reversed, SLADEMO_NHOSTS, &slademo_lan, &r, &err), 0);
	struct sched_placement pl;
	cr_assert_eq(sla_placement_from_json(r, stored, &pl, &err), 0, "%s", err.message);
	cr_assert_eq(sla_cloud_restore(r, "v", doc, &pl, &err), 0, "%s", err.message);
	struct sla_decision *e;
	cr_assert_eq(sla_cloud_describe(r, "v", &e, &err), 0);
	for (int k = 0; k < d->nnodes; k++) {
		cr_assert_str_eq(e->nodes[k].host, d->nodes[k].host);
		cr_assert_eq(e->nodes[k].core, d->nodes[k].core);
		cr_assert_eq(llround(e->nodes[k].wcrt_ms * 1e6), llround(d->nodes[k].wcrt_ms * 1e6));
	}
	/* an unknown host is refused */
	json_array_set_new(json_array_get(json_object_get(stored, "nodes"), 0), 0, json_string("nowhere"));
	struct sched_placement bad;
	cr_assert_eq(sla_placement_from_json(r, stored, &bad, &err), -KAIROS_EINVAL);
	sched_placement_destroy(&pl);
	json_decref(stored);
	sla_decision_free(e);
	sla_decision_free(d);
	sla_cloud_free(r);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}
