/*
 * ovsdb.h - internal to network/: the one place that speaks the OVSDB
 * management protocol (RFC 7047: JSON-RPC 1.0 over a unix or TCP stream).
 *
 * Debian ships no C client library for OVSDB, so Kairos speaks the protocol
 * itself with jansson. Three pieces:
 *   - struct ovsdb_reader splits the byte stream into messages (the protocol
 *     concatenates JSON texts with no delimiter);
 *   - struct ovsdb_conn is one connection: request ids, answers to the
 *     server's `echo`, a deadline on every wait, reconnection after the server
 *     went away;
 *   - small helpers for OVSDB's JSON encodings of sets, maps and uuids.
 *
 * Never included from outside network/ (the public contract is network.h).
 */
#ifndef KAIROS_NETWORK_OVSDB_H
#define KAIROS_NETWORK_OVSDB_H

#include <jansson.h>
#include <stddef.h>

#include "common/common.h"

/* ---- message framing ----------------------------------------------------- */

/*
 * A buffer of received bytes from which whole JSON texts are taken one at a
 * time. Invariant: the bytes before `pos` have been consumed; the bytes from
 * `pos` to `scan` have been scanned (so a message arriving byte by byte is
 * scanned once), leaving `depth` brackets open, inside a string or not.
 */
struct ovsdb_reader {
	struct kairos_buf buf;
	size_t pos;
	size_t scan;
	int depth;
	int in_string;
	int escaped;
};

/* Longest message accepted (a monitor of a big database stays far below). */
#define OVSDB_MESSAGE_MAX (64u << 20)

void ovsdb_reader_init(struct ovsdb_reader *r);
void ovsdb_reader_destroy(struct ovsdb_reader *r);
/* Drops everything buffered (after a reconnect). */
void ovsdb_reader_reset(struct ovsdb_reader *r);
/* Appends N received bytes. */
void ovsdb_reader_feed(struct ovsdb_reader *r, const char *data, size_t n);
/*
 * Takes the next whole message. Returns 1 and a new reference in *msg (the
 * caller owns it) when one was buffered, 0 when more bytes are needed, and
 * -KAIROS_ESYNTAX (message in err) when the stream is not valid JSON or holds
 * something other than an object: the stream cannot be resynchronised then
 * and the connection must be dropped.
 */
int ovsdb_reader_next(struct ovsdb_reader *r, json_t **msg, struct kairos_error *err);
/* Bytes buffered and not yet consumed (whitespace included). */
size_t ovsdb_reader_pending(const struct ovsdb_reader *r);

/* ---- connection ---------------------------------------------------------- */

struct ovsdb_conn;

/*
 * Creates a connection object for REMOTE ("unix:PATH" or "tcp:HOST:PORT",
 * HOST numeric) with TIMEOUT_MS (> 0) as the bound of every call. Does not
 * connect: the first call does, and every call reconnects if the previous
 * connection was lost (server restarted). Returns 0 and *out (free with
 * ovsdb_conn_free), or -KAIROS_EINVAL for a malformed remote.
 *
 * Thread safety: a mutex serialises calls, so one ovsdb_conn may be shared
 * by threads; calls from several threads wait for each other, but each
 * call's timeout counts from its start (waiting for the mutex included).
 */
int ovsdb_conn_new(const char *remote, int timeout_ms, struct ovsdb_conn **out,
		   struct kairos_error *err);
void ovsdb_conn_free(struct ovsdb_conn *c);
/* The remote string given to ovsdb_conn_new. */
const char *ovsdb_conn_remote(const struct ovsdb_conn *c);
/* Whether a connection is currently open (it may still turn out dead). */
int ovsdb_conn_is_connected(struct ovsdb_conn *c);

/*
 * Sends the JSON-RPC request METHOD(PARAMS) (PARAMS borrowed, must be an
 * array) and waits at most the connection's timeout for its answer, answering
 * the server's `echo` requests meanwhile. Returns 0 and a new reference to the
 * "result" in *result (may be NULL if the caller does not want it), or
 * -KAIROS_EBACKEND with a message naming the remote and what failed (connect
 * refused, connection closed, no answer within N ms, or the JSON-RPC "error").
 * Any failure other than a JSON-RPC error closes the connection, so that a
 * late answer can never be mistaken for the answer to a later request.
 */
int ovsdb_conn_call(struct ovsdb_conn *c, const char *method, json_t *params, json_t **result,
		    struct kairos_error *err);

/*
 * Runs the RFC 7047 `transact` of OPS (a borrowed array of operations) on
 * database DB. Returns 0 and *results (new reference, may be NULL if not
 * wanted) when every operation and the commit succeeded. Otherwise:
 *   -KAIROS_ECONFLICT when the failing operation was a `wait` that timed out
 *     (the guarded rows changed: callers re-read and retry),
 *   -KAIROS_EBACKEND for any other failure: an operation's error (message
 *     "operation I of N (OP TABLE) failed: ERROR: DETAILS"), the commit-time
 *     error that comes as an extra result after the last operation ("commit
 *     failed: ERROR: DETAILS"), or a transport/JSON-RPC failure.
 * *failed_op (may be NULL) receives the index of the failing operation, N for a
 * commit failure, -1 for success or a transport failure; *results is still
 * filled when the server answered.
 */
int ovsdb_conn_transact(struct ovsdb_conn *c, const char *db, json_t *ops, json_t **results,
			int *failed_op, struct kairos_error *err);

/* ---- OVSDB JSON encodings (RFC 7047 section 5.1) -------------------------- */

/* Number of elements of a set value (a bare atom is a 1-element set). */
size_t ovsdb_set_size(json_t *set);
/* Element I of a set value (borrowed). */
json_t *ovsdb_set_at(json_t *set, size_t i);
/* The string value of KEY in a ["map", [[k, v], ...]] value, or NULL. */
const char *ovsdb_map_get(json_t *map, const char *key);
/* The uuid string of a ["uuid", "..."] value, or NULL. */
const char *ovsdb_uuid_str(json_t *v);
/* New references: ["uuid", S] and ["named-uuid", S]. */
json_t *ovsdb_uuid_new(const char *s);
json_t *ovsdb_named_uuid_new(const char *s);

#endif
