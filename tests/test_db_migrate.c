/*
 * test_db_migrate.c - schema migrations against the real PostgreSQL: a fresh database
 * gets the whole schema, a second run applies nothing, a broken file stops with its name
 * and the server's error and leaves the schema exactly as it was.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "tests/support/pg_fixture.h"

static struct pg_fixture pg;

static void setup(void)
{
	pg_fixture_create(&pg);
}

static void teardown(void)
{
	pg_fixture_drop(&pg);
}

static struct db *open_db(void)
{
	struct db_params p = {
	    .host = pg.host, .port = pg.port, .user = pg.user, .dbname = pg.dbname, .pool_size = 2};
	struct db *db = NULL;
	struct kairos_error err;
	kairos_error_clear(&err);
	cr_assert_eq(db_open(&p, &db, &err), 0, "db_open: %s", err.message);
	return db;
}

static const char *migrations_dir(void)
{
	static char dir[1024];
	const char *root = getenv("KAIROS_ROOT");
	snprintf(dir, sizeof(dir), "%s/migrations", root ? root : ".");
	return dir;
}

static int count_migration_files(void)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c '^[0-9][0-9][0-9][0-9]_.*\\.sql$'",
		 migrations_dir());
	FILE *p = popen(cmd, "r");
	int n = 0;
	cr_assert(fscanf(p, "%d", &n) == 1);
	pclose(p);
	return n;
}

/* The schema as text: every column of every table in public, in order. */
static char *schema_signature(void)
{
	return pg_fixture_scalar(
	    &pg, "SELECT coalesce(string_agg(table_name || '.' || column_name || ':' || data_type,"
		 " ',' ORDER BY table_name, ordinal_position), '')"
		 " FROM information_schema.columns WHERE table_schema = 'public'");
}

TestSuite(db_migrate, .init = setup, .fini = teardown, .timeout = 60);

Test(db_migrate, fresh_database_gets_the_full_schema)
{
	struct db *db = open_db();
	struct kairos_error err;
	kairos_error_clear(&err);
	int applied = -1;
	cr_assert_eq(db_migrate(db, migrations_dir(), &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, count_migration_files());
	cr_assert_gt(applied, 0);

	const char *tables[] = {"tenants",	"tokens",	"hosts",
				"vsns",		"sla_versions", "placements",
				"reservations", "events",	"schema_migrations"};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM information_schema.tables WHERE table_name = '%s'",
			 tables[i]);
		char *n = pg_fixture_scalar(&pg, sql);
		cr_assert_str_eq(n, "1", "table %s missing", tables[i]);
		free(n);
	}
	char *rows = pg_fixture_scalar(&pg, "SELECT count(*) FROM schema_migrations");
	cr_assert_eq(atoi(rows), applied);
	free(rows);
	char *first =
	    pg_fixture_scalar(&pg, "SELECT name FROM schema_migrations ORDER BY version LIMIT 1");
	cr_assert_str_eq(first, "0001_init.sql");
	free(first);
	db_close(db);
}

Test(db_migrate, second_run_applies_nothing)
{
	struct db *db = open_db();
	struct kairos_error err;
	int applied = -1;
	cr_assert_eq(db_migrate(db, migrations_dir(), &applied, &err), 0, "%s", err.message);
	char *before = schema_signature();
	cr_assert_eq(db_migrate(db, migrations_dir(), &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, 0);
	char *after = schema_signature();
	cr_assert_str_eq(before, after);
	free(before);
	free(after);
	db_close(db);
}

/* Copies the real migrations into a temp dir and adds EXTRA_NAME with EXTRA_SQL. */
static void make_dir_with(char *dir, size_t size, const char *extra_name, const char *extra_sql)
{
	snprintf(dir, size, "/tmp/kairos-mig-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char cmd[2400];
	snprintf(cmd, sizeof(cmd), "cp %s/*.sql %s/", migrations_dir(), dir);
	cr_assert_eq(system(cmd), 0);
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, extra_name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(extra_sql, f);
	fclose(f);
}

static void remove_dir(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(db_migrate, broken_migration_stops_with_file_and_error_and_changes_nothing)
{
	struct db *db = open_db();
	struct kairos_error err;
	kairos_error_clear(&err);
	int applied = 0;
	cr_assert_eq(db_migrate(db, migrations_dir(), &applied, &err), 0, "%s", err.message);
	char *before = schema_signature();

	char dir[64];
	/* The first statement succeeds on its own: the whole file must still be rolled back. */
	make_dir_with(dir, sizeof(dir), "9999_broken.sql",
		      "CREATE TABLE must_not_survive (id int);\n"
		      "ALTER TABLE tenants ADD COLUMN nope int;\n"
		      "SELECT no_such_column FROM tenants;\n");
	kairos_error_clear(&err);
	int rc = db_migrate(db, dir, &applied, &err);
	cr_assert_eq(rc, -KAIROS_EBACKEND);
	cr_assert_eq(applied, 0);
	cr_assert_not_null(strstr(err.message, "9999_broken.sql"), "message: %s", err.message);
	cr_assert_not_null(strstr(err.message, "column \"no_such_column\" does not exist"),
			   "message: %s", err.message);
	cr_assert_str_eq(err.field, "9999_broken.sql");

	char *after = schema_signature();
	cr_assert_str_eq(before, after, "schema changed by a failed migration");
	char *n =
	    pg_fixture_scalar(&pg, "SELECT count(*) FROM schema_migrations WHERE version = '9999'");
	cr_assert_str_eq(n, "0");
	free(n);
	free(before);
	free(after);
	remove_dir(dir);
	db_close(db);
}

Test(db_migrate, broken_first_migration_on_fresh_database_leaves_no_table)
{
	struct db *db = open_db();
	struct kairos_error err;
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/kairos-mig-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/0001_bad.sql", dir);
	FILE *f = fopen(path, "w");
	fputs("CREATE TABLE a (id int);\nCREATE TABLE a (id int);\n", f);
	fclose(f);
	cr_assert_eq(db_migrate(db, dir, NULL, &err), -KAIROS_EBACKEND);
	cr_assert_not_null(strstr(err.message, "0001_bad.sql"));
	cr_assert_not_null(strstr(err.message, "already exists"), "message: %s", err.message);
	char *n = pg_fixture_scalar(
	    &pg, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'a'");
	cr_assert_str_eq(n, "0");
	free(n);
	remove_dir(dir);
	db_close(db);
}

Test(db_migrate, badly_named_file_is_refused_by_name)
{
	struct db *db = open_db();
	struct kairos_error err;
	char dir[64];
	make_dir_with(dir, sizeof(dir), "12_oops.sql", "SELECT 1;");
	cr_assert_eq(db_migrate(db, dir, NULL, &err), -KAIROS_EINVAL);
	cr_assert_not_null(strstr(err.message, "12_oops.sql"), "message: %s", err.message);
	cr_assert_not_null(strstr(err.message, "NNNN_name.sql"));
	/* Nothing was applied: the check happens before any SQL runs. */
	char *n = pg_fixture_scalar(
	    &pg, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tenants'");
	cr_assert_str_eq(n, "0");
	free(n);
	remove_dir(dir);
	db_close(db);
}

Test(db_migrate, missing_directory_is_a_clear_error)
{
	struct db *db = open_db();
	struct kairos_error err;
	cr_assert_eq(db_migrate(db, "/nonexistent/migrations", NULL, &err), -KAIROS_EINVAL);
	cr_assert_not_null(strstr(err.message, "/nonexistent/migrations"));
	cr_assert_not_null(strstr(err.message, "No such file"));
	db_close(db);
}

TestSuite(db_token, .init = setup, .fini = teardown, .timeout = 60);

Test(db_token, admin_token_is_stored_hashed_and_found)
{
	struct db *db = open_db();
	struct kairos_error err;
	cr_assert_eq(db_migrate(db, migrations_dir(), NULL, &err), 0, "%s", err.message);
	char tok[65];
	cr_assert_eq(db_token_generate(tok, sizeof(tok)), 0);
	cr_assert_eq(strlen(tok), 64);
	cr_assert_eq(db_token_add_admin(db, tok, "test", &err), 0, "%s", err.message);
	cr_assert_eq(db_token_add_admin(db, tok, "test", &err), 0, "adding twice must be a no-op");
	struct db_principal who;
	cr_assert_eq(db_token_lookup(db, tok, &who, &err), 0, "%s", err.message);
	cr_assert(who.is_admin);
	cr_assert_str_eq(who.tenant_id, "");
	/* The plain token is nowhere in the table. */
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM tokens WHERE encode(token_hash, 'escape') LIKE '%%%s%%'",
		 tok);
	char *n = pg_fixture_scalar(&pg, sql);
	cr_assert_str_eq(n, "0");
	free(n);
	char *c = pg_fixture_scalar(&pg, "SELECT count(*) FROM tokens");
	cr_assert_str_eq(c, "1");
	free(c);
	tok[0] = tok[0] == 'a' ? 'b' : 'a';
	cr_assert_eq(db_token_lookup(db, tok, &who, &err), -KAIROS_ENOTFOUND);
	db_close(db);
}

Test(db_pool, unreachable_server_is_a_clear_error)
{
	struct db_params p = {.host = "/nonexistent-socket-dir",
			      .port = "5999",
			      .user = "kairos",
			      .dbname = "x",
			      .pool_size = 1,
			      .connect_timeout_s = 2};
	struct db *db = NULL;
	struct kairos_error err;
	cr_assert_eq(db_open(&p, &db, &err), -KAIROS_EBACKEND);
	cr_assert_null(db);
	cr_assert_not_null(strstr(err.message, "cannot connect to PostgreSQL"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "/nonexistent-socket-dir"), "%s", err.message);
}
