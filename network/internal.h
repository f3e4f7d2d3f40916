/*
 * internal.h - helpers shared by the network backends (network/ only): the
 * argument checks every implementation must make the same way, so that the
 * contract tests see the same errors from each.
 */
#ifndef KAIROS_NETWORK_INTERNAL_H
#define KAIROS_NETWORK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "network/network.h"

/* 0, or -KAIROS_EINVAL (field WHAT) when S is NULL, empty or longer than NETWORK_NAME_MAX. */
int network_check_name(const char *what, const char *s, struct kairos_error *err);
/* Checks BRIDGE, PORT and RESERVATION, in that order. */
int network_check_names(const char *bridge, const char *port, const char *reservation,
			struct kairos_error *err);
/* 0, or -KAIROS_EINVAL (field max_rate_bps) unless 0 <= min <= max and max > 0. */
int network_check_rates(const char *reservation, uint64_t min_rate_bps, uint64_t max_rate_bps,
			struct kairos_error *err);
/* Sorts N queues by queue_id. */
void network_queues_sort(struct network_queue *q, size_t n);

#endif
