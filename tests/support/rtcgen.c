/*
 * rtcgen.c - random SPEC §4 models (see rtcgen.h).
 *
 * All values are drawn as integers in micro-units (1e-6) on a 0.001 grid and
 * printed as exact decimals, so the engine and the simulator read the same
 * numbers whatever their number parsing does.
 */
#include "tests/support/rtcgen.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/support/rtcsim.h"

#define GEN_UNIT 1000000LL /* micro-units per model unit */
#define GEN_GRID 1000LL	   /* every value is a multiple of 0.001 */
#define GEN_MAX_RES 8
#define GEN_MAX_STREAMS 16
#define GEN_MAX_HOPS 5

/* The oracle's one generator (rtcsim.h), on the generator's own state. */
static uint64_t gen_next(uint64_t *s)
{
	return rtcsim_rng_next(s);
}

static int64_t gen_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return rtcsim_rng_range(s, lo, hi);
}

static double gen_unit(uint64_t *s)
{
	return (double)(gen_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Rounds micro-units down to the grid. */
static int64_t gen_floor(int64_t v)
{
	return v / GEN_GRID * GEN_GRID;
}

/* Prints micro-units V as an exact decimal ("12.5", "0.001", "3"). */
static void gen_put_num(struct kairos_buf *b, int64_t v)
{
	int64_t ip = v / GEN_UNIT, fp = v % GEN_UNIT;
	if (fp == 0) {
		kairos_buf_printf(b, "%" PRId64, ip);
		return;
	}
	char frac[8];
	snprintf(frac, sizeof(frac), "%06" PRId64, fp);
	for (int i = 5; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	kairos_buf_printf(b, "%" PRId64 ".%s", ip, frac);
}

void rtcgen_options_init(struct rtcgen_options *o)
{
	memset(o, 0, sizeof(*o));
	o->min_resources = 1;
	o->max_resources = 4;
	o->min_streams = 1;
	o->max_streams = 6;
	o->max_hops = 5;
	o->max_utilization = 0.95;
	o->policies = RTCGEN_FP | RTCGEN_EDF | RTCGEN_TDMA;
	o->has_jitter = 1;
	o->has_latency = 1;
	o->has_rates = 1;
	o->has_revisits = 1;
}

struct gen_task {
	int res;
	int64_t wcet, bcet, deadline, slot;
	long priority;
	double util;
};

struct gen_stream {
	int64_t period, jitter, min_distance;
	int nhops;
	struct gen_task hops[GEN_MAX_HOPS];
};

struct gen_res {
	unsigned policy;
	int64_t rate, latency, cycle;
	int ntasks;
	double target;
};

static int gen_clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

char *rtcgen_model(uint64_t seed, const struct rtcgen_options *o)
{
	static const int64_t periods[] = {5000000,  10000000, 12500000,	 20000000, 25000000,
					  40000000, 50000000, 100000000, 200000000};
	static const int64_t rates[] = {1000000, 1000000, 1000000, 2000000,
					500000,	 250000,  4000000};
	static const int64_t cycles[] = {2000000, 4000000, 5000000, 10000000};
	static const int64_t latencies[] = {0, 0, 500000, 1000000, 2500000};
	uint64_t rng = seed * 0x2545F4914F6CDD1DULL + 0x5bd1e995ULL;
	struct gen_res res[GEN_MAX_RES];
	struct gen_stream streams[GEN_MAX_STREAMS];
	memset(res, 0, sizeof(res));
	memset(streams, 0, sizeof(streams));

	int nres =
	    gen_clampi((int)gen_range(&rng, o->min_resources, o->max_resources), 1, GEN_MAX_RES);
	int nstreams =
	    gen_clampi((int)gen_range(&rng, o->min_streams, o->max_streams), 1, GEN_MAX_STREAMS);
	unsigned allowed[3];
	int nallowed = 0;
	for (unsigned bit = 1; bit <= RTCGEN_TDMA; bit <<= 1)
		if (o->policies & bit)
			allowed[nallowed++] = bit;
	if (nallowed == 0)
		allowed[nallowed++] = RTCGEN_FP;
	for (int r = 0; r < nres; r++) {
		res[r].policy = allowed[gen_range(&rng, 0, nallowed - 1)];
		res[r].rate = o->has_rates ? rates[gen_range(&rng, 0, 6)] : GEN_UNIT;
		if (res[r].policy == RTCGEN_TDMA)
			res[r].cycle = cycles[gen_range(&rng, 0, 3)];
		else if (o->has_latency)
			res[r].latency = latencies[gen_range(&rng, 0, 4)];
		res[r].target = 0.05 + gen_unit(&rng) * (o->max_utilization - 0.05);
	}

	/* Paths: each hop on a random resource; without revisits, distinct ones. */
	int maxhops = gen_clampi(o->max_hops, 1, GEN_MAX_HOPS);
	for (int i = 0; i < nstreams; i++) {
		struct gen_stream *s = &streams[i];
		s->period = periods[gen_range(&rng, 0, 8)];
		int limit = o->has_revisits ? maxhops : gen_clampi(maxhops, 1, nres);
		s->nhops = (int)gen_range(&rng, 1, limit);
		for (int h = 0; h < s->nhops; h++) {
			int r, tries = 0;
			do {
				r = (int)gen_range(&rng, 0, nres - 1);
				int used = 0;
				for (int k = 0; k < h; k++)
					used |= s->hops[k].res == r;
				/* Revisits only when allowed, and then mostly when no fresh
				 * resource is left. */
				if (!used ||
				    (o->has_revisits && (h >= nres || gen_range(&rng, 0, 4) == 0)))
					break;
			} while (++tries < 64);
			s->hops[h].res = r;
			res[r].ntasks++;
		}
		if (o->has_jitter && (gen_next(&rng) & 1)) {
			s->jitter = gen_floor((int64_t)(gen_unit(&rng) * 1.5 * (double)s->period));
			if (s->jitter > 0 && gen_range(&rng, 0, 2) == 0)
				s->min_distance = gen_floor(gen_range(&rng, GEN_GRID, s->period));
		}
	}

	/* UUniFast per resource: its tasks' utilisations sum to the target. */
	for (int r = 0; r < nres; r++) {
		double sum = res[r].target;
		int left = res[r].ntasks;
		for (int i = 0; i < nstreams; i++)
			for (int h = 0; h < streams[i].nhops; h++) {
				struct gen_task *t = &streams[i].hops[h];
				if (t->res != r)
					continue;
				left--;
				double next = left > 0 ? sum * pow(gen_unit(&rng), 1.0 / left) : 0;
				t->util = sum - next;
				sum = next;
			}
	}

	/* Demands, deadlines, priorities, slots. */
	int64_t slot_used[GEN_MAX_RES] = {0};
	for (int i = 0; i < nstreams; i++) {
		struct gen_stream *s = &streams[i];
		for (int h = 0; h < s->nhops; h++) {
			struct gen_task *t = &s->hops[h];
			struct gen_res *rr = &res[t->res];
			double service =
			    t->util * (double)s->period * ((double)rr->rate / GEN_UNIT);
			t->wcet = gen_floor((int64_t)service);
			if (t->wcet < GEN_GRID)
				t->wcet = GEN_GRID;
			t->bcet =
			    gen_floor((int64_t)((0.2 + 0.8 * gen_unit(&rng)) * (double)t->wcet));
			if (t->bcet < GEN_GRID)
				t->bcet = GEN_GRID;
			int64_t exec_time = t->wcet * GEN_UNIT / rr->rate;
			t->deadline =
			    gen_floor((int64_t)((0.5 + 1.5 * gen_unit(&rng)) * (double)s->period));
			if (t->deadline < exec_time)
				t->deadline = gen_floor(exec_time) + GEN_GRID;
			t->priority = 0; /* drawn below */
			if (rr->policy == RTCGEN_TDMA) {
				/* slot/cycle a little above the task's share, so the slots fit in
				 * the cycle. */
				double share = t->util / rr->target;
				double f = rr->target + (1.0 - rr->target) * gen_unit(&rng);
				t->slot = gen_floor((int64_t)(share * f * (double)rr->cycle));
				if (t->slot < GEN_GRID)
					t->slot = GEN_GRID;
				slot_used[t->res] += t->slot;
			}
		}
	}
	/* Slots bumped up to the grid may overflow the cycle: trim the largest ones. */
	for (int r = 0; r < nres; r++) {
		while (res[r].policy == RTCGEN_TDMA && slot_used[r] > res[r].cycle) {
			struct gen_task *big = NULL;
			for (int i = 0; i < nstreams; i++)
				for (int h = 0; h < streams[i].nhops; h++)
					if (streams[i].hops[h].res == r &&
					    (!big || streams[i].hops[h].slot > big->slot))
						big = &streams[i].hops[h];
			big->slot -= GEN_GRID;
			slot_used[r] -= GEN_GRID;
		}
	}
	/* Unique priorities per resource: a random permutation of 1..n. */
	for (int r = 0; r < nres; r++) {
		long perm[GEN_MAX_STREAMS * GEN_MAX_HOPS];
		int n = res[r].ntasks;
		for (int k = 0; k < n; k++)
			perm[k] = k + 1;
		for (int k = n - 1; k > 0; k--) {
			int j = (int)gen_range(&rng, 0, k);
			long tmp = perm[k];
			perm[k] = perm[j];
			perm[j] = tmp;
		}
		int k = 0;
		for (int i = 0; i < nstreams; i++)
			for (int h = 0; h < streams[i].nhops; h++)
				if (streams[i].hops[h].res == r)
					streams[i].hops[h].priority = perm[k++];
	}

	static const char *pol_names[] = {"", "fp", "edf", "", "tdma"};
	struct kairos_buf b = {0};
	kairos_buf_puts(&b, "{\"resources\": [");
	for (int r = 0; r < nres; r++) {
		kairos_buf_printf(&b, "%s\n  {\"name\": \"r%d\", \"policy\": \"%s\", \"rate\": ",
				  r ? "," : "", r, pol_names[res[r].policy]);
		gen_put_num(&b, res[r].rate);
		if (res[r].policy == RTCGEN_TDMA) {
			kairos_buf_puts(&b, ", \"cycle\": ");
			gen_put_num(&b, res[r].cycle);
		} else {
			kairos_buf_puts(&b, ", \"latency\": ");
			gen_put_num(&b, res[r].latency);
		}
		kairos_buf_puts(&b, "}");
	}
	kairos_buf_puts(&b, "],\n \"streams\": [");
	for (int i = 0; i < nstreams; i++) {
		struct gen_stream *s = &streams[i];
		int64_t dsum = 0;
		for (int h = 0; h < s->nhops; h++)
			dsum += s->hops[h].deadline;
		kairos_buf_printf(&b, "%s\n  {\"name\": \"s%d\", \"period\": ", i ? "," : "", i);
		gen_put_num(&b, s->period);
		kairos_buf_puts(&b, ", \"jitter\": ");
		gen_put_num(&b, s->jitter);
		kairos_buf_puts(&b, ", \"min_distance\": ");
		gen_put_num(&b, s->min_distance);
		kairos_buf_puts(&b, ", \"deadline\": ");
		gen_put_num(&b, dsum);
		kairos_buf_puts(&b, ", \"path\": [");
		for (int h = 0; h < s->nhops; h++) {
			struct gen_task *t = &s->hops[h];
			kairos_buf_printf(
			    &b, "%s\n    {\"task\": \"s%dt%d\", \"resource\": \"r%d\", \"wcet\": ",
			    h ? "," : "", i, h, t->res);
			gen_put_num(&b, t->wcet);
			kairos_buf_puts(&b, ", \"bcet\": ");
			gen_put_num(&b, t->bcet);
			kairos_buf_printf(&b, ", \"priority\": %ld, \"deadline\": ", t->priority);
			gen_put_num(&b, t->deadline);
			if (res[t->res].policy == RTCGEN_TDMA) {
				kairos_buf_puts(&b, ", \"slot\": ");
				gen_put_num(&b, t->slot);
			}
			kairos_buf_puts(&b, "}");
		}
		kairos_buf_puts(&b, "]}");
	}
	kairos_buf_puts(&b, "]}\n");
	return kairos_buf_steal(&b);
}
