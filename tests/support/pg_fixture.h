/*
 * pg_fixture.h - integration tests' access to the private PostgreSQL cluster that
 * scripts/test.sh starts (KAIROS_TEST_PGHOST / _PGPORT / _PGUSER). Each test gets a
 * database of its own, created fresh and dropped afterwards.
 */
#ifndef KAIROS_TEST_PG_FIXTURE_H
#define KAIROS_TEST_PG_FIXTURE_H

#include <libpq-fe.h>

struct pg_fixture {
	char host[512];
	char port[16];
	char user[64];
	char dbname[64];
};

/* Creates a fresh empty database; aborts the test (cr_assert) when the cluster is missing. */
void pg_fixture_create(struct pg_fixture *f);
/* Drops it (terminating leftover connections). */
void pg_fixture_drop(struct pg_fixture *f);
/* A new connection to the fixture's database; the caller PQfinish()es it. */
PGconn *pg_fixture_connect(const struct pg_fixture *f);
/* Runs a query expected to return one value; returns it malloc'd ("" for NULL). */
char *pg_fixture_scalar(const struct pg_fixture *f, const char *sql);

#endif
