/*
 * memory_backend.c - an in-process struct network_backend for tests: bridges,
 * ports and queue reservations kept in memory with the same semantics (and the
 * same contract tests, tests/test_network_contract.c) as the OVSDB backend,
 * plus a switch that makes it report "down", to test health reporting
 * without stopping a server. Nothing in kairosd creates it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "network/internal.h"
#include "network/network.h"

struct mem_port {
	char *name;
	char *bridge;
	struct network_queue *queues;
	size_t n_queues;
};

struct memory_backend {
	struct network_backend nb; /* first: the public face */
	pthread_mutex_t mutex;	   /* guards everything below */
	int is_down;
	char **bridges;
	size_t n_bridges;
	struct mem_port *ports;
	size_t n_ports;
};

static struct memory_backend *mem_of(struct network_backend *nb)
{
	return (struct memory_backend *)nb;
}

/* The caller holds the mutex in every function below until the ops. */
static int mem_find_bridge(struct memory_backend *m, const char *name)
{
	for (size_t i = 0; i < m->n_bridges; i++)
		if (strcmp(m->bridges[i], name) == 0)
			return (int)i;
	return -1;
}

static struct mem_port *mem_find_port(struct memory_backend *m, const char *name)
{
	for (size_t i = 0; i < m->n_ports; i++)
		if (strcmp(m->ports[i].name, name) == 0)
			return &m->ports[i];
	return NULL;
}

static int mem_down(struct memory_backend *m, struct kairos_error *err)
{
	return m->is_down ? kairos_error_set(err, KAIROS_EBACKEND, "network",
					     "memory network backend: marked down")
			  : 0;
}

/* Finds PORT on BRIDGE; -KAIROS_ENOTFOUND naming what is missing. */
static int mem_port_on(struct memory_backend *m, const char *bridge, const char *port,
		       struct mem_port **out, struct kairos_error *err)
{
	*out = NULL;
	if (mem_find_bridge(m, bridge) < 0)
		return kairos_error_set(err, KAIROS_ENOTFOUND, "bridge", "bridge %s does not exist",
					bridge);
	struct mem_port *p = mem_find_port(m, port);
	if (!p)
		return kairos_error_set(err, KAIROS_ENOTFOUND, "port", "port %s does not exist",
					port);
	if (strcmp(p->bridge, bridge) != 0)
		return kairos_error_set(err, KAIROS_ENOTFOUND, "port",
					"port %s is not on bridge %s", port, bridge);
	*out = p;
	return 0;
}

static void mem_port_delete(struct memory_backend *m, struct mem_port *p)
{
	free(p->name);
	free(p->bridge);
	free(p->queues);
	*p = m->ports[--m->n_ports];
}

static int memory_ping(struct network_backend *nb, struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	pthread_mutex_lock(&m->mutex);
	int rc = mem_down(m, err);
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_ensure_bridge(struct network_backend *nb, const char *bridge,
				struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	int rc = network_check_name("bridge", bridge, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	rc = mem_down(m, err);
	if (rc == 0 && mem_find_bridge(m, bridge) < 0) {
		m->bridges = kairos_xrealloc(m->bridges, (m->n_bridges + 1) * sizeof(*m->bridges));
		m->bridges[m->n_bridges++] = kairos_xstrdup(bridge);
	}
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_ensure_port(struct network_backend *nb, const char *bridge, const char *port,
			      const char *iface_type, struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	(void)iface_type;
	int rc = network_check_name("bridge", bridge, err);
	if (rc == 0)
		rc = network_check_name("port", port, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	struct mem_port *p;
	if ((rc = mem_down(m, err)) < 0)
		goto out;
	if (mem_find_bridge(m, bridge) < 0) {
		rc = kairos_error_set(err, KAIROS_ENOTFOUND, "bridge", "bridge %s does not exist",
				      bridge);
	} else if ((p = mem_find_port(m, port))) {
		if (strcmp(p->bridge, bridge) != 0)
			rc = kairos_error_set(err, KAIROS_ECONFLICT, "port",
					      "port %s exists on another bridge than %s", port,
					      bridge);
	} else {
		m->ports = kairos_xrealloc(m->ports, (m->n_ports + 1) * sizeof(*m->ports));
		m->ports[m->n_ports++] = (struct mem_port){.name = kairos_xstrdup(port),
							   .bridge = kairos_xstrdup(bridge)};
	}
out:
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_reserve_queue(struct network_backend *nb, const char *bridge, const char *port,
				const char *reservation, uint64_t min_rate_bps,
				uint64_t max_rate_bps, uint32_t *queue_id, struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	int rc = network_check_names(bridge, port, reservation, err);
	if (rc == 0)
		rc = network_check_rates(reservation, min_rate_bps, max_rate_bps, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	struct mem_port *p = NULL;
	if ((rc = mem_down(m, err)) < 0 || (rc = mem_port_on(m, bridge, port, &p, err)) < 0)
		goto out;
	struct network_queue *q = NULL;
	for (size_t i = 0; i < p->n_queues && !q; i++)
		if (strcmp(p->queues[i].reservation, reservation) == 0)
			q = &p->queues[i];
	if (!q) {
		uint32_t id = 1; /* smallest free number >= 1, as in OVS */
		for (size_t i = 0; i < p->n_queues;)
			if (p->queues[i].queue_id == id)
				id++, i = 0;
			else
				i++;
		p->queues = kairos_xrealloc(p->queues, (p->n_queues + 1) * sizeof(*p->queues));
		q = &p->queues[p->n_queues++];
		memset(q, 0, sizeof(*q));
		q->queue_id = id;
		snprintf(q->reservation, sizeof(q->reservation), "%s", reservation);
	}
	q->min_rate_bps = min_rate_bps;
	q->max_rate_bps = max_rate_bps;
	if (queue_id)
		*queue_id = q->queue_id;
out:
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_release_queue(struct network_backend *nb, const char *bridge, const char *port,
				const char *reservation, struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	int rc = network_check_names(bridge, port, reservation, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	struct mem_port *p = NULL;
	if ((rc = mem_down(m, err)) < 0 || (rc = mem_port_on(m, bridge, port, &p, err)) < 0)
		goto out;
	rc = kairos_error_set(err, KAIROS_ENOTFOUND, "reservation", "no reservation %s on port %s",
			      reservation, port);
	for (size_t i = 0; i < p->n_queues; i++) {
		if (strcmp(p->queues[i].reservation, reservation) == 0) {
			p->queues[i] = p->queues[--p->n_queues];
			kairos_error_clear(err);
			rc = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_list_queues(struct network_backend *nb, const char *port,
			      struct network_queue **out, size_t *n_out, struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	*out = NULL;
	*n_out = 0;
	int rc = network_check_name("port", port, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	struct mem_port *p = NULL;
	if ((rc = mem_down(m, err)) < 0)
		goto out;
	if (!(p = mem_find_port(m, port))) {
		rc =
		    kairos_error_set(err, KAIROS_ENOTFOUND, "port", "port %s does not exist", port);
		goto out;
	}
	if (p->n_queues) {
		*out = kairos_xmalloc(p->n_queues * sizeof(**out));
		memcpy(*out, p->queues, p->n_queues * sizeof(**out));
		network_queues_sort(*out, p->n_queues);
		*n_out = p->n_queues;
	}
out:
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_remove_port(struct network_backend *nb, const char *bridge, const char *port,
			      struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	int rc = network_check_name("bridge", bridge, err);
	if (rc == 0)
		rc = network_check_name("port", port, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	struct mem_port *p;
	if ((rc = mem_down(m, err)) == 0 && (p = mem_find_port(m, port))) {
		if (strcmp(p->bridge, bridge) != 0)
			rc = kairos_error_set(err, KAIROS_ENOTFOUND, "port",
					      "port %s is not on bridge %s", port, bridge);
		else
			mem_port_delete(m, p);
	}
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static int memory_remove_bridge(struct network_backend *nb, const char *bridge,
				struct kairos_error *err)
{
	struct memory_backend *m = mem_of(nb);
	int rc = network_check_name("bridge", bridge, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&m->mutex);
	int i;
	if ((rc = mem_down(m, err)) == 0 && (i = mem_find_bridge(m, bridge)) >= 0) {
		for (size_t j = 0; j < m->n_ports;)
			if (strcmp(m->ports[j].bridge, bridge) == 0)
				mem_port_delete(m, &m->ports[j]);
			else
				j++;
		free(m->bridges[i]);
		m->bridges[i] = m->bridges[--m->n_bridges];
	}
	pthread_mutex_unlock(&m->mutex);
	return rc;
}

static void memory_destroy(struct network_backend *nb)
{
	struct memory_backend *m = mem_of(nb);
	while (m->n_ports)
		mem_port_delete(m, &m->ports[0]);
	for (size_t i = 0; i < m->n_bridges; i++)
		free(m->bridges[i]);
	free(m->bridges);
	free(m->ports);
	pthread_mutex_destroy(&m->mutex);
	free(m);
}

struct network_backend *network_backend_memory_new(void)
{
	struct memory_backend *m = kairos_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->mutex, NULL);
	m->nb.name = "memory";
	m->nb.ping = memory_ping;
	m->nb.ensure_bridge = memory_ensure_bridge;
	m->nb.ensure_port = memory_ensure_port;
	m->nb.reserve_queue = memory_reserve_queue;
	m->nb.release_queue = memory_release_queue;
	m->nb.list_queues = memory_list_queues;
	m->nb.remove_port = memory_remove_port;
	m->nb.remove_bridge = memory_remove_bridge;
	m->nb.destroy = memory_destroy;
	return &m->nb;
}

void network_backend_memory_set_down(struct network_backend *nb, int is_down)
{
	struct memory_backend *m = mem_of(nb);
	pthread_mutex_lock(&m->mutex);
	m->is_down = is_down;
	pthread_mutex_unlock(&m->mutex);
}
