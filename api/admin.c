/*
 * admin.c - the operator's routes: tenants (POST /v1/tenants) and the host inventory
 * (GET/POST /v1/hosts, DELETE /v1/hosts/{name}). Nothing is stored for a request that
 * fails, including when libvirt or the database fails half-way.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

/* The inventory changed: the next decisions must see it. */
static void rebuild_cloud(struct api_service *svc)
{
	struct kairos_error err;
	kairos_error_clear(&err);
	pthread_mutex_lock(&svc->cloud_lock);
	if (api_cloud_rebuild(svc, &err) != 0)
		kairos_log(KAIROS_LOG_ERROR, "cloud not rebuilt after an inventory change",
			   "error=\"%s\"", err.message);
	pthread_mutex_unlock(&svc->cloud_lock);
}

enum MHD_Result api_route_tenant_create(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (api_auth(ctx, true, &who, &reply))
		return reply;
	json_t *body = api_body_json(ctx, &reply);
	if (!body)
		return reply;
	json_t *name = json_object_get(body, "name");
	if (!json_is_string(name)) {
		json_decref(body);
		return api_reply_problem(ctx, 422, "Unprocessable Content",
					 "\"name\" (a string) is required",
					 json_pack("{s:s}", "field", "name"));
	}
	struct db_tenant t;
	char token[65];
	struct kairos_error err;
	kairos_error_clear(&err);
	int rc =
	    db_tenant_create(ctx->svc->db, json_string_value(name), &t, token, sizeof(token), &err);
	json_decref(body);
	if (rc)
		return api_reply_error(ctx, &err);
	kairos_log(KAIROS_LOG_INFO, "tenant created", "tenant=%s id=%s", t.name, t.id);
	return api_reply_json(ctx, 201,
			      json_pack("{s:s,s:s,s:s,s:s}", "id", t.id, "name", t.name, "token",
					token, "created_at", t.created_at));
}

static json_t *host_json(const struct db_host *h, const struct api_host *live)
{
	json_t *j = json_pack(
	    "{s:s,s:s,s:i,s:I,s:f,s:s,s:f,s:{s:s,s:f,s:I,s:f},s:{s:f,s:f},s:s,s:s}", "name",
	    h->name, "libvirt_uri", h->libvirt_uri, "cores", h->cores, "memory_mib",
	    (json_int_t)h->memory_mib, "speed", h->speed, "ovs_bridge", h->ovs_bridge,
	    "uplink_mbps", h->uplink_mbps, "storage", "pool", h->storage_pool, "capacity_gib",
	    h->storage_gib, "iops", (json_int_t)h->storage_iops, "throughput_mbps", h->storage_mbps,
	    "availability", "host", h->availability_host, "hypervisor", h->availability_hypervisor,
	    "failure_domain", h->failure_domain, "state", h->state);
	if (live) {
		json_object_set_new(j, "connected", json_boolean(live->is_registered));
		json_object_set_new(j, "bridge_ready", json_boolean(live->has_bridge));
	}
	return j;
}

enum MHD_Result api_route_host_list(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (api_auth(ctx, true, &who, &reply))
		return reply;
	struct db_host *hosts = NULL;
	size_t n = 0, n_live = 0;
	struct kairos_error err;
	if (db_host_list(ctx->svc->db, &hosts, &n, &err))
		return api_reply_error(ctx, &err);
	struct api_host *live = api_hosts_snapshot(ctx->svc, &n_live);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct api_host *l = NULL;
		for (size_t k = 0; k < n_live && !l; k++)
			if (strcmp(live[k].name, hosts[i].name) == 0)
				l = &live[k];
		json_array_append_new(arr, host_json(&hosts[i], l));
	}
	free(live);
	free(hosts);
	return api_reply_json(ctx, 200, json_pack("{s:o}", "hosts", arr));
}

enum MHD_Result api_route_host_create(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (api_auth(ctx, true, &who, &reply))
		return reply;
	json_t *body = api_body_json(ctx, &reply);
	if (!body)
		return reply;
	struct db_host h;
	struct kairos_error err;
	kairos_error_clear(&err);
	int rc = api_host_from_json(body, NULL, "host", &h, &err);
	json_decref(body);
	if (rc == 0)
		rc = api_host_register(ctx->svc, NULL, &h, &err);
	if (rc) {
		/* libvirt's refusal of the URI is the caller's input being wrong. */
		if (err.code == KAIROS_EBACKEND)
			err.code = KAIROS_EINVAL;
		return api_reply_error(ctx, &err);
	}
	snprintf(h.state, sizeof(h.state), "up");
	api_hosts_add(ctx->svc, h.name, h.libvirt_uri, h.ovs_bridge, true);
	rebuild_cloud(ctx->svc);
	kairos_log(KAIROS_LOG_INFO, "host registered", "host=%s uri=%s cores=%d", h.name,
		   h.libvirt_uri, h.cores);
	return api_reply_json(ctx, 201, host_json(&h, NULL));
}

enum MHD_Result api_route_host_delete(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (api_auth(ctx, true, &who, &reply))
		return reply;
	struct kairos_error err;
	kairos_error_clear(&err);
	const char *name = ctx->params[0];
	if (db_host_delete(ctx->svc->db, name, &err))
		return api_reply_error(ctx, &err);
	api_hosts_remove(ctx->svc, name);
	compute_host_remove(ctx->svc->compute, name);
	rebuild_cloud(ctx->svc);
	kairos_log(KAIROS_LOG_INFO, "host deleted", "host=%s", name);
	return api_reply_text(ctx, 204, "text/plain", "");
}
