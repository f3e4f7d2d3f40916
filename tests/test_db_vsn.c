/*
 * test_db_vsn.c - VSN persistence against the real PostgreSQL: one transaction per
 * decision, nothing left behind when any part fails, versions superseded atomically.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "tests/support/pg_fixture.h"

static struct pg_fixture pg;
static struct db *db;
static char tenant[37];

static void exec_sql(const char *sql)
{
	PGconn *c = pg_fixture_connect(&pg);
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		  "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static void setup(void)
{
	pg_fixture_create(&pg);
	struct db_params p = {
	    .host = pg.host, .port = pg.port, .user = pg.user, .dbname = pg.dbname, .pool_size = 2};
	struct kairos_error err;
	cr_assert_eq(db_open(&p, &db, &err), 0, "%s", err.message);
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/migrations",
		 getenv("KAIROS_ROOT") ? getenv("KAIROS_ROOT") : ".");
	cr_assert_eq(db_migrate(db, dir, NULL, &err), 0, "%s", err.message);
	exec_sql("INSERT INTO hosts (name, libvirt_uri, cores, memory_mib, speed, ovs_bridge, "
		 "uplink_mbps, storage_pool,"
		 " storage_gib, storage_iops, storage_mbps, availability_host, "
		 "availability_hypervisor, failure_domain)"
		 " VALUES ('server1', 'test:///default', 8, 16384, 1, 'br1', 1000, 'p1', 100, "
		 "1000, 100, 0.999, 0.9999, 'a')");
	struct db_tenant t;
	char token[65];
	cr_assert_eq(db_tenant_create(db, "acme", &t, token, sizeof(token), &err), 0, "%s",
		     err.message);
	snprintf(tenant, sizeof(tenant), "%s", t.id);
}

static void teardown(void)
{
	db_close(db);
	pg_fixture_drop(&pg);
}

TestSuite(db_vsn, .init = setup, .fini = teardown, .timeout = 60);

static const char *ID = "6d1b7b0e-8d44-4a43-9c51-0b3d2f6a1c01";

static struct db_sla sla_v(int version, const char *host, const struct db_placement *pl,
			   struct db_reservation *rv)
{
	(void)host;
	struct db_sla s = {.version = version,
			   .terms_json = "{\"deadlineMs\": 4}",
			   .bounds_json =
			       "{\"nodes\": {\"ex:VM1\": {\"wcrtMs\": 3, \"deadlineMs\": 4}}}",
			   .availability_target = 0.999,
			   .availability_composed = 0.9989,
			   .placements = pl,
			   .n_placements = 1,
			   .reservations = rv,
			   .n_reservations = 1};
	return s;
}

static char *q(const char *sql)
{
	return pg_fixture_scalar(&pg, sql);
}

Test(db_vsn, insert_fetch_renegotiate_delete)
{
	struct kairos_error err;
	struct db_placement pl = {"ex:VM1", 0, "server1", 2, 1, true, "normal"};
	struct db_reservation rv = {"ex:VM1", "server1/core2", "cpu", 0.12, "share"};
	struct db_sla s1 = sla_v(1, "server1", &pl, &rv);
	cr_assert_eq(db_vsn_insert(db, ID, tenant, "ex:grid", "grid", "text/turtle", "doc",
				   "{\"id\": \"ex:grid\"}", &s1, &err),
		     0, "%s", err.message);
	json_t *arr = NULL;
	cr_assert_eq(db_vsn_fetch(db, tenant, ID, &arr, &err), 0, "%s", err.message);
	json_t *v = json_array_get(arr, 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "state")), "admitted");
	json_t *sla = json_object_get(v, "sla");
	cr_assert_eq(json_integer_value(json_object_get(sla, "version")), 1);
	cr_assert_eq(json_integer_value(json_object_get(
			 json_object_get(json_object_get(v, "placement"), "ex:VM1"), "core")),
		     2);
	cr_assert_eq(
	    json_number_value(json_object_get(json_object_get(sla, "availability"), "target")),
	    0.999);
	json_decref(arr);

	/* Another tenant sees nothing. */
	cr_assert_eq(db_vsn_fetch(db, "00000000-0000-0000-0000-000000000000", ID, &arr, &err),
		     -KAIROS_ENOTFOUND);

	/* The same IRI twice for one tenant is refused. */
	cr_assert_eq(db_vsn_insert(db, "6d1b7b0e-8d44-4a43-9c51-0b3d2f6a1c02", tenant, "ex:grid",
				   "grid", "text/turtle", "doc", "{}", &s1, &err),
		     -KAIROS_ECONFLICT);

	struct db_placement pl2 = {"ex:VM1", 0, "server1", 3, 1, true, "normal"};
	struct db_reservation rv2 = {"ex:VM1", "server1/core3", "cpu", 0.2, "share"};
	struct db_sla s2 = sla_v(2, "server1", &pl2, &rv2);
	cr_assert_eq(db_vsn_renegotiate(db, ID, "application/json", "doc2", "{\"id\": \"ex:grid\"}",
					&s2, &err),
		     0, "%s", err.message);
	char *n =
	    q("SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM sla_versions");
	cr_assert_str_eq(n, "1:superseded,2:agreed");
	free(n);
	n = q("SELECT string_agg(sla_version || ':' || state, ',' ORDER BY sla_version) FROM "
	      "reservations");
	cr_assert_str_eq(n, "1:released,2:active");
	free(n);
	/* A stale renegotiation (version 2 again) is a conflict and changes nothing. */
	cr_assert_eq(db_vsn_renegotiate(db, ID, "application/json", "doc3", "{}", &s2, &err),
		     -KAIROS_ECONFLICT);
	n = q("SELECT document FROM vsns");
	cr_assert_str_eq(n, "doc2");
	free(n);

	cr_assert_eq(db_vsn_delete(db, ID, tenant, &err), 0, "%s", err.message);
	cr_assert_eq(db_vsn_delete(db, ID, tenant, &err), -KAIROS_ENOTFOUND);
	n = q("SELECT count(*) FROM reservations WHERE state = 'active'");
	cr_assert_str_eq(n, "0");
	free(n);
	n = q("SELECT string_agg(kind, ',' ORDER BY id) FROM events");
	cr_assert_str_eq(n, "admitted,renegotiated,deleted");
	free(n);
}

Test(db_vsn, failure_half_way_leaves_no_row)
{
	struct kairos_error err;
	/* The placement names a host that does not exist: the last insert fails. */
	struct db_placement pl = {"ex:VM1", 0, "nohost", 0, 1, true, "normal"};
	struct db_reservation rv = {"ex:VM1", "nohost/core0", "cpu", 0.1, "share"};
	struct db_sla s1 = sla_v(1, "nohost", &pl, &rv);
	int rc =
	    db_vsn_insert(db, ID, tenant, "ex:grid", "grid", "text/turtle", "doc", "{}", &s1, &err);
	cr_assert_neq(rc, 0);
	cr_assert_not_null(strstr(err.message, "placement"), "%s", err.message);
	const char *tables[] = {"vsns", "sla_versions", "placements", "reservations", "events"};
	for (int i = 0; i < 5; i++) {
		char sql[80];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		char *n = q(sql);
		cr_assert_str_eq(n, "0", "%s has a row", tables[i]);
		free(n);
	}
}
