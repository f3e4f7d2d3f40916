/*
 * libvirt.c - the compute backend over libvirt. One virConnect per host: the test
 * driver gives every open of a test:///FILE URI its own in-memory copy, so a host is
 * exactly one connection (SUBSTRATE.md). libvirt's default error printer is replaced by
 * a silent one; errors reach the caller through kairos_error instead.
 */
#include "compute/compute.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lv_host {
	char *name;
	char *uri;
	virConnectPtr conn;
	pthread_mutex_t lock; /* guards conn: reopening must not race with users */
	bool is_removed;      /* removed from the backend: never reopened */
};

struct lv_backend {
	pthread_rwlock_t lock; /* guards the hosts array itself */
	struct lv_host **hosts;
	size_t n_hosts;
	struct lv_host **retired; /* removed hosts, freed at destroy */
	size_t n_retired;
};

static void silent_error(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();
	return m && *m ? m : "unknown libvirt error";
}

static struct lv_host *find_host(struct lv_backend *b, const char *name)
{
	struct lv_host *h = NULL;
	pthread_rwlock_rdlock(&b->lock);
	for (size_t i = 0; i < b->n_hosts && !h; i++)
		if (strcmp(b->hosts[i]->name, name) == 0)
			h = b->hosts[i];
	pthread_rwlock_unlock(&b->lock);
	return h;
}

/* Opens H's connection if it has none. Caller holds h->lock. */
static int ensure_open(struct lv_host *h, struct kairos_error *err)
{
	if (h->conn)
		return 0;
	if (h->is_removed)
		return kairos_error_set(err, KAIROS_ENOTFOUND, h->name, "host %s was removed",
					h->name);
	h->conn = virConnectOpen(h->uri);
	if (!h->conn)
		return kairos_error_set(err, KAIROS_EBACKEND, h->name,
					"libvirt host %s (%s) unreachable: %s", h->name, h->uri,
					last_error());
	return 0;
}

static void free_host(struct lv_host *h)
{
	if (h->conn)
		virConnectClose(h->conn);
	pthread_mutex_destroy(&h->lock);
	free(h->name);
	free(h->uri);
	free(h);
}

static int lv_host_add(void *impl, const char *name, const char *uri, struct kairos_error *err)
{
	struct lv_backend *b = impl;
	if (find_host(b, name))
		return kairos_error_set(err, KAIROS_ECONFLICT, name,
					"host %s is already registered", name);
	struct lv_host *h = kairos_xcalloc(1, sizeof(*h));
	h->name = kairos_xstrdup(name);
	h->uri = kairos_xstrdup(uri);
	pthread_mutex_init(&h->lock, NULL);
	int rc = ensure_open(h, err);
	if (rc) {
		free_host(h);
		return rc;
	}
	pthread_rwlock_wrlock(&b->lock);
	b->hosts = kairos_xrealloc(b->hosts, (b->n_hosts + 1) * sizeof(*b->hosts));
	b->hosts[b->n_hosts++] = h;
	pthread_rwlock_unlock(&b->lock);
	return 0;
}

static void lv_host_remove(void *impl, const char *name)
{
	struct lv_backend *b = impl;
	struct lv_host *h = NULL;
	pthread_rwlock_wrlock(&b->lock);
	for (size_t i = 0; i < b->n_hosts; i++) {
		if (strcmp(b->hosts[i]->name, name) == 0) {
			h = b->hosts[i];
			b->hosts[i] = b->hosts[--b->n_hosts];
			/* A caller may still hold h from find_host(): keep the struct until
			 * destroy, close only the connection (under its lock). */
			b->retired =
			    kairos_xrealloc(b->retired, (b->n_retired + 1) * sizeof(*b->retired));
			b->retired[b->n_retired++] = h;
			break;
		}
	}
	pthread_rwlock_unlock(&b->lock);
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->conn)
		virConnectClose(h->conn);
	h->conn = NULL;
	h->is_removed = true;
	pthread_mutex_unlock(&h->lock);
}

/* Runs virNodeGetInfo on H, reopening a dead connection once. */
static int node_info(struct lv_backend *b, const char *name, virNodeInfo *info,
		     struct kairos_error *err)
{
	struct lv_host *h = find_host(b, name);
	if (!h)
		return kairos_error_set(err, KAIROS_ENOTFOUND, name, "no host named %s", name);
	pthread_mutex_lock(&h->lock);
	int rc = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = ensure_open(h, err);
		if (rc)
			break;
		if (virConnectIsAlive(h->conn) == 1 && virNodeGetInfo(h->conn, info) == 0) {
			rc = 0;
			break;
		}
		rc = kairos_error_set(err, KAIROS_EBACKEND, name,
				      "libvirt host %s (%s) does not answer: %s", name, h->uri,
				      last_error());
		virConnectClose(h->conn);
		h->conn = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static int lv_host_ping(void *impl, const char *name, struct kairos_error *err)
{
	virNodeInfo info;
	return node_info(impl, name, &info, err);
}

static int lv_host_info(void *impl, const char *name, struct compute_host_info *out,
			struct kairos_error *err)
{
	virNodeInfo info;
	int rc = node_info(impl, name, &info, err);
	if (rc)
		return rc;
	out->cores = (int)info.cpus;
	out->memory_mib = (long long)(info.memory / 1024);
	out->mhz = info.mhz;
	snprintf(out->model, sizeof(out->model), "%s", info.model);
	return 0;
}

static void lv_destroy(void *impl)
{
	struct lv_backend *b = impl;
	for (size_t i = 0; i < b->n_retired; i++)
		free_host(b->retired[i]);
	free(b->retired);
	for (size_t i = 0; i < b->n_hosts; i++)
		free_host(b->hosts[i]);
	free(b->hosts);
	pthread_rwlock_destroy(&b->lock);
	free(b);
}

static const struct compute_ops libvirt_ops = {
    .host_add = lv_host_add,
    .host_remove = lv_host_remove,
    .host_ping = lv_host_ping,
    .host_info = lv_host_info,
    .destroy = lv_destroy,
};

int compute_libvirt_new(struct compute **out, struct kairos_error *err)
{
	if (virInitialize() < 0)
		return kairos_error_set(err, KAIROS_EBACKEND, "libvirt",
					"libvirt failed to initialise: %s", last_error());
	virSetErrorFunc(NULL, silent_error);
	struct lv_backend *b = kairos_xcalloc(1, sizeof(*b));
	pthread_rwlock_init(&b->lock, NULL);
	struct compute *c = kairos_xcalloc(1, sizeof(*c));
	c->ops = &libvirt_ops;
	c->impl = b;
	*out = c;
	return 0;
}

void compute_destroy(struct compute *c)
{
	if (!c)
		return;
	c->ops->destroy(c->impl);
	free(c);
}
