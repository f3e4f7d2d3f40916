/* host.c - the inventory table: insert, list, delete. */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *host_columns = "name, libvirt_uri, cores, memory_mib, speed, ovs_bridge, "
				  "uplink_mbps, storage_pool, storage_gib,"
				  " storage_iops, storage_mbps, availability_host, "
				  "availability_hypervisor, failure_domain, state";

int db_host_insert(struct db *db, PGconn *conn, const struct db_host *h, struct kairos_error *err)
{
	PGconn *c = conn ? conn : db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	char cores[16], mem[32], speed[40], up[40], gib[40], iops[32], mbps[40], ah[40], ahv[40];
	snprintf(cores, sizeof(cores), "%d", h->cores);
	snprintf(mem, sizeof(mem), "%lld", h->memory_mib);
	snprintf(speed, sizeof(speed), "%.17g", h->speed);
	snprintf(up, sizeof(up), "%.17g", h->uplink_mbps);
	snprintf(gib, sizeof(gib), "%.17g", h->storage_gib);
	snprintf(iops, sizeof(iops), "%lld", h->storage_iops);
	snprintf(mbps, sizeof(mbps), "%.17g", h->storage_mbps);
	snprintf(ah, sizeof(ah), "%.17g", h->availability_host);
	snprintf(ahv, sizeof(ahv), "%.17g", h->availability_hypervisor);
	const char *p[14] = {h->name, h->libvirt_uri,	cores, mem,  speed, h->ovs_bridge,
			     up,      h->storage_pool,	gib,   iops, mbps,  ah,
			     ahv,     h->failure_domain};
	PGresult *r = PQexecParams(
	    c,
	    "INSERT INTO hosts (name, libvirt_uri, cores, memory_mib, speed, ovs_bridge,"
	    " uplink_mbps, storage_pool, storage_gib, storage_iops, storage_mbps,"
	    " availability_host, availability_hypervisor, failure_domain)"
	    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
	    14, NULL, p, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
		if (state && strcmp(state, "23505") == 0)
			rc = kairos_error_set(
			    err, KAIROS_ECONFLICT,
			    constraint && strstr(constraint, "bridge") ? "ovs_bridge" : "name",
			    "host %s: %s is already in use", h->name,
			    constraint && strstr(constraint, "bridge") ? "the OVS bridge"
								       : "the name");
		else if (state && strcmp(state, "23514") == 0)
			rc = kairos_error_set(err, KAIROS_EINVAL, constraint ? constraint : "host",
					      "host %s breaks rule %s", h->name,
					      constraint ? constraint : "?");
		else
			rc = kairos_error_set(err, KAIROS_EBACKEND, "database",
					      "storing host %s: %s", h->name,
					      PQresultErrorMessage(r));
	}
	PQclear(r);
	if (!conn)
		db_conn_release(db, c);
	return rc;
}

int db_host_list(struct db *db, struct db_host **out, size_t *n_out, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT %s FROM hosts ORDER BY name", host_columns);
	PGresult *r = PQexec(c, sql);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "reading hosts: %s",
				      PQresultErrorMessage(r));
	} else {
		size_t n = (size_t)PQntuples(r);
		struct db_host *hs = kairos_xcalloc(n ? n : 1, sizeof(*hs));
		for (size_t i = 0; i < n; i++) {
			int k = (int)i;
			struct db_host *h = &hs[i];
			snprintf(h->name, sizeof(h->name), "%s", PQgetvalue(r, k, 0));
			snprintf(h->libvirt_uri, sizeof(h->libvirt_uri), "%s", PQgetvalue(r, k, 1));
			h->cores = atoi(PQgetvalue(r, k, 2));
			h->memory_mib = atoll(PQgetvalue(r, k, 3));
			h->speed = strtod(PQgetvalue(r, k, 4), NULL);
			snprintf(h->ovs_bridge, sizeof(h->ovs_bridge), "%s", PQgetvalue(r, k, 5));
			h->uplink_mbps = strtod(PQgetvalue(r, k, 6), NULL);
			snprintf(h->storage_pool, sizeof(h->storage_pool), "%s",
				 PQgetvalue(r, k, 7));
			h->storage_gib = strtod(PQgetvalue(r, k, 8), NULL);
			h->storage_iops = atoll(PQgetvalue(r, k, 9));
			h->storage_mbps = strtod(PQgetvalue(r, k, 10), NULL);
			h->availability_host = strtod(PQgetvalue(r, k, 11), NULL);
			h->availability_hypervisor = strtod(PQgetvalue(r, k, 12), NULL);
			snprintf(h->failure_domain, sizeof(h->failure_domain), "%s",
				 PQgetvalue(r, k, 13));
			snprintf(h->state, sizeof(h->state), "%s", PQgetvalue(r, k, 14));
		}
		*out = hs;
		*n_out = n;
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}

int db_host_delete(struct db *db, const char *name, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	const char *p[1] = {name};
	PGresult *r =
	    PQexecParams(c, "DELETE FROM hosts WHERE name = $1", 1, NULL, p, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23503") == 0)
			rc = kairos_error_set(
			    err, KAIROS_ECONFLICT, name,
			    "host %s still carries placed nodes; delete or move them first", name);
		else
			rc =
			    kairos_error_set(err, KAIROS_EBACKEND, "database",
					     "deleting host %s: %s", name, PQresultErrorMessage(r));
	} else if (strcmp(PQcmdTuples(r), "0") == 0) {
		rc = kairos_error_set(err, KAIROS_ENOTFOUND, name, "no host named %s", name);
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}
