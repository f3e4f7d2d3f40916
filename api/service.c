/*
 * service.c - the life of kairosd: connect the backends, migrate the schema, make sure
 * the admin token exists, register the inventory on first start, serve, and stop in
 * reverse order. A reconciler thread retries what could not be done at start (a libvirt
 * host that was down, a bridge while ovsdb-server was down).
 */
#include "api/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECONCILE_PERIOD_MS 2000

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Reads the admin token file, or creates it with a fresh token; stores the token's hash. */
static int ensure_admin_token(struct api_service *svc, struct kairos_error *err)
{
	const char *path = svc->cfg.admin_token_file;
	char token[128] = "";
	char *text = NULL;
	int rc = kairos_read_file(path, &text, NULL);
	if (rc == 0) {
		snprintf(token, sizeof(token), "%s", text);
		free(text);
		token[strcspn(token, " \t\r\n")] = '\0';
		if (strlen(token) < 32)
			return kairos_error_set(
			    err, KAIROS_EINVAL, path,
			    "admin token file %s holds no token (at least 32 characters expected); "
			    "delete it to get a new one",
			    path);
	} else if (rc == -ENOENT) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", path);
		int mrc = mkdir_p(dirname(dir));
		if (mrc)
			return kairos_error_set(err, KAIROS_EINVAL, path,
						"cannot create the directory of %s: %s", path,
						strerror(-mrc));
		db_token_generate(token, sizeof(token));
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return kairos_error_set(err, KAIROS_EINVAL, path, "cannot create %s: %s",
						path, strerror(errno));
		size_t len = strlen(token);
		bool ok = write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
		close(fd);
		if (!ok) {
			unlink(path);
			return kairos_error_set(err, KAIROS_EINVAL, path, "cannot write %s", path);
		}
		kairos_log(KAIROS_LOG_INFO, "admin token created", "file=%s", path);
	} else {
		return kairos_error_set(err, KAIROS_EINVAL, path,
					"cannot read admin token file %s: %s", path, strerror(-rc));
	}
	return db_token_add_admin(svc->db, token, "admin token file", err);
}

/* ---- inventory ------------------------------------------------------------- */

static int inv_str(json_t *h, const char *key, const char *where, char *out, size_t size,
		   struct kairos_error *err)
{
	json_t *v = json_object_get(h, key);
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= size)
		return kairos_error_set(err, KAIROS_EINVAL, key,
					"%s: \"%s\" must be a string of 1 to %zu characters", where,
					key, size - 1);
	snprintf(out, size, "%s", json_string_value(v));
	return 0;
}

static int inv_num(json_t *h, const char *key, const char *where, double lo, double hi, double *out,
		   struct kairos_error *err)
{
	json_t *v = json_object_get(h, key);
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return kairos_error_set(err, KAIROS_EINVAL, key,
					"%s: \"%s\" must be a number in [%g, %g]", where, key, lo,
					hi);
	*out = json_number_value(v);
	return 0;
}

int api_host_from_json(json_t *h, const char *base_dir, const char *where, struct db_host *out,
		       struct kairos_error *err)
{
	memset(out, 0, sizeof(*out));
	json_t *storage = json_object_get(h, "storage"),
	       *avail = json_object_get(h, "availability");
	double iops = 0;
	int rc;
	if (!json_is_object(h))
		return kairos_error_set(err, KAIROS_EINVAL, "host",
					"%s: a host must be a JSON object", where);
	if ((rc = inv_str(h, "name", where, out->name, sizeof(out->name), err)) ||
	    (rc = inv_str(h, "ovs_bridge", where, out->ovs_bridge, sizeof(out->ovs_bridge), err)) ||
	    (rc = inv_str(h, "failure_domain", where, out->failure_domain,
			  sizeof(out->failure_domain), err)) ||
	    (rc = inv_num(h, "speed", where, 1e-6, 1e6, &out->speed, err)) ||
	    (rc = inv_num(h, "uplink_mbps", where, 1e-3, 1e9, &out->uplink_mbps, err)) ||
	    (rc = inv_str(storage, "pool", where, out->storage_pool, sizeof(out->storage_pool),
			  err)) ||
	    (rc = inv_num(storage, "capacity_gib", where, 0, 1e12, &out->storage_gib, err)) ||
	    (rc = inv_num(storage, "iops", where, 0, 1e9, &iops, err)) ||
	    (rc = inv_num(storage, "throughput_mbps", where, 0, 1e9, &out->storage_mbps, err)) ||
	    (rc = inv_num(avail, "host", where, 1e-9, 1, &out->availability_host, err)) ||
	    (rc = inv_num(avail, "hypervisor", where, 1e-9, 1, &out->availability_hypervisor, err)))
		return rc;
	out->storage_iops = (long long)iops;
	json_t *uri = json_object_get(h, "libvirt_uri"),
	       *node_file = json_object_get(h, "node_file");
	if (json_is_string(uri) && json_string_length(uri) > 0 &&
	    json_string_length(uri) < sizeof(out->libvirt_uri)) {
		snprintf(out->libvirt_uri, sizeof(out->libvirt_uri), "%s", json_string_value(uri));
	} else if (json_is_string(node_file) && base_dir) {
		const char *nf = json_string_value(node_file);
		if (nf[0] == '/')
			snprintf(out->libvirt_uri, sizeof(out->libvirt_uri), "test://%s", nf);
		else
			snprintf(out->libvirt_uri, sizeof(out->libvirt_uri), "test://%s/%s",
				 base_dir, nf);
	} else {
		return kairos_error_set(err, KAIROS_EINVAL, "libvirt_uri",
					"%s: \"libvirt_uri\" must be given%s", where,
					base_dir ? " (or \"node_file\")" : "");
	}
	return 0;
}

int api_host_register(struct api_service *svc, PGconn *conn, struct db_host *h,
		      struct kairos_error *err)
{
	/* Cores and memory are the hypervisor's word, not the caller's. */
	int rc = compute_host_add(svc->compute, h->name, h->libvirt_uri, err);
	if (rc)
		return rc;
	struct compute_host_info info;
	rc = compute_host_info(svc->compute, h->name, &info, err);
	if (rc == 0) {
		h->cores = info.cores;
		h->memory_mib = info.memory_mib;
		rc = db_host_insert(svc->db, conn, h, err);
	}
	if (rc)
		compute_host_remove(svc->compute, h->name);
	return rc;
}

/*
 * Registers the hosts of the inventory file in one transaction. Cores and memory come
 * from each host's libvirt connection, so every host must be reachable now.
 */
static int register_inventory(struct api_service *svc, PGconn *c, struct kairos_error *err)
{
	const char *path = svc->cfg.inventory;
	json_error_t jerr;
	json_t *inv = json_load_file(path, 0, &jerr);
	if (!inv)
		return kairos_error_set(err, KAIROS_EINVAL, path, "inventory %s:%d:%d: %s", path,
					jerr.line, jerr.column, jerr.text);
	char dirbuf[PATH_MAX], absdir[PATH_MAX];
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	if (!realpath(dirname(dirbuf), absdir))
		snprintf(absdir, sizeof(absdir), ".");

	int rc = 0;
	json_t *hosts = json_object_get(inv, "hosts");
	if (!json_is_array(hosts) || json_array_size(hosts) == 0)
		rc = kairos_error_set(err, KAIROS_EINVAL, "hosts",
				      "inventory %s: \"hosts\" must be a non-empty array", path);
	PQclear(PQexec(c, "BEGIN"));
	size_t i;
	json_t *jh;
	json_array_foreach(hosts, i, jh)
	{
		if (rc)
			break;
		char where[PATH_MAX + 64];
		snprintf(where, sizeof(where), "inventory %s: hosts[%zu]", path, i);
		struct db_host h;
		rc = api_host_from_json(jh, absdir, where, &h, err);
		if (rc == 0)
			rc = api_host_register(svc, c, &h, err);
	}
	if (rc == 0) {
		PGresult *r = PQexec(c, "COMMIT");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = kairos_error_set(err, KAIROS_EBACKEND, "hosts",
					      "registering the inventory: %s",
					      PQresultErrorMessage(r));
		PQclear(r);
		if (rc == 0)
			kairos_log(KAIROS_LOG_INFO, "inventory registered", "file=%s hosts=%zu",
				   path, json_array_size(hosts));
	} else {
		PQclear(PQexec(c, "ROLLBACK"));
	}
	json_decref(inv);
	return rc;
}

/* Loads the hosts table into svc->hosts, registering the inventory first when it is empty. */
static int load_hosts(struct api_service *svc, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(svc->db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	int rc = 0;
	PGresult *r = PQexec(c, "SELECT count(*) FROM hosts");
	bool is_empty =
	    PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0;
	PQclear(r);
	if (is_empty)
		rc = register_inventory(svc, c, err);
	if (rc == 0) {
		r = PQexec(c, "SELECT name, libvirt_uri, ovs_bridge FROM hosts ORDER BY name");
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = kairos_error_set(err, KAIROS_EBACKEND, "hosts", "reading hosts: %s",
					      PQresultErrorMessage(r));
		} else {
			for (int i = 0; i < PQntuples(r); i++)
				api_hosts_add(svc, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
					      PQgetvalue(r, i, 2), false);
		}
		PQclear(r);
	}
	db_conn_release(svc->db, c);
	return rc;
}

struct api_host *api_hosts_snapshot(struct api_service *svc, size_t *n_out)
{
	pthread_mutex_lock(&svc->hosts_lock);
	struct api_host *copy = kairos_xcalloc(svc->n_hosts ? svc->n_hosts : 1, sizeof(*copy));
	if (svc->n_hosts)
		memcpy(copy, svc->hosts, svc->n_hosts * sizeof(*copy));
	*n_out = svc->n_hosts;
	pthread_mutex_unlock(&svc->hosts_lock);
	return copy;
}

void api_hosts_add(struct api_service *svc, const char *name, const char *uri, const char *bridge,
		   bool is_registered)
{
	pthread_mutex_lock(&svc->hosts_lock);
	svc->hosts = kairos_xrealloc(svc->hosts, (svc->n_hosts + 1) * sizeof(*svc->hosts));
	struct api_host *h = &svc->hosts[svc->n_hosts++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->uri, sizeof(h->uri), "%s", uri);
	snprintf(h->bridge, sizeof(h->bridge), "%s", bridge);
	h->is_registered = is_registered;
	pthread_mutex_unlock(&svc->hosts_lock);
}

void api_hosts_remove(struct api_service *svc, const char *name)
{
	pthread_mutex_lock(&svc->hosts_lock);
	for (size_t i = 0; i < svc->n_hosts; i++) {
		if (strcmp(svc->hosts[i].name, name) == 0) {
			memmove(&svc->hosts[i], &svc->hosts[i + 1],
				(svc->n_hosts - i - 1) * sizeof(*svc->hosts));
			svc->n_hosts--;
			break;
		}
	}
	pthread_mutex_unlock(&svc->hosts_lock);
}

/* Records the outcome of one reconcile step for host NAME (if it is still there);
 * -1 leaves a flag as it is. */
static void host_set(struct api_service *svc, const char *name, int registered, int bridged,
		     const char *error)
{
	pthread_mutex_lock(&svc->hosts_lock);
	for (size_t i = 0; i < svc->n_hosts; i++) {
		struct api_host *h = &svc->hosts[i];
		if (strcmp(h->name, name) != 0)
			continue;
		if (registered >= 0) {
			h->is_registered = registered;
			snprintf(h->error, sizeof(h->error), "%s", error ? error : "");
		}
		if (bridged >= 0)
			h->has_bridge = bridged;
	}
	pthread_mutex_unlock(&svc->hosts_lock);
}

/* One pass: connect hosts that are not, create bridges that are missing. */
static void reconcile(struct api_service *svc)
{
	size_t n;
	struct api_host *hosts = api_hosts_snapshot(svc, &n);
	for (size_t i = 0; i < n; i++) {
		struct api_host *h = &hosts[i];
		struct kairos_error err;
		kairos_error_clear(&err);
		if (!h->is_registered) {
			int rc = compute_host_add(svc->compute, h->name, h->uri, &err);
			bool ok = rc == 0 || rc == -KAIROS_ECONFLICT;
			host_set(svc, h->name, ok, -1, ok ? NULL : err.message);
			if (ok)
				kairos_log(KAIROS_LOG_INFO, "host connected", "host=%s uri=%s",
					   h->name, h->uri);
		}
		if (!h->has_bridge) {
			kairos_error_clear(&err);
			bool ok = network_ensure_bridge(svc->net, h->bridge, &err) == 0;
			host_set(svc, h->name, -1, ok, NULL);
			if (ok)
				kairos_log(KAIROS_LOG_INFO, "bridge ready", "host=%s bridge=%s",
					   h->name, h->bridge);
		}
	}
	free(hosts);
}

static void *reconciler_main(void *arg)
{
	struct api_service *svc = arg;
	pthread_mutex_lock(&svc->stop_lock);
	while (!svc->is_stopping) {
		pthread_mutex_unlock(&svc->stop_lock);
		reconcile(svc);
		pthread_mutex_lock(&svc->stop_lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (RECONCILE_PERIOD_MS % 1000) * 1000000L;
		until.tv_sec += RECONCILE_PERIOD_MS / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		if (!svc->is_stopping)
			pthread_cond_timedwait(&svc->stop_cond, &svc->stop_lock, &until);
	}
	pthread_mutex_unlock(&svc->stop_lock);
	return NULL;
}

/* The LAN every uplink attaches to, from the inventory file ("lan"), 1 Gbit/s by default. */
static void read_lan(struct api_service *svc)
{
	snprintf(svc->lan_name, sizeof(svc->lan_name), "lan");
	svc->lan_mbps = 1000;
	json_t *inv = json_load_file(svc->cfg.inventory, 0, NULL);
	json_t *lan = json_object_get(inv, "lan");
	if (json_is_string(json_object_get(lan, "name")))
		snprintf(svc->lan_name, sizeof(svc->lan_name), "%s",
			 json_string_value(json_object_get(lan, "name")));
	if (json_is_number(json_object_get(lan, "capacity_mbps")) &&
	    json_number_value(json_object_get(lan, "capacity_mbps")) > 0)
		svc->lan_mbps = json_number_value(json_object_get(lan, "capacity_mbps"));
	json_decref(inv);
}

int api_service_start(const struct api_config *cfg, struct api_service **out,
		      struct kairos_error *err)
{
	struct api_service *svc = kairos_xcalloc(1, sizeof(*svc));
	svc->cfg = *cfg;
	pthread_mutex_init(&svc->hosts_lock, NULL);
	pthread_mutex_init(&svc->cloud_lock, NULL);
	pthread_mutex_init(&svc->stop_lock, NULL);
	pthread_cond_init(&svc->stop_cond, NULL);

	struct db_params dp = {.host = cfg->pg_host,
			       .port = cfg->pg_port,
			       .user = cfg->pg_user,
			       .dbname = cfg->pg_database,
			       .pool_size = cfg->pg_pool_size,
			       .connect_timeout_s = (cfg->backend_timeout_ms + 999) / 1000};
	char abs_host[PATH_MAX];
	/* libpq takes a socket directory only as an absolute path. */
	if (cfg->pg_host[0] != '/' && strchr(cfg->pg_host, '/') && realpath(cfg->pg_host, abs_host))
		dp.host = abs_host;
	int rc = db_open(&dp, &svc->db, err);
	if (rc)
		goto fail;
	int applied = 0;
	rc = db_migrate(svc->db, cfg->migrations_dir, &applied, err);
	if (rc)
		goto fail;
	kairos_log(KAIROS_LOG_INFO, "schema ready", "migrations_applied=%d dir=%s", applied,
		   cfg->migrations_dir);
	rc = ensure_admin_token(svc, err);
	if (rc)
		goto fail;
	rc = network_backend_ovsdb_new(cfg->ovsdb_remote, cfg->backend_timeout_ms, &svc->net, err);
	if (rc)
		goto fail;
	rc = compute_libvirt_new(&svc->compute, err);
	if (rc)
		goto fail;
	rc = load_hosts(svc, err);
	if (rc)
		goto fail;
	read_lan(svc);
	rc = api_cloud_rebuild(svc, err);
	if (rc)
		goto fail;
	reconcile(svc);
	for (size_t i = 0; i < svc->n_hosts; i++) { /* no other thread yet: no lock needed */
		if (!svc->hosts[i].is_registered)
			kairos_log(KAIROS_LOG_WARN, "host unreachable", "host=%s error=\"%s\"",
				   svc->hosts[i].name, svc->hosts[i].error);
		if (!svc->hosts[i].has_bridge)
			kairos_log(KAIROS_LOG_WARN, "bridge not ready, will retry",
				   "host=%s bridge=%s", svc->hosts[i].name, svc->hosts[i].bridge);
	}
	if (pthread_create(&svc->reconciler, NULL, reconciler_main, svc) == 0)
		svc->has_reconciler = true;
	rc = api_http_start(svc, err);
	if (rc)
		goto fail;
	kairos_log(KAIROS_LOG_INFO, "listening", "address=%s port=%d threads=%d hosts=%zu",
		   cfg->listen_address, cfg->port, cfg->threads, svc->n_hosts);
	*out = svc;
	return 0;
fail:
	api_service_stop(svc);
	return rc;
}

void api_service_stop(struct api_service *svc)
{
	if (!svc)
		return;
	api_http_stop(svc);
	if (svc->has_reconciler) {
		pthread_mutex_lock(&svc->stop_lock);
		svc->is_stopping = true;
		pthread_cond_signal(&svc->stop_cond);
		pthread_mutex_unlock(&svc->stop_lock);
		pthread_join(svc->reconciler, NULL);
	}
	if (svc->net)
		network_backend_destroy(svc->net);
	compute_destroy(svc->compute);
	db_close(svc->db);
	free(svc->hosts);
	sla_cloud_free(svc->cloud);
	pthread_mutex_destroy(&svc->cloud_lock);
	pthread_cond_destroy(&svc->stop_cond);
	pthread_mutex_destroy(&svc->stop_lock);
	pthread_mutex_destroy(&svc->hosts_lock);
	free(svc);
}
