/*
 * migrate.c - schema migrations. Files migrations/NNNN_name.sql are applied in the order
 * of their number, each in one transaction with its schema_migrations row, so a file is
 * either wholly applied and recorded or not at all. A file must not contain transaction
 * control (BEGIN/COMMIT) of its own.
 */
#include "db/internal.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATION_LOCK_KEY 0x4b6169726f73LL /* "Kairos": serialises concurrent starts */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the migration file names of DIR, sorted. Rejects *.sql files with a bad name. */
static int list_migrations(const char *dir, char ***names_out, size_t *n_out,
			   struct kairos_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return kairos_error_set(err, KAIROS_EINVAL, dir,
					"cannot read migrations directory %s: %s", dir,
					strerror(errno));
	regex_t re;
	regcomp(&re, "^[0-9]{4}_[a-z0-9_]+\\.sql$", REG_EXTENDED | REG_NOSUB);
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		if (regexec(&re, e->d_name, 0, NULL, 0) != 0) {
			rc = kairos_error_set(err, KAIROS_EINVAL, e->d_name,
					      "migration file %s/%s is not named NNNN_name.sql",
					      dir, e->d_name);
			break;
		}
		names = kairos_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = kairos_xstrdup(e->d_name);
	}
	closedir(d);
	regfree(&re);
	if (rc == 0) {
		qsort(names, n, sizeof(*names), name_cmp);
		for (size_t i = 1; i < n; i++)
			if (strncmp(names[i - 1], names[i], 4) == 0) {
				rc = kairos_error_set(err, KAIROS_EINVAL, names[i],
						      "migrations %s and %s share the number %.4s",
						      names[i - 1], names[i], names[i]);
				break;
			}
	}
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return rc;
	}
	*names_out = names;
	*n_out = n;
	return 0;
}

static int is_applied(PGconn *c, const char *version, bool *applied, struct kairos_error *err)
{
	const char *params[1] = {version};
	PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
				   params, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = kairos_error_set(err, KAIROS_EBACKEND, "schema_migrations",
				      "reading schema_migrations: %s", PQresultErrorMessage(r));
	else
		*applied = PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

static int apply_one(PGconn *c, const char *dir, const char *name, struct kairos_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *sql = NULL;
	int rc = kairos_read_file(path, &sql, NULL);
	if (rc)
		return kairos_error_set(err, KAIROS_EINVAL, name, "cannot read migration %s: %s",
					path, strerror(-rc));
	char version[5];
	snprintf(version, sizeof(version), "%.4s", name);

	rc = db_exec(c, "BEGIN", 0, NULL, "BEGIN", NULL, err);
	if (rc)
		goto out;
	char what[4200];
	snprintf(what, sizeof(what), "migration %s failed, nothing of it was applied", path);
	rc = db_exec(c, sql, 0, NULL, what, NULL, err);
	if (rc) {
		if (err)
			snprintf(err->field, sizeof(err->field), "%s", name);
		goto rollback;
	}
	const char *params[2] = {version, name};
	PGresult *r =
	    PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
			 NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = kairos_error_set(err, KAIROS_EBACKEND, name, "recording migration %s: %s",
				      name, PQresultErrorMessage(r));
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	rc = db_exec(c, "COMMIT", 0, NULL, name, NULL, err);
	goto out;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
out:
	free(sql);
	return rc;
}

int db_migrate(struct db *db, const char *dir, int *applied_out, struct kairos_error *err)
{
	char **names = NULL;
	size_t n = 0;
	int applied = 0;
	int rc = list_migrations(dir, &names, &n, err);
	if (rc)
		return rc;
	PGconn *c = db_conn_acquire(db, err);
	if (!c) {
		rc = -KAIROS_EBACKEND;
		goto out;
	}
	char lock_sql[96];
	snprintf(lock_sql, sizeof(lock_sql), "SELECT pg_advisory_lock(%lld)", MIGRATION_LOCK_KEY);
	rc = db_exec(c, lock_sql, 0, NULL, "migration lock", NULL, err);
	if (rc)
		goto release;
	rc = db_exec(c,
		     "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     " version text PRIMARY KEY, name text NOT NULL,"
		     " applied_at timestamptz NOT NULL DEFAULT now())",
		     0, NULL, "schema_migrations", NULL, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char version[5];
		bool done = false;
		snprintf(version, sizeof(version), "%.4s", names[i]);
		rc = is_applied(c, version, &done, err);
		if (rc == 0 && !done) {
			rc = apply_one(c, dir, names[i], err);
			if (rc == 0)
				applied++;
		}
	}
	snprintf(lock_sql, sizeof(lock_sql), "SELECT pg_advisory_unlock(%lld)", MIGRATION_LOCK_KEY);
	PQclear(PQexec(c, lock_sql));
release:
	db_conn_release(db, c);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (applied_out)
		*applied_out = applied;
	return rc;
}
