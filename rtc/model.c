/*
 * model.c - the analysis model: builders, copies, look-ups and the validation
 * of every rule a well-formed model must follow (bad models are rejected with
 * a message naming the JSON field at fault, never analysed).
 */
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

#define GROW(arr, n, cap)                                                          \
	do {                                                                       \
		if ((n) == (cap)) {                                                \
			(cap) = (cap) ? 2 * (cap) : 8;                             \
			(arr) = kairos_xrealloc((arr), (size_t)(cap) * sizeof(*(arr))); \
		}                                                                  \
	} while (0)

struct rtc_model *rtc_model_new(void)
{
	return kairos_xcalloc(1, sizeof(struct rtc_model));
}

void rtc_model_free(struct rtc_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nresources; i++)
		free(m->resources[i].name);
	for (int i = 0; i < m->ntasks; i++)
		free(m->tasks[i].name);
	for (int i = 0; i < m->nstreams; i++) {
		free(m->streams[i].name);
		free(m->streams[i].path);
	}
	free(m->resources);
	free(m->tasks);
	free(m->streams);
	free(m);
}

struct rtc_model *rtc_model_clone(const struct rtc_model *m)
{
	struct rtc_model *c = rtc_model_new();
	c->nresources = c->cap_resources = m->nresources;
	c->ntasks = c->cap_tasks = m->ntasks;
	c->nstreams = c->cap_streams = m->nstreams;
	c->resources = kairos_xcalloc((size_t)m->nresources + 1, sizeof(*c->resources));
	c->tasks = kairos_xcalloc((size_t)m->ntasks + 1, sizeof(*c->tasks));
	c->streams = kairos_xcalloc((size_t)m->nstreams + 1, sizeof(*c->streams));
	for (int i = 0; i < m->nresources; i++) {
		c->resources[i] = m->resources[i];
		c->resources[i].name = kairos_xstrdup(m->resources[i].name);
	}
	for (int i = 0; i < m->ntasks; i++) {
		c->tasks[i] = m->tasks[i];
		c->tasks[i].name = kairos_xstrdup(m->tasks[i].name);
	}
	for (int i = 0; i < m->nstreams; i++) {
		const struct rtc_stream *s = &m->streams[i];
		c->streams[i] = *s;
		c->streams[i].name = kairos_xstrdup(s->name);
		c->streams[i].path_cap = s->path_len;
		c->streams[i].path = kairos_xmalloc(((size_t)s->path_len + 1) * sizeof(int));
		if (s->path_len)
			memcpy(c->streams[i].path, s->path, (size_t)s->path_len * sizeof(int));
	}
	return c;
}

int rtc_model_find_resource(const struct rtc_model *m, const char *name)
{
	for (int i = 0; i < m->nresources; i++)
		if (strcmp(m->resources[i].name, name) == 0)
			return i;
	return -1;
}

int rtc_model_find_stream(const struct rtc_model *m, const char *name)
{
	for (int i = 0; i < m->nstreams; i++)
		if (strcmp(m->streams[i].name, name) == 0)
			return i;
	return -1;
}

int rtc_model_find_task(const struct rtc_model *m, const char *name)
{
	for (int i = 0; i < m->ntasks; i++)
		if (m->tasks[i].stream >= 0 && strcmp(m->tasks[i].name, name) == 0)
			return i;
	return -1;
}

int rtc_model_add_resource(struct rtc_model *m, const char *name, enum rtc_policy policy,
			   struct kairos_error *err)
{
	if (rtc_model_find_resource(m, name) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "resources.name", "resources.name: duplicate resource \"%s\"",
					name);
	GROW(m->resources, m->nresources, m->cap_resources);
	struct rtc_resource *r = &m->resources[m->nresources];
	memset(r, 0, sizeof(*r));
	r->name = kairos_xstrdup(name);
	r->policy = policy;
	r->kind = RTC_KIND_HOST;
	r->rate_micro = RTC_TICKS_PER_UNIT;
	return m->nresources++;
}

int rtc_model_add_stream(struct rtc_model *m, const char *name, int64_t period, struct kairos_error *err)
{
	if (rtc_model_find_stream(m, name) >= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "streams.name", "streams.name: duplicate stream \"%s\"", name);
	return rtc_model_stream_append(m, name, period);
}

int rtc_model_stream_append(struct rtc_model *m, const char *name, int64_t period)
{
	GROW(m->streams, m->nstreams, m->cap_streams);
	struct rtc_stream *s = &m->streams[m->nstreams];
	memset(s, 0, sizeof(*s));
	s->name = kairos_xstrdup(name);
	s->period = period;
	return m->nstreams++;
}

int rtc_model_add_task(struct rtc_model *m, int stream, const char *name, int resource, int64_t wcet,
		       int64_t bcet, struct kairos_error *err)
{
	if (stream < 0 || stream >= m->nstreams)
		return kairos_error_set(err, KAIROS_EINVAL, "stream", "stream: no stream with index %d", stream);
	if (resource < 0 || resource >= m->nresources)
		return kairos_error_set(err, KAIROS_EINVAL, "resource", "resource: no resource with index %d",
					resource);
	/* A name used twice is allowed here so that the validator can tell a
	 * cycle in a path (same task twice) from a clash between streams. */
	GROW(m->tasks, m->ntasks, m->cap_tasks);
	struct rtc_task *t = &m->tasks[m->ntasks];
	memset(t, 0, sizeof(*t));
	t->name = kairos_xstrdup(name);
	t->resource = resource;
	t->stream = stream;
	t->wcet = wcet;
	t->bcet = bcet;
	t->replica_of = -1;
	struct rtc_stream *s = &m->streams[stream];
	GROW(s->path, s->path_len, s->path_cap);
	t->hop = s->path_len;
	s->path[s->path_len++] = m->ntasks;
	return m->ntasks++;
}

/* "streams[S].path[H].FIELD" for task T. */
static void task_field(const struct rtc_model *m, int t, const char *field, char *buf, size_t size)
{
	snprintf(buf, size, "streams[%d].path[%d].%s", m->tasks[t].stream, m->tasks[t].hop, field);
}

#define BAD(fieldbuf, ...) kairos_error_set(err, KAIROS_EINVAL, fieldbuf, __VA_ARGS__)

static int validate_resources(const struct rtc_model *m, struct kairos_error *err)
{
	char f[128];
	for (int i = 0; i < m->nresources; i++) {
		const struct rtc_resource *r = &m->resources[i];
		if (r->rate_micro <= 0) {
			snprintf(f, sizeof(f), "resources[%d].rate", i);
			return BAD(f, "%s: must be > 0", f);
		}
		if (r->latency < 0) {
			snprintf(f, sizeof(f), "resources[%d].latency", i);
			return BAD(f, "%s: negative time", f);
		}
		if (r->policy == RTC_POLICY_TDMA) {
			if (r->cycle <= 0) {
				snprintf(f, sizeof(f), "resources[%d].cycle", i);
				return BAD(f, "%s: a tdma resource needs a cycle > 0", f);
			}
			if (r->latency != 0) {
				snprintf(f, sizeof(f), "resources[%d].latency", i);
				return BAD(f, "%s: must be 0 on a tdma resource", f);
			}
		} else if (r->cycle < 0) {
			snprintf(f, sizeof(f), "resources[%d].cycle", i);
			return BAD(f, "%s: negative time", f);
		}
	}
	return 0;
}

static int validate_stream(const struct rtc_model *m, int si, struct kairos_error *err)
{
	const struct rtc_stream *s = &m->streams[si];
	char f[128];
	if (s->period <= 0) {
		snprintf(f, sizeof(f), "streams[%d].period", si);
		return BAD(f, "%s: must be > 0", f);
	}
	if (s->jitter < 0 || s->min_distance < 0 || (s->has_deadline && s->deadline < 0)) {
		const char *which = s->jitter < 0 ? "jitter" : s->min_distance < 0 ? "min_distance" : "deadline";
		snprintf(f, sizeof(f), "streams[%d].%s", si, which);
		return BAD(f, "%s: negative time", f);
	}
	for (int h = 0; h < s->path_len; h++) {
		int t = s->path[h];
		for (int k = 0; k < h; k++)
			if (strcmp(m->tasks[s->path[k]].name, m->tasks[t].name) == 0) {
				task_field(m, t, "task", f, sizeof(f));
				return BAD(f, "%s: \"%s\" appears twice in the path (a cycle)", f, m->tasks[t].name);
			}
	}
	return 0;
}

static int validate_task(const struct rtc_model *m, int t, struct kairos_error *err)
{
	const struct rtc_task *k = &m->tasks[t];
	char f[128];
	if (k->resource < 0 || k->resource >= m->nresources) {
		task_field(m, t, "resource", f, sizeof(f));
		return BAD(f, "%s: unknown resource", f);
	}
	const struct rtc_resource *r = &m->resources[k->resource];
	if (k->wcet < 0 || k->bcet < 0) {
		task_field(m, t, k->wcet < 0 ? "wcet" : "bcet", f, sizeof(f));
		return BAD(f, "%s: negative time", f);
	}
	if (k->bcet > k->wcet) {
		task_field(m, t, "bcet", f, sizeof(f));
		return BAD(f, "%s: greater than wcet", f);
	}
	if (k->has_deadline && k->deadline < 0) {
		task_field(m, t, "deadline", f, sizeof(f));
		return BAD(f, "%s: negative time", f);
	}
	if (k->slot < 0) {
		task_field(m, t, "slot", f, sizeof(f));
		return BAD(f, "%s: negative time", f);
	}
	if (r->is_down) {
		task_field(m, t, "resource", f, sizeof(f));
		return BAD(f, "%s: resource \"%s\" is down", f, r->name);
	}
	switch (r->policy) {
	case RTC_POLICY_FP:
		if (!k->has_priority) {
			task_field(m, t, "priority", f, sizeof(f));
			return BAD(f, "%s: required on fp resource \"%s\"", f, r->name);
		}
		break; /* ties: validate_ties() */
	case RTC_POLICY_EDF:
		if (!k->has_deadline) {
			task_field(m, t, "deadline", f, sizeof(f));
			return BAD(f, "%s: required on edf resource \"%s\"", f, r->name);
		}
		break;
	case RTC_POLICY_TDMA:
		if (k->slot <= 0) {
			task_field(m, t, "slot", f, sizeof(f));
			return BAD(f, "%s: a task on tdma resource \"%s\" needs a slot > 0", f, r->name);
		}
		break;
	}
	if (k->replica_of >= 0) {
		task_field(m, t, "replica_of", f, sizeof(f));
		if (k->replica_of >= m->ntasks || m->tasks[k->replica_of].stream < 0)
			return BAD(f, "%s: unknown task", f);
		if (k->replica_of == t)
			return BAD(f, "%s: a task cannot replicate itself", f);
		if (m->tasks[k->replica_of].resource == k->resource)
			return BAD(f, "%s: \"%s\" shares resource \"%s\" with its primary \"%s\"", f, k->name,
				   r->name, m->tasks[k->replica_of].name);
	}
	return 0;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct rtc_model *m = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(m->tasks[x].name, m->tasks[y].name);
	return c ? c : (x > y) - (x < y);
}

static int cmp_prio(const void *a, const void *b, void *ctx)
{
	const struct rtc_model *m = ctx;
	const struct rtc_task *x = &m->tasks[*(const int *)a], *y = &m->tasks[*(const int *)b];
	if (x->resource != y->resource)
		return x->resource < y->resource ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/*
 * Duplicate task names across streams and fp priority ties, in O(T log T) by
 * sorting (a model of 10^4 tasks is validated on every admission). The later
 * task in declaration order is the one reported.
 */
static int validate_ties(const struct rtc_model *m, struct kairos_error *err)
{
	char f[160];
	int n = 0, rc = 0;
	int *idx = kairos_xmalloc(((size_t)m->ntasks + 1) * sizeof(int));
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0)
			idx[n++] = t;
	qsort_r(idx, (size_t)n, sizeof(int), cmp_name, (void *)m);
	for (int i = 1; i < n && !rc; i++) {
		const struct rtc_task *a = &m->tasks[idx[i - 1]], *b = &m->tasks[idx[i]];
		if (strcmp(a->name, b->name) == 0) {
			task_field(m, idx[i], "task", f, sizeof(f));
			rc = BAD(f, "%s: duplicate task name \"%s\"", f, b->name);
		}
	}
	n = 0;
	for (int t = 0; t < m->ntasks && !rc; t++)
		if (m->tasks[t].stream >= 0 && m->resources[m->tasks[t].resource].policy == RTC_POLICY_FP)
			idx[n++] = t;
	if (!rc)
		qsort_r(idx, (size_t)n, sizeof(int), cmp_prio, (void *)m);
	for (int i = 1; i < n && !rc; i++) {
		const struct rtc_task *a = &m->tasks[idx[i - 1]], *b = &m->tasks[idx[i]];
		if (a->resource == b->resource && a->priority == b->priority) {
			task_field(m, idx[i], "priority", f, sizeof(f));
			rc = BAD(f, "%s: priority %ld of \"%s\" ties with \"%s\" on resource \"%s\"", f,
				 b->priority, b->name, a->name, m->resources[b->resource].name);
		}
	}
	free(idx);
	return rc;
}

int rtc_model_validate_task(const struct rtc_model *m, int t, const int *same, int nsame, struct kairos_error *err)
{
	char f[160];
	const struct rtc_task *k = &m->tasks[t];
	int rc = validate_stream(m, k->stream, err);
	if (rc || (rc = validate_task(m, t, err)))
		return rc;
	const struct rtc_resource *r = &m->resources[k->resource];
	int64_t slots = 0;
	for (int i = 0; i < nsame; i++) {
		const struct rtc_task *q = &m->tasks[same[i]];
		slots = rtc_sat_add(slots, q->slot);
		if (same[i] != t && r->policy == RTC_POLICY_FP && q->priority == k->priority) {
			task_field(m, t, "priority", f, sizeof(f));
			return BAD(f, "%s: priority %ld of \"%s\" ties with \"%s\" on resource \"%s\"", f, k->priority,
				   k->name, q->name, r->name);
		}
	}
	if (r->policy == RTC_POLICY_TDMA && slots > r->cycle) {
		snprintf(f, sizeof(f), "resources[%d].cycle", k->resource);
		return BAD(f, "%s: the slots of resource \"%s\" sum to more than the cycle", f, r->name);
	}
	return 0;
}

static int cmp_str_idx(const void *a, const void *b, void *ctx)
{
	const char *const *names = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(names[x], names[y]);
	return c ? c : (x > y) - (x < y);
}

/* Duplicate names among N names, by sorting: returns the later index of a pair, or -1. */
static int find_duplicate(const char **names, int n)
{
	int dup = -1;
	int *idx = kairos_xmalloc(((size_t)n + 1) * sizeof(int));
	for (int i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, (size_t)n, sizeof(int), cmp_str_idx, (void *)names);
	for (int i = 1; i < n && dup < 0; i++)
		if (strcmp(names[idx[i - 1]], names[idx[i]]) == 0)
			dup = idx[i];
	free(idx);
	return dup;
}

static int validate_names(const struct rtc_model *m, struct kairos_error *err)
{
	char f[128];
	int n = m->nresources > m->nstreams ? m->nresources : m->nstreams, dup;
	const char **names = kairos_xmalloc(((size_t)n + 1) * sizeof(char *));
	for (int i = 0; i < m->nresources; i++)
		names[i] = m->resources[i].name;
	dup = find_duplicate(names, m->nresources);
	if (dup >= 0) {
		free(names);
		snprintf(f, sizeof(f), "resources[%d].name", dup);
		return BAD(f, "%s: duplicate resource name \"%s\"", f, m->resources[dup].name);
	}
	for (int i = 0; i < m->nstreams; i++)
		names[i] = m->streams[i].name;
	dup = find_duplicate(names, m->nstreams);
	free(names);
	if (dup >= 0) {
		snprintf(f, sizeof(f), "streams[%d].name", dup);
		return BAD(f, "%s: duplicate stream name \"%s\"", f, m->streams[dup].name);
	}
	return 0;
}

int rtc_model_validate(const struct rtc_model *m, struct kairos_error *err)
{
	char f[128];
	int rc = validate_names(m, err);
	if (rc)
		return rc;
	rc = validate_resources(m, err);
	if (rc)
		return rc;
	for (int s = 0; s < m->nstreams; s++)
		if ((rc = validate_stream(m, s, err)))
			return rc;
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && (rc = validate_task(m, t, err)))
			return rc;
	if ((rc = validate_ties(m, err)))
		return rc;
	/* TDMA: the slots of a resource must fit in its cycle. */
	int64_t *sum = kairos_xcalloc((size_t)m->nresources + 1, sizeof(int64_t));
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0)
			sum[m->tasks[t].resource] = rtc_sat_add(sum[m->tasks[t].resource], m->tasks[t].slot);
	for (int r = 0; r < m->nresources && !rc; r++) {
		if (m->resources[r].policy == RTC_POLICY_TDMA && sum[r] > m->resources[r].cycle) {
			snprintf(f, sizeof(f), "resources[%d].cycle", r);
			rc = BAD(f, "%s: the slots of resource \"%s\" sum to more than the cycle", f,
				 m->resources[r].name);
		}
	}
	free(sum);
	return rc;
}
