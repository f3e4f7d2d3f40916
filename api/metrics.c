/*
 * metrics.c - request counters and latency histograms per route, rendered in the
 * Prometheus text exposition format (version 0.0.4). One mutex: an observation is a
 * few additions, far cheaper than the request it measures.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				 0.1,	 0.25,	0.5,	1,     2.5,  5,	    10};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct counter {
	char method[16];
	int status;
	unsigned long long count;
};

struct route_stats {
	const char *name;
	struct counter *counters;
	size_t n_counters;
	unsigned long long bucket_counts[N_BUCKETS];
	unsigned long long count;
	double sum;
};

struct api_metrics {
	pthread_mutex_t lock;
	size_t n_routes; /* + 1 for "unmatched" */
	struct route_stats *routes;
};

struct api_metrics *api_metrics_new(size_t n_routes, const char *const *route_names)
{
	struct api_metrics *m = kairos_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->n_routes = n_routes + 1;
	m->routes = kairos_xcalloc(m->n_routes, sizeof(*m->routes));
	for (size_t i = 0; i < n_routes; i++)
		m->routes[i].name = route_names[i];
	m->routes[n_routes].name = "unmatched";
	return m;
}

void api_metrics_free(struct api_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_routes; i++)
		free(m->routes[i].counters);
	free(m->routes);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void api_metrics_observe(struct api_metrics *m, size_t route, const char *method, int status,
			 double seconds)
{
	if (!m)
		return;
	if (route >= m->n_routes)
		route = m->n_routes - 1;
	pthread_mutex_lock(&m->lock);
	struct route_stats *r = &m->routes[route];
	struct counter *c = NULL;
	for (size_t i = 0; i < r->n_counters && !c; i++)
		if (r->counters[i].status == status && strcmp(r->counters[i].method, method) == 0)
			c = &r->counters[i];
	if (!c) {
		r->counters =
		    kairos_xrealloc(r->counters, (r->n_counters + 1) * sizeof(*r->counters));
		c = &r->counters[r->n_counters++];
		memset(c, 0, sizeof(*c));
		snprintf(c->method, sizeof(c->method), "%s", method);
		c->status = status;
	}
	c->count++;
	for (size_t b = 0; b < N_BUCKETS; b++)
		if (seconds <= buckets[b])
			r->bucket_counts[b]++;
	r->count++;
	r->sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void api_metrics_render(struct api_metrics *m, struct kairos_buf *b)
{
	pthread_mutex_lock(&m->lock);
	kairos_buf_puts(b, "# HELP kairos_http_requests_total HTTP requests answered, by route, "
			   "method and status.\n"
			   "# TYPE kairos_http_requests_total counter\n");
	for (size_t i = 0; i < m->n_routes; i++)
		for (size_t j = 0; j < m->routes[i].n_counters; j++)
			kairos_buf_printf(b,
					  "kairos_http_requests_total{route=\"%s\",method=\"%s\","
					  "status=\"%d\"} %llu\n",
					  m->routes[i].name, m->routes[i].counters[j].method,
					  m->routes[i].counters[j].status,
					  m->routes[i].counters[j].count);
	kairos_buf_puts(
	    b,
	    "# HELP kairos_http_request_duration_seconds Time from the first byte of a request to "
	    "its answer, by route.\n"
	    "# TYPE kairos_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n_routes; i++) {
		const struct route_stats *r = &m->routes[i];
		if (r->count == 0)
			continue;
		for (size_t k = 0; k < N_BUCKETS; k++)
			kairos_buf_printf(b,
					  "kairos_http_request_duration_seconds_bucket{route=\"%"
					  "s\",le=\"%g\"} %llu\n",
					  r->name, buckets[k], r->bucket_counts[k]);
		kairos_buf_printf(
		    b,
		    "kairos_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
		    r->name, r->count);
		kairos_buf_printf(b,
				  "kairos_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n",
				  r->name, r->sum);
		kairos_buf_printf(b,
				  "kairos_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
				  r->name, r->count);
	}
	pthread_mutex_unlock(&m->lock);
}
