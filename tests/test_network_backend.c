/*
 * test_network_backend.c - the struct network_backend contract, run against
 * the Open vSwitch backend and a real ovsdb-server per test. What the backend
 * wrote is checked twice: through its own list_queues and independently with
 * ovs-vsctl reading the database.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/network.h"
#include "network/ovsdb.h"
#include "tests/support/ovs_fixture.h"

static struct ovs_fixture fx;
static struct network_backend *nb;

static void setup(void)
{
	struct kairos_error err;
	cr_assert_eq(ovs_fixture_start(&fx, 0), 0, "could not start ovsdb-server");
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 3000, &nb, &err), 0, "%s", err.message);
}

static void teardown(void)
{
	network_backend_destroy(nb);
	nb = NULL;
	ovs_fixture_destroy(&fx);
}

TestSuite(network_backend, .init = setup, .fini = teardown, .timeout = 60);

/* Number of non-empty lines of `ovs-vsctl ARGS`. */
static int vsctl_lines(const char *args)
{
	char *out = ovs_fixture_vsctl(&fx, args);
	cr_assert_not_null(out, "ovs-vsctl %s failed", args);
	int n = 0, in_line = 0;
	for (char *p = out; *p; p++) {
		if (*p == '\n')
			in_line = 0;
		else if (!in_line && *p != ' ')
			in_line = 1, n++;
	}
	free(out);
	return n;
}

static char *vsctl(const char *args)
{
	char *out = ovs_fixture_vsctl(&fx, args);
	cr_assert_not_null(out, "ovs-vsctl %s failed", args);
	return out;
}

static void assert_no_qos_rows(void)
{
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 0, "QoS rows left behind");
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 0, "Queue rows left behind");
}

static void make_port(const char *bridge, const char *port)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_bridge(nb, bridge, &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, bridge, port, "internal", &err), 0, "%s", err.message);
}

Test(network_backend, ensure_bridge_is_idempotent)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_bridge(nb, "br-k0", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br-k0", &err), 0, "%s", err.message);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid find Bridge name=br-k0"), 1);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Bridge"), 1);
	char *s = vsctl("list-br");
	cr_assert_str_eq(s, "br-k0", "the root row references the bridge");
	free(s);
	s = vsctl("get Bridge br-k0 datapath_type");
	cr_assert_str_eq(s, "netdev");
	free(s);
	s = vsctl("list-ports br-k0"); /* list-ports hides the bridge's own port */
	cr_assert_str_eq(s, "");
	free(s);
	s = vsctl("get Interface br-k0 type");
	cr_assert_str_eq(s, "internal");
	free(s);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Port"), 1);

	cr_assert_eq(network_ensure_bridge(nb, "br-k1", &err), 0, "%s", err.message);
	s = vsctl("list-br");
	cr_assert_str_eq(s, "br-k0\nbr-k1");
	free(s);
}

Test(network_backend, ensure_bridge_needs_the_root_row)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	json_t *ops =
	    json_pack("[{s:s, s:s, s:[]}]", "op", "delete", "table", "Open_vSwitch", "where");
	cr_assert_eq(ovsdb_conn_transact(c, "Open_vSwitch", ops, NULL, NULL, &err), 0, "%s",
		     err.message);
	json_decref(ops);
	ovsdb_conn_free(c);
	cr_assert_eq(network_ensure_bridge(nb, "br-k0", &err), -KAIROS_EBACKEND);
	cr_assert(strstr(err.message, "root row is missing"), "%s", err.message);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Bridge"), 0);
}

Test(network_backend, rejects_bad_names)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_bridge(nb, "", &err), -KAIROS_EINVAL);
	cr_assert_str_eq(err.field, "bridge");
	char longname[NETWORK_NAME_MAX + 2];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(network_ensure_bridge(nb, longname, &err), -KAIROS_EINVAL);
}

Test(network_backend, ensure_port_is_idempotent_and_checks_its_bridge)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_port(nb, "br-none", "vif1", NULL, &err), -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "bridge br-none does not exist"), "%s", err.message);
	make_port("br-a", "vif1");
	cr_assert_eq(network_ensure_port(nb, "br-a", "vif1", "internal", &err), 0, "%s",
		     err.message);
	char *s = vsctl("list-ports br-a");
	cr_assert_str_eq(s, "vif1");
	free(s);
	s = vsctl("port-to-br vif1");
	cr_assert_str_eq(s, "br-a");
	free(s);
	cr_assert_eq(network_ensure_bridge(nb, "br-b", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-b", "vif1", NULL, &err), -KAIROS_ECONFLICT);
	cr_assert(strstr(err.message, "exists on another bridge"), "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-b", "vif2", NULL, &err), 0, "%s", err.message);
	s = vsctl("get Interface vif2 type");
	cr_assert_str_eq(s, "\"\"");
	free(s);
}

Test(network_backend, reserve_then_release_leaves_nothing_behind)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	uint32_t qid = 0;
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-a", 10000000, 50000000, &qid, &err), 0,
	    "%s", err.message);
	cr_assert_eq(qid, 1);

	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 1);
	cr_assert_eq(q[0].queue_id, 1);
	cr_assert_str_eq(q[0].reservation, "link-a");
	cr_assert_eq(q[0].min_rate_bps, 10000000);
	cr_assert_eq(q[0].max_rate_bps, 50000000);
	free(q);

	/* independently, through ovs-vsctl */
	char *s = vsctl("--bare --columns=type list QoS");
	cr_assert_str_eq(s, "linux-htb");
	free(s);
	s = vsctl("--bare --columns=other_config list Queue");
	cr_assert(strstr(s, "max-rate=\"50000000\"") || strstr(s, "max-rate=50000000"), "%s", s);
	cr_assert(strstr(s, "min-rate=\"10000000\"") || strstr(s, "min-rate=10000000"), "%s", s);
	free(s);
	cr_assert_eq(vsctl_lines("--bare --columns=qos find Port name=vif1 qos!=[]"), 1);

	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), 0, "%s",
		     err.message);
	assert_no_qos_rows();
	s = vsctl("get Port vif1 qos");
	cr_assert_str_eq(s, "[]");
	free(s);
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 0);
	cr_assert_null(q);

	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "no reservation link-a on ovs port vif1"), "%s", err.message);
}

Test(network_backend, two_reservations_on_one_port_are_both_kept)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	uint32_t q1 = 0, q2 = 0, q3 = 0;
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-a", 10000000, 50000000, &q1, &err), 0,
	    "%s", err.message);
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-b", 20000000, 100000000, &q2, &err), 0,
	    "%s", err.message);
	cr_assert_eq(q1, 1);
	cr_assert_eq(q2, 2);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 1, "one QoS per port");
	char *total = vsctl("--bare --columns=other_config list QoS");
	cr_assert(strstr(total, "max-rate=\"150000000\"") || strstr(total, "max-rate=150000000"),
		  "QoS max-rate is the sum of the ceilings: %s", total);
	free(total);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 2);

	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(q[0].reservation, "link-a");
	cr_assert_str_eq(q[1].reservation, "link-b");
	cr_assert_eq(q[1].min_rate_bps, 20000000);
	cr_assert_eq(q[1].max_rate_bps, 100000000);
	free(q);

	/* releasing the first keeps the second; its number is reused by the next reservation */
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 1);
	cr_assert_eq(q[0].queue_id, 2);
	cr_assert_str_eq(q[0].reservation, "link-b");
	free(q);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 1,
		     "the released queue row is deleted");
	total = vsctl("--bare --columns=other_config list QoS");
	cr_assert(strstr(total, "max-rate=\"100000000\"") || strstr(total, "max-rate=100000000"),
		  "%s", total);
	free(total);
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-c", 1000000, 2000000, &q3, &err), 0,
	    "%s", err.message);
	cr_assert_eq(q3, 1);

	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-b", &err), 0, "%s",
		     err.message);
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-c", &err), 0, "%s",
		     err.message);
	assert_no_qos_rows();
}

Test(network_backend, reserving_again_updates_rates_in_place)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	uint32_t q1 = 0, q2 = 0;
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-a", 10000000, 50000000, &q1, &err), 0,
	    "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "link-a", 0, 70000000, &q2, &err), 0,
		     "%s", err.message);
	cr_assert_eq(q1, q2);
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 1);
	cr_assert_eq(q[0].min_rate_bps, 0);
	cr_assert_eq(q[0].max_rate_bps, 70000000);
	free(q);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 1);
	char *total = vsctl("--bare --columns=other_config list QoS");
	cr_assert(strstr(total, "max-rate=\"70000000\"") || strstr(total, "max-rate=70000000"),
		  "%s", total);
	free(total);
}

Test(network_backend, same_reservation_on_two_ports_is_two_queues)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	make_port("br0", "vif2");
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif1", "link-a", 1000000, 5000000, NULL, &err), 0,
	    "%s", err.message);
	cr_assert_eq(
	    network_reserve_queue(nb, "br0", "vif2", "link-a", 2000000, 6000000, NULL, &err), 0,
	    "%s", err.message);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 2);
	cr_assert_eq(network_release_queue(nb, "br0", "vif1", "link-a", &err), 0, "%s",
		     err.message);
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif2", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 1);
	cr_assert_eq(q[0].max_rate_bps, 6000000);
	free(q);
	cr_assert_eq(network_release_queue(nb, "br0", "vif2", "link-a", &err), 0, "%s",
		     err.message);
	assert_no_qos_rows();
}

Test(network_backend, reserve_rejects_bad_input)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	cr_assert_eq(network_ensure_bridge(nb, "br1", &err), 0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "x", 5, 4, NULL, &err),
		     -KAIROS_EINVAL);
	cr_assert(strstr(err.message, "min 5 bit/s, max 4 bit/s"), "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "x", 0, 0, NULL, &err),
		     -KAIROS_EINVAL);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif9", "x", 1, 4, NULL, &err),
		     -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "port vif9 does not exist"), "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br1", "vif1", "x", 1, 4, NULL, &err),
		     -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "port vif1 is not on bridge br1"), "%s", err.message);
	cr_assert_eq(
	    network_list_queues(nb, "vif9", &(struct network_queue *){NULL}, &(size_t){0}, &err),
	    -KAIROS_ENOTFOUND);
	assert_no_qos_rows();
}

struct worker {
	const char *remote;
	const char *prefix;
	int count;
	int is_release;
	int failures;
	char last_error[768];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct network_backend *mine = NULL;
	struct kairos_error err;
	if (network_backend_ovsdb_new(w->remote, 5000, &mine, &err) < 0) {
		w->failures = w->count;
		return NULL;
	}
	for (int i = 0; i < w->count; i++) {
		char id[64];
		snprintf(id, sizeof(id), "%s-%d", w->prefix, i);
		int rc = w->is_release ? network_release_queue(mine, "br0", "vif1", id, &err)
				       : network_reserve_queue(mine, "br0", "vif1", id,
							       1000000 * (uint64_t)(i + 1),
							       100000000, NULL, &err);
		if (rc < 0) {
			w->failures++;
			snprintf(w->last_error, sizeof(w->last_error), "%s", err.message);
		}
	}
	network_backend_destroy(mine);
	return NULL;
}

Test(network_backend, concurrent_reservations_on_one_port_do_not_clobber)
{
	make_port("br0", "vif1");
	enum { N = 12 };
	struct worker w[3] = {{fx.remote, "a", N, 0, 0, ""},
			      {fx.remote, "b", N, 0, 0, ""},
			      {fx.remote, "c", N, 0, 0, ""}};
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker_run, &w[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(w[i].failures, 0, "worker %s: %s", w[i].prefix, w[i].last_error);

	struct kairos_error err;
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 3 * N);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(q[i].queue_id, i + 1, "queue numbers are dense and distinct");
		cr_assert_neq(q[i].reservation[0], '\0');
	}
	free(q);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 3 * N,
		     "no orphan Queue rows");
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 1,
		     "one QoS, not one per racer");

	for (int i = 0; i < 3; i++) {
		w[i].is_release = 1;
		pthread_create(&th[i], NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(w[i].failures, 0, "worker %s: %s", w[i].prefix, w[i].last_error);
	assert_no_qos_rows();
}

struct shared_worker {
	const char *prefix;
	int failures;
	char last_error[768];
};

static void *shared_worker_run(void *arg)
{
	struct shared_worker *w = arg;
	struct kairos_error err;
	for (int i = 0; i < 8; i++) {
		char id[64];
		snprintf(id, sizeof(id), "%s-%d", w->prefix, i);
		if (network_reserve_queue(nb, "br0", "vif1", id, 1000000, 2000000, NULL, &err) <
			0 ||
		    network_ping(nb, &err) < 0) {
			w->failures++;
			snprintf(w->last_error, sizeof(w->last_error), "%s", err.message);
		}
	}
	return NULL;
}

Test(network_backend, one_backend_shared_by_threads)
{
	make_port("br0", "vif1");
	/* The same struct network_backend from two threads: calls are serialised and all complete.
	 */
	struct shared_worker w[2] = {{"x", 0, ""}, {"y", 0, ""}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, shared_worker_run, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(w[i].failures, 0, "worker %s: %s", w[i].prefix, w[i].last_error);
	struct kairos_error err;
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif1", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 16);
	free(q);
}

Test(network_backend, remove_port_takes_its_qos_and_queues_along)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	make_port("br0", "vif2");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "l1", 1000000, 2000000, NULL, &err),
		     0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "l2", 1000000, 3000000, NULL, &err),
		     0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif2", "l3", 1000000, 3000000, NULL, &err),
		     0, "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br1", &err), 0, "%s", err.message);
	cr_assert_eq(network_remove_port(nb, "br1", "vif1", &err), -KAIROS_ENOTFOUND);
	cr_assert(strstr(err.message, "not on bridge br1"), "%s", err.message);

	cr_assert_eq(network_remove_port(nb, "br0", "vif1", &err), 0, "%s", err.message);
	char *s = vsctl("list-ports br0");
	cr_assert_str_eq(s, "vif2");
	free(s);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid find Interface name=vif1"), 0,
		     "interface garbage-collected");
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 1, "only vif2's QoS is left");
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 1);
	cr_assert_eq(network_remove_port(nb, "br0", "vif1", &err), 0, "removing again: %s",
		     err.message);
	struct network_queue *q = NULL;
	size_t n = 0;
	cr_assert_eq(network_list_queues(nb, "vif2", &q, &n, &err), 0, "%s", err.message);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(q[0].reservation, "l3");
	free(q);
}

Test(network_backend, remove_bridge_leaves_no_row_behind)
{
	struct kairos_error err;
	make_port("br0", "vif1");
	make_port("br0", "vif2");
	make_port("br1", "vif3");
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif1", "l1", 1000000, 2000000, NULL, &err),
		     0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br0", "vif2", "l2", 1000000, 3000000, NULL, &err),
		     0, "%s", err.message);
	cr_assert_eq(network_reserve_queue(nb, "br1", "vif3", "l3", 1000000, 3000000, NULL, &err),
		     0, "%s", err.message);

	cr_assert_eq(network_remove_bridge(nb, "br0", &err), 0, "%s", err.message);
	char *s = vsctl("list-br");
	cr_assert_str_eq(s, "br1");
	free(s);
	cr_assert_eq(vsctl_lines("--bare --columns=name list Port"), 2, "br1 and vif3 only");
	cr_assert_eq(vsctl_lines("--bare --columns=name list Interface"), 2);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list QoS"), 1);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Queue"), 1);
	cr_assert_eq(network_remove_bridge(nb, "br0", &err), 0, "removing again: %s", err.message);

	cr_assert_eq(network_remove_bridge(nb, "br1", &err), 0, "%s", err.message);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Bridge"), 0);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Port"), 0);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Interface"), 0);
	assert_no_qos_rows();
	/* and the bridge can be made again */
	cr_assert_eq(network_ensure_bridge(nb, "br0", &err), 0, "%s", err.message);
	cr_assert_eq(vsctl_lines("--bare --columns=_uuid list Bridge"), 1);
}
