/*
 * internal.h - what the files of api/ share: the service object, the request context
 * handed to route handlers, and the reply helpers. Never included from outside api/.
 */
#ifndef KAIROS_API_INTERNAL_H
#define KAIROS_API_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>

#include "api/api.h"
#include "compute/compute.h"
#include "db/db.h"
#include "network/network.h"
#include "sla/sla.h"
#include "vsn/vsn.h"

/* A host as the service knows it: registered with the compute backend or not (and why). */
struct api_host {
	char name[64];
	char uri[600];
	char bridge[64];
	bool is_registered;
	bool has_bridge;
	char error[768];
};

struct api_metrics;

struct api_service {
	struct api_config cfg;
	struct db *db;
	struct compute *compute;
	struct network_backend *net;
	pthread_mutex_t hosts_lock; /* guards hosts[] flags and errors */
	struct api_host *hosts;
	size_t n_hosts;
	/* The admitted cloud. cloud_lock is held from a decision's analysis to its commit. */
	pthread_mutex_t cloud_lock;
	struct sla_cloud *cloud;
	char lan_name[64];
	double lan_mbps;
	struct api_metrics *metrics;
	struct MHD_Daemon *mhd;
	struct api_workers *workers; /* decision threads (api/http.c) */
	/* The reconciler: retries what failed at start (bridges, host connections). */
	pthread_t reconciler;
	bool has_reconciler;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool is_stopping;
};

/* One request being served. Route parameters ({id}) are copied into params[]. */
struct api_ctx {
	struct api_service *svc;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	const char *body;
	size_t body_len;
	char params[4][256];
	int status; /* set by the reply helpers, read by the metrics */
	/* Set when the handler runs on a decision thread while MHD holds the connection
	 * suspended: the reply helpers then only build the response, queued on resume. */
	bool is_deferred;
	struct MHD_Response *deferred;
};

/* Reply helpers: each queues exactly one response and returns MHD's verdict. */
enum MHD_Result api_reply_json(struct api_ctx *ctx, unsigned int status, json_t *body /* stolen */);
enum MHD_Result api_reply_text(struct api_ctx *ctx, unsigned int status, const char *content_type,
			       const char *text);
/* RFC 9457 problem details; EXTRA (stolen, may be NULL) adds members such as "reasons". */
enum MHD_Result api_reply_problem(struct api_ctx *ctx, unsigned int status, const char *title,
				  const char *detail, json_t *extra);

/* ---- hosts ------------------------------------------------------------------ */

/* Reads a host description (inventory entry or POST /v1/hosts body) into *OUT; a relative
 * node_file is taken relative to BASE_DIR (NULL: node_file not accepted). */
int api_host_from_json(json_t *h, const char *base_dir, const char *where, struct db_host *out,
		       struct kairos_error *err);
/* Connects the host, fills cores and memory from libvirt and stores it (in CONN's
 * transaction when CONN is given). On failure nothing stays registered. */
int api_host_register(struct api_service *svc, PGconn *conn, struct db_host *h,
		      struct kairos_error *err);

/* A copy of the host list (caller frees), and changes to it. */
struct api_host *api_hosts_snapshot(struct api_service *svc, size_t *n_out);
void api_hosts_add(struct api_service *svc, const char *name, const char *uri, const char *bridge,
		   bool is_registered);
void api_hosts_remove(struct api_service *svc, const char *name);

/* ---- routes --------------------------------------------------------------- */
enum MHD_Result api_route_healthz(struct api_ctx *ctx);
enum MHD_Result api_route_tenant_create(struct api_ctx *ctx);
enum MHD_Result api_route_vsn_submit(struct api_ctx *ctx);
enum MHD_Result api_route_vsn_list(struct api_ctx *ctx);
enum MHD_Result api_route_vsn_show(struct api_ctx *ctx);
enum MHD_Result api_route_vsn_delete(struct api_ctx *ctx);
enum MHD_Result api_route_vsn_renegotiate(struct api_ctx *ctx);
enum MHD_Result api_route_model(struct api_ctx *ctx);

/*
 * (Re)builds the admitted cloud from the database: the hosts, the LAN and every admitted
 * VSN with its stored placement, in admission order. Caller holds cloud_lock (or no other
 * thread runs yet). On failure the previous cloud stays.
 */
int api_cloud_rebuild(struct api_service *svc, struct kairos_error *err);
enum MHD_Result api_route_host_list(struct api_ctx *ctx);
enum MHD_Result api_route_host_create(struct api_ctx *ctx);
enum MHD_Result api_route_host_delete(struct api_ctx *ctx);

/*
 * Authenticates the caller from the Authorization header; with NEED_ADMIN only an admin
 * token passes. On failure returns -1 with the 401/403/503 answer queued in *REPLY.
 */
int api_auth(struct api_ctx *ctx, bool need_admin, struct db_principal *who,
	     enum MHD_Result *reply);
/* The body as a JSON object, or NULL with a 400 answer queued in *REPLY. */
json_t *api_body_json(struct api_ctx *ctx, enum MHD_Result *reply);
/* Answers ERR as problem+json with the status its code implies (422, 404, 409, 503...). */
enum MHD_Result api_reply_error(struct api_ctx *ctx, const struct kairos_error *err);
enum MHD_Result api_route_metrics(struct api_ctx *ctx);

/* ---- health ----------------------------------------------------------------- */

/* Probes every backend now; returns a JSON report (caller owns) and whether all are up. */
json_t *api_health_probe(struct api_service *svc, bool *all_up);

/* ---- metrics ---------------------------------------------------------------- */
struct api_metrics *api_metrics_new(size_t n_routes, const char *const *route_names);
void api_metrics_free(struct api_metrics *m);
/* ROUTE is an index into the names given at creation, or n_routes for "unmatched". */
void api_metrics_observe(struct api_metrics *m, size_t route, const char *method, int status,
			 double seconds);
/* Appends the Prometheus text exposition of the request metrics to B. */
void api_metrics_render(struct api_metrics *m, struct kairos_buf *b);

/* ---- HTTP server -------------------------------------------------------------- */
int api_http_start(struct api_service *svc, struct kairos_error *err);
void api_http_stop(struct api_service *svc);

#endif
