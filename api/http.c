/*
 * http.c - the HTTP front: libmicrohttpd with a thread pool, body collection with the
 * size limit (413), the route table, RFC 9457 problem answers for unknown routes and
 * methods, and per-request metrics.
 */
#include "api/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum MHD_Result (*api_handler)(struct api_ctx *ctx);

struct route {
	const char *method;
	const char *pattern; /* segments; "{x}" matches one non-empty segment */
	api_handler handler;
	/* Waits for the cloud lock or libvirt: runs on a decision thread, so that the
	 * HTTP worker keeps serving its other connections meanwhile. */
	bool is_blocking;
};

static const struct route routes[] = {
    {"GET", "/healthz", api_route_healthz, false},
    {"GET", "/metrics", api_route_metrics, false},
    {"POST", "/v1/tenants", api_route_tenant_create, false},
    {"POST", "/v1/vsns", api_route_vsn_submit, true},
    {"GET", "/v1/vsns", api_route_vsn_list, true},
    {"GET", "/v1/vsns/{id}", api_route_vsn_show, true},
    {"DELETE", "/v1/vsns/{id}", api_route_vsn_delete, true},
    {"PUT", "/v1/vsns/{id}/sla", api_route_vsn_renegotiate, true},
    {"GET", "/v1/model", api_route_model, true},
    {"GET", "/v1/hosts", api_route_host_list, false},
    {"POST", "/v1/hosts", api_route_host_create, true},
    {"DELETE", "/v1/hosts/{name}", api_route_host_delete, true},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Per-connection request state, kept by MHD between the calls of one request. */
enum request_phase { PHASE_READING, PHASE_RUNNING, PHASE_READY, PHASE_ANSWERED };

struct api_request {
	enum request_phase phase;
	char url[1024];
	struct api_ctx ctx; /* for a deferred handler: lives as long as the request */
	struct api_request *next_job;
	struct kairos_buf body;
	bool is_too_large;
	bool is_answered;
	size_t route; /* index, or N_ROUTES when nothing matched */
	int status;
	struct timespec start;
	char method[16];
};

/* Matches URL against PATTERN, copying {params}. */
static bool route_match(const char *pattern, const char *url, char params[][256], size_t max_params)
{
	size_t np = 0;
	const char *p = pattern, *u = url;
	while (*p && *u) {
		if (*p != '/' || *u != '/')
			return false;
		p++;
		u++;
		size_t pl = strcspn(p, "/"), ul = strcspn(u, "/");
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (ul == 0 || ul >= 256 || np >= max_params)
				return false;
			memcpy(params[np], u, ul);
			params[np][ul] = '\0';
			np++;
		} else if (pl != ul || strncmp(p, u, pl) != 0) {
			return false;
		}
		p += pl;
		u += ul;
	}
	return *p == '\0' && *u == '\0';
}

static enum MHD_Result queue(struct api_ctx *ctx, unsigned int status, const char *content_type,
			     const char *data, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ctx->status = (int)status;
	if (ctx->is_deferred) {
		ctx->deferred = r;
		return MHD_YES;
	}
	enum MHD_Result ok = MHD_queue_response(ctx->conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

enum MHD_Result api_reply_text(struct api_ctx *ctx, unsigned int status, const char *content_type,
			       const char *text)
{
	return queue(ctx, status, content_type, text, strlen(text));
}

enum MHD_Result api_reply_json(struct api_ctx *ctx, unsigned int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (!s)
		return api_reply_problem(ctx, 500, "Internal Server Error",
					 "could not encode the answer", NULL);
	enum MHD_Result ok = queue(ctx, status, "application/json", s, strlen(s));
	free(s);
	return ok;
}

enum MHD_Result api_reply_problem(struct api_ctx *ctx, unsigned int status, const char *title,
				  const char *detail, json_t *extra)
{
	json_t *p = json_object();
	json_object_set_new(p, "type", json_string("about:blank"));
	json_object_set_new(p, "title", json_string(title));
	json_object_set_new(p, "status", json_integer(status));
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	json_object_set_new(p, "instance", json_string(ctx->url));
	if (extra) {
		json_object_update(p, extra);
		json_decref(extra);
	}
	char *s = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(p);
	enum MHD_Result ok = queue(ctx, status, "application/problem+json", s, strlen(s));
	free(s);
	return ok;
}

/* Finds the route; on a path that exists with other methods, fills ALLOW. */
static size_t find_route(const char *method, const char *url, char params[][256], char *allow,
			 size_t allow_size)
{
	allow[0] = '\0';
	for (size_t i = 0; i < N_ROUTES; i++) {
		char scratch[4][256];
		if (!route_match(routes[i].pattern, url, scratch, 4))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			memcpy(params, scratch, sizeof(scratch));
			return i;
		}
		size_t l = strlen(allow);
		snprintf(allow + l, allow_size - l, "%s%s", l ? ", " : "", routes[i].method);
	}
	return N_ROUTES;
}

/* ---- decision threads --------------------------------------------------------
 * A blocking route runs here while MHD keeps its connection suspended
 * (MHD_suspend_connection), so an HTTP worker never waits on the cloud lock with other
 * connections behind it. The job ends by resuming the connection; MHD then calls
 * on_request again, which queues the response the handler built. */

#define N_DECISION_THREADS 4

struct api_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct api_request *head, *tail;
	bool is_stopping;
	pthread_t threads[N_DECISION_THREADS];
	int n_threads;
};

/* Queues REQ and suspends its connection; false when stopping (nothing queued). */
static bool workers_submit(struct api_workers *w, struct api_request *req)
{
	pthread_mutex_lock(&w->lock);
	if (w->is_stopping) {
		pthread_mutex_unlock(&w->lock);
		return false;
	}
	MHD_suspend_connection(req->ctx.conn);
	req->phase = PHASE_RUNNING;
	req->next_job = NULL;
	if (w->tail)
		w->tail->next_job = req;
	else
		w->head = req;
	w->tail = req;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return true;
}

static void *worker_main(void *arg)
{
	struct api_workers *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->is_stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		struct api_request *req = w->head;
		if (!req)
			break; /* stopping and nothing left to drain */
		w->head = req->next_job;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		routes[req->route].handler(&req->ctx);
		struct MHD_Connection *conn = req->ctx.conn;
		req->phase = PHASE_READY;
		/* req belongs to MHD again from here on. */
		MHD_resume_connection(conn);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static struct api_workers *workers_start(void)
{
	struct api_workers *w = kairos_xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (int i = 0; i < N_DECISION_THREADS; i++)
		if (pthread_create(&w->threads[w->n_threads], NULL, worker_main, w) == 0)
			w->n_threads++;
	return w;
}

/* Lets the queued jobs finish (they resume their connections), then joins. */
static void workers_stop(struct api_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->is_stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static enum MHD_Result dispatch(struct api_service *svc, struct MHD_Connection *conn,
				const char *url, struct api_request *req)
{
	struct api_ctx ctx = {.svc = svc,
			      .conn = conn,
			      .method = req->method,
			      .url = url,
			      .body = kairos_buf_str(&req->body),
			      .body_len = req->body.len};
	char allow[128];
	req->route = find_route(req->method, url, ctx.params, allow, sizeof(allow));
	enum MHD_Result ok;
	if (req->is_too_large) {
		char detail[128];
		snprintf(detail, sizeof(detail), "the request body is larger than %ld bytes",
			 svc->cfg.max_body_bytes);
		ok = api_reply_problem(&ctx, 413, "Content Too Large", detail, NULL);
	} else if (req->route < N_ROUTES && routes[req->route].is_blocking) {
		req->ctx = ctx;
		req->ctx.body = kairos_buf_str(&req->body);
		req->ctx.url = req->url;
		req->ctx.is_deferred = true;
		if (workers_submit(svc->workers, req))
			return MHD_YES; /* answered on resume */
		ok = api_reply_problem(&ctx, 503, "Service Unavailable", "kairosd is stopping",
				       NULL);
	} else if (req->route < N_ROUTES) {
		ok = routes[req->route].handler(&ctx);
	} else if (allow[0]) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%s is not allowed on %s; allowed: %s",
			 req->method, url, allow);
		struct MHD_Response *r;
		json_t *p = json_pack("{s:s,s:s,s:i,s:s,s:s}", "type", "about:blank", "title",
				      "Method Not Allowed", "status", 405, "detail", detail,
				      "instance", url);
		char *s = json_dumps(p, JSON_COMPACT);
		json_decref(p);
		r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"application/problem+json");
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
		ok = MHD_queue_response(conn, 405, r);
		MHD_destroy_response(r);
		ctx.status = 405;
	} else {
		char detail[600];
		snprintf(detail, sizeof(detail), "no resource at %s", url);
		ok = api_reply_problem(&ctx, 404, "Not Found", detail, NULL);
	}
	req->status = ctx.status;
	req->is_answered = true;
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct api_service *svc = cls;
	struct api_request *req = *con_cls;
	if (!req) {
		req = kairos_xcalloc(1, sizeof(*req));
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		snprintf(req->method, sizeof(req->method), "%s", method);
		snprintf(req->url, sizeof(req->url), "%s", url);
		req->route = N_ROUTES;
		*con_cls = req;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoll(cl, NULL, 10) > svc->cfg.max_body_bytes) {
			/* Refuse before reading a byte of it. */
			req->is_too_large = true;
			return dispatch(svc, conn, url, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!req->is_too_large) {
			if (req->body.len + *upload_data_size > (size_t)svc->cfg.max_body_bytes) {
				req->is_too_large = true;
				kairos_buf_destroy(&req->body);
			} else {
				kairos_buf_append(&req->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->phase == PHASE_READY) {
		/* Back from a decision thread: queue what the handler built. */
		req->phase = PHASE_ANSWERED;
		req->is_answered = true;
		req->status = req->ctx.status;
		if (!req->ctx.deferred)
			return MHD_NO;
		enum MHD_Result ok =
		    MHD_queue_response(conn, (unsigned int)req->ctx.status, req->ctx.deferred);
		MHD_destroy_response(req->ctx.deferred);
		req->ctx.deferred = NULL;
		return ok;
	}
	if (req->is_answered || req->phase == PHASE_RUNNING)
		return MHD_YES;
	return dispatch(svc, conn, url, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct api_service *svc = cls;
	struct api_request *req = *con_cls;
	if (!req)
		return;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	double secs = (double)(end.tv_sec - req->start.tv_sec) +
		      (double)(end.tv_nsec - req->start.tv_nsec) / 1e9;
	api_metrics_observe(svc->metrics, req->route, req->method, req->status ? req->status : 500,
			    secs);
	kairos_log(KAIROS_LOG_DEBUG, "request", "method=%s route=%s status=%d ms=%.3f", req->method,
		   req->route < N_ROUTES ? routes[req->route].pattern : "unmatched", req->status,
		   secs * 1000);
	kairos_buf_destroy(&req->body);
	free(req);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	kairos_log(KAIROS_LOG_WARN, msg, "component=http");
}

int api_http_start(struct api_service *svc, struct kairos_error *err)
{
	static const char *names[N_ROUTES];
	for (size_t i = 0; i < N_ROUTES; i++)
		names[i] = routes[i].pattern;
	svc->metrics = api_metrics_new(N_ROUTES, names);

	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)svc->cfg.port)};
	if (inet_pton(AF_INET, svc->cfg.listen_address, &addr.sin_addr) != 1)
		return kairos_error_set(err, KAIROS_EINVAL, "listen_address",
					"listen_address %s is not an IPv4 address",
					svc->cfg.listen_address);
	svc->workers = workers_start();
	svc->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL |
		MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_request, svc, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)svc->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, svc,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
	if (!svc->mhd)
		return kairos_error_set(err, KAIROS_EBACKEND, "port", "cannot listen on %s:%d (%s)",
					svc->cfg.listen_address, svc->cfg.port,
					errno ? strerror(errno) : "address in use?");
	return 0;
}

void api_http_stop(struct api_service *svc)
{
	/* Decision threads first: they finish their jobs and resume those connections, and
	 * refuse new ones, so no connection stays suspended when the daemon stops. */
	workers_stop(svc->workers);
	svc->workers = NULL;
	if (svc->mhd) {
		MHD_stop_daemon(svc->mhd);
		svc->mhd = NULL;
	}
	api_metrics_free(svc->metrics);
	svc->metrics = NULL;
}
