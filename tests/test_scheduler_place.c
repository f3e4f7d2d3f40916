/*
 * test_scheduler_place.c - priority assignment and placement rules of the
 * scheduler on hand-sized cases: Audsley finds the order a naive one misses
 * and says so when none exists; backups go to another failure domain; down
 * hosts, memory and storage pools are respected; co-located links cost no
 * network time; a detached problem comes back exactly.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "rtc/rtc.h"
#include "scheduler/scheduler.h"

#define MS(x) ((int64_t)((x) * 1000000LL))

/* One fp core and two tasks: T1 (P 10, C 3, D 10) and T2 (P 20, C 4, D D2), T1 first. */
static struct rtc_analysis *two_tasks(double d2)
{
	struct rtc_model *m = rtc_model_new();
	int r = rtc_model_add_resource(m, "core", RTC_POLICY_FP, NULL);
	int s1 = rtc_model_add_stream(m, "s1", MS(10), NULL);
	int t1 = rtc_model_add_task(m, s1, "T1", r, MS(3), MS(3), NULL);
	int s2 = rtc_model_add_stream(m, "s2", MS(20), NULL);
	int t2 = rtc_model_add_task(m, s2, "T2", r, MS(4), MS(4), NULL);
	m->tasks[t1].priority = 1;
	m->tasks[t1].has_priority = true;
	m->tasks[t1].deadline = MS(10);
	m->tasks[t1].has_deadline = true;
	m->tasks[t2].priority = 2;
	m->tasks[t2].has_priority = true;
	m->tasks[t2].deadline = (int64_t)(d2 * 1000000);
	m->tasks[t2].has_deadline = true;
	struct rtc_analysis *a;
	struct kairos_error err = {0};
	cr_assert_eq(rtc_analysis_new(m, &a, &err), 0, "%s", err.message);
	rtc_model_free(m);
	return a;
}

Test(scheduler_priority, audsley_finds_the_order_that_meets_every_deadline)
{
	struct rtc_analysis *a = two_tasks(4);
	cr_assert_not(rtc_analysis_result(a)->schedulable, "T2 below T1 should miss: 3 + 4 > 4");
	long probes = 0;
	cr_assert_eq(sched_priorities_assign(a, 0, &probes, NULL), 1);
	const struct rtc_model *m = rtc_analysis_model(a);
	const struct rtc_result *r = rtc_analysis_result(a);
	cr_assert(r->schedulable);
	cr_assert_lt(m->tasks[1].priority, m->tasks[0].priority, "T2 must be above T1");
	cr_assert_eq(r->tasks[1].wcrt, MS(4));
	cr_assert_eq(r->tasks[0].wcrt, MS(7));
	cr_assert_gt(probes, 0);
	rtc_analysis_free(a);
}

Test(scheduler_priority, audsley_reports_when_no_order_exists)
{
	/* T2 within 4 needs to be above T1, then T1 (D 10) still fits; make T1's deadline 3.5 too */
	struct rtc_analysis *a = two_tasks(4);
	struct rtc_model *m = rtc_model_clone(rtc_analysis_model(a));
	rtc_analysis_free(a);
	m->tasks[0].deadline = MS(3.5);
	cr_assert_eq(rtc_analysis_new(m, &a, NULL), 0);
	rtc_model_free(m);
	cr_assert_eq(sched_priorities_assign(a, 0, NULL, NULL), 0);
	rtc_analysis_free(a);
}

static const struct sched_host hosts3[] = {
	{"h1", 2, 4096, 1.0, 1000, 100, 1000, 100, 0.999, 0.9999, "rack-a", true},
	{"h2", 2, 4096, 1.0, 1000, 100, 1000, 100, 0.999, 0.9999, "rack-a", true},
	{"h3", 2, 4096, 1.0, 1000, 100, 1000, 100, 0.99, 0.9999, "rack-b", true},
};
static const struct sched_lan lan = {"lan", 1000};

static struct sched_cloud *cloud3(const struct sched_host *h)
{
	struct sched_cloud *c;
	cr_assert_eq(sched_cloud_new(h, 3, &lan, &c, NULL), 0);
	return c;
}

static struct sched_node compute(const char *name, double period, double wcet, double deadline)
{
	struct sched_node n;
	memset(&n, 0, sizeof(n));
	n.name = name;
	n.vcpus = 1;
	n.memory_mib = 512;
	n.period_ms = period;
	n.wcet_ms = wcet;
	n.bcet_ms = wcet / 2;
	n.deadline_ms = deadline;
	n.has_deadline = true;
	n.backup_of = -1;
	return n;
}

Test(scheduler_place, backup_goes_to_another_failure_domain)
{
	struct sched_cloud *c = cloud3(hosts3);
	struct sched_node nodes[2] = {compute("p", 10, 2, 10), compute("b", 10, 2, 10)};
	nodes[1].backup_of = 0;
	struct sched_problem p = {.name = "vsn", .nnodes = 2, .nodes = nodes};
	struct sched_plan plan;
	cr_assert_eq(sched_cloud_place(c, &p, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	int hp = plan.placement.nodes[0].host, hb = plan.placement.nodes[1].host;
	cr_assert_neq(hp, hb);
	cr_assert_str_neq(hosts3[hp].failure_domain, hosts3[hb].failure_domain);
	sched_plan_destroy(&plan);
	sched_cloud_free(c);
}

Test(scheduler_place, no_placement_without_another_failure_domain)
{
	struct sched_host h[3];
	memcpy(h, hosts3, sizeof(h));
	h[2].is_up = false; /* the only rack-b host is down */
	struct sched_cloud *c = cloud3(h);
	struct sched_node nodes[2] = {compute("p", 10, 2, 10), compute("b", 10, 2, 10)};
	nodes[1].backup_of = 0;
	struct sched_problem p = {.name = "vsn", .nnodes = 2, .nodes = nodes};
	struct sched_plan plan;
	cr_assert_eq(sched_cloud_place(c, &p, SCHED_STRICT, 0, &plan, NULL, NULL), 0);
	cr_assert_eq(sched_cloud_place(c, &p, SCHED_EXHAUSTIVE, 0, &plan, NULL, NULL), 0);
	sched_cloud_free(c);
}

Test(scheduler_place, memory_and_storage_pools_are_respected)
{
	struct sched_cloud *c = cloud3(hosts3);
	struct sched_node nodes[3] = {compute("big", 10, 1, 10), compute("big2", 10, 1, 10), {0}};
	nodes[0].memory_mib = 3000;
	nodes[1].memory_mib = 3000; /* two of them never share a 4096 MiB host */
	nodes[2].name = "disk";
	nodes[2].is_storage = true;
	nodes[2].disk_gib = 80;
	nodes[2].iops = 500;
	nodes[2].throughput_mbps = 50;
	nodes[2].backup_of = -1;
	struct sched_problem p = {.name = "vsn", .nnodes = 3, .nodes = nodes};
	struct sched_plan plan;
	cr_assert_eq(sched_cloud_place(c, &p, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	cr_assert_neq(plan.placement.nodes[0].host, plan.placement.nodes[1].host);
	cr_assert_eq(plan.placement.nodes[2].core, -1);
	cr_assert_eq(sched_cloud_commit(c, "v", &p, &plan, NULL), 0);
	struct sched_free f;
	sched_cloud_host_free(c, plan.placement.nodes[2].host, &f);
	cr_assert_eq(f.storage_gib, 20);
	cr_assert_eq(f.storage_iops, 500);
	sched_plan_destroy(&plan);
	/* a second 80 GiB volume cannot go to the same pool */
	struct sched_node disk2 = nodes[2];
	disk2.name = "disk2";
	struct sched_problem q = {.name = "vsn2", .nnodes = 1, .nodes = &disk2};
	cr_assert_eq(sched_cloud_place(c, &q, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	cr_assert_neq(plan.placement.nodes[0].host, sched_cloud_placement(c, 0)->nodes[2].host);
	sched_plan_destroy(&plan);
	/* memory larger than any host: nowhere */
	struct sched_node huge = compute("huge", 10, 1, 10);
	huge.memory_mib = 5000;
	struct sched_problem r = {.name = "vsn3", .nnodes = 1, .nodes = &huge};
	cr_assert_eq(sched_cloud_place(c, &r, SCHED_STRICT, 0, &plan, NULL, NULL), 0);
	sched_cloud_free(c);
}

Test(scheduler_place, colocated_link_costs_no_network_time)
{
	struct sched_cloud *c = cloud3(hosts3);
	struct sched_node nodes[2] = {compute("a", 20, 2, 20), compute("b", 20, 2, 20)};
	struct sched_link link = {"l", 0, 1, 100, 5, 125000};
	struct sched_elem path[3] = {{false, 0}, {true, 0}, {false, 1}};
	struct sched_flow flow = {"f", 20, 3, path};
	struct sched_problem p = {.name = "vsn", .nnodes = 2, .nlinks = 1, .nflows = 1,
				  .nodes = nodes, .links = &link, .flows = &flow};
	struct sched_plan plan;
	cr_assert_eq(sched_cloud_place(c, &p, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	cr_assert_eq(plan.placement.nodes[0].host, plan.placement.nodes[1].host, "linked nodes should share a host");
	cr_assert_not(plan.placement.links[0].is_remote);
	struct sched_bounds b;
	cr_assert_eq(sched_plan_bounds(c, "v", &p, &plan, &b, NULL), 0);
	cr_assert_eq(b.link_latency[0], 0);
	/* two cores: each alone, 2 ms each, in sequence */
	cr_assert_eq(b.flow_latency[0], MS(4));
	sched_bounds_destroy(&b);
	sched_plan_destroy(&plan);
	sched_cloud_free(c);
}

Test(scheduler_place, detach_and_reattach_restore_the_model_exactly)
{
	struct sched_cloud *c = cloud3(hosts3);
	struct sched_node n1[2] = {compute("a", 10, 3, 10), compute("b", 20, 4, 4)};
	struct sched_problem p1 = {.name = "v1", .nnodes = 2, .nodes = n1};
	struct sched_node n2[1] = {compute("c", 10, 2, 5)};
	struct sched_problem p2 = {.name = "v2", .nnodes = 1, .nodes = n2};
	struct sched_plan plan;
	cr_assert_eq(sched_cloud_place(c, &p1, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	cr_assert_eq(sched_cloud_commit(c, "1", &p1, &plan, NULL), 0);
	sched_plan_destroy(&plan);
	cr_assert_eq(sched_cloud_place(c, &p2, SCHED_STRICT, 0, &plan, NULL, NULL), 1);
	cr_assert_eq(sched_cloud_commit(c, "2", &p2, &plan, NULL), 0);
	sched_plan_destroy(&plan);
	struct rtc_model *m = sched_cloud_model(c, NULL, NULL);
	char *before = rtc_model_to_json(m);
	rtc_model_free(m);
	struct sched_detached *d;
	cr_assert_eq(sched_cloud_detach(c, "1", &d), 0);
	cr_assert_eq(sched_cloud_count(c), 1);
	sched_cloud_reattach(c, d);
	m = sched_cloud_model(c, NULL, NULL);
	char *after = rtc_model_to_json(m);
	rtc_model_free(m);
	cr_assert_str_eq(after, before);
	cr_assert_str_eq(sched_cloud_id(c, 0), "1");
	free(before);
	free(after);
	sched_cloud_free(c);
}
