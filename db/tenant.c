/*
 * tenant.c - tenants and their tokens. A tenant and its first token are created in one
 * transaction; the plain token is returned to the caller once and only its SHA-256 digest
 * is stored.
 */
#include "db/db.h"

#include <stdio.h>
#include <string.h>

int db_tenant_create(struct db *db, const char *name, struct db_tenant *out, char *token,
		     size_t token_size, struct kairos_error *err)
{
	int rc = db_token_generate(token, token_size);
	if (rc)
		return kairos_error_set(err, KAIROS_EINTERNAL, "token",
					"no randomness for a token");
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	const char *params[2] = {name, token};
	/* One statement, hence one transaction: both rows or neither. */
	PGresult *r = PQexecParams(
	    c,
	    "WITH t AS (INSERT INTO tenants (name) VALUES ($1) RETURNING id, name, created_at),"
	    " k AS (INSERT INTO tokens (token_hash, tenant_id, label)"
	    "       SELECT sha256(convert_to($2, 'UTF8')), id, 'created with the tenant' FROM t)"
	    " SELECT id, name, to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM t",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23505") == 0)
			rc = kairos_error_set(err, KAIROS_ECONFLICT, "name",
					      "a tenant named %s already exists", name);
		else if (state && strcmp(state, "23514") == 0)
			rc = kairos_error_set(err, KAIROS_EINVAL, "name",
					      "tenant name \"%s\" must be 1-63 characters of a-z, "
					      "0-9, '.', '_' and '-',"
					      " starting with a letter or digit",
					      name);
		else
			rc = kairos_error_set(err, KAIROS_EBACKEND, "database",
					      "creating tenant %s: %s", name,
					      PQresultErrorMessage(r));
	} else {
		snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(r, 0, 0));
		snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 1));
		snprintf(out->created_at, sizeof(out->created_at), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	db_conn_release(db, c);
	if (rc)
		memset(token, 0, token_size);
	return rc;
}
