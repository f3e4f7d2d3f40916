/*
 * placegen.c - random small placement instances (see placegen.h). The load is
 * drawn so that about half of the instances are admissible at all, where a
 * heuristic's choices matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/support/placegen.h"

/* splitmix64 */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * (double)(next(s) >> 11) / (double)(1ULL << 53);
}

static int pick(uint64_t *s, int n)
{
	return (int)(next(s) % (uint64_t)n);
}

/* Rounds to the 0.01 ms grid (times must be exact decimals). */
static double grid(double x)
{
	double r = (double)(long)(x * 100 + 0.5) / 100;
	return r < 0.01 ? 0.01 : r;
}

static char *name(const char *prefix, int i, int k)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s%d-%d", prefix, i, k);
	return strdup(buf);
}

/* A random VSN number I: N compute nodes; node 0 -> link -> node 1 is a flow. */
static void random_problem(uint64_t *s, int i, struct sched_problem *p)
{
	static const double periods[] = {10, 20, 25, 40, 50};
	memset(p, 0, sizeof(*p));
	p->name = name("vsn", i, 0);
	p->nnodes = 2 + pick(s, 3);
	p->nodes = calloc((size_t)p->nnodes, sizeof(*p->nodes));
	for (int k = 0; k < p->nnodes; k++) {
		struct sched_node *n = &p->nodes[k];
		n->name = name("n", i, k);
		n->vcpus = 1;
		n->memory_mib = 256 * (1 + pick(s, 4));
		n->period_ms = periods[pick(s, 5)];
		n->wcet_ms = grid(n->period_ms * uniform(s, 0.1, 0.6));
		n->bcet_ms = grid(n->wcet_ms / 2);
		if (n->bcet_ms > n->wcet_ms)
			n->bcet_ms = n->wcet_ms;
		n->deadline_ms = grid(n->wcet_ms + uniform(s, 0.05, 0.8) * (n->period_ms - n->wcet_ms));
		n->has_deadline = true;
		n->backup_of = -1;
	}
	if (p->nnodes >= 3 && pick(s, 3) == 0) {
		struct sched_node *b = &p->nodes[p->nnodes - 1];
		b->backup_of = 0;
		b->period_ms = p->nodes[0].period_ms;
		b->wcet_ms = p->nodes[0].wcet_ms;
		b->bcet_ms = p->nodes[0].bcet_ms;
		b->deadline_ms = p->nodes[0].deadline_ms;
	}
	/* node 1 is activated by the flow from node 0: same rate */
	p->nodes[1].period_ms = p->nodes[0].period_ms;
	if (p->nodes[1].wcet_ms > 0.45 * p->nodes[1].period_ms) {
		p->nodes[1].wcet_ms = grid(0.45 * p->nodes[1].period_ms);
		p->nodes[1].bcet_ms = grid(p->nodes[1].wcet_ms / 2);
	}
	if (p->nodes[1].deadline_ms < p->nodes[1].wcet_ms || p->nodes[1].deadline_ms > p->nodes[1].period_ms)
		p->nodes[1].deadline_ms = p->nodes[1].period_ms;
	p->nlinks = 1;
	p->links = calloc(1, sizeof(*p->links));
	p->links[0].name = name("l", i, 0);
	p->links[0].source = 0;
	p->links[0].target = 1;
	p->links[0].bandwidth_mbps = 10 * (1 + pick(s, 20));
	p->links[0].message_bytes = 1000 * (10 + pick(s, 190));
	p->links[0].latency_ms = grid(uniform(s, 1, 6));
	p->nflows = 1;
	p->flows = calloc(1, sizeof(*p->flows));
	p->flows[0].name = name("f", i, 0);
	p->flows[0].path_len = 3;
	p->flows[0].path = calloc(3, sizeof(struct sched_elem));
	p->flows[0].path[0] = (struct sched_elem){false, 0};
	p->flows[0].path[1] = (struct sched_elem){true, 0};
	p->flows[0].path[2] = (struct sched_elem){false, 1};
	double d = p->nodes[0].wcet_ms + p->nodes[1].wcet_ms;
	p->flows[0].deadline_ms = grid(d + uniform(s, 0.5, 3.0) * d);
}

void placegen_problem(uint64_t seed, int i, struct sched_problem *p)
{
	uint64_t s = seed * 104729 + 7;
	random_problem(&s, i, p);
}

void placegen_instance_init(struct placegen_instance *in, uint64_t seed)
{
	uint64_t s = seed * 7919 + 1;
	static const char *names[] = {"h1", "h2", "h3"};
	struct sched_host hosts[3];
	for (int h = 0; h < 3; h++) {
		hosts[h] = (struct sched_host){names[h], 2, 4096, pick(&s, 3) == 0 ? 2.0 : 1.0, 1000, 100, 1000, 100,
					       0.999, 0.9999, h == 2 ? "rack-b" : "rack-a", true};
	}
	struct sched_lan lan = {"lan", 1000};
	memset(in, 0, sizeof(*in));
	in->nhosts = 3;
	sched_cloud_new(hosts, 3, &lan, &in->cloud, NULL);
	int preload = 2 + pick(&s, 4);
	for (int i = 0; i < preload; i++) {
		struct sched_problem p;
		random_problem(&s, i, &p);
		struct sched_plan plan;
		if (sched_cloud_place(in->cloud, &p, SCHED_STRICT, 0, &plan, NULL, NULL) == 1) {
			char id[16];
			snprintf(id, sizeof(id), "pre%d", i);
			sched_cloud_commit(in->cloud, id, &p, &plan, NULL);
			sched_plan_destroy(&plan);
		}
		sched_problem_destroy(&p);
	}
	random_problem(&s, 99, &in->prob);
}

void placegen_instance_destroy(struct placegen_instance *in)
{
	sched_cloud_free(in->cloud);
	sched_problem_destroy(&in->prob);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void placegen_quality_run(uint64_t first, int n, struct placegen_quality *q)
{
	memset(q, 0, sizeof(*q));
	for (int i = 0; i < n; i++) {
		struct placegen_instance in;
		placegen_instance_init(&in, first + (uint64_t)i);
		struct sched_plan plan;
		struct sched_stats st;
		double t0 = now();
		int h = sched_cloud_place(in.cloud, &in.prob, SCHED_STRICT, 0, &plan, &st, NULL);
		q->heuristic_seconds += now() - t0;
		q->heuristic_evaluations += st.evaluations;
		if (h == 1)
			sched_plan_destroy(&plan);
		t0 = now();
		int e = sched_cloud_place(in.cloud, &in.prob, SCHED_EXHAUSTIVE, 0, &plan, &st, NULL);
		q->exhaustive_seconds += now() - t0;
		q->exhaustive_evaluations += st.evaluations;
		if (e == 1)
			sched_plan_destroy(&plan);
		q->instances++;
		q->exhaustive_admits += e == 1;
		q->both_admit += e == 1 && h == 1;
		q->heuristic_only += e != 1 && h == 1;
		placegen_instance_destroy(&in);
	}
}
