/*
 * db.h - Kairos's PostgreSQL layer: a small thread-safe connection pool over libpq,
 * schema migrations, and the queries of the foundation (tokens).
 *
 * Every decision of the service is one transaction through one pooled connection;
 * callers borrow a connection with db_conn_acquire() and give it back with
 * db_conn_release(). A connection that saw a fatal error is reset on release.
 */
#ifndef KAIROS_DB_H
#define KAIROS_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/common.h"

struct db;

/* Where the database is. Strings are borrowed for the duration of db_open(). */
struct db_params {
	const char *host; /* a unix socket directory or a host name */
	const char *port; /* e.g. "5433" */
	const char *user;
	const char *dbname;
	int pool_size; /* connections kept open, >= 1 */
	int connect_timeout_s;
};

/*
 * Opens the pool: one connection is made at once (so a wrong address fails here, with
 * libpq's message in err), the rest on demand. On success *out is the caller's, freed
 * with db_close().
 */
int db_open(const struct db_params *params, struct db **out, struct kairos_error *err);
void db_close(struct db *db);

/*
 * Borrows a connection, waiting up to the pool's timeout when all are busy; reconnects
 * if the server went away meanwhile. Returns NULL with err filled when none can be had.
 */
PGconn *db_conn_acquire(struct db *db, struct kairos_error *err);
void db_conn_release(struct db *db, PGconn *conn);

/* Health: a `SELECT 1` round trip. 0 or -KAIROS_EBACKEND with the reason in err. */
int db_ping(struct db *db, struct kairos_error *err);

/*
 * Applies migrations/NNNN_name.sql files of DIR in order, each in its own transaction
 * together with its row in schema_migrations; already applied ones are skipped. Runs under
 * an advisory lock so two starting services never apply the same file twice.
 * On failure returns -KAIROS_EBACKEND and err names the file and the PostgreSQL error; the
 * failing file leaves nothing behind. *applied (may be NULL) counts files applied now.
 */
int db_migrate(struct db *db, const char *dir, int *applied, struct kairos_error *err);

/* ---- tokens ---------------------------------------------------------------- */

/* Who a bearer token belongs to. tenant_id is empty for admin tokens. */
struct db_principal {
	bool is_admin;
	char tenant_id[37];
	char tenant_name[64];
};

/*
 * Looks up a plain bearer token (it is hashed with SHA-256 in the query; the plain value
 * is never stored). Returns 0 and fills *who, -KAIROS_ENOTFOUND for an unknown or revoked
 * token, -KAIROS_EBACKEND on database failure.
 */
int db_token_lookup(struct db *db, const char *token, struct db_principal *who,
		    struct kairos_error *err);

/* Stores the hash of TOKEN as an admin token (no-op when it is already there). */
int db_token_add_admin(struct db *db, const char *token, const char *label,
		       struct kairos_error *err);

/* Fills BUF (at least 65 bytes) with a fresh random token: 64 hex digits from getrandom(2). */
int db_token_generate(char *buf, size_t size);

/* ---- tenants ---------------------------------------------------------------- */

struct db_tenant {
	char id[37];
	char name[64];
	char created_at[32];
};

/*
 * Creates tenant NAME and a token for it (written to TOKEN, at least 65 bytes; shown to
 * the caller once, stored hashed), atomically. -KAIROS_ECONFLICT when the name is taken,
 * -KAIROS_EINVAL when it is not a valid tenant name.
 */
int db_tenant_create(struct db *db, const char *name, struct db_tenant *out, char *token,
		     size_t token_size, struct kairos_error *err);

/* ---- VSNs and their SLA versions ------------------------------------------------ */

/* Where one node (or replica) of an SLA version runs. */
struct db_placement {
	const char *node_iri;
	int replica;
	const char *host;
	int core; /* -1: none (storage node) */
	long priority;
	bool has_priority;
	const char *mode; /* normal, local, remote, local+remote */
};

/* Capacity held for an element of an SLA version. */
struct db_reservation {
	const char *element_iri;
	const char *resource; /* "server1/core0", "server1.uplink", "lan", "server1:pool" ... */
	const char *kind;     /* cpu, memory, bandwidth, disk, iops, throughput */
	double amount;
	const char *unit;
};

/* One SLA version, as decided: the terms (the VSN in the JSON form of SPEC §2), the
 * bounds (JSON object), the availability figures, placements and reservations. */
struct db_sla {
	int version;
	const char *terms_json;
	const char *bounds_json;
	double availability_target; /* < 0: none */
	double availability_composed;
	const struct db_placement *placements;
	size_t n_placements;
	const struct db_reservation *reservations;
	size_t n_reservations;
	const char *placement_json; /* the scheduler's placement of this VSN (restart state) */
	/* Other VSNs whose placement state the decision changed (priorities renumbered). */
	const char *const *changed_ids;
	const char *const *changed_placements;
	size_t n_changed;
};

/*
 * Stores a newly admitted VSN with SLA version 1 (its placements and reservations and an
 * "admitted" event) in one transaction. -KAIROS_ECONFLICT when the tenant already has a
 * live VSN with that IRI. Nothing is stored on failure.
 */
int db_vsn_insert(struct db *db, const char *vsn_id, const char *tenant_id, const char *iri,
		  const char *label, const char *content_type, const char *document,
		  const char *model_json, const struct db_sla *sla, struct kairos_error *err);

/*
 * Renegotiation: in one transaction, the agreed version of VSN_ID becomes 'superseded'
 * (its reservations released) and SLA->version (which must be the next one) becomes the
 * agreed one with its placements and reservations; the VSN's document and model are
 * replaced. -KAIROS_ECONFLICT when the stored version is not SLA->version - 1 (a
 * concurrent change won).
 */
int db_vsn_renegotiate(struct db *db, const char *vsn_id, const char *content_type,
		       const char *document, const char *model_json, const struct db_sla *sla,
		       struct kairos_error *err);

/* Marks VSN_ID deleted, its SLA released and its reservations released, in one
 * transaction. -KAIROS_ENOTFOUND when it is not a live VSN of TENANT_ID (NULL: any). */
int db_vsn_delete(struct db *db, const char *vsn_id, const char *tenant_id,
		  struct kairos_error *err);

/*
 * The JSON documents of live VSNs: with VSN_ID one VSN (-KAIROS_ENOTFOUND when absent or
 * not TENANT_ID's), else all of TENANT_ID's (NULL: every tenant's). Each element is
 * {"id","tenant","iri","label","state","content_type","model","created_at","sla":{"version",
 * "state","terms","bounds","availability":{"target","composed"}},"placement":{IRI:{"host",
 * "core","priority","mode"}}}. *out is a new jansson array.
 */
int db_vsn_fetch(struct db *db, const char *tenant_id, const char *vsn_id, json_t **out,
		 struct kairos_error *err);

/*
 * Every admitted VSN in admission order as a JSON array of {"id", "model", "placement"}
 * (what the SLA engine needs to rebuild the cloud at start).
 */
int db_vsn_restore_list(struct db *db, json_t **out, struct kairos_error *err);

/* ---- hosts ----------------------------------------------------------------- */

/* A host of the inventory, as stored. */
struct db_host {
	char name[64];
	char libvirt_uri[600];
	int cores;
	long long memory_mib;
	double speed;
	char ovs_bridge[64];
	double uplink_mbps;
	char storage_pool[64];
	double storage_gib;
	long long storage_iops;
	double storage_mbps;
	double availability_host;
	double availability_hypervisor;
	char failure_domain[64];
	char state[16];
};

/* Inserts a host. -KAIROS_ECONFLICT when the name or bridge is taken, -KAIROS_EINVAL when a
 * value breaks a rule of the schema (the message names it). CONN may be NULL (a pooled one
 * is used) or a connection inside the caller's transaction. */
int db_host_insert(struct db *db, PGconn *conn, const struct db_host *h, struct kairos_error *err);
/* All hosts by name; *out is malloc'd (caller frees). */
int db_host_list(struct db *db, struct db_host **out, size_t *n_out, struct kairos_error *err);
/* Deletes a host. -KAIROS_ENOTFOUND when absent, -KAIROS_ECONFLICT while something is placed on it.
 */
int db_host_delete(struct db *db, const char *name, struct kairos_error *err);

#endif
