/*
 * vsn.c - VSNs, SLA versions, placements and reservations in PostgreSQL. Every decision
 * is one transaction; a failure anywhere rolls all of it back, so a request that fails
 * leaves no row behind. Decisions on shared capacity are serialised by the caller (the
 * admission lock) and, across processes, by a transaction-scoped advisory lock.
 */
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMISSION_LOCK_KEY 0x4b41444dLL /* "KADM" */

static int begin(PGconn *c, struct kairos_error *err)
{
	int rc = db_exec(c, "BEGIN", 0, NULL, "begin", NULL, err);
	if (rc == 0) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)",
			 ADMISSION_LOCK_KEY);
		rc = db_exec(c, sql, 0, NULL, "admission lock", NULL, err);
	}
	return rc;
}

static int finish(PGconn *c, int rc, struct kairos_error *err)
{
	if (rc) {
		PQclear(PQexec(c, "ROLLBACK"));
		return rc;
	}
	return db_exec(c, "COMMIT", 0, NULL, "commit", NULL, err);
}

/* Appends a KIND event for VSN_ID (its row exists by now) to the journal. */
static int record_event(PGconn *c, const char *kind, const char *vsn_id, struct kairos_error *err)
{
	const char *p[2] = {kind, vsn_id};
	return db_exec(c,
		       "INSERT INTO events (kind, tenant_id, vsn_id)"
		       " SELECT $1, tenant_id, id FROM vsns WHERE id::text = $2",
		       2, p, "event", NULL, err);
}

/* Inserts SLA's version row, placements and reservations. */
static int insert_sla(PGconn *c, const char *vsn_id, const struct db_sla *sla,
		      struct kairos_error *err)
{
	char version[16], target[40], composed[40];
	snprintf(version, sizeof(version), "%d", sla->version);
	snprintf(target, sizeof(target), "%.17g", sla->availability_target);
	snprintf(composed, sizeof(composed), "%.17g", sla->availability_composed);
	const char *p[6] = {vsn_id,
			    version,
			    sla->terms_json,
			    sla->bounds_json,
			    sla->availability_target >= 0 ? target : NULL,
			    sla->availability_target >= 0 ? composed : NULL};
	int rc = db_exec(
	    c,
	    "INSERT INTO sla_versions (vsn_id, version, state, terms, bounds, availability_target,"
	    " availability_composed) VALUES ($1, $2, 'agreed', $3::jsonb, $4::jsonb, $5, $6)",
	    6, p, "SLA version", NULL, err);
	for (size_t i = 0; rc == 0 && i < sla->n_placements; i++) {
		const struct db_placement *pl = &sla->placements[i];
		char replica[16], core[16], prio[24];
		snprintf(replica, sizeof(replica), "%d", pl->replica);
		snprintf(core, sizeof(core), "%d", pl->core);
		snprintf(prio, sizeof(prio), "%ld", pl->priority);
		const char *q[8] = {vsn_id,
				    version,
				    pl->node_iri,
				    replica,
				    pl->host,
				    pl->core >= 0 ? core : NULL,
				    pl->has_priority ? prio : NULL,
				    pl->mode};
		rc = db_exec(c,
			     "INSERT INTO placements (vsn_id, sla_version, node_iri, replica, "
			     "host, core, priority, mode)"
			     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			     8, q, "placement", NULL, err);
	}
	for (size_t i = 0; rc == 0 && i < sla->n_reservations; i++) {
		const struct db_reservation *rv = &sla->reservations[i];
		char amount[40];
		snprintf(amount, sizeof(amount), "%.17g", rv->amount);
		const char *q[7] = {vsn_id,   version, rv->element_iri, rv->resource,
				    rv->kind, amount,  rv->unit};
		rc = db_exec(c,
			     "INSERT INTO reservations (vsn_id, sla_version, element_iri, "
			     "resource, kind, amount, unit)"
			     " VALUES ($1, $2, $3, $4, $5, $6, $7)",
			     7, q, "reservation", NULL, err);
	}
	for (size_t i = 0; rc == 0 && i < sla->n_changed; i++) {
		const char *q[2] = {sla->changed_ids[i], sla->changed_placements[i]};
		rc = db_exec(c, "UPDATE vsns SET placement = $2::jsonb WHERE id::text = $1", 2, q,
			     "placement of another VSN", NULL, err);
	}
	return rc;
}

int db_vsn_insert(struct db *db, const char *vsn_id, const char *tenant_id, const char *iri,
		  const char *label, const char *content_type, const char *document,
		  const char *model_json, const struct db_sla *sla, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[8] = {vsn_id,	  tenant_id, iri,	 label ? label : "",
				    content_type, document,  model_json, sla->placement_json};
		rc = db_exec(c,
			     "INSERT INTO vsns (id, tenant_id, iri, label, state, content_type, "
			     "document, model, placement)"
			     " VALUES ($1, $2, $3, $4, 'admitted', $5, $6, $7::jsonb, $8::jsonb)",
			     8, p, "VSN", NULL, err);
		if (rc == -KAIROS_ECONFLICT)
			kairos_error_set(
			    err, KAIROS_ECONFLICT, iri,
			    "you already have a live VSN %s; renegotiate or delete it first", iri);
	}
	if (rc == 0)
		rc = insert_sla(c, vsn_id, sla, err);
	if (rc == 0)
		rc = record_event(c, "admitted", vsn_id, err);
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_renegotiate(struct db *db, const char *vsn_id, const char *content_type,
		       const char *document, const char *model_json, const struct db_sla *sla,
		       struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	char prev[16];
	snprintf(prev, sizeof(prev), "%d", sla->version - 1);
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[2] = {vsn_id, prev};
		long rows = 0;
		rc = db_exec(c,
			     "UPDATE sla_versions SET state = 'superseded', ended_at = now()"
			     " WHERE vsn_id = $1 AND version = $2 AND state = 'agreed'",
			     2, p, "superseding SLA", &rows, err);
		if (rc == 0 && rows != 1)
			rc = kairos_error_set(
			    err, KAIROS_ECONFLICT, vsn_id,
			    "SLA version %s of VSN %s is no longer the agreed one", prev, vsn_id);
	}
	if (rc == 0) {
		const char *p[2] = {vsn_id, prev};
		rc = db_exec(c,
			     "UPDATE reservations SET state = 'released', released_at = now()"
			     " WHERE vsn_id = $1 AND sla_version = $2 AND state = 'active'",
			     2, p, "releasing reservations", NULL, err);
	}
	if (rc == 0)
		rc = insert_sla(c, vsn_id, sla, err);
	if (rc == 0) {
		char version[16];
		snprintf(version, sizeof(version), "%d", sla->version);
		const char *p[6] = {vsn_id,	content_type, document,
				    model_json, version,      sla->placement_json};
		rc = db_exec(c,
			     "UPDATE vsns SET content_type = $2, document = $3, model = $4::jsonb, "
			     "sla_version = $5,"
			     " placement = $6::jsonb, updated_at = now() WHERE id = $1",
			     6, p, "VSN", NULL, err);
	}
	if (rc == 0)
		rc = record_event(c, "renegotiated", vsn_id, err);
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_delete(struct db *db, const char *vsn_id, const char *tenant_id,
		  struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[2] = {vsn_id, tenant_id};
		long rows = 0;
		rc = db_exec(c,
			     "UPDATE vsns SET state = 'deleted', updated_at = now()"
			     " WHERE id::text = $1 AND state <> 'deleted' AND ($2::uuid IS NULL OR "
			     "tenant_id = $2)",
			     2, p, "deleting VSN", &rows, err);
		if (rc == 0 && rows != 1)
			rc = kairos_error_set(err, KAIROS_ENOTFOUND, vsn_id, "no VSN %s", vsn_id);
	}
	if (rc == 0) {
		const char *p[1] = {vsn_id};
		rc = db_exec(c,
			     "UPDATE sla_versions SET state = 'released', ended_at = now()"
			     " WHERE vsn_id = $1 AND state = 'agreed'",
			     1, p, "releasing SLA", NULL, err);
		if (rc == 0)
			rc = db_exec(
			    c,
			    "UPDATE reservations SET state = 'released', released_at = now()"
			    " WHERE vsn_id = $1 AND state = 'active'",
			    1, p, "releasing reservations", NULL, err);
		if (rc == 0)
			rc = record_event(c, "deleted", vsn_id, err);
	}
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_fetch(struct db *db, const char *tenant_id, const char *vsn_id, json_t **out,
		 struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	/* The whole answer is assembled by PostgreSQL: one round trip per request. */
	const char *sql =
	    "SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]'::json)::text FROM ("
	    " SELECT v.id, v.tenant_id AS tenant, v.iri, v.label, v.state, v.content_type, v.model,"
	    "  to_char(v.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at,"
	    "  json_build_object('version', s.version, 'state', s.state, 'terms', s.terms, "
	    "'bounds', s.bounds,"
	    "   'availability', json_build_object('target', s.availability_target, 'composed', "
	    "s.availability_composed))"
	    "   AS sla,"
	    "  (SELECT coalesce(json_object_agg(p.node_iri || CASE WHEN p.replica > 0 THEN "
	    "'#replica' || p.replica ELSE '' END,"
	    "     json_build_object('host', p.host, 'core', p.core, 'priority', p.priority, "
	    "'mode', p.mode)), '{}'::json)"
	    "   FROM placements p WHERE p.vsn_id = v.id AND p.sla_version = s.version) AS placement"
	    " FROM vsns v JOIN sla_versions s ON s.vsn_id = v.id AND s.version = v.sla_version"
	    " WHERE v.state <> 'deleted' AND ($1::uuid IS NULL OR v.tenant_id = $1)"
	    "  AND ($2::text IS NULL OR v.id::text = $2)) x";
	const char *p[2] = {tenant_id, vsn_id};
	PGresult *r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "reading VSNs: %s",
				      PQresultErrorMessage(r));
	} else {
		json_error_t jerr;
		json_t *arr = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
		if (!arr)
			rc = kairos_error_set(err, KAIROS_EINTERNAL, "database",
					      "VSN rows are not JSON: %s", jerr.text);
		else if (vsn_id && json_array_size(arr) == 0) {
			json_decref(arr);
			rc = kairos_error_set(err, KAIROS_ENOTFOUND, vsn_id, "no VSN %s", vsn_id);
		} else
			*out = arr;
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_restore_list(struct db *db, json_t **out, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	PGresult *r =
	    PQexec(c, "SELECT coalesce(json_agg(json_build_object('id', id, 'model', model,"
		      " 'placement', placement) ORDER BY admission_seq), '[]'::json)::text"
		      " FROM vsns WHERE state = 'admitted'");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "reading admitted VSNs: %s",
				      PQresultErrorMessage(r));
	} else {
		*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		if (!*out)
			rc = kairos_error_set(err, KAIROS_EINTERNAL, "database",
					      "admitted VSNs are not JSON");
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}
