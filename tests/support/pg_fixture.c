/* pg_fixture.c - a fresh database per test in the shared private test cluster. */
#include "tests/support/pg_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static PGconn *connect_db(const struct pg_fixture *f, const char *dbname)
{
	char ci[1024];
	snprintf(ci, sizeof(ci), "host='%s' port='%s' user='%s' dbname='%s'", f->host, f->port,
		 f->user, dbname);
	PGconn *c = PQconnectdb(ci);
	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot reach the test PostgreSQL (%s): %s", ci,
		  PQerrorMessage(c));
	return c;
}

void pg_fixture_create(struct pg_fixture *f)
{
	const char *host = getenv("KAIROS_TEST_PGHOST");
	cr_assert(host && *host,
		  "KAIROS_TEST_PGHOST is not set: run the suites through scripts/test.sh");
	snprintf(f->host, sizeof(f->host), "%s", host);
	snprintf(f->port, sizeof(f->port), "%s",
		 getenv("KAIROS_TEST_PGPORT") ? getenv("KAIROS_TEST_PGPORT") : "5432");
	snprintf(f->user, sizeof(f->user), "%s",
		 getenv("KAIROS_TEST_PGUSER") ? getenv("KAIROS_TEST_PGUSER") : "kairos");
	unsigned int r = 0;
	cr_assert(getrandom(&r, sizeof(r), 0) == sizeof(r));
	snprintf(f->dbname, sizeof(f->dbname), "kt_%d_%08x", (int)getpid(), r);
	PGconn *c = connect_db(f, "postgres");
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->dbname);
	PGresult *res = PQexec(c, sql);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "CREATE DATABASE: %s",
		  PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
}

void pg_fixture_drop(struct pg_fixture *f)
{
	if (!f->dbname[0])
		return;
	PGconn *c = connect_db(f, "postgres");
	char sql[160];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
	PQclear(PQexec(c, sql));
	PQfinish(c);
	f->dbname[0] = '\0';
}

PGconn *pg_fixture_connect(const struct pg_fixture *f)
{
	return connect_db(f, f->dbname);
}

char *pg_fixture_scalar(const struct pg_fixture *f, const char *sql)
{
	PGconn *c = pg_fixture_connect(f);
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	cr_assert_eq(PQntuples(r), 1, "%s returned %d rows", sql, PQntuples(r));
	char *v = strdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}
