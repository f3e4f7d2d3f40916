/*
 * priority.c - fixed-priority assignment on one resource with the RTC test as
 * the oracle.
 *
 * Audsley's optimal priority assignment (Audsley 2001, "On priority
 * assignment in fixed priority scheduling", IPL 79(1)) fills the levels from
 * the lowest up: a task may take the lowest free level when it meets its
 * deadline with every still unassigned task above it. It is optimal whenever
 * a task's bound depends on the *set* of higher-priority tasks and not on
 * their order (Davis & Burns 2011 call such tests OPA-compatible), which holds
 * for the fp GPC on one resource: the remaining service of a task is the
 * resource's service minus the demand of all the tasks above it. Only the
 * resource being assigned and what lies downstream of it are re-analysed
 * (rtc_analysis_update is incremental).
 *
 * Insertion keeps the order already admitted and looks for the position of
 * one new task: cheaper (n + 1 probes instead of n^2 / 2) and it leaves the
 * admitted tasks' priorities untouched, so it is tried first.
 */
#include <stdlib.h>
#include <string.h>

#include "scheduler/internal.h"

/* Tasks on resource R sorted by priority (highest first), excluding SKIP. */
static int tasks_on(const struct rtc_model *m, int r, int skip, int **out)
{
	int n = 0;
	int *v = kairos_xmalloc(((size_t)m->ntasks + 1) * sizeof(int));
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && m->tasks[t].resource == r && t != skip)
			v[n++] = t;
	/* insertion sort: resources carry few tasks */
	for (int i = 1; i < n; i++) {
		int x = v[i], j = i - 1;
		while (j >= 0 && m->tasks[v[j]].priority > m->tasks[x].priority) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
	*out = v;
	return n;
}

/* Renumbers the tasks V[0..n) of R with the standard gap, keeping their order. */
static void renumber(struct rtc_analysis *a, int r, const int *v, int n)
{
	for (int j = 0; j < n; j++)
		rtc_analysis_task_move(a, v[j], r, (long)(j + 1) * SCHED_PRIO_GAP, NULL);
}

static bool task_ok(const struct rtc_analysis *a, int t)
{
	const struct rtc_task_result *r = &rtc_analysis_result(a)->tasks[t];
	return r->is_bounded && r->ok;
}

int sched_priorities_assign(struct rtc_analysis *a, int r, long *probes, struct kairos_error *err)
{
	const struct rtc_model *m = rtc_analysis_model(a);
	int *v;
	int n = tasks_on(m, r, -1, &v);
	int rc = 1;
	/* v[0..k) unassigned (levels 1..k), levels k+1..n assigned */
	for (int k = n; k >= 1 && rc == 1; k--) {
		bool found = false;
		for (int i = 0; i < k && !found; i++) {
			/* candidate v[i] at level k, the other unassigned above it */
			int lvl = 1;
			for (int j = 0; j < k; j++)
				if (j != i)
					rtc_analysis_task_move(a, v[j], r, lvl++, NULL);
			rtc_analysis_task_move(a, v[i], r, k, NULL);
			int urc = rtc_analysis_update(a, err);
			if (probes)
				(*probes)++;
			if (urc) {
				free(v);
				return urc;
			}
			if (task_ok(a, v[i])) {
				int x = v[i];
				memmove(&v[i], &v[i + 1], (size_t)(k - 1 - i) * sizeof(int));
				v[k - 1] = x;
				found = true;
			}
		}
		if (!found)
			rc = 0;
	}
	if (rc == 1) {
		renumber(a, r, v, n);
		int urc = rtc_analysis_update(a, err);
		if (probes)
			(*probes)++;
		if (urc)
			rc = urc;
	}
	free(v);
	return rc;
}

int sched_priority_insert(struct rtc_analysis *a, int t, bool from_top, sched_accept_fn accept, void *ctx,
			  long *probes, struct kairos_error *err)
{
	const struct rtc_model *m = rtc_analysis_model(a);
	int r = m->tasks[t].resource;
	long orig = m->tasks[t].priority;
	int *v;
	int n = tasks_on(m, r, t, &v);
	int rc = 0;
	for (int step = 0; step <= n && rc == 0; step++) {
		int pos = from_top ? step : n - step; /* number of tasks above t */
		long above = pos > 0 ? m->tasks[v[pos - 1]].priority : 0;
		long below = pos < n ? m->tasks[v[pos]].priority : above + 2 * SCHED_PRIO_GAP;
		if (pos == 0 && n > 0)
			above = below - 2 * SCHED_PRIO_GAP;
		if (below - above < 2) {
			renumber(a, r, v, n);
			above = pos > 0 ? m->tasks[v[pos - 1]].priority : 0;
			below = pos < n ? m->tasks[v[pos]].priority : above + 2 * SCHED_PRIO_GAP;
		}
		long prio = above + (below - above) / 2;
		rtc_analysis_task_move(a, t, r, prio, NULL);
		int urc = rtc_analysis_update(a, err);
		if (probes)
			(*probes)++;
		if (urc) {
			rc = urc;
			break;
		}
		if (accept ? accept(ctx, a) : rtc_analysis_result(a)->schedulable)
			rc = 1;
	}
	if (rc == 0) {
		/* back where it was (no tie: orig was unique before the probes) */
		bool tie = false;
		for (int j = 0; j < n; j++)
			tie |= m->tasks[v[j]].priority == orig;
		if (tie)
			orig = sched_priority_lowest(m, r) + SCHED_PRIO_GAP;
		rtc_analysis_task_move(a, t, r, orig, NULL);
		int urc = rtc_analysis_update(a, err);
		if (probes)
			(*probes)++;
		if (urc)
			rc = urc;
	}
	free(v);
	return rc;
}
