/* internal.h - what the files of db/ share. Never included from outside db/. */
#ifndef KAIROS_DB_INTERNAL_H
#define KAIROS_DB_INTERNAL_H

#include "db/db.h"

/*
 * Runs SQL with N text PARAMS (NULL entries are SQL NULL) on C; with N == 0, SQL may hold
 * several statements. On failure fills err with
 * "WHAT: <PostgreSQL message>" and returns -KAIROS_ECONFLICT for an integrity violation
 * (SQLSTATE class 23), -KAIROS_EBACKEND otherwise. *ROWS (may be NULL) receives the
 * number of rows the statement affected.
 */
int db_exec(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
	    long *rows, struct kairos_error *err);

#endif
