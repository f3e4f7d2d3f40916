/* exec.c - one statement, one error report: the shared path of every db/ query. */
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_exec(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
	    long *rows, struct kairos_error *err)
{
	/* Without parameters the simple protocol runs several statements (migration files). */
	PGresult *r =
	    n == 0 ? PQexec(c, sql) : PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int code =
		    state && strncmp(state, "23", 2) == 0 ? KAIROS_ECONFLICT : KAIROS_EBACKEND;
		char msg[600];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		rc = kairos_error_set(err, code, what, "%s: %s", what, msg);
	} else if (rows) {
		*rows = atol(PQcmdTuples(r));
	}
	PQclear(r);
	return rc;
}
