/*
 * network.c - the thin wrappers of network.h: every caller goes through the
 * struct network_backend function pointers, so that the OVSDB backend and any
 * test backend are interchangeable.
 */
#include "network/network.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "network/internal.h"

#include <math.h>

int network_ping(struct network_backend *nb, struct kairos_error *err)
{
	return nb->ping(nb, err);
}

int network_ensure_bridge(struct network_backend *nb, const char *bridge, struct kairos_error *err)
{
	return nb->ensure_bridge(nb, bridge, err);
}

int network_ensure_port(struct network_backend *nb, const char *bridge, const char *port,
			const char *iface_type, struct kairos_error *err)
{
	return nb->ensure_port(nb, bridge, port, iface_type, err);
}

int network_reserve_queue(struct network_backend *nb, const char *bridge, const char *port,
			  const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			  uint32_t *queue_id, struct kairos_error *err)
{
	return nb->reserve_queue(nb, bridge, port, reservation, min_rate_bps, max_rate_bps,
				 queue_id, err);
}

int network_release_queue(struct network_backend *nb, const char *bridge, const char *port,
			  const char *reservation, struct kairos_error *err)
{
	return nb->release_queue(nb, bridge, port, reservation, err);
}

int network_list_queues(struct network_backend *nb, const char *port, struct network_queue **out,
			size_t *n_out, struct kairos_error *err)
{
	return nb->list_queues(nb, port, out, n_out, err);
}

int network_remove_port(struct network_backend *nb, const char *bridge, const char *port,
			struct kairos_error *err)
{
	return nb->remove_port(nb, bridge, port, err);
}

int network_remove_bridge(struct network_backend *nb, const char *bridge, struct kairos_error *err)
{
	return nb->remove_bridge(nb, bridge, err);
}

void network_backend_destroy(struct network_backend *nb)
{
	if (nb)
		nb->destroy(nb);
}

uint64_t network_mbps_to_bps(double mbps)
{
	if (!(mbps > 0))
		return 0;
	return (uint64_t)llround(mbps * 1e6);
}

int network_check_name(const char *what, const char *s, struct kairos_error *err)
{
	if (!s || !*s)
		return kairos_error_set(err, KAIROS_EINVAL, what, "%s must be a non-empty name",
					what);
	if (strlen(s) > NETWORK_NAME_MAX)
		return kairos_error_set(err, KAIROS_EINVAL, what, "%s is longer than %d bytes",
					what, NETWORK_NAME_MAX);
	return 0;
}

int network_check_names(const char *bridge, const char *port, const char *reservation,
			struct kairos_error *err)
{
	int rc = network_check_name("bridge", bridge, err);
	if (rc == 0)
		rc = network_check_name("port", port, err);
	if (rc == 0)
		rc = network_check_name("reservation", reservation, err);
	return rc;
}

int network_check_rates(const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			struct kairos_error *err)
{
	if (max_rate_bps == 0 || min_rate_bps > max_rate_bps)
		return kairos_error_set(
		    err, KAIROS_EINVAL, "max_rate_bps",
		    "reservation %s: rates must satisfy 0 <= min <= max and max > 0 "
		    "(got min %" PRIu64 " bit/s, max %" PRIu64 " bit/s)",
		    reservation, min_rate_bps, max_rate_bps);
	return 0;
}

static int cmp_queue_id(const void *a, const void *b)
{
	const struct network_queue *x = a, *y = b;
	return x->queue_id < y->queue_id ? -1 : x->queue_id > y->queue_id;
}

void network_queues_sort(struct network_queue *q, size_t n)
{
	if (n > 1)
		qsort(q, n, sizeof(*q), cmp_queue_id);
}
