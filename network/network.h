/*
 * network.h - the network substrate as the rest of Kairos sees it: a struct of
 * function pointers (struct network_backend) that makes bridges exist and turns
 * a link's guaranteed / maximum bandwidth into an egress reservation on a
 * switch port, plus a health check.
 *
 * The product runs the Open vSwitch implementation (network_backend_ovsdb_new),
 * which speaks OVSDB (RFC 7047) to an ovsdb-server; see docs/NETWORK.md for how
 * a reservation maps to OVS QoS and Queue rows.
 *
 * Every operation returns 0 or a negative KAIROS_E* code and then fills the
 * struct kairos_error it was given (may be NULL) with a message naming what
 * failed (the socket, the bridge, the port, the OVSDB error).
 */
#ifndef KAIROS_NETWORK_H
#define KAIROS_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Longest name (bridge, port, reservation id) the backends accept, NUL excluded. */
#define NETWORK_NAME_MAX 255

/* One egress reservation on a port, as read back by list_queues. */
struct network_queue {
	uint32_t queue_id; /* OVS queue number on the port (>= 1) */
	char
	    reservation[NETWORK_NAME_MAX + 1]; /* the caller's reservation id ("" if not Kairos') */
	uint64_t min_rate_bps;		       /* guaranteed rate, bit/s */
	uint64_t max_rate_bps;		       /* ceiling, bit/s (0: none) */
};

/*
 * A network substrate. Implementations embed this struct as their first member.
 * Unless said otherwise, operations may be called from several threads at once
 * (the OVSDB implementation serialises them on its connection).
 */
struct network_backend {
	const char *name; /* "ovsdb", ... */

	/*
	 * Health: one round-trip with the substrate within the backend's timeout.
	 * Returns 0, or -KAIROS_EBACKEND with a message saying what failed
	 * ("ovsdb unix:/x/db.sock: connect: Connection refused", "... no answer
	 * to echo within 2000 ms").
	 */
	int (*ping)(struct network_backend *nb, struct kairos_error *err);

	/*
	 * Makes bridge NAME exist (datapath_type "netdev", with its internal
	 * port/interface of the same name, referenced from the root row), in one
	 * transaction. Idempotent: an existing bridge is left as it is.
	 */
	int (*ensure_bridge)(struct network_backend *nb, const char *bridge,
			     struct kairos_error *err);

	/*
	 * Makes port PORT exist on BRIDGE with one interface of the same name and
	 * type IFACE_TYPE ("" or NULL: a system device such as a veth or tap;
	 * "internal": a device OVS creates). Idempotent. -KAIROS_ENOTFOUND if
	 * the bridge does not exist; -KAIROS_ECONFLICT if the port is on another bridge.
	 */
	int (*ensure_port)(struct network_backend *nb, const char *bridge, const char *port,
			   const char *iface_type, struct kairos_error *err);

	/*
	 * Reserves egress bandwidth on PORT of BRIDGE for reservation RESERVATION:
	 * a queue guaranteed MIN_RATE_BPS and capped at MAX_RATE_BPS (>= min, > 0)
	 * in the port's linux-htb QoS (created on the first reservation), in one
	 * transaction guarded against concurrent changes of the same port.
	 * Reserving an id already present on the port updates its rates.
	 * On success *queue_id (may be NULL) is the queue number (>= 1) to which
	 * traffic is steered (OpenFlow set_queue). -KAIROS_ENOTFOUND if the port is
	 * not on the bridge, -KAIROS_EINVAL for bad rates or names.
	 */
	int (*reserve_queue)(struct network_backend *nb, const char *bridge, const char *port,
			     const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			     uint32_t *queue_id, struct kairos_error *err);

	/*
	 * Releases reservation RESERVATION on PORT of BRIDGE: deletes its queue,
	 * and the port's QoS too when no queue is left, in one transaction (nothing
	 * is left behind). -KAIROS_ENOTFOUND if no such reservation is on the port.
	 */
	int (*release_queue)(struct network_backend *nb, const char *bridge, const char *port,
			     const char *reservation, struct kairos_error *err);

	/*
	 * Reads back the queues of PORT's QoS, sorted by queue_id. On success *out
	 * is an array of *n_out entries the caller frees with free() (NULL when 0).
	 * -KAIROS_ENOTFOUND if the port does not exist.
	 */
	int (*list_queues)(struct network_backend *nb, const char *port, struct network_queue **out,
			   size_t *n_out, struct kairos_error *err);

	/*
	 * Removes port PORT from BRIDGE together with its QoS and every Queue of
	 * it (root tables: deleting only the port would leak them), in one
	 * transaction. 0 if the port does not exist; -KAIROS_ENOTFOUND if it is on
	 * another bridge.
	 */
	int (*remove_port)(struct network_backend *nb, const char *bridge, const char *port,
			   struct kairos_error *err);

	/*
	 * Removes bridge BRIDGE with all its ports, interfaces, QoS and Queue rows,
	 * in one transaction. 0 if it does not exist.
	 */
	int (*remove_bridge)(struct network_backend *nb, const char *bridge,
			     struct kairos_error *err);

	/* Releases the backend itself (not the reservations it made). */
	void (*destroy)(struct network_backend *nb);
};

/*
 * The Open vSwitch backend: talks OVSDB to REMOTE ("unix:PATH" or
 * "tcp:IP:PORT") on database "Open_vSwitch", every call bounded by TIMEOUT_MS.
 * Does not connect yet (the first operation does, and every operation
 * reconnects after the server restarted), so it can be created while
 * ovsdb-server is down. Returns 0 and *out (release with network_backend_destroy),
 * or -KAIROS_EINVAL for a malformed remote or timeout.
 */
int network_backend_ovsdb_new(const char *remote, int timeout_ms, struct network_backend **out,
			      struct kairos_error *err);

/*
 * The in-process test implementation: bridges, ports and reservations in
 * memory, same contract (tests/test_network_contract.c) as the OVSDB backend.
 * For tests only; kairosd never creates it. Release with network_backend_destroy.
 */
struct network_backend *network_backend_memory_new(void);
/* Makes a backend from network_backend_memory_new fail every operation with
 * -KAIROS_EBACKEND ("marked down") while IS_DOWN is non-zero. */
void network_backend_memory_set_down(struct network_backend *nb, int is_down);

/* Convenience wrappers: nb->op(nb, ...). */
int network_ping(struct network_backend *nb, struct kairos_error *err);
int network_ensure_bridge(struct network_backend *nb, const char *bridge, struct kairos_error *err);
int network_ensure_port(struct network_backend *nb, const char *bridge, const char *port,
			const char *iface_type, struct kairos_error *err);
int network_reserve_queue(struct network_backend *nb, const char *bridge, const char *port,
			  const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			  uint32_t *queue_id, struct kairos_error *err);
int network_release_queue(struct network_backend *nb, const char *bridge, const char *port,
			  const char *reservation, struct kairos_error *err);
int network_list_queues(struct network_backend *nb, const char *port, struct network_queue **out,
			size_t *n_out, struct kairos_error *err);
int network_remove_port(struct network_backend *nb, const char *bridge, const char *port,
			struct kairos_error *err);
int network_remove_bridge(struct network_backend *nb, const char *bridge, struct kairos_error *err);
/* Calls nb->destroy; nb may be NULL. */
void network_backend_destroy(struct network_backend *nb);

/* Mbit/s (SPEC: vsn:bandwidthMbps) to bit/s for reserve_queue, rounded to the nearest bit/s. */
uint64_t network_mbps_to_bps(double mbps);

#endif
