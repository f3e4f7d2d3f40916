/*
 * test_network_vswitchd.c - what the OVSDB backend writes is what a real
 * ovs-vswitchd (userspace datapath, private network namespace) acts on:
 * bridges and ports get OpenFlow port numbers, and a queue reservation
 * becomes Linux HTB classes with the reserved rates on the port's device.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network/network.h"
#include "network/ovsdb.h"
#include "tests/support/ovs_fixture.h"

static struct ovs_fixture fx;
static struct network_backend *nb;

static void setup(void)
{
	struct kairos_error err;
	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, tap devices)");
	cr_assert_eq(ovs_fixture_start(&fx, 1), 0, "could not start ovsdb-server + ovs-vswitchd");
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 3000, &nb, &err), 0, "%s", err.message);
}

static void teardown(void)
{
	network_backend_destroy(nb);
	nb = NULL;
	ovs_fixture_destroy(&fx);
}

TestSuite(network_vswitchd, .init = setup, .fini = teardown, .timeout = 60);

/* Interface NAME's ofport as read with our own client; 0 while vswitchd has not set it. */
static long long read_ofport(const char *name)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	json_t *ops = json_pack("[{s:s, s:s, s:[[s, s, s]], s:[s]}]", "op", "select", "table",
				"Interface", "where", "name", "==", name, "columns", "ofport");
	json_t *res = NULL;
	cr_assert_eq(ovsdb_conn_transact(c, "Open_vSwitch", ops, &res, NULL, &err), 0, "%s",
		     err.message);
	json_t *ofport = json_object_get(
	    json_array_get(json_object_get(json_array_get(res, 0), "rows"), 0), "ofport");
	long long v = ovsdb_set_size(ofport) == 1 ? json_integer_value(ovsdb_set_at(ofport, 0)) : 0;
	json_decref(res);
	json_decref(ops);
	ovsdb_conn_free(c);
	return v;
}

static long long wait_ofport(const char *name)
{
	long long v = 0;
	for (int i = 0; i < 100 && v == 0; i++) {
		v = read_ofport(name);
		if (v == 0)
			usleep(100000);
	}
	return v;
}

/* Polls `tc ... ` in the vswitchd namespace until its output contains WANT (or not, if !PRESENT).
 */
static int wait_tc(const char *cmd, const char *want, int present, char *last, size_t last_len)
{
	for (int i = 0; i < 100; i++) {
		char *out = ovs_fixture_netns_exec(&fx, cmd);
		int has = out && strstr(out, want) != NULL;
		snprintf(last, last_len, "%s", out ? out : "(command failed)");
		free(out);
		if (has == present)
			return 1;
		usleep(100000);
	}
	return 0;
}

Test(network_vswitchd, bridge_created_through_client_gets_ofport)
{
	struct kairos_error err;
	cr_assert_eq(network_ensure_bridge(nb, "br-v", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-v", "vif1", "internal", &err), 0, "%s",
		     err.message);
	/* OpenFlow's LOCAL port number for the bridge's own interface */
	cr_assert_eq(wait_ofport("br-v"), 65534, "vswitchd did not pick up the bridge");
	long long p = wait_ofport("vif1");
	cr_assert(p >= 1 && p < 65280, "vif1 got ofport %lld", p);
	/* and the devices exist in vswitchd's namespace */
	char *links = ovs_fixture_netns_exec(&fx, "ip -o link show vif1");
	cr_assert_not_null(links);
	cr_assert(strstr(links, "vif1"), "%s", links);
	free(links);
}

Test(network_vswitchd, reservation_becomes_htb_classes_and_release_removes_them)
{
	struct kairos_error err;
	char last[4096];
	cr_assert_eq(network_ensure_bridge(nb, "br-v", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-v", "vif1", "internal", &err), 0, "%s",
		     err.message);
	cr_assert_gt(wait_ofport("vif1"), 0);

	uint32_t q1 = 0, q2 = 0;
	cr_assert_eq(
	    network_reserve_queue(nb, "br-v", "vif1", "link-a", 10000000, 50000000, &q1, &err), 0,
	    "%s", err.message);
	cr_assert_eq(
	    network_reserve_queue(nb, "br-v", "vif1", "link-b", 2000000, 4000000, &q2, &err), 0,
	    "%s", err.message);
	cr_assert_eq(q1, 1);
	cr_assert_eq(q2, 2);
	/* OVS linux-htb: queue N is class 1:(N+1) under the root class 1:fffe */
	cr_assert(wait_tc("tc class show dev vif1",
			  "class htb 1:2 parent 1:fffe prio 0 rate 10Mbit ceil 50Mbit", 1, last,
			  sizeof(last)),
		  "queue 1 not installed: %s", last);
	cr_assert(wait_tc("tc class show dev vif1",
			  "class htb 1:3 parent 1:fffe prio 0 rate 2Mbit ceil 4Mbit", 1, last,
			  sizeof(last)),
		  "queue 2 not installed: %s", last);
	/* the root rate bounds the port: the sum of the ceilings */
	cr_assert(wait_tc("tc class show dev vif1", "class htb 1:fffe root rate 54Mbit ceil 54Mbit",
			  1, last, sizeof(last)),
		  "root class is not 50+4 Mbit/s: %s", last);

	cr_assert_eq(network_release_queue(nb, "br-v", "vif1", "link-a", &err), 0, "%s",
		     err.message);
	cr_assert(wait_tc("tc class show dev vif1", "class htb 1:fffe root rate 4Mbit ceil 4Mbit",
			  1, last, sizeof(last)),
		  "root class is not 4 Mbit/s after releasing link-a: %s", last);
	cr_assert(wait_tc("tc class show dev vif1", "class htb 1:2 ", 0, last, sizeof(last)),
		  "queue 1 still installed: %s", last);
	cr_assert(wait_tc("tc class show dev vif1", "class htb 1:3 ", 1, last, sizeof(last)),
		  "queue 2 should remain: %s", last);
	cr_assert_eq(network_release_queue(nb, "br-v", "vif1", "link-b", &err), 0, "%s",
		     err.message);
	cr_assert(wait_tc("tc qdisc show dev vif1", "htb", 0, last, sizeof(last)),
		  "htb qdisc still there: %s", last);
}
