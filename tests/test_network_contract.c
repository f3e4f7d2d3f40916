/*
 * test_network_contract.c - the struct network_backend contract, written once
 * against network.h only and run on every implementation: the Open vSwitch
 * backend (a real ovsdb-server per test) and the in-process memory backend.
 * OVS-specific checks (rows read back with ovs-vsctl) are in
 * test_network_backend.c.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/network.h"
#include "tests/support/ovs_fixture.h"

static struct ovs_fixture fx;
static struct network_backend *nb;

static void setup_ovsdb(void)
{
	struct kairos_error err;
	cr_assert_eq(ovs_fixture_start(&fx, 0), 0, "could not start ovsdb-server");
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 3000, &nb, &err), 0, "%s", err.message);
}

static void setup_memory(void)
{
	nb = network_backend_memory_new();
}

static void teardown(void)
{
	network_backend_destroy(nb);
	nb = NULL;
	ovs_fixture_destroy(&fx);
}

TestSuite(network_contract_ovsdb, .init = setup_ovsdb, .fini = teardown, .timeout = 60);
TestSuite(network_contract_memory, .init = setup_memory, .fini = teardown, .timeout = 60);

/* Defines the body once and a test of it in each backend's suite. */
#define CONTRACT(name)                                                                             \
	static void name(void);                                                                    \
	Test(network_contract_ovsdb, name)                                                         \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	Test(network_contract_memory, name)                                                        \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	static void name(void)

static void make_port(const char *bridge, const char *port)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_bridge(nb, bridge, &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, bridge, port, "internal", &err), 0, "%s", err.message);
}

/* The port's queues as "id:reservation:min:max," in queue order. */
static char *queues_str(const char *port)
{
	struct kairos_error err;
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, port, &q, &n, &err), 0, "%s", err.message);
	struct kairos_buf b = {0};
	for (size_t i = 0; i < n; i++)
		kairos_buf_printf(&b, "%u:%s:%llu:%llu,", q[i].queue_id, q[i].reservation,
				  (unsigned long long)q[i].min_rate_bps,
				  (unsigned long long)q[i].max_rate_bps);
	free(q);
	return kairos_buf_steal(&b);
}

static void assert_queues(const char *port, const char *want)
{
	char *got = queues_str(port);
	cr_assert_str_eq(got, want, "queues of %s", port);
	free(got);
}

CONTRACT(ping_answers)
{
	struct kairos_error err;
	cr_assert_eq(network_ping(nb, &err), 0, "%s", err.message);
	cr_assert_str_neq(nb->name, "");
}

CONTRACT(bridges_and_ports_are_idempotent)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_port(nb, "br0", "vif1", NULL, &err), -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "bridge br0 does not exist"), "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br0", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br0", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br0", "vif1", NULL, &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br0", "vif1", NULL, &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br1", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br1", "vif1", NULL, &err), -KAIROS_ECONFLICT);
	assert_queues("vif1", "");
	cr_assert_eq(network_ensure_bridge(nb, "", &err), -KAIROS_EINVAL);
	cr_assert_eq(network_ensure_port(nb, "br0", NULL, NULL, &err), -KAIROS_EINVAL);
}

CONTRACT(reserve_list_release)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	uint32_t id = 0;
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-a", 10000000, 50000000, &id, &err), 0,
	    "%s", err.message);
	cr_assert_eq(id, 1);
	assert_queues("vif1", "1:link-a:10000000:50000000,");
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), 0, "%s",
		     err.message);
	assert_queues("vif1", "");
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "no reservation link-a"), "%s", err.message);
}

CONTRACT(queue_numbers_are_reused_and_rates_updated_in_place)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	uint32_t a = 0, b = 0, c = 0, a2 = 0;
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "a", 1, 10, &a, &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "b", 2, 20, &b, &err), 0, "%s",
		     err.message);
	assert_queues("vif1", "1:a:1:10,2:b:2:20,");
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "a", &err), 0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "c", 0, 30, &c, &err), 0, "%s",
		     err.message);
	cr_assert_eq(c, 1, "the smallest free number is reused");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "b", 5, 50, &a2, &err), 0, "%s",
		     err.message);
	cr_assert_eq(a2, b, "same reservation, same queue");
	assert_queues("vif1", "1:c:0:30,2:b:5:50,");
}

CONTRACT(reservations_are_per_port)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	make_port("br0", "vif2");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "l", 1, 10, NULL, &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif2", "l", 2, 20, NULL, &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "l", &err), 0, "%s", err.message);
	assert_queues("vif1", "");
	assert_queues("vif2", "1:l:2:20,");
}

CONTRACT(bad_reservations_are_refused)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	cr_assert_eq(network_ensure_bridge(nb, "br1", &err), 0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "x", 5, 4, NULL, &err),
		     -KAIROS_EINVAL);
	cr_assert_str_eq(err.field, "max_rate_bps");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "x", 0, 0, NULL, &err),
		     -KAIROS_EINVAL);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "", 0, 1, NULL, &err),
		     -KAIROS_EINVAL);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif9", "x", 1, 4, NULL, &err),
		     -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "port vif9 does not exist"), "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br1", "vif1", "x", 1, 4, NULL, &err),
		     -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "port vif1 is not on bridge br1"), "%s", err.message);
	struct network_queue *q = (struct network_queue *)&err; /* must be reset to NULL */
	size_t n = 7;
	cr_assert_eq(network_list_queues(nb, "vif9", &q, &n, &err), -KAIROS_ENOTFOUND);
	cr_assert_null(q);
	cr_assert_eq(n, 0);
	assert_queues("vif1", "");
}

CONTRACT(removal_is_idempotent_and_takes_reservations_along)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	make_port("br0", "vif2");
	make_port("br1", "vif3");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "l1", 1, 10, NULL, &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_reserve_queue(nb, "br1", "vif3", "l3", 1, 10, NULL, &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_remove_port(nb, "br1", "vif1", &err), -KAIROS_ENOTFOUND);
	cr_assert_eq(network_remove_port(nb, "br0", "vif1", &err), 0, "%s", err.message);
	cr_assert_eq(network_remove_port(nb, "br0", "vif1", &err), 0, "%s", err.message);
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), -KAIROS_ENOTFOUND);
	cr_assert_eq(network_remove_bridge(nb, "br0", &err), 0, "%s", err.message);
	cr_assert_eq(network_remove_bridge(nb, "br0", &err), 0, "%s", err.message);
	cr_assert_eq(network_list_queues(nb, "vif2", &q, &n, &err), -KAIROS_ENOTFOUND);
	assert_queues("vif3", "1:l3:1:10,");
	/* a name is free again once removed */
	make_port("br0", "vif1");
	assert_queues("vif1", "");
}

struct racer {
	const char *prefix;
	int failures;
	char last_error[768];
};

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct kairos_error err;
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%s%d", r->prefix, i);
		if (network_reserve_queue(nb, "br0", "vif1", id, 1, 100, NULL, &err) < 0 ||
		    (i % 2 && network_release_queue(nb, "br0", "vif1", id, &err) < 0)) {
			r->failures++;
			snprintf(r->last_error, sizeof(r->last_error), "%s", err.message);
		}
	}
	return NULL;
}

CONTRACT(one_backend_shared_by_threads)
{
	make_port("br0", "vif1");
	struct racer r[3] = {{"a", 0, ""}, {"b", 0, ""}, {"c", 0, ""}};
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, racer_run, &r[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(r[i].failures, 0, "%s: %s", r[i].prefix, r[i].last_error);
	struct kairos_error err;
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 12, "4 reservations kept by each of 3 threads");
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(q[i].reservation);
		cr_assert(len >= 2 && (q[i].reservation[len - 1] - '0') % 2 == 0,
			  "%s should be released", q[i].reservation);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(q[i].queue_id, q[j].queue_id);
	}
	free(q);
}

Test(network_contract_memory, can_be_marked_down)
{
	struct kairos_error err;
	network_backend_memory_set_down(nb, 1);
	cr_assert_eq(network_ping(nb, &err), -KAIROS_EBACKEND);
	cr_assert(strstr(err.message, "marked down"), "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br0", &err), -KAIROS_EBACKEND);
	network_backend_memory_set_down(nb, 0);
	cr_assert_eq(network_ping(nb, &err), 0, "%s", err.message);
}
