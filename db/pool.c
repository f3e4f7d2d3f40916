/*
 * pool.c - the connection pool. A fixed array of slots guarded by one mutex; a borrower
 * takes a free slot, connecting lazily. libpq connections are not thread-safe, so a
 * connection is used by one thread at a time, which the slot ownership guarantees.
 */
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db_slot {
	PGconn *conn;
	bool is_busy;
};

struct db {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char conninfo[1024];
	int size;
	struct db_slot *slots;
};

/* Appends key='value' with libpq's quoting rules (backslash before ' and \). */
static void conninfo_add(struct kairos_buf *b, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	kairos_buf_printf(b, "%s%s='", b->len ? " " : "", key);
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			kairos_buf_append(b, "\\", 1);
		kairos_buf_append(b, p, 1);
	}
	kairos_buf_append(b, "'", 1);
}

static PGconn *connect_one(struct db *db, struct kairos_error *err)
{
	PGconn *c = PQconnectdb(db->conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		msg[strcspn(msg, "\n")] = '\0';
		kairos_error_set(err, KAIROS_EBACKEND, "database",
				 "cannot connect to PostgreSQL: %s", msg);
		PQfinish(c);
		return NULL;
	}
	/* Times and numbers come back in a fixed, locale-free form. */
	PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'; SET extra_float_digits = 3");
	PQclear(r);
	return c;
}

int db_open(const struct db_params *params, struct db **out, struct kairos_error *err)
{
	struct kairos_buf ci = {0};
	conninfo_add(&ci, "host", params->host);
	conninfo_add(&ci, "port", params->port);
	conninfo_add(&ci, "user", params->user);
	conninfo_add(&ci, "dbname", params->dbname);
	char timeout[16];
	snprintf(timeout, sizeof(timeout), "%d",
		 params->connect_timeout_s > 0 ? params->connect_timeout_s : 5);
	conninfo_add(&ci, "connect_timeout", timeout);
	conninfo_add(&ci, "application_name", "kairosd");
	if (ci.len >= sizeof(((struct db *)0)->conninfo)) {
		kairos_buf_destroy(&ci);
		return kairos_error_set(err, KAIROS_EINVAL, "database",
					"connection parameters too long");
	}

	struct db *db = kairos_xcalloc(1, sizeof(*db));
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->freed, NULL);
	snprintf(db->conninfo, sizeof(db->conninfo), "%s", kairos_buf_str(&ci));
	kairos_buf_destroy(&ci);
	db->size = params->pool_size > 0 ? params->pool_size : 1;
	db->slots = kairos_xcalloc((size_t)db->size, sizeof(*db->slots));
	db->slots[0].conn = connect_one(db, err);
	if (!db->slots[0].conn) {
		db_close(db);
		return -KAIROS_EBACKEND;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->size; i++)
		if (db->slots[i].conn)
			PQfinish(db->slots[i].conn);
	free(db->slots);
	pthread_cond_destroy(&db->freed);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

PGconn *db_conn_acquire(struct db *db, struct kairos_error *err)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;

	pthread_mutex_lock(&db->lock);
	int idx = -1;
	for (;;) {
		/* Prefer a slot that already holds a connection. */
		for (int i = 0; i < db->size && idx < 0; i++)
			if (!db->slots[i].is_busy && db->slots[i].conn)
				idx = i;
		for (int i = 0; i < db->size && idx < 0; i++)
			if (!db->slots[i].is_busy)
				idx = i;
		if (idx >= 0)
			break;
		if (pthread_cond_timedwait(&db->freed, &db->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&db->lock);
			kairos_error_set(err, KAIROS_EBACKEND, "database",
					 "all %d database connections stayed busy for 10 s",
					 db->size);
			return NULL;
		}
	}
	db->slots[idx].is_busy = true;
	PGconn *c = db->slots[idx].conn;
	pthread_mutex_unlock(&db->lock);

	/* Connect or repair outside the lock: it may take a network round trip. */
	if (c && PQstatus(c) != CONNECTION_OK) {
		PQreset(c);
		if (PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
		}
	}
	if (!c)
		c = connect_one(db, err);

	pthread_mutex_lock(&db->lock);
	db->slots[idx].conn = c;
	if (!c) {
		db->slots[idx].is_busy = false;
		pthread_cond_signal(&db->freed);
	}
	pthread_mutex_unlock(&db->lock);
	return c;
}

void db_conn_release(struct db *db, PGconn *conn)
{
	if (!conn)
		return;
	/* A borrower that left a transaction open must not hand it to the next one. */
	if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PGresult *r = PQexec(conn, "ROLLBACK");
		PQclear(r);
	}
	pthread_mutex_lock(&db->lock);
	for (int i = 0; i < db->size; i++) {
		if (db->slots[i].conn == conn) {
			db->slots[i].is_busy = false;
			break;
		}
	}
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->lock);
}

int db_ping(struct db *db, struct kairos_error *err)
{
	PGconn *c = db_conn_acquire(db, err);
	if (!c)
		return -KAIROS_EBACKEND;
	PGresult *r = PQexec(c, "SELECT 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQstatus(c) == CONNECTION_BAD) {
		/* The server restarted since this connection was made: one fresh try. */
		PQclear(r);
		PQreset(c);
		r = PQexec(c, "SELECT 1");
	}
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		msg[strcspn(msg, "\n")] = '\0';
		rc = kairos_error_set(err, KAIROS_EBACKEND, "database",
				      "PostgreSQL did not answer: %s", msg);
	}
	PQclear(r);
	db_conn_release(db, c);
	return rc;
}
