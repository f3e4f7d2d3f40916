/*
 * rtcbenchgen.c - large deterministic analysis models (rtcbenchgen.h).
 *
 * Every resource gets exactly T task slots; slots are shuffled (seeded
 * xorshift) and dealt to streams L at a time, a slot that would put a stream
 * twice on one resource being swapped with a later one, so every chain
 * visits L different resources and the resource dependency graph has no
 * cycle through one path. The stream's period is drawn first; each task's
 * share of its resource's utilisation then fixes its wcet.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/support/rtcbenchgen.h"

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double unit(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static const int periods[] = {10, 20, 25, 40, 50, 100, 125, 200, 250, 500};

struct rtc_model *rtcbenchgen_model(const struct rtcbenchgen_options *o)
{
	uint64_t s = o->seed * 0x9e3779b97f4a7c15ULL + 1;
	int R = o->resources, T = o->tasks_per_resource, L = o->chain;
	int total = R * T;
	struct kairos_error err;
	struct rtc_model *m = rtc_model_new();
	char name[64];
	for (int r = 0; r < R; r++) {
		snprintf(name, sizeof(name), "r%d", r);
		rtc_model_add_resource(m, name, RTC_POLICY_FP, &err);
	}
	/* slots: resource of every task, dealt to streams */
	int *slot = kairos_xmalloc((size_t)total * sizeof(int));
	int nvm = (int)(o->vm_share * T + 0.5);
	int k = 0;
	for (int r = 0; r < R; r++)
		for (int i = nvm; i < T; i++)
			slot[k++] = r;
	int nchain = k;
	for (int i = nchain - 1; i > 0; i--) {
		int j = (int)(rnd(&s) % (uint64_t)(i + 1)), x = slot[i];
		slot[i] = slot[j];
		slot[j] = x;
	}
	/* no stream twice on a resource: swap with a later slot that fits */
	for (int i = 0; i < nchain; i++) {
		int start = i - i % L;
		for (int tries = 0; tries < nchain; tries++) {
			bool dup = false;
			for (int j = start; j < i; j++)
				dup |= slot[j] == slot[i];
			if (!dup)
				break;
			int j = i + 1 +
				(int)(rnd(&s) % (uint64_t)(nchain - i > 1 ? nchain - i - 1 : 1));
			if (j >= nchain)
				j = (int)(rnd(&s) % (uint64_t)nchain);
			int x = slot[i];
			slot[i] = slot[j];
			slot[j] = x;
		}
	}
	/* pipelines: each chain's hops in increasing resource order */
	for (int i = 0; o->is_acyclic && i < nchain; i += L) {
		int end = i + L < nchain ? i + L : nchain;
		for (int a = i + 1; a < end; a++)
			for (int b = a; b > i && slot[b - 1] > slot[b]; b--) {
				int x = slot[b];
				slot[b] = slot[b - 1];
				slot[b - 1] = x;
			}
	}
	for (int r = 0; r < R; r++)
		for (int i = 0; i < nvm; i++)
			slot[k++] = r;
	/* UUniFast per resource, consumed in slot order */
	double *share = kairos_xmalloc((size_t)total * sizeof(double));
	int *next = kairos_xcalloc((size_t)R, sizeof(int));
	double *u = kairos_xmalloc(((size_t)R * T) * sizeof(double));
	for (int r = 0; r < R; r++) {
		double sum = o->utilization;
		for (int i = 0; i < T - 1; i++) {
			double nsum = sum * pow(unit(&s), 1.0 / (T - 1 - i));
			u[r * T + i] = sum - nsum;
			sum = nsum;
		}
		u[r * T + T - 1] = sum;
	}
	for (int i = 0; i < total; i++)
		share[i] = u[slot[i] * T + next[slot[i]]++];
	/* streams */
	int sidx = 0;
	for (int i = 0; i < total;) {
		int len = i < nchain ? (nchain - i < L ? nchain - i : L) : 1;
		int64_t period = periods[rnd(&s) % (sizeof(periods) / sizeof(periods[0]))];
		snprintf(name, sizeof(name), "s%d", sidx);
		int st = rtc_model_add_stream(m, name, period * RTC_TICKS_PER_UNIT, &err);
		m->streams[st].deadline = 2 * (int64_t)len * period * RTC_TICKS_PER_UNIT;
		m->streams[st].has_deadline = true;
		for (int h = 0; h < len; h++, i++) {
			/* wcet in 0.001 units, at least 0.001 */
			int64_t w = (int64_t)(share[i] * (double)period * 1000.0);
			if (w < 1)
				w = 1;
			snprintf(name, sizeof(name), "s%dt%d", sidx, h);
			int t = rtc_model_add_task(m, st, name, slot[i], w * 1000, w * 500, &err);
			m->tasks[t].deadline = 2 * period * RTC_TICKS_PER_UNIT;
			m->tasks[t].has_deadline = true;
			m->tasks[t].has_priority = true;
		}
		sidx++;
	}
	/* rate-monotonic priorities, unique in the whole model (so tasks can
	 * move between resources keeping them, SPEC §4) */
	long next_prio = 1;
	for (size_t p = 0; p < sizeof(periods) / sizeof(periods[0]); p++)
		for (int t = 0; t < m->ntasks; t++)
			if (m->streams[m->tasks[t].stream].period ==
			    periods[p] * RTC_TICKS_PER_UNIT)
				m->tasks[t].priority = next_prio++;
	free(slot);
	free(share);
	free(next);
	free(u);
	return m;
}
