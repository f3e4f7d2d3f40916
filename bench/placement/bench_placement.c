/*
 * bench_placement.c - the placement heuristic and the SLA engine without I/O:
 * (1) quality and cost against exhaustive search on small random instances
 * (tests/support/placegen.c), (2) decisions per second of sla_cloud_admit on
 * the demo inventory (etc/inventory.json): filling it with copies of the seed
 * VSN (admissions, then refusals with reasons and counter-offers) and quotes
 * (dry runs) on the full cloud. Figures: docs/PERFORMANCE.md ("Placement").
 * Usage: bench_placement [INSTANCES] (default 300).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sla/sla.h"
#include "tests/support/placegen.h"
#include "tests/support/slademo.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	struct placegen_quality q;
	placegen_quality_run(1, n, &q);
	double share = q.exhaustive_admits ? (double)q.both_admit / q.exhaustive_admits : 1;
	printf("| instances | exhaustive admits | heuristic admits of those | share | heuristic only | "
	       "heuristic ms/instance | exhaustive ms/instance |\n|---:|---:|---:|---:|---:|---:|---:|\n");
	printf("| %d | %d | %d | %.2f%% | %d | %.2f | %.2f |\n\n", q.instances, q.exhaustive_admits, q.both_admit,
	       100 * share, q.heuristic_only, 1e3 * q.heuristic_seconds / n, 1e3 * q.exhaustive_seconds / n);

	char err[1024] = "";
	struct vsn_doc *doc = slademo_load("tests/vsn/good/seed.ttl", VSN_SYNTAX_TURTLE, err, sizeof(err));
	if (!doc) {
		fprintf(stderr, "bench_placement: %s (run from the repository root)\n", err);
		return 1;
	}
	const int rounds = 20;
	int admitted = 0, refused = 0, quotes = 0;
	double t_admit = 0, t_refuse = 0, t_quote = 0, c_all = cpu();
	for (int r = 0; r < rounds; r++) {
		struct sla_cloud *c;
		sla_cloud_new(slademo_hosts, SLADEMO_NHOSTS, &slademo_lan, &c, NULL);
		for (int k = 0; k < 8; k++) {
			char id[32];
			snprintf(id, sizeof(id), "v%d", k);
			struct sla_decision *d;
			double t0 = now();
			sla_cloud_admit(c, id, doc, false, &d, NULL);
			double dt = now() - t0;
			if (d->is_admitted) {
				admitted++;
				t_admit += dt;
			} else {
				refused++;
				t_refuse += dt;
			}
			sla_decision_free(d);
		}
		for (int k = 0; k < 5; k++) {
			struct sla_decision *d;
			double t0 = now();
			sla_cloud_admit(c, "quote", doc, true, &d, NULL);
			t_quote += now() - t0;
			quotes++;
			sla_decision_free(d);
		}
		sla_cloud_free(c);
	}
	c_all = cpu() - c_all;
	printf("| decision (seed VSN, demo inventory) | count | mean ms | per second |\n|---|---:|---:|---:|\n");
	printf("| admitted | %d | %.2f | %.0f |\n", admitted, 1e3 * t_admit / admitted, admitted / t_admit);
	printf("| refused (reasons + counter-offer) | %d | %.2f | %.0f |\n", refused, 1e3 * t_refuse / refused,
	       refused / t_refuse);
	printf("| quote on the full cloud (dry run, refused) | %d | %.2f | %.0f |\n", quotes, 1e3 * t_quote / quotes,
	       quotes / t_quote);
	printf("\nCPU time of the decisions: %.2f s for %d decisions\n\n", c_all, admitted + refused + quotes);

	/* a large cloud: 1,000 hosts (the demo four repeated, ten failure domains), filled with seeds */
	enum { NH = 1000, NV = 300 };
	struct sched_host *hosts = calloc(NH, sizeof(*hosts));
	char(*names)[32] = calloc(NH, 32), (*doms)[32] = calloc(NH, 32);
	for (int i = 0; i < NH; i++) {
		hosts[i] = slademo_hosts[i % SLADEMO_NHOSTS];
		snprintf(names[i], 32, "host%d", i);
		snprintf(doms[i], 32, "rack%d", i % 10);
		hosts[i].name = names[i];
		hosts[i].failure_domain = doms[i];
	}
	struct sched_lan big_lan = {"lan", 100000};
	struct sla_cloud *big;
	sla_cloud_new(hosts, NH, &big_lan, &big, NULL);
	printf("| 1,000 hosts: VSNs admitted before | mean ms per admission (wall) | CPU ms |\n|---:|---:|---:|\n");
	double tw = 0, tc = 0;
	for (int k = 0; k < NV; k++) {
		char id[32];
		snprintf(id, sizeof(id), "v%d", k);
		struct sla_decision *d;
		double w0 = now(), p0 = cpu();
		sla_cloud_admit(big, id, doc, false, &d, NULL);
		tw += now() - w0;
		tc += cpu() - p0;
		sla_decision_free(d);
		if ((k + 1) % 100 == 0) {
			printf("| %d-%d | %.1f | %.1f |\n", k - 99, k, 10 * tw, 10 * tc);
			tw = tc = 0;
		}
	}
	sla_cloud_free(big);
	free(hosts);
	free(names);
	free(doms);
	vsn_doc_free(doc);
	return 0;
}
