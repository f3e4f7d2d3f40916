/*
 * token.c - bearer tokens. Only SHA-256 digests are stored (computed by PostgreSQL's
 * built-in sha256(), so the service needs no crypto library); the plain token exists
 * only in the answer that created it and in the holder's hands.
 */
#include "db/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int db_token_generate(char *buf, size_t size)
{
	unsigned char raw[32];
	if (size < 2 * sizeof(raw) + 1)
		return -EINVAL;
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int db_token_lookup(struct db *db, const char *token, struct db_principal *who,
		    struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	const char *params[1] = {token};
	PGresult *r = PQexecParams(
	    c,
	    "SELECT t.is_admin, coalesce(t.tenant_id::text, ''), coalesce(n.name, '')"
	    " FROM tokens t LEFT JOIN tenants n ON n.id = t.tenant_id"
	    " WHERE t.token_hash = sha256(convert_to($1, 'UTF8')) AND t.revoked_at IS NULL",
	    1, NULL, params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database", "token lookup failed: %s",
				      PQresultErrorMessage(r));
	else if (PQntuples(r) == 0)
		rc = kairos_error_set(err, KAIROS_ENOTFOUND, "Authorization",
				      "unknown or revoked token");
	else {
		who->is_admin = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		snprintf(who->tenant_id, sizeof(who->tenant_id), "%s", PQgetvalue(r, 0, 1));
		snprintf(who->tenant_name, sizeof(who->tenant_name), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}

int db_token_add_admin(struct db *db, const char *token, const char *label,
		       struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	const char *params[2] = {token, label};
	int rc = db_exec(c,
			 "INSERT INTO tokens (token_hash, is_admin, label)"
			 " VALUES (sha256(convert_to($1, 'UTF8')), true, $2)"
			 " ON CONFLICT (token_hash) DO NOTHING",
			 2, params, "storing the admin token", NULL, err);
	db_conn_release(db, c);
	return rc;
}
