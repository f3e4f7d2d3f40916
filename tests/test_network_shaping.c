/*
 * test_network_shaping.c - a queue reservation really shapes traffic.
 *
 * Topology (all in network namespaces this test creates and deletes):
 *   ns A: va 10.77.0.1 --veth-- pa \
 *                                   br-s (ovs-vswitchd, userspace datapath, ns V)
 *   ns B: vb 10.77.0.2 --veth-- pb /
 * A TCP stream from A to B leaves the bridge on pb, where the reservation's
 * linux-htb QoS sits. The rate measured by the receiver must be within 10% of
 * max-rate, and the same stream without the reservation (before, and after
 * release) must be much faster: the limit is the reservation's doing.
 *
 * Measured while writing this test: the userspace datapath ignores OpenFlow
 * set_queue (with a set_queue:1 flow, queue 1's class 1:2 counted 0 bytes and
 * everything went through the default class 1:1), so what bounds the port is
 * the QoS root rate, which the backend keeps at the sum of the port's
 * reservation ceilings (docs/NETWORK.md).
 *
 * SUBSTRATE.md: TCP over veth on a netdev bridge needs TX checksum offload off
 * on the namespace end (ethtool -K tx off); done here with the SIOCETHTOOL ioctl.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "network/network.h"
#include "tests/support/ovs_fixture.h"

static struct ovs_fixture fx;
static struct network_backend *nb;
static char ns_a[80], ns_b[80];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	int rc = system(line);
	if (rc != 0)
		fprintf(stderr, "test_network_shaping: `%s` failed (%d)\n", line, rc);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Moves the calling thread into network namespace NAME. */
static int enter_netns(const char *name)
{
	char path[160];
	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

struct csum_job {
	const char *netns, *ifname;
	int rc;
};

/* `ethtool -K IF tx off` inside a namespace, from a thread so the test's own namespace is
 * untouched. */
static void *csum_off_run(void *arg)
{
	struct csum_job *j = arg;
	j->rc = -1;
	if (enter_netns(j->netns) < 0)
		return NULL;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ethtool_value ev = {.cmd = ETHTOOL_STXCSUM, .data = 0};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", j->ifname);
	ifr.ifr_data = (char *)&ev;
	j->rc = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	return NULL;
}

static int tx_csum_off(const char *netns, const char *ifname)
{
	struct csum_job j = {netns, ifname, -1};
	pthread_t th;
	pthread_create(&th, NULL, csum_off_run, &j);
	pthread_join(th, NULL);
	return j.rc;
}

static void setup(void)
{
	struct kairos_error err;
	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, tap devices)");
	cr_assert_eq(ovs_fixture_start(&fx, 1), 0, "could not start ovsdb-server + ovs-vswitchd");
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 3000, &nb, &err), 0, "%s", err.message);
	snprintf(ns_a, sizeof(ns_a), "%s-a", fx.netns);
	snprintf(ns_b, sizeof(ns_b), "%s-b", fx.netns);
	cr_assert_eq(sh("ip netns add %s && ip netns add %s", ns_a, ns_b), 0);
	cr_assert_eq(sh("ip netns exec %s ip link add pa type veth peer name va netns %s && "
			"ip netns exec %s ip link add pb type veth peer name vb netns %s",
			fx.netns, ns_a, fx.netns, ns_b),
		     0);
	cr_assert_eq(sh("ip netns exec %s sh -c 'ip link set pa up && ip link set pb up' && "
			"ip netns exec %s sh -c 'ip link set lo up && ip addr add 10.77.0.1/24 dev "
			"va && ip link set va up' && "
			"ip netns exec %s sh -c 'ip link set lo up && ip addr add 10.77.0.2/24 dev "
			"vb && ip link set vb up'",
			fx.netns, ns_a, ns_b),
		     0);
	cr_assert_eq(tx_csum_off(ns_a, "va"), 0, "SIOCETHTOOL in %s: %s", ns_a, strerror(errno));
	cr_assert_eq(tx_csum_off(ns_b, "vb"), 0, "SIOCETHTOOL in %s: %s", ns_b, strerror(errno));
}

static void teardown(void)
{
	network_backend_destroy(nb);
	nb = NULL;
	if (ns_a[0])
		sh("ip netns delete %s 2>/dev/null; ip netns delete %s 2>/dev/null; true", ns_a,
		   ns_b);
	ovs_fixture_destroy(&fx);
}

TestSuite(network_shaping, .init = setup, .fini = teardown, .timeout = 90);

struct stream {
	double seconds; /* how long the sender sends */
	double warmup;	/* receiver ignores the first seconds (TCP slow start, queue fill) */
	double mbps;	/* measured by the receiver */
	int listen_fd;
	int rc;
	char error[256];
};

static void *receiver_run(void *arg)
{
	struct stream *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0) {
		snprintf(s->error, sizeof(s->error), "accept: %s", strerror(errno));
		return NULL;
	}
	static char buf[1 << 16];
	double t0 = now_s(), start = 0, last = 0;
	unsigned long long bytes = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		double t = now_s();
		if (t - t0 >= s->warmup) {
			if (start == 0)
				start = t;
			else
				bytes += (unsigned long long)n;
			last = t;
		}
	}
	close(fd);
	if (last > start)
		s->mbps = bytes * 8.0 / (last - start) / 1e6;
	s->rc = last > start ? 0 : -1;
	return NULL;
}

static void *sender_run(void *arg)
{
	struct stream *s = arg;
	if (enter_netns(ns_a) < 0) {
		snprintf(s->error, sizeof(s->error), "setns %s: %s", ns_a, strerror(errno));
		return NULL;
	}
	/* vswitchd may still be adding the ports: retry for up to ~10 s */
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5201)};
	inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
	int fd = -1;
	for (int attempt = 0; attempt < 10 && fd < 0; attempt++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		struct timeval tv = {1, 0};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
			snprintf(s->error, sizeof(s->error), "connect 10.77.0.2:5201: %s",
				 strerror(errno));
			close(fd);
			fd = -1;
			usleep(100000);
		}
	}
	if (fd < 0)
		return NULL;
	s->error[0] = '\0';
	static char buf[1 << 16];
	double end = now_s() + s->seconds;
	while (now_s() < end)
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
		    errno != EINTR)
			break;
	close(fd);
	return NULL;
}

/* Streams from A to B for SECONDS and returns the receiver's rate in Mbit/s (< 0 on failure). */
static double measure(double seconds, double warmup, char *why, size_t why_len)
{
	struct stream s = {.seconds = seconds, .warmup = warmup, .rc = -1, .listen_fd = -1};
	/* The listener is created inside B (this thread visits B and comes back); a socket keeps
	 * its namespace. */
	pthread_t th;
	struct {
		int fd;
	} lj = {-1};
	int ok = 0;
	{
		int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (saved >= 0 && enter_netns(ns_b) == 0) {
			lj.fd = socket(AF_INET, SOCK_STREAM, 0);
			int one = 1;
			setsockopt(lj.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(5201)};
			inet_pton(AF_INET, "10.77.0.2", &at.sin_addr);
			ok = bind(lj.fd, (struct sockaddr *)&at, sizeof(at)) == 0 &&
			     listen(lj.fd, 1) == 0;
			setns(saved, CLONE_NEWNET);
		}
		if (saved >= 0)
			close(saved);
	}
	if (!ok) {
		snprintf(why, why_len, "listen in %s: %s", ns_b, strerror(errno));
		if (lj.fd >= 0)
			close(lj.fd);
		return -1;
	}
	s.listen_fd = lj.fd;
	pthread_t rx;
	pthread_create(&rx, NULL, receiver_run, &s);
	pthread_create(&th, NULL, sender_run, &s);
	pthread_join(th, NULL);
	if (s.error[0])
		shutdown(s.listen_fd,
			 SHUT_RDWR); /* unblocks accept if the sender never connected */
	pthread_join(rx, NULL);
	close(s.listen_fd);
	snprintf(why, why_len, "%s", s.error);
	return s.rc == 0 ? s.mbps : -1;
}

Test(network_shaping, max_rate_is_enforced_within_ten_percent)
{
	struct kairos_error err;
	char why[256] = "";
	cr_assert_eq(network_ensure_bridge(nb, "br-s", &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-s", "pa", NULL, &err), 0, "%s", err.message);
	cr_assert_eq(network_ensure_port(nb, "br-s", "pb", NULL, &err), 0, "%s", err.message);
	/* the first stream may meet a datapath still being set up (lost SYNs/segments): allow
	 * retries */
	double free_mbps = -1;
	for (int i = 0; i < 4 && free_mbps <= 0; i++)
		free_mbps = measure(1.5, 0.5, why, sizeof(why));
	cr_assert_gt(free_mbps, 0, "unshaped stream failed: %s", why);

	/* 20 Mbit/s: far enough below the unshaped rate even when other suites load the 2 cores */
	const double max_mbps = 20, min_mbps = 5;
	uint32_t queue = 0;
	cr_assert_eq(network_reserve_queue(nb, "br-s", "pb", "link-ab",
					   network_mbps_to_bps(min_mbps),
					   network_mbps_to_bps(max_mbps), &queue, &err),
		     0, "%s", err.message);
	cr_assert_eq(queue, 1);
	/* wait for vswitchd to install the HTB classes: root = sum of ceilings, queue 1 = the
	 * reservation */
	int installed = 0;
	for (int i = 0; i < 50 && !installed; i++) {
		char *out = ovs_fixture_netns_exec(&fx, "tc class show dev pb");
		installed =
		    out &&
		    strstr(out, "class htb 1:2 parent 1:fffe prio 0 rate 5Mbit ceil 20Mbit") &&
		    strstr(out, "class htb 1:fffe root rate 20Mbit ceil 20Mbit");
		free(out);
		if (!installed)
			usleep(100000);
	}
	cr_assert(installed, "HTB class for queue 1 never appeared on pb");

	double shaped_mbps = measure(4.0, 1.0, why, sizeof(why));
	cr_assert_gt(shaped_mbps, 0, "shaped stream failed: %s", why);
	fprintf(stderr,
		"network_shaping: unshaped %.1f Mbit/s, shaped %.1f Mbit/s (max-rate %.0f)\n",
		free_mbps, shaped_mbps, max_mbps);
	cr_assert(shaped_mbps >= 0.9 * max_mbps && shaped_mbps <= 1.1 * max_mbps,
		  "shaped rate %.1f Mbit/s is not within 10%% of %.0f Mbit/s (unshaped %.1f)",
		  shaped_mbps, max_mbps, free_mbps);
	cr_assert_gt(free_mbps, 2 * max_mbps,
		     "unshaped rate %.1f Mbit/s too low for the test to mean anything", free_mbps);

	/* releasing the reservation lifts the limit */
	cr_assert_eq(network_release_queue(nb, "br-s", "pb", "link-ab", &err), 0, "%s",
		     err.message);
	int gone = 0;
	for (int i = 0; i < 50 && !gone; i++) {
		char *out = ovs_fixture_netns_exec(&fx, "tc qdisc show dev pb");
		gone = out && !strstr(out, "htb");
		free(out);
		if (!gone)
			usleep(100000);
	}
	cr_assert(gone, "HTB qdisc still on pb after release");
	double after_mbps = measure(1.5, 0.5, why, sizeof(why));
	cr_assert_gt(after_mbps, 2 * max_mbps, "after release: %.1f Mbit/s (%s)", after_mbps, why);
}
