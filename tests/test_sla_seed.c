/*
 * test_sla_seed.c - the first acceptance case on the SLA engine's own API:
 * the seed VSN (tests/vsn/good/seed.ttl, SPEC §4) on the demo inventory
 * (etc/inventory.json) is admitted with per-node and per-flow bounds, VM2 and
 * its backup VM2b land in different failure domains, and the admitted cloud
 * exported as a SPEC §4 model gives the same bounds when analysed again.
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

static struct vsn_doc *load_doc(const char *rel, enum vsn_syntax syntax)
{
	char err[1024] = "";
	struct vsn_doc *doc = slademo_load(rel, syntax, err, sizeof(err));
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

static const struct sla_node_bound *node_of(const struct sla_decision *d, const char *iri)
{
	for (int i = 0; i < d->nnodes; i++)
		if (strcmp(d->nodes[i].iri, iri) == 0)
			return &d->nodes[i];
	cr_assert_fail("no node %s in the decision", iri);
	return NULL;
}

static const char *domain_of(const char *host)
{
	for (int i = 0; i < SLADEMO_NHOSTS; i++)
		if (strcmp(slademo_hosts[i].name, host) == 0)
			return slademo_hosts[i].failure_domain;
	cr_assert_fail("unknown host %s", host);
	return NULL;
}

static int64_t ticks(double ms)
{
	return llround(ms * 1e6);
}

Test(sla_seed, admitted_with_bounds_within_deadlines_and_backup_apart)
{
	struct vsn_doc *doc = load_doc("tests/vsn/good/seed.ttl", VSN_SYNTAX_TURTLE);
	struct sla_cloud *c = demo_cloud();
	struct sla_decision *d;
	struct kairos_error err = {0};
	cr_assert_eq(sla_cloud_admit(c, "v1", doc, false, &d, &err), 0, "%s", err.message);
	if (!d->is_admitted) {
		json_t *why = sla_decision_to_json(d);
		char *text = json_dumps(why, JSON_INDENT(1));
		cr_log_error("%s", text);
		free(text);
		json_decref(why);
	}
	cr_assert(d->is_admitted, "seed rejected");
	cr_assert_eq(d->nnodes, 4);
	cr_assert_eq(d->nflows, 1);
	for (int i = 0; i < d->nnodes; i++) {
		cr_assert(d->nodes[i].has_wcrt, "%s has no bound", d->nodes[i].iri);
		cr_assert(d->nodes[i].wcrt_ms > 0);
		cr_assert(d->nodes[i].wcrt_ms <= d->nodes[i].deadline_ms, "%s: %g > %g", d->nodes[i].iri,
			  d->nodes[i].wcrt_ms, d->nodes[i].deadline_ms);
		cr_assert_geq(d->nodes[i].core, 0);
	}
	const struct sla_node_bound *vm2 = node_of(d, EX "VM2"), *vm2b = node_of(d, EX "VM2b");
	cr_assert_str_neq(domain_of(vm2->host), domain_of(vm2b->host), "VM2 on %s, VM2b on %s", vm2->host, vm2b->host);
	cr_assert_str_eq(vm2->mode, "remote");
	cr_assert_str_eq(vm2b->mode, "remote");
	cr_assert_str_eq(node_of(d, EX "VM1")->mode, "normal");
	/* each VM alone on its core: wcrt = wcet / speed */
	const struct sla_node_bound *vm1 = node_of(d, EX "VM1");
	double speed1 = strcmp(vm1->host, "server4") == 0 ? 2.0 : 1.0;
	cr_assert_float_eq(vm1->wcrt_ms, 3.0 / speed1, 1e-9);
	cr_assert(d->flows[0].has_latency);
	cr_assert_leq(d->flows[0].latency_ms, 12.0);
	/* the sync link crosses hosts: uplink + LAN hops of at most 1 ms each (1 Mbit at 1 Gbit/s) */
	cr_assert(d->links[0].is_remote);
	cr_assert_gt(d->links[0].latency_ms, 0);
	cr_assert_leq(d->links[0].latency_ms, 2.0 + 1e-9, "sync %g ms", d->links[0].latency_ms);
	cr_assert_float_eq(d->flows[0].latency_ms, vm2->wcrt_ms + d->links[0].latency_ms + vm2b->wcrt_ms, 1e-9);
	cr_assert_float_eq(d->links[0].bandwidth_mbps, 100.0, 1e-9);
	cr_assert_gt(d->availability_composed, 0.99);

	/* the exported model re-analysed gives the very same numbers */
	char *model = sla_cloud_model_json(c);
	cr_assert_not_null(model);
	struct rtc_model *m;
	cr_assert_eq(rtc_model_parse(model, strlen(model), &m, &err), 0, "%s", err.message);
	struct rtc_result *r;
	cr_assert_eq(rtc_analyze(m, &r, &err), 0, "%s", err.message);
	cr_assert(r->schedulable);
	for (int i = 0; i < d->nnodes; i++) {
		int t = rtc_model_find_task(m, d->nodes[i].iri);
		cr_assert_geq(t, 0, "task %s not in the model", d->nodes[i].iri);
		cr_assert_eq(r->tasks[t].wcrt, ticks(d->nodes[i].wcrt_ms), "%s", d->nodes[i].iri);
		char core[64];
		snprintf(core, sizeof(core), "%s/core%d", d->nodes[i].host, d->nodes[i].core);
		cr_assert_str_eq(m->resources[m->tasks[t].resource].name, core);
		cr_assert_eq(m->tasks[t].priority, d->nodes[i].priority);
	}
	int s = rtc_model_find_stream(m, EX "a2");
	cr_assert_geq(s, 0);
	cr_assert_eq(r->streams[s].latency, ticks(d->flows[0].latency_ms));
	rtc_result_free(r);
	rtc_model_free(m);
	free(model);

	json_t *j = sla_decision_to_json(d);
	cr_assert_str_eq(json_string_value(json_object_get(j, "state")), "admitted");
	json_t *b = json_object_get(json_object_get(json_object_get(j, "bounds"), "flows"), EX "a2");
	cr_assert(json_is_number(json_object_get(b, "latencyMs")));
	cr_assert_float_eq(json_number_value(json_object_get(b, "deadlineMs")), 12.0, 1e-9);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(j, "placement"), EX "VM2"),
							   "host")),
			 vm2->host);
	json_decref(j);
	sla_decision_free(d);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}

/*
 * The placement of SPEC §4 (VM1 and VM3 sharing server1, VM1 above VM3; VM2 on
 * server2; VM2b on server3), restored by hand: the bounds are the paper's,
 * except a2, whose sync message crosses two hops here (server2's uplink and
 * the LAN port towards server3, 1 ms each) where the SPEC model has one.
 */
Test(sla_seed, spec_placement_gives_the_hand_computed_bounds)
{
	struct vsn_doc *doc = load_doc("tests/vsn/good/seed.ttl", VSN_SYNTAX_TURTLE);
	struct sla_cloud *c = demo_cloud();
	const char *text = "{\"nodes\": [[\"server1\", 0], [\"server2\", 0], [\"server3\", 0], [\"server1\", 0]],"
			   " \"links\": [[true, 100]],"
			   " \"priorities\": {\"" EX "VM1\": 1, \"" EX "VM3\": 2, \"" EX "VM2\": 1, \"" EX "VM2b\": 1,"
			   " \"" EX "sync@server2.uplink\": 1, \"" EX "sync@lan/server3\": 1}}";
	json_t *j = json_loads(text, 0, NULL);
	cr_assert_not_null(j);
	/* the placement's node order is the document's */
	cr_assert_str_eq(doc->nodes[0].iri, EX "VM1");
	cr_assert_str_eq(doc->nodes[3].iri, EX "VM3");
	struct sched_placement pl;
	struct kairos_error err = {0};
	cr_assert_eq(sla_placement_from_json(c, j, &pl, &err), 0, "%s", err.message);
	cr_assert_eq(sla_cloud_restore(c, "spec", doc, &pl, &err), 0, "%s", err.message);
	struct sla_decision *d;
	cr_assert_eq(sla_cloud_describe(c, "spec", &d, &err), 0, "%s", err.message);
	cr_assert_float_eq(node_of(d, EX "VM1")->wcrt_ms, 3.0, 1e-9);
	cr_assert_float_eq(node_of(d, EX "VM3")->wcrt_ms, 5.0, 1e-9); /* 2 + VM1's 3: SPEC's a3 = 5 */
	cr_assert_float_eq(node_of(d, EX "VM2")->wcrt_ms, 5.0, 1e-9);
	cr_assert_float_eq(node_of(d, EX "VM2b")->wcrt_ms, 2.0, 1e-9);
	cr_assert_float_eq(d->links[0].latency_ms, 2.0, 1e-9);
	cr_assert_float_eq(d->flows[0].latency_ms, 9.0, 1e-9);
	cr_assert_float_eq(d->availability_composed,
			   (0.999 * 0.9999) * (0.999 * 0.9999) *
				   (1 - (1 - 0.999 * 0.9999) * (1 - 0.998 * 0.9999)),
			   1e-12);
	sla_decision_free(d);
	sched_placement_destroy(&pl);
	json_decref(j);
	sla_cloud_free(c);
	vsn_doc_free(doc);
}
