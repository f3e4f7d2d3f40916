/*
 * bench_rtc.c - how fast the RTC engine analyses large models, how fast an
 * incremental step is, and how long a reconfiguration plan takes
 * (docs/PERFORMANCE.md, "RTC").
 *
 * Models come from rtcbenchgen (R fp resources x T tasks, chains of L tasks,
 * about 70% utilisation per resource, fixed seed). Every case runs in its
 * own child process, so that its peak resident memory (VmHWM, ru_maxrss of
 * the child) is its own; the table also gives the resident size right after
 * the model was built (before any analysis) to separate the model from the
 * analysis. Times are CLOCK_MONOTONIC wall times on one core.
 *
 *   bench_rtc           every case
 *   bench_rtc --quick   the small cases only (seconds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "rtc/rtc.h"
#include "tests/support/rtcbenchgen.h"

#define SEED 20261124
#define INCR_STEPS 201

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this process: on a loaded machine, closer to the cost than wall time. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A line of /proc/self/status in kB (VmRSS, VmHWM), or -1. */
static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static struct rtc_model *generate_u(int R, int T, int L, bool is_acyclic, double u)
{
	struct rtcbenchgen_options o = {.resources = R,
					.tasks_per_resource = T,
					.chain = L,
					.utilization = u,
					.vm_share = 0.0,
					.is_acyclic = is_acyclic,
					.seed = SEED};
	return rtcbenchgen_model(&o);
}

static struct rtc_model *generate(int R, int T, int L, bool is_acyclic)
{
	return generate_u(R, T, L, is_acyclic, 0.70);
}

static const char *shape(bool is_acyclic)
{
	return is_acyclic ? "dag" : "cyc";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double mean_util(const struct rtc_result *r)
{
	double s = 0;
	for (int i = 0; i < r->nresources; i++)
		s += r->resources[i].utilization;
	return r->nresources ? s / r->nresources : 0;
}

/* Child: whole-model analysis of (R, T, L). */
static int case_analyze(int R, int T, int L, bool dag)
{
	struct kairos_error err;
	struct rtc_result *res = NULL;
	struct rtc_model *m = generate(R, T, L, dag);
	long rss_model = status_kb("VmRSS");
	double dt = 1e30, dc = 1e30;
	for (int rep = 0; rep < 3; rep++) {
		rtc_result_free(res);
		res = NULL;
		double t0 = now_s(), c0 = cpu_s();
		if (rtc_analyze(m, &res, &err)) {
			fprintf(stderr, "bench_rtc: %s\n", err.message);
			return 1;
		}
		double w = now_s() - t0, c = cpu_s() - c0;
		dt = w < dt ? w : dt;
		dc = c < dc ? c : dc;
	}
	int ok = 0, live = 0;
	for (int t = 0; t < res->ntasks; t++)
		if (!res->tasks[t].is_removed) {
			live++;
			ok += res->tasks[t].ok;
		}
	printf("analyze  %s R=%-5d T=%-3d L=%d  tasks=%-6d util=%.2f  wall=%9.3f ms cpu=%9.3f ms  "
	       "ok=%d/%d  "
	       "rounds=%d resources_analysed=%ld  rss_model=%ld kB  VmHWM=%ld kB\n",
	       shape(dag), R, T, L, live, mean_util(res), dt * 1e3, dc * 1e3, ok, live,
	       res->iterations, res->resources_analysed, rss_model, status_kb("VmHWM"));
	rtc_result_free(res);
	rtc_model_free(m);
	return 0;
}

/*
 * Child: the model inside an rtc_analysis, then INCR_STEPS times: add one
 * task (a new one-task stream on some resource), update (timed), remove it,
 * update (timed separately).
 */
static int case_incremental(int R, int T, int L, bool dag)
{
	struct kairos_error err;
	struct rtc_analysis *a = NULL;
	struct rtc_model *m = generate(R, T, L, dag);
	double t0 = now_s();
	if (rtc_analysis_new(m, &a, &err)) {
		fprintf(stderr, "bench_rtc: %s\n", err.message);
		return 1;
	}
	double t_new = now_s() - t0;
	double add[INCR_STEPS], del[INCR_STEPS], step[INCR_STEPS], addc[INCR_STEPS];
	long analysed = 0;
	for (int i = 0; i < INCR_STEPS; i++) {
		char sname[32], tname[32];
		snprintf(sname, sizeof(sname), "bench%d", i);
		snprintf(tname, sizeof(tname), "bench%dt0", i);
		int r = (i * 7919) % R;
		struct rtc_stream ps = {0};
		ps.name = sname;
		ps.period = 100 * RTC_TICKS_PER_UNIT;
		struct rtc_task pt = {0};
		pt.name = tname;
		pt.resource = r;
		pt.wcet = RTC_TICKS_PER_UNIT / 2;
		pt.bcet = RTC_TICKS_PER_UNIT / 4;
		pt.priority = 1000000 + i; /* lowest on its resource */
		pt.has_priority = true;
		pt.deadline = 100 * RTC_TICKS_PER_UNIT;
		pt.has_deadline = true;
		pt.replica_of = -1;
		double ta = now_s();
		int s = rtc_analysis_stream_add(a, &ps, &pt, &err);
		if (s < 0) {
			fprintf(stderr, "bench_rtc: %s\n", err.message);
			return 1;
		}
		t0 = now_s();
		double c0 = cpu_s();
		if (rtc_analysis_update(a, &err)) {
			fprintf(stderr, "bench_rtc: %s\n", err.message);
			return 1;
		}
		addc[i] = cpu_s() - c0;
		add[i] = now_s() - t0;
		step[i] = now_s() - ta;
		analysed += rtc_analysis_result(a)->resources_analysed;
		rtc_analysis_stream_remove(a, s, &err);
		t0 = now_s();
		if (rtc_analysis_update(a, &err))
			return 1;
		del[i] = now_s() - t0;
	}
	qsort(add, INCR_STEPS, sizeof(double), cmp_double);
	qsort(del, INCR_STEPS, sizeof(double), cmp_double);
	qsort(step, INCR_STEPS, sizeof(double), cmp_double);
	qsort(addc, INCR_STEPS, sizeof(double), cmp_double);
	printf("incremental %s R=%d T=%d L=%d  full=%9.3f ms  update after adding one task: "
	       "median=%.3f ms "
	       "(min %.3f, max %.3f, cpu median %.3f); stream_add+update median=%.3f ms; update "
	       "after removing it: median=%.3f ms; "
	       "resources re-analysed per add=%.1f  VmHWM=%ld kB\n",
	       shape(dag), R, T, L, t_new * 1e3, add[INCR_STEPS / 2] * 1e3, add[0] * 1e3,
	       add[INCR_STEPS - 1] * 1e3, addc[INCR_STEPS / 2] * 1e3, step[INCR_STEPS / 2] * 1e3,
	       del[INCR_STEPS / 2] * 1e3, (double)analysed / INCR_STEPS, status_kb("VmHWM"));
	rtc_analysis_free(a);
	rtc_model_free(m);
	return 0;
}

/* Child: plan for the failure of resource r0. */
static int case_plan(int R, int T, int L, bool dag)
{
	struct kairos_error err;
	struct rtc_plan *p = NULL;
	/* 60%: at 70% the generated models already miss a few task deadlines
	 * (late hops of long chains) before anything fails, so no plan exists */
	struct rtc_model *m = generate_u(R, T, L, dag, 0.60);
	struct rtc_plan_options o = {20000, 0};
	double t0 = now_s(), c0 = cpu_s();
	if (rtc_plan_compute(m, 0, &o, &p, &err)) {
		fprintf(stderr, "bench_rtc: %s\n", err.message);
		return 1;
	}
	double dt = now_s() - t0, dc = cpu_s() - c0;
	printf("plan     %s R=%-5d T=%-3d L=%d U=0.6 --fail r0  wall=%9.3f ms cpu=%9.3f ms  "
	       "feasible=%d moves=%d configs=%ld "
	       "analyses=%ld resources_analysed=%ld budget_hit=%d min_slack=%.3f  VmHWM=%ld kB\n",
	       shape(dag), R, T, L, dt * 1e3, dc * 1e3, p->is_feasible, p->nmoves, p->configs,
	       p->analyses, p->resources_analysed, p->is_budget_hit,
	       p->is_feasible ? (double)p->min_slack / RTC_TICKS_PER_UNIT : 0.0,
	       status_kb("VmHWM"));
	rtc_plan_free(p);
	rtc_model_free(m);
	return 0;
}

/* Child: Audsley on every fp resource, starting from reversed priorities. */
static int case_audsley(int R, int T, int L, bool dag)
{
	struct kairos_error err;
	struct rtc_model *m = generate_u(R, T, L, dag, 0.60);
	for (int t = 0; t < m->ntasks; t++)
		m->tasks[t].priority = m->ntasks - m->tasks[t].priority + 1;
	struct rtc_priority_stats st;
	double t0 = now_s(), c0 = cpu_s();
	int rc = rtc_priority_assign(m, -1, &st, &err);
	double dt = now_s() - t0, dc = cpu_s() - c0;
	printf("audsley  %s R=%-5d T=%-3d L=%d U=0.6 from reversed RM  wall=%9.3f ms cpu=%9.3f ms  "
	       "rc=%d checks=%ld "
	       "rounds=%d  VmHWM=%ld kB\n",
	       shape(dag), R, T, L, dt * 1e3, dc * 1e3, rc, st.checks, st.rounds,
	       status_kb("VmHWM"));
	rtc_model_free(m);
	return 0;
}

/* Runs FN(R, T, L) in a child; prints the child's ru_maxrss. */
static int run(int (*fn)(int, int, int, bool), int R, int T, int L, bool dag)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int rc = fn(R, T, L, dag);
		fflush(stdout);
		_exit(rc);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	static const int cases[][3] = {{10, 10, 3}, {100, 10, 5}, {1000, 10, 5}, {1000, 50, 5}};
	int n = quick ? 2 : 4, rc = 0;
	printf("RTC engine, one core, seed %d, ~70%% utilisation per resource\n", SEED);
	printf("dag: every chain visits resources in increasing index order (acyclic resource "
	       "graph);\n"
	       "cyc: chains visit random resources (the resource graph is one big cycle: fixed "
	       "point)\n");
	for (int d = 1; d >= 0; d--) {
		for (int i = 0; i < n; i++)
			rc |= run(case_analyze, cases[i][0], cases[i][1], cases[i][2], d);
		rc |= run(case_incremental, cases[n - 1][0], cases[n - 1][1], cases[n - 1][2], d);
		rc |= run(case_plan, 100, 10, 5, d);
		/* cyclic: every oracle question re-iterates the whole strongly
		 * connected component; minutes at R=100 (docs/PERFORMANCE.md) */
		rc |= run(case_audsley, quick || !d ? 10 : 100, 10, quick || !d ? 3 : 5, d);
	}
	return rc;
}
