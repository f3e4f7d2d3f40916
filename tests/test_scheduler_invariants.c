/*
 * test_scheduler_invariants.c - what admission promises, checked after every
 * step of random admit / remove sequences on a small cloud: the exported model
 * of the admitted cloud is schedulable, every admitted VSN still meets every
 * term (node and flow deadlines, link latency sums, availability targets),
 * no host, pool, uplink or the LAN is over capacity, and every backup is in
 * another failure domain than its primary.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "rtc/rtc.h"
#include "tests/support/placegen.h"

static const struct sched_host hosts[] = {
	{"a1", 2, 4096, 1.0, 1000, 100, 1000, 100, 0.999, 0.9999, "rack-a", true},
	{"a2", 2, 4096, 2.0, 1000, 100, 1000, 100, 0.999, 0.9999, "rack-a", true},
	{"b1", 2, 4096, 1.0, 1000, 100, 1000, 100, 0.999, 0.9999, "rack-b", true},
	{"c1", 2, 2048, 1.0, 100, 100, 1000, 100, 0.998, 0.9999, "rack-c", true},
};
static const struct sched_lan lan = {"lan", 1000};

static void check(struct sched_cloud *c, int step)
{
	struct rtc_model *m = sched_cloud_model(c, NULL, NULL);
	cr_assert_not_null(m);
	struct rtc_result *r;
	struct kairos_error err = {0};
	cr_assert_eq(rtc_analyze(m, &r, &err), 0, "step %d: %s", step, err.message);
	cr_assert(r->schedulable, "step %d: the admitted cloud is not schedulable", step);
	rtc_result_free(r);
	rtc_model_free(m);
	for (int e = 0; e < sched_cloud_count(c); e++) {
		const struct sched_problem *p = sched_cloud_problem(c, e);
		const struct sched_placement *pl = sched_cloud_placement(c, e);
		struct sched_bounds b;
		cr_assert_eq(sched_cloud_bounds(c, sched_cloud_id(c, e), p, pl, &b, &err), 0);
		cr_assert(sched_bounds_meet(p, &b), "step %d: %s no longer meets its terms", step, sched_cloud_id(c, e));
		sched_bounds_destroy(&b);
		for (int i = 0; i < p->nnodes; i++) {
			int k = p->nodes[i].backup_of;
			if (k >= 0)
				cr_assert_str_neq(hosts[pl->nodes[i].host].failure_domain,
						  hosts[pl->nodes[k].host].failure_domain, "step %d", step);
		}
	}
	for (int h = 0; h < 4; h++) {
		struct sched_free f;
		sched_cloud_host_free(c, h, &f);
		cr_assert(f.memory_mib >= 0 && f.storage_gib >= 0 && f.uplink_mbps > -1e-9, "step %d: host %d over", step, h);
	}
	cr_assert_gt(sched_cloud_lan_free(c), -1e-9);
}

Test(scheduler_invariants, every_admitted_sla_holds_through_admissions_and_removals, .timeout = 300)
{
	struct sched_cloud *c;
	cr_assert_eq(sched_cloud_new(hosts, 4, &lan, &c, NULL), 0);
	int admitted = 0, refused = 0, removed = 0;
	for (int step = 0; step < 120; step++) {
		char id[16];
		/* mostly admissions, a removal every fifth step */
		if (step % 5 == 4 && sched_cloud_count(c) > 0) {
			int victim = (step * 7) % sched_cloud_count(c);
			snprintf(id, sizeof(id), "%s", sched_cloud_id(c, victim));
			cr_assert_eq(sched_cloud_remove(c, id), 0);
			removed++;
		} else {
			struct sched_problem p;
			placegen_problem(42, step, &p);
			struct sched_plan plan;
			int rc = sched_cloud_place(c, &p, SCHED_STRICT, 0, &plan, NULL, NULL);
			cr_assert_geq(rc, 0);
			if (rc == 1) {
				snprintf(id, sizeof(id), "v%d", step);
				cr_assert_eq(sched_cloud_commit(c, id, &p, &plan, NULL), 0);
				sched_plan_destroy(&plan);
				admitted++;
			} else {
				refused++;
			}
			sched_problem_destroy(&p);
		}
		check(c, step);
	}
	printf("invariants: admitted=%d refused=%d removed=%d\n", admitted, refused, removed);
	cr_assert_gt(admitted, 10);
	cr_assert_gt(refused, 10, "the cloud never filled up: the sequence tests little");
	sched_cloud_free(c);
}
