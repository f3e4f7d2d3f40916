/*
 * vsn.c - VSNs, SLA versions, placements and reservations in PostgreSQL. Every decision
 * is one transaction; a failure anywhere rolls all of it back, so a request that fails
 * leaves no row behind. Decisions on shared capacity are serialised by the caller (the
 * admission lock) and, across processes, by a transaction-scoped advisory lock.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMISSION_LOCK_KEY 0x4b41444dLL /* "KADM" */

/* Runs a parameterised statement inside the caller's transaction. */
static int exec_params(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
		       struct kairos_error *err)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int code = state && strncmp(state, "23", 2) == 0 ? KAIROS_ECONFLICT : KAIROS_EBACKEND;
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		rc = kairos_error_set(err, code, what, "%s: %s", what, msg);
	}
	PQclear(r);
	return rc;
}

static int begin(PGconn *c, struct kairos_error *err)
{
	int rc = exec_params(c, "BEGIN", 0, NULL, "begin", err);
	if (rc == 0) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", ADMISSION_LOCK_KEY);
		rc = exec_params(c, sql, 0, NULL, "admission lock", err);
	}
	return rc;
}

static int finish(PGconn *c, int rc, struct kairos_error *err)
{
	if (rc) {
		PQclear(PQexec(c, "ROLLBACK"));
		return rc;
	}
	return exec_params(c, "COMMIT", 0, NULL, "commit", err);
}

/* Inserts SLA's version row, placements and reservations. */
static int insert_sla(PGconn *c, const char *vsn_id, const struct db_sla *sla, struct kairos_error *err)
{
	char version[16], target[40], composed[40];
	snprintf(version, sizeof(version), "%d", sla->version);
	snprintf(target, sizeof(target), "%.17g", sla->availability_target);
	snprintf(composed, sizeof(composed), "%.17g", sla->availability_composed);
	const char *p[6] = {vsn_id, version, sla->terms_json, sla->bounds_json,
			    sla->availability_target >= 0 ? target : NULL,
			    sla->availability_target >= 0 ? composed : NULL};
	int rc = exec_params(c,
			     "INSERT INTO sla_versions (vsn_id, version, state, terms, bounds, availability_target,"
			     " availability_composed) VALUES ($1, $2, 'agreed', $3::jsonb, $4::jsonb, $5, $6)",
			     6, p, "SLA version", err);
	for (size_t i = 0; rc == 0 && i < sla->n_placements; i++) {
		const struct db_placement *pl = &sla->placements[i];
		char replica[16], core[16], prio[24];
		snprintf(replica, sizeof(replica), "%d", pl->replica);
		snprintf(core, sizeof(core), "%d", pl->core);
		snprintf(prio, sizeof(prio), "%ld", pl->priority);
		const char *q[8] = {vsn_id, version, pl->node_iri, replica, pl->host, pl->core >= 0 ? core : NULL,
				    pl->has_priority ? prio : NULL, pl->mode};
		rc = exec_params(c,
				 "INSERT INTO placements (vsn_id, sla_version, node_iri, replica, host, core, priority, mode)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				 8, q, "placement", err);
	}
	for (size_t i = 0; rc == 0 && i < sla->n_reservations; i++) {
		const struct db_reservation *rv = &sla->reservations[i];
		char amount[40];
		snprintf(amount, sizeof(amount), "%.17g", rv->amount);
		const char *q[7] = {vsn_id, version, rv->element_iri, rv->resource, rv->kind, amount, rv->unit};
		rc = exec_params(c,
				 "INSERT INTO reservations (vsn_id, sla_version, element_iri, resource, kind, amount, unit)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7)",
				 7, q, "reservation", err);
	}
	for (size_t i = 0; rc == 0 && i < sla->n_changed; i++) {
		const char *q[2] = {sla->changed_ids[i], sla->changed_placements[i]};
		rc = exec_params(c, "UPDATE vsns SET placement = $2::jsonb WHERE id::text = $1", 2, q,
				 "placement of another VSN", err);
	}
	return rc;
}

int db_vsn_insert(struct db *db, const char *vsn_id, const char *tenant_id, const char *iri, const char *label,
		  const char *content_type, const char *document, const char *model_json, const struct db_sla *sla,
		  struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[8] = {vsn_id, tenant_id, iri, label ? label : "", content_type, document, model_json,
				    sla->placement_json};
		rc = exec_params(c,
				 "INSERT INTO vsns (id, tenant_id, iri, label, state, content_type, document, model, placement)"
				 " VALUES ($1, $2, $3, $4, 'admitted', $5, $6, $7::jsonb, $8::jsonb)",
				 8, p, "VSN", err);
		if (rc == -KAIROS_ECONFLICT)
			kairos_error_set(err, KAIROS_ECONFLICT, iri,
					 "you already have a live VSN %s; renegotiate or delete it first", iri);
	}
	if (rc == 0)
		rc = insert_sla(c, vsn_id, sla, err);
	if (rc == 0) {
		const char *p[2] = {tenant_id, vsn_id};
		rc = exec_params(c, "INSERT INTO events (kind, tenant_id, vsn_id) VALUES ('admitted', $1, $2)", 2, p,
				 "event", err);
	}
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_renegotiate(struct db *db, const char *vsn_id, const char *content_type, const char *document,
		       const char *model_json, const struct db_sla *sla, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	char prev[16];
	snprintf(prev, sizeof(prev), "%d", sla->version - 1);
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[2] = {vsn_id, prev};
		PGresult *r = PQexecParams(c,
					   "UPDATE sla_versions SET state = 'superseded', ended_at = now()"
					   " WHERE vsn_id = $1 AND version = $2 AND state = 'agreed'",
					   2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = kairos_error_set(err, KAIROS_EBACKEND, "sla", "superseding SLA: %s", PQresultErrorMessage(r));
		else if (strcmp(PQcmdTuples(r), "1") != 0)
			rc = kairos_error_set(err, KAIROS_ECONFLICT, vsn_id,
					      "SLA version %s of VSN %s is no longer the agreed one", prev, vsn_id);
		PQclear(r);
	}
	if (rc == 0) {
		const char *p[2] = {vsn_id, prev};
		rc = exec_params(c,
				 "UPDATE reservations SET state = 'released', released_at = now()"
				 " WHERE vsn_id = $1 AND sla_version = $2 AND state = 'active'",
				 2, p, "releasing reservations", err);
	}
	if (rc == 0)
		rc = insert_sla(c, vsn_id, sla, err);
	if (rc == 0) {
		char version[16];
		snprintf(version, sizeof(version), "%d", sla->version);
		const char *p[6] = {vsn_id, content_type, document, model_json, version, sla->placement_json};
		rc = exec_params(c,
				 "UPDATE vsns SET content_type = $2, document = $3, model = $4::jsonb, sla_version = $5,"
				 " placement = $6::jsonb, updated_at = now() WHERE id = $1",
				 6, p, "VSN", err);
	}
	if (rc == 0) {
		const char *p[1] = {vsn_id};
		rc = exec_params(c,
				 "INSERT INTO events (kind, tenant_id, vsn_id)"
				 " SELECT 'renegotiated', tenant_id, id FROM vsns WHERE id = $1",
				 1, p, "event", err);
	}
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_delete(struct db *db, const char *vsn_id, const char *tenant_id, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	int rc = begin(c, err);
	if (rc == 0) {
		const char *p[2] = {vsn_id, tenant_id};
		PGresult *r = PQexecParams(c,
					   "UPDATE vsns SET state = 'deleted', updated_at = now()"
					   " WHERE id::text = $1 AND state <> 'deleted' AND ($2::uuid IS NULL OR tenant_id = $2)",
					   2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = kairos_error_set(err, KAIROS_EBACKEND, "vsn", "deleting VSN: %s", PQresultErrorMessage(r));
		else if (strcmp(PQcmdTuples(r), "1") != 0)
			rc = kairos_error_set(err, KAIROS_ENOTFOUND, vsn_id, "no VSN %s", vsn_id);
		PQclear(r);
	}
	if (rc == 0) {
		const char *p[1] = {vsn_id};
		rc = exec_params(c,
				 "UPDATE sla_versions SET state = 'released', ended_at = now()"
				 " WHERE vsn_id = $1 AND state = 'agreed'",
				 1, p, "releasing SLA", err);
		if (rc == 0)
			rc = exec_params(c,
					 "UPDATE reservations SET state = 'released', released_at = now()"
					 " WHERE vsn_id = $1 AND state = 'active'",
					 1, p, "releasing reservations", err);
		if (rc == 0)
			rc = exec_params(c,
					 "INSERT INTO events (kind, tenant_id, vsn_id)"
					 " SELECT 'deleted', tenant_id, id FROM vsns WHERE id = $1",
					 1, p, "event", err);
	}
	rc = finish(c, rc, err);
	db_conn_release(db, c);
	return rc;
}

int db_vsn_fetch(struct db *db, const char *tenant_id, const char *vsn_id, json_t **out, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	/* The whole answer is assembled by PostgreSQL: one round trip per request. */
	const char *sql =
		"SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]'::json)::text FROM ("
		" SELECT v.id, v.tenant_id AS tenant, v.iri, v.label, v.state, v.content_type, v.model,"
		"  to_char(v.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at,"
		"  json_build_object('version', s.version, 'state', s.state, 'terms', s.terms, 'bounds', s.bounds,"
		"   'availability', json_build_object('target', s.availability_target, 'composed', s.availability_composed))"
		"   AS sla,"
		"  (SELECT coalesce(json_object_agg(p.node_iri || CASE WHEN p.replica > 0 THEN '#replica' || p.replica ELSE '' END,"
		"     json_build_object('host', p.host, 'core', p.core, 'priority', p.priority, 'mode', p.mode)), '{}'::json)"
		"   FROM placements p WHERE p.vsn_id = v.id AND p.sla_version = s.version) AS placement"
		" FROM vsns v JOIN sla_versions s ON s.vsn_id = v.id AND s.version = v.sla_version"
		" WHERE v.state <> 'deleted' AND ($1::uuid IS NULL OR v.tenant_id = $1)"
		"  AND ($2::text IS NULL OR v.id::text = $2)) x";
	const char *p[2] = {tenant_id, vsn_id};
	PGresult *r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "reading VSNs: %s", PQresultErrorMessage(r));
	} else {
		json_error_t jerr;
		json_t *arr = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
		if (!arr)
			rc = kairos_error_set(err, KAIROS_EINTERNAL, "database", "VSN rows are not JSON: %s", jerr.text);
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
	PGresult *r = PQexec(c, "SELECT coalesce(json_agg(json_build_object('id', id, 'model', model,"
				" 'placement', placement) ORDER BY admission_seq), '[]'::json)::text"
				" FROM vsns WHERE state = 'admitted'");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "reading admitted VSNs: %s",
				      PQresultErrorMessage(r));
	} else {
		*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		if (!*out)
			rc = kairos_error_set(err, KAIROS_EINTERNAL, "database", "admitted VSNs are not JSON");
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}
