/*
 * result.c - the analysis result: allocation, copy and the SPEC §4 output
 * document.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

struct rtc_result *rtc_result_alloc(const struct rtc_model *m)
{
	struct rtc_result *r = kairos_xcalloc(1, sizeof(*r));
	r->ntasks = m->ntasks;
	r->nstreams = m->nstreams;
	r->nresources = m->nresources;
	r->tasks = kairos_xcalloc((size_t)m->ntasks + 1, sizeof(*r->tasks));
	r->streams = kairos_xcalloc((size_t)m->nstreams + 1, sizeof(*r->streams));
	r->resources = kairos_xcalloc((size_t)m->nresources + 1, sizeof(*r->resources));
	for (int i = 0; i < m->ntasks; i++) {
		const struct rtc_task *t = &m->tasks[i];
		struct rtc_task_result *tr = &r->tasks[i];
		tr->task = kairos_xstrdup(t->name);
		tr->resource = kairos_xstrdup(m->resources[t->resource].name);
		tr->is_removed = t->stream < 0;
		tr->deadline = t->deadline;
		tr->has_deadline = t->has_deadline;
	}
	for (int i = 0; i < m->nstreams; i++) {
		r->streams[i].stream = kairos_xstrdup(m->streams[i].name);
		r->streams[i].deadline = m->streams[i].deadline;
		r->streams[i].has_deadline = m->streams[i].has_deadline;
		r->streams[i].is_removed = m->streams[i].path_len == 0;
	}
	for (int i = 0; i < m->nresources; i++)
		r->resources[i].resource = kairos_xstrdup(m->resources[i].name);
	return r;
}

void rtc_result_free(struct rtc_result *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ntasks; i++) {
		free(r->tasks[i].task);
		free(r->tasks[i].resource);
	}
	for (int i = 0; i < r->nstreams; i++)
		free(r->streams[i].stream);
	for (int i = 0; i < r->nresources; i++)
		free(r->resources[i].resource);
	free(r->tasks);
	free(r->streams);
	free(r->resources);
	free(r);
}

struct rtc_result *rtc_result_clone(const struct rtc_result *r)
{
	struct rtc_result *c = kairos_xmalloc(sizeof(*c));
	*c = *r;
	c->tasks = kairos_xmalloc(((size_t)r->ntasks + 1) * sizeof(*c->tasks));
	c->streams = kairos_xmalloc(((size_t)r->nstreams + 1) * sizeof(*c->streams));
	c->resources = kairos_xmalloc(((size_t)r->nresources + 1) * sizeof(*c->resources));
	for (int i = 0; i < r->ntasks; i++) {
		c->tasks[i] = r->tasks[i];
		c->tasks[i].task = kairos_xstrdup(r->tasks[i].task);
		c->tasks[i].resource = kairos_xstrdup(r->tasks[i].resource);
	}
	for (int i = 0; i < r->nstreams; i++) {
		c->streams[i] = r->streams[i];
		c->streams[i].stream = kairos_xstrdup(r->streams[i].stream);
	}
	for (int i = 0; i < r->nresources; i++) {
		c->resources[i] = r->resources[i];
		c->resources[i].resource = kairos_xstrdup(r->resources[i].resource);
	}
	return c;
}


static void put_time(struct kairos_buf *b, const char *key, int64_t v, bool bounded)
{
	char n[48];
	if (!bounded) {
		kairos_buf_printf(b, ", \"%s\": null", key);
		return;
	}
	rtc_ticks_format(v, n, sizeof(n));
	kairos_buf_printf(b, ", \"%s\": %s", key, n);
}

char *rtc_result_to_json(const struct rtc_result *r)
{
	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_printf(&b, "{\"schedulable\": %s,\n \"tasks\": [", r->schedulable ? "true" : "false");
	int first = 1;
	for (int i = 0; i < r->ntasks; i++) {
		const struct rtc_task_result *t = &r->tasks[i];
		if (t->is_removed)
			continue;
		kairos_buf_puts(&b, first ? "\n  {\"task\": " : ",\n  {\"task\": ");
		first = 0;
		rtc_buf_put_json_string(&b, t->task);
		kairos_buf_puts(&b, ", \"resource\": ");
		rtc_buf_put_json_string(&b, t->resource);
		put_time(&b, "wcrt", t->wcrt, t->is_bounded);
		put_time(&b, "bcrt", t->bcrt, true);
		if (t->is_bounded)
			kairos_buf_printf(&b, ", \"backlog\": %lld", (long long)t->backlog);
		else
			kairos_buf_puts(&b, ", \"backlog\": null");
		if (t->has_deadline)
			put_time(&b, "deadline", t->deadline, true);
		kairos_buf_printf(&b, ", \"ok\": %s}", t->ok ? "true" : "false");
	}
	kairos_buf_puts(&b, "],\n \"streams\": [");
	first = 1;
	for (int i = 0; i < r->nstreams; i++) {
		const struct rtc_stream_result *s = &r->streams[i];
		if (s->is_removed)
			continue;
		kairos_buf_puts(&b, first ? "\n  {\"stream\": " : ",\n  {\"stream\": ");
		first = 0;
		rtc_buf_put_json_string(&b, s->stream);
		put_time(&b, "latency", s->latency, s->is_bounded);
		if (s->has_deadline)
			put_time(&b, "deadline", s->deadline, true);
		kairos_buf_printf(&b, ", \"ok\": %s}", s->ok ? "true" : "false");
	}
	kairos_buf_puts(&b, "],\n \"resources\": [");
	for (int i = 0; i < r->nresources; i++) {
		kairos_buf_puts(&b, i ? ",\n  {\"resource\": " : "\n  {\"resource\": ");
		rtc_buf_put_json_string(&b, r->resources[i].resource);
		kairos_buf_printf(&b, ", \"utilization\": %.6g}", r->resources[i].utilization);
	}
	kairos_buf_puts(&b, "]}\n");
	return kairos_buf_steal(&b);
}
