/*
 * rtcsim.c - discrete-event simulator of SPEC §4 models (see rtcsim.h).
 *
 * Why a simulator: the RTC engine claims upper bounds (wcrt, backlog,
 * latency) and lower bounds (bcrt) on what a system can do. Any behaviour the
 * contract allows that this simulator plays out is a counter-example if it
 * leaves a bound. The code here shares nothing with rtc/: its own parser, its
 * own integer time, no curves.
 *
 * The loop: at each instant NOW, jobs whose work reached zero complete (and
 * release the next task of their path at NOW), then stream events due at NOW
 * arrive, then backlogs are sampled. Each resource then picks the job it
 * serves (FP: highest priority; EDF: earliest absolute deadline; TDMA: the
 * owner of the current slot), and time advances to the first of: the next
 * arrival, the first completion, the next slot edge or blackout edge. Between
 * two such instants nothing changes, so the schedule is exact.
 */
#include "tests/support/rtcsim.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------ */

static void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

static char *sim_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static int sim_fail(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sim_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (errbuf && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* splitmix64 (Steele, Lea, Flood 2014): small, seedable, good enough here. */
uint64_t rtcsim_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

int64_t rtcsim_rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return lo + (int64_t)(rtcsim_rng_next(s) % span);
}

static int64_t sim_gcd(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a < 0 ? -a : a;
}

/* ---- parsing --------------------------------------------------------------- */

/*
 * Reads number KEY of OBJ as ticks (value * 1e6, exact for decimals with up to
 * six fractional digits). Absent or null: *out = def, or an error if required.
 */
static int sim_get_ticks(json_t *obj, const char *key, int64_t def, int required, int64_t *out,
			 const char *where, char *errbuf, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return sim_fail(errbuf, errlen, "%s.%s: missing", where, key);
		*out = def;
		return 0;
	}
	if (!json_is_number(v))
		return sim_fail(errbuf, errlen, "%s.%s: not a number", where, key);
	double d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e12)
		return sim_fail(errbuf, errlen, "%s.%s: out of range", where, key);
	*out = llround(d * (double)RTCSIM_TICKS);
	return 0;
}

static const char *sim_get_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void rtcsim_model_free(struct rtcsim_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nresources; i++)
		free(m->resources[i].name);
	for (int i = 0; i < m->ntasks; i++)
		free(m->tasks[i].name);
	for (int i = 0; i < m->nstreams; i++)
		free(m->streams[i].name);
	free(m->resources);
	free(m->tasks);
	free(m->streams);
	free(m);
}

static int sim_resource_find(const struct rtcsim_model *m, const char *name)
{
	for (int i = 0; i < m->nresources; i++)
		if (strcmp(m->resources[i].name, name) == 0)
			return i;
	return -1;
}

int rtcsim_task_find(const struct rtcsim_model *m, const char *name)
{
	for (int i = 0; i < m->ntasks; i++)
		if (strcmp(m->tasks[i].name, name) == 0)
			return i;
	return -1;
}

int rtcsim_stream_find(const struct rtcsim_model *m, const char *name)
{
	for (int i = 0; i < m->nstreams; i++)
		if (strcmp(m->streams[i].name, name) == 0)
			return i;
	return -1;
}

static int sim_parse_resources(json_t *arr, struct rtcsim_model *m, char *errbuf, size_t errlen)
{
	char where[64];
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return sim_fail(errbuf, errlen, "resources: expected a non-empty array");
	m->nresources = (int)json_array_size(arr);
	m->resources = sim_xcalloc((size_t)m->nresources, sizeof(*m->resources));
	for (int i = 0; i < m->nresources; i++) {
		json_t *r = json_array_get(arr, (size_t)i);
		struct rtcsim_resource *res = &m->resources[i];
		snprintf(where, sizeof(where), "resources[%d]", i);
		const char *name = sim_get_str(r, "name");
		const char *pol = sim_get_str(r, "policy");
		if (!name)
			return sim_fail(errbuf, errlen, "%s.name: missing", where);
		res->name = sim_xstrdup(name);
		if (!pol || strcmp(pol, "fp") == 0)
			res->policy = RTCSIM_FP;
		else if (strcmp(pol, "edf") == 0)
			res->policy = RTCSIM_EDF;
		else if (strcmp(pol, "tdma") == 0)
			res->policy = RTCSIM_TDMA;
		else
			return sim_fail(errbuf, errlen, "%s.policy: unknown", where);
		if (sim_get_ticks(r, "rate", RTCSIM_TICKS, 0, &res->rate_micro, where, errbuf,
				  errlen) ||
		    sim_get_ticks(r, "latency", 0, 0, &res->latency, where, errbuf, errlen) ||
		    sim_get_ticks(r, "cycle", 0, res->policy == RTCSIM_TDMA, &res->cycle, where,
				  errbuf, errlen))
			return -1;
		if (res->rate_micro <= 0)
			return sim_fail(errbuf, errlen, "%s.rate: must be > 0", where);
		if (res->policy == RTCSIM_TDMA && res->cycle <= 0)
			return sim_fail(errbuf, errlen, "%s.cycle: must be > 0", where);
		if (res->policy == RTCSIM_TDMA && res->latency != 0)
			return sim_fail(errbuf, errlen, "%s.latency: must be 0 on tdma", where);
		if (sim_resource_find(m, name) != i)
			return sim_fail(errbuf, errlen, "%s.name: duplicate", where);
	}
	return 0;
}

static int sim_parse_task(json_t *t, struct rtcsim_model *m, int si, int hop, char *errbuf,
			  size_t errlen)
{
	char where[80];
	struct rtcsim_task *task = &m->tasks[m->ntasks];
	snprintf(where, sizeof(where), "streams[%d].path[%d]", si, hop);
	const char *name = sim_get_str(t, "task");
	const char *rname = sim_get_str(t, "resource");
	if (!name || !rname)
		return sim_fail(errbuf, errlen, "%s: task and resource are required", where);
	task->name = sim_xstrdup(name);
	m->ntasks++;
	task->stream = si;
	task->hop = hop;
	task->resource = sim_resource_find(m, rname);
	if (task->resource < 0)
		return sim_fail(errbuf, errlen, "%s.resource: unknown", where);
	const struct rtcsim_resource *res = &m->resources[task->resource];
	int64_t prio;
	if (sim_get_ticks(t, "wcet", 0, 1, &task->wcet, where, errbuf, errlen) ||
	    sim_get_ticks(t, "bcet", task->wcet, 0, &task->bcet, where, errbuf, errlen) ||
	    sim_get_ticks(t, "priority", 0, res->policy == RTCSIM_FP, &prio, where, errbuf,
			  errlen) ||
	    sim_get_ticks(t, "deadline", 0, res->policy == RTCSIM_EDF, &task->deadline, where,
			  errbuf, errlen) ||
	    sim_get_ticks(t, "slot", 0, res->policy == RTCSIM_TDMA, &task->slot, where, errbuf,
			  errlen))
		return -1;
	task->priority = (long)(prio / RTCSIM_TICKS);
	if (task->bcet > task->wcet)
		return sim_fail(errbuf, errlen, "%s.bcet: greater than wcet", where);
	if (res->policy == RTCSIM_FP) {
		for (int j = 0; j < m->ntasks - 1; j++)
			if (m->tasks[j].resource == task->resource &&
			    m->tasks[j].priority == task->priority)
				return sim_fail(errbuf, errlen, "%s.priority: shared with %s",
						where, m->tasks[j].name);
	}
	return 0;
}

int rtcsim_model_parse(const char *json, size_t len, struct rtcsim_model **out, char *errbuf,
		       size_t errlen)
{
	json_error_t jerr;
	int rc = -1;
	*out = NULL;
	json_t *root = json_loadb(json, len, 0, &jerr);
	if (!root)
		return sim_fail(errbuf, errlen, "json: %s (line %d)", jerr.text, jerr.line);
	struct rtcsim_model *m = sim_xcalloc(1, sizeof(*m));
	if (sim_parse_resources(json_object_get(root, "resources"), m, errbuf, errlen))
		goto out;
	json_t *streams = json_object_get(root, "streams");
	if (!json_is_array(streams) || json_array_size(streams) == 0) {
		sim_fail(errbuf, errlen, "streams: expected a non-empty array");
		goto out;
	}
	size_t total = 0;
	for (size_t i = 0; i < json_array_size(streams); i++)
		total += json_array_size(json_object_get(json_array_get(streams, i), "path"));
	m->nstreams = (int)json_array_size(streams);
	m->streams = sim_xcalloc((size_t)m->nstreams, sizeof(*m->streams));
	m->tasks = sim_xcalloc(total, sizeof(*m->tasks));
	for (int i = 0; i < m->nstreams; i++) {
		char where[48];
		json_t *s = json_array_get(streams, (size_t)i);
		struct rtcsim_stream *st = &m->streams[i];
		snprintf(where, sizeof(where), "streams[%d]", i);
		const char *name = sim_get_str(s, "name");
		st->name = sim_xstrdup(name ? name : where);
		if (sim_get_ticks(s, "period", 0, 1, &st->period, where, errbuf, errlen) ||
		    sim_get_ticks(s, "jitter", 0, 0, &st->jitter, where, errbuf, errlen) ||
		    sim_get_ticks(s, "min_distance", 0, 0, &st->min_distance, where, errbuf,
				  errlen) ||
		    sim_get_ticks(s, "deadline", 0, 0, &st->deadline, where, errbuf, errlen))
			goto out;
		if (st->period <= 0) {
			sim_fail(errbuf, errlen, "%s.period: must be > 0", where);
			goto out;
		}
		json_t *path = json_object_get(s, "path");
		if (!json_is_array(path) || json_array_size(path) == 0) {
			sim_fail(errbuf, errlen, "%s.path: expected a non-empty array", where);
			goto out;
		}
		st->first_task = m->ntasks;
		st->ntasks = (int)json_array_size(path);
		for (int h = 0; h < st->ntasks; h++)
			if (sim_parse_task(json_array_get(path, (size_t)h), m, i, h, errbuf,
					   errlen))
				goto out;
	}
	/* TDMA: slots back to back in declaration order, the first at offset 0. */
	for (int r = 0; r < m->nresources; r++) {
		if (m->resources[r].policy != RTCSIM_TDMA)
			continue;
		int64_t off = 0;
		for (int t = 0; t < m->ntasks; t++) {
			if (m->tasks[t].resource != r)
				continue;
			m->tasks[t].slot_offset = off;
			off += m->tasks[t].slot;
		}
		if (off > m->resources[r].cycle) {
			sim_fail(errbuf, errlen, "resources[%d].cycle: slots exceed the cycle", r);
			goto out;
		}
	}
	rc = 0;
	*out = m;
	m = NULL;
out:
	rtcsim_model_free(m);
	json_decref(root);
	return rc;
}

/* ---- simulation state ---------------------------------------------------------- */

struct sim_job {
	int64_t release;   /* release at this task */
	int64_t arrival;   /* the stream event's arrival at the first task */
	int64_t remaining; /* work, 1e-12 service units */
	int64_t abs_deadline;
	uint64_t tiebreak;
};

/* A FIFO of jobs (ring buffer). */
struct sim_queue {
	struct sim_job *jobs;
	size_t head, len, cap;
};

static void sim_queue_push(struct sim_queue *q, const struct sim_job *j)
{
	if (q->len == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 8;
		struct sim_job *n = sim_xcalloc(ncap, sizeof(*n));
		for (size_t i = 0; i < q->len; i++)
			n[i] = q->jobs[(q->head + i) % q->cap];
		free(q->jobs);
		q->jobs = n;
		q->cap = ncap;
		q->head = 0;
	}
	q->jobs[(q->head + q->len) % q->cap] = *j;
	q->len++;
}

static struct sim_job *sim_queue_front(struct sim_queue *q)
{
	return q->len ? &q->jobs[q->head] : NULL;
}

static void sim_queue_pop(struct sim_queue *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

struct sim {
	const struct rtcsim_model *m;
	const struct rtcsim_options *o;
	struct rtcsim_stats *st;
	uint64_t rng;
	struct sim_queue *queues; /* per task */
	int64_t **arrivals;	  /* per stream, sorted */
	long *narrivals, *next_arrival;
	int64_t *blackout_start; /* per resource; blackout [start, start + latency) */
	int *blackout_task;	 /* BLACKOUT_RELEASE: the task whose job starts it, or -1 */
	int64_t *blackout_job;	 /* ... and that job's index among the task's releases */
	long *released;		 /* per task: jobs released so far */
	int **res_tasks;	 /* per resource: its task indices */
	int *res_ntasks;
	int64_t now;
	long pending;
};

void rtcsim_options_init(struct rtcsim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->hyperperiods = 3;
	o->min_events = 20;
	o->max_events = 1000000;
	o->phase = RTCSIM_PHASE_RANDOM;
	o->exec = RTCSIM_EXEC_RANDOM;
	o->jitter = RTCSIM_JITTER_RANDOM;
	o->edf_random_ties = 1;
	o->blackout = RTCSIM_BLACKOUT_RANDOM;
}

int64_t rtcsim_hyperperiod(const struct rtcsim_model *m, int64_t limit)
{
	int64_t h = 1;
	for (int i = 0; i < m->nstreams; i++) {
		int64_t p = m->streams[i].period;
		int64_t g = sim_gcd(h, p);
		if (h / g > limit / p)
			return -1;
		h = h / g * p;
		if (h > limit)
			return -1;
	}
	return h;
}

/* Draws the work (1e-12 units) of one job of TASK. */
static int64_t sim_draw_work(struct sim *s, const struct rtcsim_task *t)
{
	int64_t rate = s->m->resources[t->resource].rate_micro;
	int64_t e = t->wcet;
	switch (s->o->exec) {
	case RTCSIM_EXEC_WCET:
		break;
	case RTCSIM_EXEC_EXTREMES:
		e = (rtcsim_rng_next(&s->rng) & 1) ? t->wcet : t->bcet;
		break;
	case RTCSIM_EXEC_RANDOM: {
		/* Prefer demands that finish on a tick: multiples of g service micro-units. */
		int64_t g = rate / sim_gcd(rate, RTCSIM_TICKS);
		int64_t lo = (t->bcet + g - 1) / g, hi = t->wcet / g;
		if (lo <= hi)
			e = rtcsim_rng_range(&s->rng, lo, hi) * g;
		else
			e = rtcsim_rng_range(&s->rng, t->bcet, t->wcet);
		break;
	}
	}
	return e * RTCSIM_TICKS;
}

/* Fills s->arrivals for every stream: the event times the arrival model allows. */
static int sim_make_arrivals(struct sim *s, char *errbuf, size_t errlen)
{
	const struct rtcsim_model *m = s->m;
	int64_t maxp = 0, maxj = 0;
	int64_t maxd = 0;
	for (int i = 0; i < m->nstreams; i++)
		if (m->tasks[m->streams[i].first_task].deadline > maxd)
			maxd = m->tasks[m->streams[i].first_task].deadline;
	for (int i = 0; i < m->nstreams; i++) {
		if (m->streams[i].period > maxp)
			maxp = m->streams[i].period;
		if (m->streams[i].jitter > maxj)
			maxj = m->streams[i].jitter;
	}
	int64_t hyper = rtcsim_hyperperiod(m, INT64_MAX / 64);
	int64_t horizon = (hyper > 0 && s->o->hyperperiods > 0) ? hyper * s->o->hyperperiods : 0;
	if (horizon < s->o->min_events * maxp)
		horizon = s->o->min_events * maxp;
	long cap = s->o->max_events > 0 ? s->o->max_events : 1000000;
	/* Too many events for the cap: shorten the horizon, stream by stream rates. */
	double rate_sum = 0;
	for (int i = 0; i < m->nstreams; i++)
		rate_sum += (double)horizon / (double)m->streams[i].period;
	if (rate_sum > (double)cap)
		horizon = (int64_t)((double)horizon * ((double)cap / rate_sum));
	if (horizon <= 0)
		return sim_fail(errbuf, errlen, "horizon: empty");
	s->st->horizon = horizon;

	for (int i = 0; i < m->nstreams; i++) {
		const struct rtcsim_stream *str = &m->streams[i];
		int64_t phase = 0;
		if (s->o->phase == RTCSIM_PHASE_RANDOM)
			phase = rtcsim_rng_range(&s->rng, 0, str->period - 1);
		else if (s->o->phase == RTCSIM_PHASE_CRITICAL)
			phase =
			    maxj - str->jitter; /* bursts (first event late by J) line up at maxj */
		else if (s->o->phase == RTCSIM_PHASE_DEADLINE)
			phase = maxj - str->jitter + maxd - m->tasks[str->first_task].deadline;
		long n = (long)(horizon / str->period) + 1;
		s->arrivals[i] = sim_xcalloc((size_t)n, sizeof(int64_t));
		int64_t prev = INT64_MIN;
		long k;
		for (k = 0; k < n; k++) {
			int64_t nominal = phase + k * str->period;
			if (nominal >= horizon + phase)
				break;
			int64_t lo = nominal, hi = nominal + str->jitter;
			if (prev != INT64_MIN && prev + str->min_distance > lo)
				lo = prev + str->min_distance;
			if (lo > hi)
				hi = lo; /* min_distance > period: the distance wins */
			int64_t t;
			switch (s->o->jitter) {
			case RTCSIM_JITTER_EXTREMES:
				t = (rtcsim_rng_next(&s->rng) & 1) ? hi : lo;
				break;
			case RTCSIM_JITTER_BURST:
				t = k == 0 ? hi : lo;
				break;
			default:
				t = rtcsim_rng_range(&s->rng, lo, hi);
				break;
			}
			s->arrivals[i][k] = t;
			prev = t;
		}
		s->narrivals[i] = k;
	}
	/* Blackouts: one of length latency per resource, the worst a rate-latency curve allows. */
	for (int r = 0; r < m->nresources; r++) {
		s->blackout_task[r] = -1;
		switch (s->o->blackout) {
		case RTCSIM_BLACKOUT_CRITICAL:
			s->blackout_start[r] = s->o->phase == RTCSIM_PHASE_CRITICAL ? maxj : 0;
			break;
		case RTCSIM_BLACKOUT_RELEASE:
			s->blackout_start[r] = INT64_MAX; /* set when the chosen job is released */
			if (s->res_ntasks[r] > 0) {
				int t = s->res_tasks[r][rtcsim_rng_range(&s->rng, 0,
									 s->res_ntasks[r] - 1)];
				int64_t p = m->streams[m->tasks[t].stream].period;
				int64_t span = hyper > 0 && hyper < horizon ? hyper : horizon;
				s->blackout_task[r] = t;
				s->blackout_job[r] = rtcsim_rng_range(&s->rng, 0, span / p);
			}
			break;
		default:
			s->blackout_start[r] = rtcsim_rng_range(
			    &s->rng, 0, hyper > 0 && hyper < horizon ? hyper : horizon);
			break;
		}
	}
	return 0;
}

static void sim_sample_backlog(struct sim *s, int t)
{
	long b = (long)s->queues[t].len;
	if (b > s->st->tasks[t].max_backlog)
		s->st->tasks[t].max_backlog = b;
}

static void sim_release(struct sim *s, int t, int64_t arrival)
{
	const struct rtcsim_task *task = &s->m->tasks[t];
	struct sim_job j = {
	    .release = s->now,
	    .arrival = arrival,
	    .remaining = sim_draw_work(s, task),
	    .abs_deadline = s->now + task->deadline,
	    .tiebreak = s->o->edf_random_ties ? rtcsim_rng_next(&s->rng) : (uint64_t)t,
	};
	sim_queue_push(&s->queues[t], &j);
	s->pending++;
	int r = task->resource;
	if (s->blackout_task[r] == t && s->blackout_job[r] == s->released[t])
		s->blackout_start[r] = s->now;
	s->released[t]++;
}

/*
 * Completes the head jobs of every task whose work is done (repeatedly: a
 * completion may release a zero-work job downstream), then releases stream
 * events due now, then samples backlogs.
 */
static void sim_settle(struct sim *s)
{
	const struct rtcsim_model *m = s->m;
	int changed = 1;
	while (changed) {
		changed = 0;
		for (int t = 0; t < m->ntasks; t++) {
			struct sim_job *j;
			while ((j = sim_queue_front(&s->queues[t])) && j->remaining == 0) {
				struct rtcsim_task_stats *ts = &s->st->tasks[t];
				int64_t resp = s->now - j->release, arrival = j->arrival;
				if (resp > ts->max_response)
					ts->max_response = resp;
				if (resp < ts->min_response)
					ts->min_response = resp;
				ts->jobs++;
				sim_queue_pop(&s->queues[t]);
				s->pending--;
				const struct rtcsim_task *task = &m->tasks[t];
				const struct rtcsim_stream *str = &m->streams[task->stream];
				if (task->hop + 1 < str->ntasks) {
					sim_release(s, t + 1, arrival);
				} else {
					struct rtcsim_stream_stats *ss =
					    &s->st->streams[task->stream];
					if (s->now - arrival > ss->max_latency)
						ss->max_latency = s->now - arrival;
					ss->events++;
				}
				changed = 1;
			}
		}
		if (!changed) {
			/* Arrivals at now, after the completions at now. */
			for (int i = 0; i < m->nstreams; i++) {
				while (s->next_arrival[i] < s->narrivals[i] &&
				       s->arrivals[i][s->next_arrival[i]] == s->now) {
					sim_release(s, m->streams[i].first_task, s->now);
					s->next_arrival[i]++;
					changed = 1;
				}
			}
		}
	}
	for (int t = 0; t < m->ntasks; t++)
		sim_sample_backlog(s, t);
}

/*
 * The task whose head job resource R serves at NOW, or -1; *edge is set to
 * the next instant > NOW at which R's availability or slot owner changes
 * (INT64_MAX when never).
 */
static int sim_select(struct sim *s, int r, int64_t *edge)
{
	const struct rtcsim_model *m = s->m;
	const struct rtcsim_resource *res = &m->resources[r];
	int best = -1, busy = 0;
	*edge = INT64_MAX;
	for (int k = 0; k < s->res_ntasks[r] && !busy; k++)
		busy = s->queues[s->res_tasks[r][k]].len > 0;
	if (!busy)
		return -1; /* idle: its edges change nothing */
	if (res->latency > 0 && s->blackout_start[r] != INT64_MAX) {
		int64_t b0 = s->blackout_start[r], b1 = b0 + res->latency;
		if (s->now < b0)
			*edge = b0;
		else if (s->now < b1) {
			*edge = b1;
			return -1;
		}
	}
	if (res->policy == RTCSIM_TDMA) {
		int64_t base = s->now - s->now % res->cycle, pos = s->now % res->cycle;
		int64_t next = res->cycle; /* next slot edge in cycle-relative time */
		for (int k = 0; k < s->res_ntasks[r]; k++) {
			int t = s->res_tasks[r][k];
			const struct rtcsim_task *task = &m->tasks[t];
			int64_t a = task->slot_offset, b = a + task->slot;
			if (a > pos && a < next)
				next = a;
			if (b > pos && b < next)
				next = b;
			if (pos >= a && pos < b && s->queues[t].len)
				best = t;
		}
		if (base + next < *edge)
			*edge = base + next;
		return best;
	}
	for (int k = 0; k < s->res_ntasks[r]; k++) {
		int t = s->res_tasks[r][k];
		struct sim_job *j = sim_queue_front(&s->queues[t]);
		if (!j)
			continue;
		if (best < 0) {
			best = t;
			continue;
		}
		if (res->policy == RTCSIM_FP) {
			if (m->tasks[t].priority < m->tasks[best].priority)
				best = t;
		} else {
			struct sim_job *bj = sim_queue_front(&s->queues[best]);
			if (j->abs_deadline < bj->abs_deadline ||
			    (j->abs_deadline == bj->abs_deadline && j->tiebreak < bj->tiebreak))
				best = t;
		}
	}
	return best;
}

static void sim_destroy(struct sim *s)
{
	const struct rtcsim_model *m = s->m;
	if (s->queues)
		for (int t = 0; t < m->ntasks; t++)
			free(s->queues[t].jobs);
	if (s->arrivals)
		for (int i = 0; i < m->nstreams; i++)
			free(s->arrivals[i]);
	if (s->res_tasks)
		for (int r = 0; r < m->nresources; r++)
			free(s->res_tasks[r]);
	free(s->queues);
	free(s->arrivals);
	free(s->narrivals);
	free(s->next_arrival);
	free(s->blackout_start);
	free(s->blackout_task);
	free(s->blackout_job);
	free(s->released);
	free(s->res_tasks);
	free(s->res_ntasks);
}

void rtcsim_stats_free(struct rtcsim_stats *st)
{
	if (!st)
		return;
	free(st->tasks);
	free(st->streams);
	st->tasks = NULL;
	st->streams = NULL;
}

/* Allocates the per-run state of S for model M (rtcsim_run and rtcsim_arrivals). */
static void sim_init(struct sim *s, const struct rtcsim_model *m, const struct rtcsim_options *o,
		     struct rtcsim_stats *st)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->o = o;
	s->st = st;
	s->rng = o->seed ^ 0x6b61697266736d31ULL;
	memset(st, 0, sizeof(*st));
	st->tasks = sim_xcalloc((size_t)m->ntasks, sizeof(*st->tasks));
	st->streams = sim_xcalloc((size_t)m->nstreams, sizeof(*st->streams));
	for (int t = 0; t < m->ntasks; t++)
		st->tasks[t].min_response = INT64_MAX;
	s->queues = sim_xcalloc((size_t)m->ntasks, sizeof(*s->queues));
	s->arrivals = sim_xcalloc((size_t)m->nstreams, sizeof(*s->arrivals));
	s->narrivals = sim_xcalloc((size_t)m->nstreams, sizeof(long));
	s->next_arrival = sim_xcalloc((size_t)m->nstreams, sizeof(long));
	s->blackout_start = sim_xcalloc((size_t)m->nresources, sizeof(int64_t));
	s->blackout_task = sim_xcalloc((size_t)m->nresources, sizeof(int));
	s->blackout_job = sim_xcalloc((size_t)m->nresources, sizeof(int64_t));
	s->released = sim_xcalloc((size_t)m->ntasks, sizeof(long));
	s->res_tasks = sim_xcalloc((size_t)m->nresources, sizeof(int *));
	s->res_ntasks = sim_xcalloc((size_t)m->nresources, sizeof(int));
	for (int r = 0; r < m->nresources; r++) {
		s->res_tasks[r] = sim_xcalloc((size_t)m->ntasks, sizeof(int));
		for (int t = 0; t < m->ntasks; t++)
			if (m->tasks[t].resource == r)
				s->res_tasks[r][s->res_ntasks[r]++] = t;
	}
}

long rtcsim_arrivals(const struct rtcsim_model *m, const struct rtcsim_options *o, int i,
		     int64_t **out)
{
	struct sim s;
	struct rtcsim_stats st;
	long n = -1;
	*out = NULL;
	sim_init(&s, m, o, &st);
	if (i >= 0 && i < m->nstreams && sim_make_arrivals(&s, NULL, 0) == 0) {
		n = s.narrivals[i];
		*out = s.arrivals[i];
		s.arrivals[i] = NULL;
	}
	sim_destroy(&s);
	rtcsim_stats_free(&st);
	return n;
}

int rtcsim_run(const struct rtcsim_model *m, const struct rtcsim_options *o,
	       struct rtcsim_stats *st, char *errbuf, size_t errlen)
{
	struct sim s;
	int rc = -1;
	sim_init(&s, m, o, st);
	if (sim_make_arrivals(&s, errbuf, errlen))
		goto out;

	/* Stop once drained, or at a cap well past the horizon (an overloaded model). */
	int64_t cap = st->horizon * 8 + 1000 * RTCSIM_TICKS;
	int *sel = sim_xcalloc((size_t)m->nresources, sizeof(int));
	s.now = 0; /* every arrival is >= 0; blackouts and TDMA cycles are anchored at 0 */
	for (;;) {
		sim_settle(&s);
		int64_t next = INT64_MAX;
		for (int i = 0; i < m->nstreams; i++)
			if (s.next_arrival[i] < s.narrivals[i] &&
			    s.arrivals[i][s.next_arrival[i]] < next)
				next = s.arrivals[i][s.next_arrival[i]];
		if (s.pending == 0 && next == INT64_MAX)
			break;
		if (s.now >= cap)
			break;
		for (int r = 0; r < m->nresources; r++) {
			int64_t edge;
			sel[r] = s.pending ? sim_select(&s, r, &edge) : -1;
			if (s.pending && edge < next)
				next = edge;
			if (sel[r] >= 0) {
				const struct sim_job *j = sim_queue_front(&s.queues[sel[r]]);
				int64_t rate = m->resources[r].rate_micro;
				int64_t done = s.now + (j->remaining + rate - 1) / rate;
				if (done < next)
					next = done;
			}
		}
		if (next == INT64_MAX)
			break; /* pending work that no resource will ever serve */
		if (next > cap)
			next = cap;
		int64_t dt = next - s.now;
		for (int r = 0; r < m->nresources; r++) {
			if (sel[r] < 0)
				continue;
			struct sim_job *j = sim_queue_front(&s.queues[sel[r]]);
			int64_t served = dt * m->resources[r].rate_micro;
			if (served >= j->remaining) {
				if (served > j->remaining)
					st->inexact++;
				j->remaining = 0;
			} else {
				j->remaining -= served;
			}
		}
		s.now = next;
	}
	free(sel);

	/* Jobs that never completed: their response is at least now - release. */
	st->end_time = s.now;
	st->pending = s.pending;
	for (int t = 0; t < m->ntasks; t++) {
		struct sim_queue *q = &s.queues[t];
		for (size_t i = 0; i < q->len; i++) {
			const struct sim_job *j = &q->jobs[(q->head + i) % q->cap];
			if (s.now - j->release > st->tasks[t].max_response)
				st->tasks[t].max_response = s.now - j->release;
			struct rtcsim_stream_stats *ss = &st->streams[m->tasks[t].stream];
			if (s.now - j->arrival > ss->max_latency)
				ss->max_latency = s.now - j->arrival;
		}
	}
	rc = 0;
out:
	sim_destroy(&s);
	if (rc)
		rtcsim_stats_free(st);
	return rc;
}

void rtcsim_stats_merge(struct rtcsim_stats *a, const struct rtcsim_stats *b,
			const struct rtcsim_model *m)
{
	for (int t = 0; t < m->ntasks; t++) {
		struct rtcsim_task_stats *x = &a->tasks[t];
		const struct rtcsim_task_stats *y = &b->tasks[t];
		if (y->max_response > x->max_response)
			x->max_response = y->max_response;
		if (y->min_response < x->min_response)
			x->min_response = y->min_response;
		if (y->max_backlog > x->max_backlog)
			x->max_backlog = y->max_backlog;
		x->jobs += y->jobs;
	}
	for (int i = 0; i < m->nstreams; i++) {
		if (b->streams[i].max_latency > a->streams[i].max_latency)
			a->streams[i].max_latency = b->streams[i].max_latency;
		a->streams[i].events += b->streams[i].events;
	}
	if (b->end_time > a->end_time)
		a->end_time = b->end_time;
	a->pending += b->pending;
	a->inexact += b->inexact;
	if (b->horizon > a->horizon)
		a->horizon = b->horizon;
}
