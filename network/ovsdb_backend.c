/*
 * ovsdb_backend.c - struct network_backend over Open vSwitch: bridges, ports
 * and egress bandwidth reservations as rows of the Open_vSwitch database,
 * written with RFC 7047 transactions through network/ovsdb.c.
 *
 * Concurrency model: every change is one transaction. Its read phase (selects)
 * is a separate round-trip, so each write transaction starts with `wait`
 * operations (timeout 0) asserting that the rows it was computed from have not
 * changed; if one fails (-KAIROS_ECONFLICT) the whole read/compute/write is
 * retried. Two reservations on the same port therefore never clobber each
 * other's queue number or QoS row.
 *
 * Rows written (docs/NETWORK.md has the full mapping):
 *   Port.qos -> QoS{type linux-htb, queues {N -> Queue}, external_ids kairos-port}
 *   Queue{other_config min-rate/max-rate (bit/s), external_ids kairos-reservation, kairos-port}
 * QoS and Queue are root tables: nothing garbage-collects them, so release
 * deletes them explicitly (QoS before Queue, in the same transaction).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "network/internal.h"
#include "network/network.h"
#include "network/ovsdb.h"

#define OVS_DB "Open_vSwitch"
#define RESERVATION_KEY "kairos-reservation"
#define PORT_KEY "kairos-port"
/*
 * How often a write whose guarded rows changed under it is recomputed. Each
 * conflict means another writer committed, so progress is global; the
 * backoff only spreads writers that keep colliding.
 */
#define CONFLICT_RETRIES 32

static void conflict_backoff(int attempt)
{
	struct timespec ts = {0, (long)(rand() % 1000 + 1) * 1000L *
				     (attempt < 10 ? attempt + 1 : 10)};
	nanosleep(&ts, NULL);
}

struct ovsdb_backend {
	struct network_backend nb; /* first: the public face */
	struct ovsdb_conn *conn;
};

static struct ovsdb_backend *backend_of(struct network_backend *nb)
{
	return (struct ovsdb_backend *)nb;
}

/* ---- operation builders (RFC 7047 section 5.2) ---------------------------- */

static json_t *where_eq(const char *column, json_t *value /* stolen */)
{
	return json_pack("[[s, s, o]]", column, "==", value);
}

static json_t *op_select(const char *table, json_t *where /* stolen */,
			 json_t *columns /* stolen */)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "op", "select", "table", table, "where", where,
			 "columns", columns);
}

/* wait (timeout 0) until the COLUMNS of the rows matching WHERE are exactly ROWS. */
static json_t *op_wait_eq(const char *table, json_t *where, json_t *columns,
			  json_t *rows /* all stolen */)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:i}", "op", "wait", "table", table,
			 "where", where, "columns", columns, "until", "==", "rows", rows, "timeout",
			 0);
}

static json_t *string_map2(const char *k1, const char *v1, const char *k2, const char *v2)
{
	json_t *pairs = json_array();
	if (v1)
		json_array_append_new(pairs, json_pack("[s, s]", k1, v1));
	if (v2)
		json_array_append_new(pairs, json_pack("[s, s]", k2, v2));
	return json_pack("[s, o]", "map", pairs);
}

/* Runs a read-only transaction of OPS (stolen); *results owned by the caller. */
static int read_txn(struct ovsdb_backend *b, json_t *ops, json_t **results,
		    struct kairos_error *err)
{
	int rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, results, NULL, err);
	json_decref(ops);
	if (rc < 0) {
		json_decref(*results);
		*results = NULL;
	}
	return rc;
}

static json_t *result_rows(json_t *results, size_t i)
{
	return json_object_get(json_array_get(results, i), "rows");
}

/* ---- ping ---------------------------------------------------------------- */

static int ovsdb_backend_ping(struct network_backend *nb, struct kairos_error *err)
{
	struct ovsdb_backend *b = backend_of(nb);
	json_t *params = json_pack("[s]", "kairos-ping");
	json_t *res = NULL;
	int rc = ovsdb_conn_call(b->conn, "echo", params, &res, err);
	if (rc == 0 && !json_equal(res, params))
		rc = kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
				      "ovsdb %s: echo answered something else",
				      ovsdb_conn_remote(b->conn));
	json_decref(res);
	json_decref(params);
	return rc;
}

/* ---- bridges and ports --------------------------------------------------- */

static int ovsdb_backend_ensure_bridge(struct network_backend *nb, const char *bridge,
				       struct kairos_error *err)
{
	struct ovsdb_backend *b = backend_of(nb);
	int rc = network_check_name("bridge", bridge, err);
	if (rc < 0)
		return rc;

	json_t *results = NULL;
	rc = read_txn(b,
		      json_pack("[o]", op_select("Bridge", where_eq("name", json_string(bridge)),
						 json_pack("[s]", "name"))),
		      &results, err);
	if (rc < 0)
		return rc;
	size_t n = json_array_size(result_rows(results, 0));
	json_decref(results);
	if (n > 0)
		return 0;

	json_t *ops = json_pack(
	    "[o, o, {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:o}, s:s},"
	    " {s:s, s:s, s:{s:s, s:o, s:s}, s:s}, {s:s, s:s, s:[], s:[[s, s, [s, [o]]]]}]",
	    /* the root row must exist, or the new bridge would be unreferenced */
	    json_pack("{s:s, s:s, s:[], s:[], s:s, s:[], s:i}", "op", "wait", "table",
		      "Open_vSwitch", "where", "columns", "until", "!=", "rows", "timeout", 0),
	    op_wait_eq("Bridge", where_eq("name", json_string(bridge)), json_pack("[s]", "name"),
		       json_array()),
	    "op", "insert", "table", "Interface", "row", "name", bridge, "type", "internal",
	    "uuid-name", "iface", "op", "insert", "table", "Port", "row", "name", bridge,
	    "interfaces", ovsdb_named_uuid_new("iface"), "uuid-name", "port", "op", "insert",
	    "table", "Bridge", "row", "name", bridge, "ports", ovsdb_named_uuid_new("port"),
	    "datapath_type", "netdev", "uuid-name", "br", "op", "mutate", "table", "Open_vSwitch",
	    "where", "mutations", "bridges", "insert", "set", ovsdb_named_uuid_new("br"));
	int failed = -1;
	rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, NULL, &failed, err);
	json_decref(ops);
	if (rc == -KAIROS_ECONFLICT && failed == 0)
		return kairos_error_set(
		    err, KAIROS_EBACKEND, "ovsdb",
		    "ovsdb %s: the Open_vSwitch root row is missing (database not initialised; "
		    "expected `ovs-vsctl --no-wait init` or scripts/ovs.sh start)",
		    ovsdb_conn_remote(b->conn));
	if (rc == -KAIROS_ECONFLICT && failed == 1)
		return 0; /* created concurrently by someone else: it exists, which is all we
			     promise */
	if (rc < 0)
		return rc;
	kairos_log(KAIROS_LOG_INFO, "ovs bridge created", "backend=ovsdb bridge=%s", bridge);
	return 0;
}

/*
 * Reads bridge BRIDGE and port PORT. Returns 0 with *port_uuid (borrowed from
 * *results, which the caller releases) and *qos (the port's qos set value, borrowed),
 * -KAIROS_ENOTFOUND when either is missing or the port is not on the bridge.
 */
static int lookup_port(struct ovsdb_backend *b, const char *bridge, const char *port,
		       json_t **results, json_t **port_uuid, json_t **qos, struct kairos_error *err)
{
	*results = NULL;
	int rc = read_txn(b,
			  json_pack("[o, o]",
				    op_select("Bridge", where_eq("name", json_string(bridge)),
					      json_pack("[s]", "ports")),
				    op_select("Port", where_eq("name", json_string(port)),
					      json_pack("[s, s]", "_uuid", "qos"))),
			  results, err);
	if (rc < 0)
		return rc;
	json_t *brows = result_rows(*results, 0), *prows = result_rows(*results, 1);
	if (json_array_size(brows) == 0)
		return kairos_error_set(err, KAIROS_ENOTFOUND, "bridge",
					"ovs bridge %s does not exist", bridge);
	if (json_array_size(prows) == 0)
		return kairos_error_set(err, KAIROS_ENOTFOUND, "port", "ovs port %s does not exist",
					port);
	json_t *prow = json_array_get(prows, 0);
	*port_uuid = json_object_get(prow, "_uuid");
	*qos = json_object_get(prow, "qos");
	json_t *ports = json_object_get(json_array_get(brows, 0), "ports");
	for (size_t i = 0; i < ovsdb_set_size(ports); i++)
		if (json_equal(ovsdb_set_at(ports, i), *port_uuid))
			return 0;
	return kairos_error_set(err, KAIROS_ENOTFOUND, "port", "ovs port %s is not on bridge %s",
				port, bridge);
}

static int ovsdb_backend_ensure_port(struct network_backend *nb, const char *bridge,
				     const char *port, const char *iface_type,
				     struct kairos_error *err)
{
	struct ovsdb_backend *b = backend_of(nb);
	int rc = network_check_name("bridge", bridge, err);
	if (rc == 0)
		rc = network_check_name("port", port, err);
	if (rc < 0)
		return rc;
	for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
		json_t *results = NULL, *port_uuid = NULL, *qos = NULL;
		rc = lookup_port(b, bridge, port, &results, &port_uuid, &qos, err);
		if (rc == 0 || rc != -KAIROS_ENOTFOUND || !results) {
			json_decref(results);
			return rc;
		}
		json_t *brows = result_rows(results, 0), *prows = result_rows(results, 1);
		if (json_array_size(brows) == 0) {
			json_decref(results);
			return rc; /* the bridge is missing: err already says so */
		}
		if (json_array_size(prows) > 0) {
			json_decref(results);
			return kairos_error_set(err, KAIROS_ECONFLICT, "port",
						"ovs port %s exists on another bridge than %s",
						port, bridge);
		}
		json_decref(results);
		kairos_error_clear(err);

		json_t *ops =
		    json_pack("[o, {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:o}, s:s},"
			      " {s:s, s:s, s:o, s:[[s, s, [s, [o]]]]}]",
			      op_wait_eq("Port", where_eq("name", json_string(port)),
					 json_pack("[s]", "name"), json_array()),
			      "op", "insert", "table", "Interface", "row", "name", port, "type",
			      iface_type ? iface_type : "", "uuid-name", "iface", "op", "insert",
			      "table", "Port", "row", "name", port, "interfaces",
			      ovsdb_named_uuid_new("iface"), "uuid-name", "port", "op", "mutate",
			      "table", "Bridge", "where", where_eq("name", json_string(bridge)),
			      "mutations", "ports", "insert", "set", ovsdb_named_uuid_new("port"));
		json_t *res = NULL;
		rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, &res, NULL, err);
		json_decref(ops);
		if (rc == 0 &&
		    json_integer_value(json_object_get(json_array_get(res, 3), "count")) != 1)
			rc = kairos_error_set(err, KAIROS_ECONFLICT, "bridge",
					      "ovs bridge %s vanished", bridge);
		json_decref(res);
		if (rc != -KAIROS_ECONFLICT)
			return rc;
		conflict_backoff(attempt);
	}
	return rc;
}

/* ---- queues -------------------------------------------------------------- */

static uint64_t parse_rate(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

/*
 * What a reservation change is computed from: one QoS row, its queues and the
 * reservation's queue in it. Everything borrowed lives in `results`.
 */
struct qos_view {
	json_t *results;
	json_t *qos_uuid;     /* ["uuid", ...] */
	json_t *queues;	      /* QoS.queues as read (a map value) */
	json_t *other_config; /* QoS.other_config as read */
	json_t *mine_uuid;    /* the reservation's Queue row, NULL if it has none here */
	json_int_t mine_id;
	uint64_t mine_max_bps;
	uint64_t sum_max_bps; /* sum of max-rate over the QoS's queues */
};

static void qos_view_destroy(struct qos_view *v)
{
	json_decref(v->results);
	memset(v, 0, sizeof(*v));
}

/*
 * Reads QoS QOS_UUID and the Queue rows (all of them: there are few, and
 * OVSDB has no "uuid in set" condition) and fills *v. -KAIROS_ECONFLICT if the
 * QoS row vanished meanwhile.
 */
static int qos_view_read(struct ovsdb_backend *b, json_t *qos_uuid, const char *reservation,
			 struct qos_view *v, struct kairos_error *err)
{
	memset(v, 0, sizeof(*v));
	v->mine_id = -1;
	int rc = read_txn(
	    b,
	    json_pack("[o, o]",
		      op_select("QoS", where_eq("_uuid", json_incref(qos_uuid)),
				json_pack("[s, s]", "queues", "other_config")),
		      op_select("Queue", json_array(),
				json_pack("[s, s, s]", "_uuid", "other_config", "external_ids"))),
	    &v->results, err);
	if (rc < 0)
		return rc;
	json_t *qrows = result_rows(v->results, 0);
	if (json_array_size(qrows) == 0)
		return kairos_error_set(err, KAIROS_ECONFLICT, "qos",
					"ovs QoS row vanished while reading it");
	v->qos_uuid = qos_uuid;
	v->queues = json_object_get(json_array_get(qrows, 0), "queues");
	v->other_config = json_object_get(json_array_get(qrows, 0), "other_config");
	json_t *pairs = json_array_get(v->queues, 1);
	json_t *all = result_rows(v->results, 1);
	for (size_t i = 0; i < json_array_size(pairs); i++) {
		json_t *pair = json_array_get(pairs, i);
		for (size_t j = 0; j < json_array_size(all); j++) {
			json_t *row = json_array_get(all, j);
			json_t *u = json_object_get(row, "_uuid");
			if (!json_equal(u, json_array_get(pair, 1)))
				continue;
			uint64_t max = parse_rate(
			    ovsdb_map_get(json_object_get(row, "other_config"), "max-rate"));
			const char *r =
			    ovsdb_map_get(json_object_get(row, "external_ids"), RESERVATION_KEY);
			v->sum_max_bps += max;
			if (r && strcmp(r, reservation) == 0) {
				v->mine_uuid = u;
				v->mine_id = json_integer_value(json_array_get(pair, 0));
				v->mine_max_bps = max;
			}
		}
	}
	return 0;
}

/* wait: the QoS's queues and other_config are still what V read. */
static json_t *qos_view_guard(const struct qos_view *v)
{
	return op_wait_eq(
	    "QoS", where_eq("_uuid", json_incref(v->qos_uuid)),
	    json_pack("[s, s]", "queues", "other_config"),
	    json_pack("[{s:O, s:O}]", "queues", v->queues, "other_config", v->other_config));
}

/*
 * mutate: QoS other_config:max-rate := TOTAL_BPS (removed when 0). The
 * userspace datapath ignores OpenFlow set_queue (measured: every packet lands
 * in the default class), so the root rate, the sum of the port's ceilings, is
 * what actually bounds the port's egress on these machines.
 */
static json_t *qos_set_total(const struct qos_view *v, uint64_t total_bps)
{
	char total[32];
	snprintf(total, sizeof(total), "%" PRIu64, total_bps);
	json_t *mutations =
	    json_pack("[[s, s, [s, [s]]]]", "other_config", "delete", "set", "max-rate");
	if (total_bps)
		json_array_append_new(mutations, json_pack("[s, s, [s, [[s, s]]]]", "other_config",
							   "insert", "map", "max-rate", total));
	return json_pack("{s:s, s:s, s:o, s:o}", "op", "mutate", "table", "QoS", "where",
			 where_eq("_uuid", json_incref(v->qos_uuid)), "mutations", mutations);
}

/* The smallest queue number >= 1 not used in QUEUES (queue 0 is the port's default class). */
static json_int_t free_queue_id(json_t *queues)
{
	json_t *pairs = json_array_get(queues, 1);
	for (json_int_t id = 1;; id++) {
		int used = 0;
		for (size_t i = 0; i < json_array_size(pairs) && !used; i++)
			used =
			    json_integer_value(json_array_get(json_array_get(pairs, i), 0)) == id;
		if (!used)
			return id;
	}
}

static json_t *queue_other_config(uint64_t min_rate_bps, uint64_t max_rate_bps)
{
	char min_s[32], max_s[32];
	snprintf(min_s, sizeof(min_s), "%" PRIu64, min_rate_bps);
	snprintf(max_s, sizeof(max_s), "%" PRIu64, max_rate_bps);
	return string_map2("max-rate", max_s, "min-rate", min_rate_bps ? min_s : NULL);
}

/* One attempt of reserve_queue: read, compute, write. */
static int reserve_once(struct ovsdb_backend *b, const char *bridge, const char *port,
			const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			json_int_t *id, struct kairos_error *err)
{
	json_t *results = NULL, *port_uuid = NULL, *qos = NULL, *ops = NULL;
	struct qos_view v = {0};
	int rc = lookup_port(b, bridge, port, &results, &port_uuid, &qos, err);
	if (rc < 0)
		goto out;
	if (ovsdb_set_size(qos) == 0) {
		/* First reservation on the port: Queue + QoS + Port.qos, guarded by "qos still
		 * empty". */
		char total[32];
		snprintf(total, sizeof(total), "%" PRIu64, max_rate_bps);
		*id = 1;
		ops = json_pack(
		    "[o, {s:s, s:s, s:{s:o, s:o}, s:s},"
		    " {s:s, s:s, s:{s:s, s:[s, [[I, o]]], s:o, s:o}, s:s}, {s:s, s:s, s:o, "
		    "s:{s:o}}]",
		    op_wait_eq("Port", where_eq("_uuid", json_incref(port_uuid)),
			       json_pack("[s]", "qos"), json_pack("[{s:[s, []]}]", "qos", "set")),
		    "op", "insert", "table", "Queue", "row", "other_config",
		    queue_other_config(min_rate_bps, max_rate_bps), "external_ids",
		    string_map2(RESERVATION_KEY, reservation, PORT_KEY, port), "uuid-name", "queue",
		    "op", "insert", "table", "QoS", "row", "type", "linux-htb", "queues", "map",
		    *id, ovsdb_named_uuid_new("queue"), "other_config",
		    string_map2("max-rate", total, NULL, NULL), "external_ids",
		    string_map2(PORT_KEY, port, NULL, NULL), "uuid-name", "qos", "op", "update",
		    "table", "Port", "where", where_eq("_uuid", json_incref(port_uuid)), "row",
		    "qos", ovsdb_named_uuid_new("qos"));
	} else {
		rc = qos_view_read(b, ovsdb_set_at(qos, 0), reservation, &v, err);
		if (rc < 0)
			goto out;
		if (v.mine_uuid) {
			/* Same reservation again: new rates for its queue. */
			*id = v.mine_id;
			ops = json_pack(
			    "[o, {s:s, s:s, s:o, s:{s:o}}, o]", qos_view_guard(&v), "op", "update",
			    "table", "Queue", "where", where_eq("_uuid", json_incref(v.mine_uuid)),
			    "row", "other_config", queue_other_config(min_rate_bps, max_rate_bps),
			    qos_set_total(&v, v.sum_max_bps - v.mine_max_bps + max_rate_bps));
		} else {
			*id = free_queue_id(v.queues);
			ops = json_pack(
			    "[o, {s:s, s:s, s:{s:o, s:o}, s:s}, {s:s, s:s, s:o, s:[[s, s, [s, [[I, "
			    "o]]]]]}, o]",
			    qos_view_guard(&v), "op", "insert", "table", "Queue", "row",
			    "other_config", queue_other_config(min_rate_bps, max_rate_bps),
			    "external_ids",
			    string_map2(RESERVATION_KEY, reservation, PORT_KEY, port), "uuid-name",
			    "queue", "op", "mutate", "table", "QoS", "where",
			    where_eq("_uuid", json_incref(v.qos_uuid)), "mutations", "queues",
			    "insert", "map", *id, ovsdb_named_uuid_new("queue"),
			    qos_set_total(&v, v.sum_max_bps + max_rate_bps));
		}
	}
	rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, NULL, NULL, err);
out:
	json_decref(ops);
	qos_view_destroy(&v);
	json_decref(results);
	return rc;
}

/* One attempt of release_queue. *id receives the released queue number. */
static int release_once(struct ovsdb_backend *b, const char *bridge, const char *port,
			const char *reservation, json_int_t *id, struct kairos_error *err)
{
	json_t *results = NULL, *port_uuid = NULL, *qos = NULL, *ops = NULL;
	struct qos_view v = {0};
	int rc = lookup_port(b, bridge, port, &results, &port_uuid, &qos, err);
	if (rc < 0)
		goto out;
	if (ovsdb_set_size(qos) == 0) {
		rc = kairos_error_set(err, KAIROS_ENOTFOUND, "reservation",
				      "no reservation %s on ovs port %s (the port has no QoS)",
				      reservation, port);
		goto out;
	}
	rc = qos_view_read(b, ovsdb_set_at(qos, 0), reservation, &v, err);
	if (rc < 0)
		goto out;
	if (!v.mine_uuid) {
		rc = kairos_error_set(err, KAIROS_ENOTFOUND, "reservation",
				      "no reservation %s on ovs port %s", reservation, port);
		goto out;
	}
	*id = v.mine_id;
	if (json_array_size(json_array_get(v.queues, 1)) == 1) {
		/* Last queue: detach the QoS from the port, then delete QoS before Queue (both root
		 * tables). */
		ops = json_pack(
		    "[o, {s:s, s:s, s:o, s:{s:[s, []]}}, {s:s, s:s, s:o}, {s:s, s:s, s:o}]",
		    qos_view_guard(&v), "op", "update", "table", "Port", "where",
		    where_eq("_uuid", json_incref(port_uuid)), "row", "qos", "set", "op", "delete",
		    "table", "QoS", "where", where_eq("_uuid", json_incref(v.qos_uuid)), "op",
		    "delete", "table", "Queue", "where",
		    where_eq("_uuid", json_incref(v.mine_uuid)));
	} else {
		ops = json_pack(
		    "[o, {s:s, s:s, s:o, s:[[s, s, [s, [[I, O]]]]]}, o, {s:s, s:s, s:o}]",
		    qos_view_guard(&v), "op", "mutate", "table", "QoS", "where",
		    where_eq("_uuid", json_incref(v.qos_uuid)), "mutations", "queues", "delete",
		    "map", *id, v.mine_uuid, qos_set_total(&v, v.sum_max_bps - v.mine_max_bps),
		    "op", "delete", "table", "Queue", "where",
		    where_eq("_uuid", json_incref(v.mine_uuid)));
	}
	rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, NULL, NULL, err);
out:
	json_decref(ops);
	qos_view_destroy(&v);
	json_decref(results);
	return rc;
}

/*
 * Runs a reservation change (reserve when IS_RELEASE is 0) until its guarded
 * transaction commits, recomputing it whenever another writer got in first.
 * *id receives the queue number.
 */
static int queue_change_run(struct ovsdb_backend *b, int is_release, const char *bridge,
			    const char *port, const char *reservation, uint64_t min_rate_bps,
			    uint64_t max_rate_bps, json_int_t *id, struct kairos_error *err)
{
	int rc = -KAIROS_ECONFLICT;
	for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
		*id = -1;
		rc = is_release ? release_once(b, bridge, port, reservation, id, err)
				: reserve_once(b, bridge, port, reservation, min_rate_bps,
					       max_rate_bps, id, err);
		if (rc != -KAIROS_ECONFLICT)
			break;
		conflict_backoff(attempt);
	}
	if (rc == -KAIROS_ECONFLICT)
		return kairos_error_set(
		    err, KAIROS_ECONFLICT, "port",
		    "ovs port %s kept changing: reservation %s not %s after %d attempts", port,
		    reservation, is_release ? "released" : "made", CONFLICT_RETRIES);
	if (rc == 0)
		kairos_log(KAIROS_LOG_INFO,
			   is_release ? "ovs queue released" : "ovs queue reserved",
			   "backend=ovsdb port=%s reservation=%s queue=%lld min_bps=%" PRIu64
			   " max_bps=%" PRIu64,
			   port, reservation, (long long)*id, min_rate_bps, max_rate_bps);
	return rc;
}

static int ovsdb_backend_reserve_queue(struct network_backend *nb, const char *bridge,
				       const char *port, const char *reservation,
				       uint64_t min_rate_bps, uint64_t max_rate_bps,
				       uint32_t *queue_id, struct kairos_error *err)
{
	int rc = network_check_names(bridge, port, reservation, err);
	if (rc < 0)
		return rc;
	if ((rc = network_check_rates(reservation, min_rate_bps, max_rate_bps, err)) < 0)
		return rc;
	json_int_t id = -1;
	rc = queue_change_run(backend_of(nb), 0, bridge, port, reservation, min_rate_bps,
			      max_rate_bps, &id, err);
	if (rc == 0 && queue_id)
		*queue_id = (uint32_t)id;
	return rc;
}

static int ovsdb_backend_release_queue(struct network_backend *nb, const char *bridge,
				       const char *port, const char *reservation,
				       struct kairos_error *err)
{
	int rc = network_check_names(bridge, port, reservation, err);
	if (rc < 0)
		return rc;
	json_int_t id = -1;
	return queue_change_run(backend_of(nb), 1, bridge, port, reservation, 0, 0, &id, err);
}

static int ovsdb_backend_list_queues(struct network_backend *nb, const char *port,
				     struct network_queue **out, size_t *n_out,
				     struct kairos_error *err)
{
	struct ovsdb_backend *b = backend_of(nb);
	*out = NULL;
	*n_out = 0;
	int rc = network_check_name("port", port, err);
	if (rc < 0)
		return rc;
	json_t *results = NULL;
	rc = read_txn(b,
		      json_pack("[o]", op_select("Port", where_eq("name", json_string(port)),
						 json_pack("[s]", "qos"))),
		      &results, err);
	if (rc < 0)
		return rc;
	json_t *prows = result_rows(results, 0);
	if (json_array_size(prows) == 0) {
		json_decref(results);
		return kairos_error_set(err, KAIROS_ENOTFOUND, "port", "ovs port %s does not exist",
					port);
	}
	json_t *qos = json_object_get(json_array_get(prows, 0), "qos");
	if (ovsdb_set_size(qos) == 0) {
		json_decref(results);
		return 0;
	}
	json_t *qresults = NULL;
	rc = read_txn(
	    b,
	    json_pack("[o, o]",
		      op_select("QoS", where_eq("_uuid", json_incref(ovsdb_set_at(qos, 0))),
				json_pack("[s]", "queues")),
		      op_select("Queue", json_array(),
				json_pack("[s, s, s]", "_uuid", "other_config", "external_ids"))),
	    &qresults, err);
	json_decref(results);
	if (rc < 0)
		return rc;
	json_t *pairs = json_array_get(
	    json_object_get(json_array_get(result_rows(qresults, 0), 0), "queues"), 1);
	json_t *all = result_rows(qresults, 1);
	size_t n = json_array_size(pairs);
	struct network_queue *q = n ? kairos_xcalloc(n, sizeof(*q)) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *pair = json_array_get(pairs, i);
		q[i].queue_id = (uint32_t)json_integer_value(json_array_get(pair, 0));
		for (size_t j = 0; j < json_array_size(all); j++) {
			json_t *row = json_array_get(all, j);
			if (!json_equal(json_object_get(row, "_uuid"), json_array_get(pair, 1)))
				continue;
			json_t *oc = json_object_get(row, "other_config");
			const char *r =
			    ovsdb_map_get(json_object_get(row, "external_ids"), RESERVATION_KEY);
			snprintf(q[i].reservation, sizeof(q[i].reservation), "%s", r ? r : "");
			q[i].min_rate_bps = parse_rate(ovsdb_map_get(oc, "min-rate"));
			q[i].max_rate_bps = parse_rate(ovsdb_map_get(oc, "max-rate"));
		}
	}
	json_decref(qresults);
	network_queues_sort(q, n);
	*out = q;
	*n_out = n;
	return 0;
}

/* ---- removal ------------------------------------------------------------- */

/* The row of ROWS whose _uuid is UUID, or NULL. */
static json_t *find_row(json_t *rows, json_t *uuid)
{
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (json_equal(json_object_get(json_array_get(rows, i), "_uuid"), uuid))
			return json_array_get(rows, i);
	return NULL;
}

/*
 * Appends to OPS what detaching PORT_ROW from its QoS needs: a guard that its
 * qos (and the QoS's queues) are still as read, then the QoS and every Queue
 * in it deleted (root tables: nothing else would). A port without QoS still gets
 * the guard, so that a reservation made meanwhile is not leaked.
 */
static void append_port_cleanup(json_t *ops, json_t *port_row, json_t *qos_rows)
{
	json_t *port_uuid = json_object_get(port_row, "_uuid");
	json_t *qos = json_object_get(port_row, "qos");
	json_array_append_new(ops, op_wait_eq("Port", where_eq("_uuid", json_incref(port_uuid)),
					      json_pack("[s]", "qos"),
					      json_pack("[{s:O}]", "qos", qos)));
	if (ovsdb_set_size(qos) == 0)
		return;
	json_t *qos_uuid = ovsdb_set_at(qos, 0);
	json_t *queues = json_object_get(find_row(qos_rows, qos_uuid), "queues");
	json_array_append_new(
	    ops,
	    op_wait_eq("QoS", where_eq("_uuid", json_incref(qos_uuid)), json_pack("[s]", "queues"),
		       json_pack("[{s:O}]", "queues", queues ? queues : json_null())));
	json_array_append_new(ops,
			      json_pack("{s:s, s:s, s:o, s:{s:[s, []]}}", "op", "update", "table",
					"Port", "where", where_eq("_uuid", json_incref(port_uuid)),
					"row", "qos", "set"));
	json_array_append_new(ops, json_pack("{s:s, s:s, s:o}", "op", "delete", "table", "QoS",
					     "where", where_eq("_uuid", json_incref(qos_uuid))));
	json_t *pairs = json_array_get(queues, 1);
	for (size_t i = 0; i < json_array_size(pairs); i++)
		json_array_append_new(
		    ops,
		    json_pack("{s:s, s:s, s:o}", "op", "delete", "table", "Queue", "where",
			      where_eq("_uuid",
				       json_incref(json_array_get(json_array_get(pairs, i), 1)))));
}

/*
 * One attempt of remove_port (PORT != NULL) or remove_bridge (PORT == NULL).
 * Reads the bridge, every port and every QoS, then writes one guarded
 * transaction. The Port/Interface (and Bridge) rows are not deleted by name:
 * once unreferenced, OVSDB garbage-collects them (non-root tables).
 */
static int remove_once(struct ovsdb_backend *b, const char *bridge, const char *port,
		       struct kairos_error *err)
{
	json_t *results = NULL, *ops = NULL;
	int rc = read_txn(
	    b,
	    json_pack(
		"[o, o, o]",
		op_select("Bridge", where_eq("name", json_string(bridge)),
			  json_pack("[s, s]", "_uuid", "ports")),
		op_select("Port", json_array(), json_pack("[s, s, s]", "_uuid", "name", "qos")),
		op_select("QoS", json_array(), json_pack("[s, s]", "_uuid", "queues"))),
	    &results, err);
	if (rc < 0)
		return rc;
	json_t *brow = json_array_get(result_rows(results, 0), 0);
	json_t *prows = result_rows(results, 1), *qrows = result_rows(results, 2);
	json_t *ports = json_object_get(brow, "ports");
	json_t *bridge_uuid = json_object_get(brow, "_uuid");
	ops = json_array();
	if (port) {
		json_t *prow = NULL;
		for (size_t i = 0; i < json_array_size(prows) && !prow; i++) {
			const char *name =
			    json_string_value(json_object_get(json_array_get(prows, i), "name"));
			if (name && strcmp(name, port) == 0)
				prow = json_array_get(prows, i);
		}
		if (!prow)
			goto out; /* already gone */
		int is_mine = 0;
		for (size_t i = 0; i < ovsdb_set_size(ports) && !is_mine; i++)
			is_mine =
			    json_equal(ovsdb_set_at(ports, i), json_object_get(prow, "_uuid"));
		if (!is_mine) {
			rc = kairos_error_set(err, KAIROS_ENOTFOUND, "port",
					      "ovs port %s is not on bridge %s", port, bridge);
			goto out;
		}
		append_port_cleanup(ops, prow, qrows);
		json_array_append_new(ops, json_pack("{s:s, s:s, s:o, s:[[s, s, [s, [O]]]]}", "op",
						     "mutate", "table", "Bridge", "where",
						     where_eq("_uuid", json_incref(bridge_uuid)),
						     "mutations", "ports", "delete", "set",
						     json_object_get(prow, "_uuid")));
	} else {
		if (!brow)
			goto out; /* already gone */
		json_array_append_new(ops, op_wait_eq("Bridge",
						      where_eq("_uuid", json_incref(bridge_uuid)),
						      json_pack("[s]", "ports"),
						      json_pack("[{s:O}]", "ports", ports)));
		for (size_t i = 0; i < ovsdb_set_size(ports); i++) {
			json_t *prow = find_row(prows, ovsdb_set_at(ports, i));
			if (prow)
				append_port_cleanup(ops, prow, qrows);
		}
		json_array_append_new(ops, json_pack("{s:s, s:s, s:[], s:[[s, s, [s, [O]]]]}", "op",
						     "mutate", "table", "Open_vSwitch", "where",
						     "mutations", "bridges", "delete", "set",
						     bridge_uuid));
	}
	rc = ovsdb_conn_transact(b->conn, OVS_DB, ops, NULL, NULL, err);
out:
	json_decref(ops);
	json_decref(results);
	return rc;
}

static int remove_run(struct ovsdb_backend *b, const char *bridge, const char *port,
		      struct kairos_error *err)
{
	int rc = -KAIROS_ECONFLICT;
	for (int attempt = 0; attempt < CONFLICT_RETRIES && rc == -KAIROS_ECONFLICT; attempt++) {
		rc = remove_once(b, bridge, port, err);
		if (rc == -KAIROS_ECONFLICT)
			conflict_backoff(attempt);
	}
	if (rc == -KAIROS_ECONFLICT)
		return kairos_error_set(
		    err, KAIROS_ECONFLICT, "bridge",
		    "ovs bridge %s kept changing: not removed after %d attempts", bridge,
		    CONFLICT_RETRIES);
	return rc;
}

static int ovsdb_backend_remove_port(struct network_backend *nb, const char *bridge,
				     const char *port, struct kairos_error *err)
{
	int rc = network_check_name("bridge", bridge, err);
	if (rc == 0)
		rc = network_check_name("port", port, err);
	return rc < 0 ? rc : remove_run(backend_of(nb), bridge, port, err);
}

static int ovsdb_backend_remove_bridge(struct network_backend *nb, const char *bridge,
				       struct kairos_error *err)
{
	int rc = network_check_name("bridge", bridge, err);
	return rc < 0 ? rc : remove_run(backend_of(nb), bridge, NULL, err);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void ovsdb_backend_destroy(struct network_backend *nb)
{
	struct ovsdb_backend *b = backend_of(nb);
	ovsdb_conn_free(b->conn);
	free(b);
}

int network_backend_ovsdb_new(const char *remote, int timeout_ms, struct network_backend **out,
			      struct kairos_error *err)
{
	*out = NULL;
	struct ovsdb_conn *conn = NULL;
	int rc = ovsdb_conn_new(remote, timeout_ms, &conn, err);
	if (rc < 0)
		return rc;
	struct ovsdb_backend *b = kairos_xcalloc(1, sizeof(*b));
	b->conn = conn;
	b->nb.name = "ovsdb";
	b->nb.ping = ovsdb_backend_ping;
	b->nb.ensure_bridge = ovsdb_backend_ensure_bridge;
	b->nb.ensure_port = ovsdb_backend_ensure_port;
	b->nb.reserve_queue = ovsdb_backend_reserve_queue;
	b->nb.release_queue = ovsdb_backend_release_queue;
	b->nb.list_queues = ovsdb_backend_list_queues;
	b->nb.remove_port = ovsdb_backend_remove_port;
	b->nb.remove_bridge = ovsdb_backend_remove_bridge;
	b->nb.destroy = ovsdb_backend_destroy;
	*out = &b->nb;
	return 0;
}
