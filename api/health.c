/*
 * health.c - GET /healthz and GET /metrics. Both probe every backend when asked (the
 * database with SELECT 1, ovsdb-server with an echo, every libvirt host with a node
 * query), each bounded by backend_timeout_ms, so the answer is the state now, not a
 * cached guess.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

static json_t *status_obj(bool ok, const char *error)
{
	json_t *o = json_object();
	json_object_set_new(o, "ok", json_boolean(ok));
	if (!ok)
		json_object_set_new(o, "error", json_string(error));
	return o;
}

json_t *api_health_probe(struct api_service *svc, bool *all_up)
{
	json_t *report = json_object();
	json_t *backends = json_object();
	json_t *down = json_array();
	struct kairos_error err;

	kairos_error_clear(&err);
	bool ok = db_ping(svc->db, &err) == 0;
	json_object_set_new(backends, "database", status_obj(ok, err.message));
	if (!ok)
		json_array_append_new(down, json_string("database"));

	kairos_error_clear(&err);
	ok = network_ping(svc->net, &err) == 0;
	json_object_set_new(backends, "ovsdb", status_obj(ok, err.message));
	if (!ok)
		json_array_append_new(down, json_string("ovsdb"));

	json_t *hosts = json_object();
	size_t n_hosts;
	struct api_host *snapshot = api_hosts_snapshot(svc, &n_hosts);
	for (size_t i = 0; i < n_hosts; i++) {
		struct api_host *h = &snapshot[i];
		char msg[sizeof(err.message)];
		bool registered = h->is_registered;
		snprintf(msg, sizeof(msg), "%s", h->error);
		kairos_error_clear(&err);
		if (registered) {
			ok = compute_host_ping(svc->compute, h->name, &err) == 0;
			snprintf(msg, sizeof(msg), "%s", err.message);
		} else {
			ok = false;
		}
		json_object_set_new(hosts, h->name, status_obj(ok, msg));
		if (!ok) {
			char name[80];
			snprintf(name, sizeof(name), "host:%s", h->name);
			json_array_append_new(down, json_string(name));
		}
	}
	free(snapshot);
	json_object_set_new(backends, "hosts", hosts);

	*all_up = json_array_size(down) == 0;
	json_object_set_new(report, "status", json_string(*all_up ? "ok" : "unavailable"));
	json_object_set_new(report, "down", down);
	json_object_set_new(report, "backends", backends);
	return report;
}

enum MHD_Result api_route_healthz(struct api_ctx *ctx)
{
	bool all_up = false;
	json_t *report = api_health_probe(ctx->svc, &all_up);
	if (all_up)
		return api_reply_json(ctx, 200, report);
	/* 503 as problem+json, naming every backend that is down. */
	json_t *down = json_object_get(report, "down");
	struct kairos_buf detail = {0};
	kairos_buf_puts(&detail, "unreachable: ");
	for (size_t i = 0; i < json_array_size(down); i++)
		kairos_buf_printf(&detail, "%s%s", i ? ", " : "",
				  json_string_value(json_array_get(down, i)));
	json_t *extra = json_object();
	json_object_set(extra, "down", down);
	json_object_set(extra, "backends", json_object_get(report, "backends"));
	json_decref(report);
	enum MHD_Result r =
	    api_reply_problem(ctx, 503, "Service Unavailable", kairos_buf_str(&detail), extra);
	kairos_buf_destroy(&detail);
	return r;
}

enum MHD_Result api_route_metrics(struct api_ctx *ctx)
{
	struct kairos_buf b = {0};
	api_metrics_render(ctx->svc->metrics, &b);
	bool all_up = false;
	json_t *report = api_health_probe(ctx->svc, &all_up);
	json_t *backends = json_object_get(report, "backends");
	kairos_buf_puts(
	    &b,
	    "# HELP kairos_backend_up Whether a backend answered its health probe (1) or not (0).\n"
	    "# TYPE kairos_backend_up gauge\n");
	kairos_buf_printf(
	    &b, "kairos_backend_up{backend=\"database\"} %d\n",
	    json_is_true(json_object_get(json_object_get(backends, "database"), "ok")));
	kairos_buf_printf(&b, "kairos_backend_up{backend=\"ovsdb\"} %d\n",
			  json_is_true(json_object_get(json_object_get(backends, "ovsdb"), "ok")));
	const char *name;
	json_t *h;
	json_object_foreach(json_object_get(backends, "hosts"), name, h)
	    kairos_buf_printf(&b, "kairos_backend_up{backend=\"libvirt\",host=\"%s\"} %d\n", name,
			      json_is_true(json_object_get(h, "ok")));
	json_decref(report);
	enum MHD_Result r = api_reply_text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8",
					   kairos_buf_str(&b));
	kairos_buf_destroy(&b);
	return r;
}
