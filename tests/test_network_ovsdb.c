/*
 * test_network_ovsdb.c - the OVSDB protocol client (network/ovsdb.c): message
 * framing on buffers, answers to the server's echo (against a scripted fake
 * server), transact error decoding and health/reconnection against a real
 * ovsdb-server started by the test. Includes the module's internal header on
 * purpose: the splitter is tested directly.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "network/network.h"
#include "network/ovsdb.h"
#include "tests/support/ovs_fixture.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- framing ------------------------------------------------------------- */

Test(network_ovsdb_framing, two_messages_in_one_read)
{
	struct ovsdb_reader r;
	struct kairos_error err;
	json_t *m = NULL;
	ovsdb_reader_init(&r);
	const char *two = "{\"id\":1,\"result\":[\"a}\"],\"error\":null}  "
			  "{\"id\":2,\"result\":{},\"error\":null}";
	ovsdb_reader_feed(&r, two, strlen(two));
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 1);
	cr_assert_eq(json_integer_value(json_object_get(m, "id")), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "result"), 0)), "a}");
	json_decref(m);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 1);
	cr_assert_eq(json_integer_value(json_object_get(m, "id")), 2);
	json_decref(m);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 0);
	cr_assert_null(m);
	cr_assert_eq(ovsdb_reader_pending(&r), 0);
	ovsdb_reader_destroy(&r);
}

Test(network_ovsdb_framing, one_message_split_across_reads_byte_by_byte)
{
	struct ovsdb_reader r;
	struct kairos_error err;
	json_t *m = NULL;
	ovsdb_reader_init(&r);
	const char *msg = "{\"method\":\"update\",\"params\":[null,{\"Bridge\":{\"x\":{\"new\":{"
			  "\"name\":\"br{0}\"}}}}],"
			  "\"id\":null}\n{\"id\":7,";
	size_t first_len = strchr(msg, '\n') - msg;
	for (size_t i = 0; i < first_len; i++) {
		ovsdb_reader_feed(&r, msg + i, 1);
		int rc = ovsdb_reader_next(&r, &m, &err);
		if (i + 1 < first_len) {
			cr_assert_eq(rc, 0, "complete after %zu of %zu bytes", i + 1, first_len);
			continue;
		}
		cr_assert_eq(rc, 1);
	}
	cr_assert_str_eq(json_string_value(json_object_get(m, "method")), "update");
	json_decref(m);
	/* the rest: a second message that starts in the same read and ends later */
	ovsdb_reader_feed(&r, msg + first_len, strlen(msg) - first_len);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 0);
	ovsdb_reader_feed(&r, "\"result\":[1,2]}", 15);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 1);
	cr_assert_eq(json_integer_value(json_object_get(m, "id")), 7);
	cr_assert_eq(json_array_size(json_object_get(m, "result")), 2);
	json_decref(m);
	ovsdb_reader_destroy(&r);
}

Test(network_ovsdb_framing, garbage_is_a_syntax_error)
{
	struct ovsdb_reader r;
	struct kairos_error err;
	json_t *m = NULL;
	ovsdb_reader_init(&r);
	ovsdb_reader_feed(&r, "{\"id\":1} 42", 11);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), 1);
	json_decref(m);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), -KAIROS_ESYNTAX);
	cr_assert(strstr(err.message, "expected a JSON object"), "%s", err.message);

	ovsdb_reader_reset(&r);
	ovsdb_reader_feed(&r, "{\"id\":]", 7);
	cr_assert_eq(ovsdb_reader_next(&r, &m, &err), -KAIROS_ESYNTAX);
	cr_assert(strstr(err.message, "malformed JSON"), "%s", err.message);
	ovsdb_reader_destroy(&r);
}

Test(network_ovsdb_framing, set_and_map_encodings)
{
	json_t *one = ovsdb_uuid_new("0000-1");
	json_t *empty = json_pack("[s, []]", "set");
	json_t *two = json_pack("[s, [[s, s], [s, s]]]", "set", "uuid", "a", "uuid", "b");
	json_t *map = json_pack("[s, [[s, s], [s, s]]]", "map", "min-rate", "10", "max-rate", "20");
	cr_assert_eq(ovsdb_set_size(one), 1);
	cr_assert_str_eq(ovsdb_uuid_str(ovsdb_set_at(one, 0)), "0000-1");
	cr_assert_eq(ovsdb_set_size(empty), 0);
	cr_assert_eq(ovsdb_set_size(two), 2);
	cr_assert_str_eq(ovsdb_uuid_str(ovsdb_set_at(two, 1)), "b");
	cr_assert_str_eq(ovsdb_map_get(map, "max-rate"), "20");
	cr_assert_null(ovsdb_map_get(map, "burst"));
	json_decref(one);
	json_decref(empty);
	json_decref(two);
	json_decref(map);
}

Test(network_ovsdb_framing, malformed_remotes_are_rejected)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new("ssl:1.2.3.4:6640", 1000, &c, &err), -KAIROS_EINVAL);
	cr_assert(strstr(err.message, "unix:PATH or tcp:IP:PORT"), "%s", err.message);
	cr_assert_eq(ovsdb_conn_new("tcp:localhost:6640", 1000, &c, &err), -KAIROS_EINVAL);
	cr_assert_eq(ovsdb_conn_new("tcp:127.0.0.1:99999", 1000, &c, &err), -KAIROS_EINVAL);
	cr_assert_eq(ovsdb_conn_new("unix:/x", 0, &c, &err), -KAIROS_EINVAL);
	cr_assert_null(c);
	cr_assert_eq(ovsdb_conn_new("tcp:127.0.0.1:6640", 1000, &c, &err), 0);
	ovsdb_conn_free(c);
}

/* ---- echo from the server (scripted fake server) ------------------------ */

struct fake_server {
	char path[108];
	int listen_fd;
	json_t *echo_reply; /* what the client answered to our echo */
	int got_request_after_echo;
};

static void *fake_server_run(void *arg)
{
	struct fake_server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	struct ovsdb_reader r;
	struct kairos_error err;
	ovsdb_reader_init(&r);
	/* Wait for the client's request first, then interrupt with an echo split in two writes. */
	json_t *req = NULL, *m = NULL;
	char buf[4096];
	while (!req) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			goto out;
		ovsdb_reader_feed(&r, buf, (size_t)n);
		ovsdb_reader_next(&r, &req, &err);
	}
	const char *echo = "{\"id\":\"echo\",\"method\":\"echo\",\"params\":[\"hello\",3]}";
	if (write(fd, echo, 20) != 20 ||
	    (usleep(20000), write(fd, echo + 20, strlen(echo) - 20)) < 0)
		goto out;
	while (!s->echo_reply) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			goto out;
		ovsdb_reader_feed(&r, buf, (size_t)n);
		while (ovsdb_reader_next(&r, &m, &err) == 1)
			s->echo_reply = m;
	}
	/* Only now answer the request, with a stale answer (wrong id) first. */
	json_t *stale =
	    json_pack("{s:I, s:[s], s:n}", "id", (json_int_t)9999, "result", "stale", "error");
	json_t *ans = json_pack("{s:O, s:[s], s:n}", "id", json_object_get(req, "id"), "result",
				"fresh", "error");
	char *t1 = json_dumps(stale, JSON_COMPACT), *t2 = json_dumps(ans, JSON_COMPACT);
	s->got_request_after_echo = 1;
	if (write(fd, t1, strlen(t1)) < 0 || write(fd, t2, strlen(t2)) < 0)
		s->got_request_after_echo = 0;
	free(t1);
	free(t2);
	json_decref(stale);
	json_decref(ans);
	usleep(100000);
out:
	json_decref(req);
	ovsdb_reader_destroy(&r);
	close(fd);
	return NULL;
}

Test(network_ovsdb_echo, client_answers_server_echo_while_waiting)
{
	struct fake_server s = {.listen_fd = -1};
	snprintf(s.path, sizeof(s.path), "/tmp/kairos-fake-ovsdb-%d.sock", (int)getpid());
	unlink(s.path);
	s.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, s.path);
	cr_assert_eq(bind(s.listen_fd, (struct sockaddr *)&sun, sizeof(sun)), 0, "%s",
		     strerror(errno));
	cr_assert_eq(listen(s.listen_fd, 1), 0);
	pthread_t th;
	pthread_create(&th, NULL, fake_server_run, &s);

	char remote[128];
	snprintf(remote, sizeof(remote), "unix:%s", s.path);
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(remote, 3000, &c, &err), 0);
	json_t *params = json_pack("[]"), *res = NULL;
	int rc = ovsdb_conn_call(c, "list_dbs", params, &res, &err);
	pthread_join(th, NULL);
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_assert_str_eq(json_string_value(json_array_get(res, 0)), "fresh",
			 "the stale answer was taken");
	cr_assert(s.got_request_after_echo);
	cr_assert_not_null(s.echo_reply);
	cr_assert_str_eq(json_string_value(json_object_get(s.echo_reply, "id")), "echo");
	cr_assert(json_is_null(json_object_get(s.echo_reply, "error")));
	json_t *want = json_pack("[s, i]", "hello", 3);
	cr_assert(json_equal(json_object_get(s.echo_reply, "result"), want),
		  "echo must repeat the params");
	json_decref(want);
	json_decref(s.echo_reply);
	json_decref(params);
	json_decref(res);
	ovsdb_conn_free(c);
	close(s.listen_fd);
	unlink(s.path);
}

/* ---- against a real ovsdb-server ------------------------------------------ */

static struct ovs_fixture fx;

static void ovs_up(void)
{
	cr_assert_eq(ovs_fixture_start(&fx, 0), 0, "could not start ovsdb-server");
}

static void ovs_down(void)
{
	ovs_fixture_destroy(&fx);
}

TestSuite(network_ovsdb_server, .init = ovs_up, .fini = ovs_down, .timeout = 60);

Test(network_ovsdb_server, list_dbs_and_echo_round_trip)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	json_t *params = json_array(), *res = NULL;
	cr_assert_eq(ovsdb_conn_call(c, "list_dbs", params, &res, &err), 0, "%s", err.message);
	int found = 0;
	for (size_t i = 0; i < json_array_size(res); i++)
		found |= strcmp(json_string_value(json_array_get(res, i)), "Open_vSwitch") == 0;
	cr_assert(found, "list_dbs did not name Open_vSwitch");
	json_decref(res);
	json_decref(params);

	params = json_pack("[s, {s:i}]", "x", "n", 5);
	cr_assert_eq(ovsdb_conn_call(c, "echo", params, &res, &err), 0, "%s", err.message);
	cr_assert(json_equal(res, params));
	json_decref(res);
	json_decref(params);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, operation_error_names_operation_and_constraint)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	json_t *ops =
	    json_pack("[{s:s, s:s, s:{s:s, s:s, s:[s, s]}, s:s}, {s:s, s:s, s:{s:s}, s:s}]", "op",
		      "insert", "table", "Port", "row", "name", "p0", "vlan_mode", "sideways",
		      "interfaces", "named-uuid", "i", "uuid-name", "p", "op", "insert", "table",
		      "Interface", "row", "name", "p0", "uuid-name", "i");
	json_t *res = NULL;
	int failed = -2;
	int rc = ovsdb_conn_transact(c, "Open_vSwitch", ops, &res, &failed, &err);
	cr_assert_eq(rc, -KAIROS_EBACKEND);
	cr_assert_eq(failed, 0);
	cr_assert(
	    strstr(err.message, "operation 1 of 2 (insert Port) failed: constraint violation"),
	    "%s", err.message);
	cr_assert(strstr(err.message, "sideways is not one of the allowed values"), "%s",
		  err.message);
	cr_assert(json_is_null(json_array_get(res, 1)),
		  "the operation after the failing one is null");
	json_decref(res);
	json_decref(ops);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, commit_error_comes_after_the_last_operation)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	/* A QoS whose queue map points at a Queue row that does not exist. */
	json_t *ops = json_pack("[{s:s, s:s, s:{s:s, s:[s, [[i, [s, s]]]]}}]", "op", "insert",
				"table", "QoS", "row", "type", "linux-htb", "queues", "map", 1,
				"uuid", "6d1a2b3c-0000-4000-8000-000000000001");
	json_t *res = NULL;
	int failed = -2;
	int rc = ovsdb_conn_transact(c, "Open_vSwitch", ops, &res, &failed, &err);
	cr_assert_eq(rc, -KAIROS_EBACKEND);
	cr_assert_eq(failed, 1, "the commit error is result 1 (after the only operation)");
	cr_assert_eq(json_array_size(res), 2);
	cr_assert(strstr(err.message, "commit failed: referential integrity violation"), "%s",
		  err.message);
	cr_assert(strstr(err.message, "nonexistent row 6d1a2b3c-0000-4000-8000-000000000001"), "%s",
		  err.message);
	json_decref(res);
	json_decref(ops);

	/* nothing was committed */
	ops = json_pack("[{s:s, s:s, s:[]}]", "op", "select", "table", "QoS", "where");
	cr_assert_eq(ovsdb_conn_transact(c, "Open_vSwitch", ops, &res, &failed, &err), 0, "%s",
		     err.message);
	cr_assert_eq(failed, -1);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(res, 0), "rows")), 0);
	json_decref(res);
	json_decref(ops);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, jsonrpc_error_for_unknown_database_keeps_connection)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	json_t *ops = json_pack("[{s:s, s:s, s:[]}]", "op", "select", "table", "QoS", "where");
	cr_assert_eq(ovsdb_conn_transact(c, "Nope", ops, NULL, NULL, &err), -KAIROS_EBACKEND);
	cr_assert(strstr(err.message, "transact failed: unknown database"), "%s", err.message);
	cr_assert(ovsdb_conn_is_connected(c));
	cr_assert_eq(ovsdb_conn_transact(c, "Open_vSwitch", ops, NULL, NULL, &err), 0, "%s",
		     err.message);
	json_decref(ops);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, failed_wait_is_a_conflict)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 2000, &c, &err), 0);
	/* "there is no Open_vSwitch row" is false after ovs.sh init */
	json_t *ops =
	    json_pack("[{s:s, s:s, s:[], s:[], s:s, s:[], s:i}]", "op", "wait", "table",
		      "Open_vSwitch", "where", "columns", "until", "==", "rows", "timeout", 0);
	int failed = -2;
	cr_assert_eq(ovsdb_conn_transact(c, "Open_vSwitch", ops, NULL, &failed, &err),
		     -KAIROS_ECONFLICT);
	cr_assert_eq(failed, 0);
	cr_assert(strstr(err.message, "(wait Open_vSwitch) failed: timed out"), "%s", err.message);
	json_decref(ops);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, ping_reports_down_then_recovers_after_restart)
{
	struct network_backend *nb = NULL;
	struct kairos_error err;
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 1500, &nb, &err), 0);
	cr_assert_eq(network_ping(nb, &err), 0, "%s", err.message);

	cr_assert_eq(ovs_fixture_stop(&fx), 0);
	long long t0 = now_ms();
	int rc = network_ping(nb, &err);
	long long took = now_ms() - t0;
	cr_assert_eq(rc, -KAIROS_EBACKEND);
	cr_assert(strstr(err.message, fx.sock), "message names the socket: %s", err.message);
	cr_assert(strstr(err.message, "connect: No such file or directory") ||
		      strstr(err.message, "connect: Connection refused"),
		  "%s", err.message);
	cr_assert_lt(took, 1500);

	cr_assert_eq(ovs_fixture_restart(&fx), 0);
	cr_assert_eq(network_ping(nb, &err), 0, "after restart: %s", err.message);
	/* the database survived the restart: the root row is still there */
	struct network_backend *nb2 = NULL;
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 1500, &nb2, &err), 0);
	cr_assert_eq(network_ensure_bridge(nb2, "br-after", &err), 0, "%s", err.message);
	network_backend_destroy(nb2);
	network_backend_destroy(nb);
}

Test(network_ovsdb_server, established_connection_survives_server_restart)
{
	struct ovsdb_conn *c = NULL;
	struct kairos_error err;
	cr_assert_eq(ovsdb_conn_new(fx.remote, 1500, &c, &err), 0);
	json_t *params = json_array();
	cr_assert_eq(ovsdb_conn_call(c, "list_dbs", params, NULL, &err), 0, "%s", err.message);
	cr_assert(ovsdb_conn_is_connected(c));
	cr_assert_eq(ovs_fixture_stop(&fx), 0);
	cr_assert_eq(ovs_fixture_restart(&fx), 0);
	/* the old socket is dead; the call must reconnect instead of failing */
	cr_assert_eq(ovsdb_conn_call(c, "list_dbs", params, NULL, &err), 0, "%s", err.message);
	json_decref(params);
	ovsdb_conn_free(c);
}

Test(network_ovsdb_server, stopped_server_does_not_hang_ping)
{
	struct network_backend *nb = NULL;
	struct kairos_error err;
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 700, &nb, &err), 0);
	cr_assert_eq(network_ping(nb, &err), 0, "%s", err.message);
	cr_assert_eq(ovs_fixture_pause(&fx), 0);
	long long t0 = now_ms();
	int rc = network_ping(nb, &err);
	long long took = now_ms() - t0;
	cr_assert_eq(rc, -KAIROS_EBACKEND);
	cr_assert(strstr(err.message, "no answer to echo within 700 ms"), "%s", err.message);
	cr_assert_geq(took, 650);
	cr_assert_lt(took, 1500, "ping took %lld ms", took);

	/* a fresh connection to a stopped server: connect succeeds (backlog), the answer never
	 * comes */
	struct network_backend *nb2 = NULL;
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 500, &nb2, &err), 0);
	t0 = now_ms();
	cr_assert_eq(network_ensure_bridge(nb2, "br0", &err), -KAIROS_EBACKEND);
	cr_assert_lt(now_ms() - t0, 1200);

	cr_assert_eq(ovs_fixture_resume(&fx), 0);
	cr_assert_eq(network_ping(nb, &err), 0, "after SIGCONT: %s", err.message);
	network_backend_destroy(nb2);
	network_backend_destroy(nb);
}

Test(network_ovsdb_server, tcp_remote_works_like_unix)
{
	/* A free loopback port (tiny race with other processes, acceptable in a test). */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(at);
	cr_assert_eq(bind(s, (struct sockaddr *)&at, sizeof(at)), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&at, &len), 0);
	int port = ntohs(at.sin_port);
	close(s);

	char cmd[512], remote[64];
	snprintf(cmd, sizeof(cmd),
		 "ovs-appctl -t '%s/ovsdb-server.ctl' ovsdb-server/add-remote ptcp:%d:127.0.0.1 "
		 ">/dev/null",
		 fx.dir, port);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(remote, sizeof(remote), "tcp:127.0.0.1:%d", port);

	struct network_backend *nb = NULL;
	struct kairos_error err;
	cr_assert_eq(network_backend_ovsdb_new(remote, 2000, &nb, &err), 0, "%s", err.message);
	int rc = -1;
	for (int i = 0; i < 20 && rc != 0;
	     i++) { /* the server opens the listener on its next loop */
		rc = network_ping(nb, &err);
		if (rc != 0)
			usleep(50000);
	}
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_assert_eq(network_ensure_bridge(nb, "br-tcp", &err), 0, "%s", err.message);
	char *out = ovs_fixture_vsctl(&fx, "list-br");
	cr_assert_not_null(out);
	cr_assert_str_eq(out, "br-tcp");
	free(out);
	network_backend_destroy(nb);

	/* nobody listens on the port after stop: refused, at once */
	cr_assert_eq(ovs_fixture_stop(&fx), 0);
	cr_assert_eq(network_backend_ovsdb_new(remote, 2000, &nb, &err), 0);
	long long t0 = now_ms();
	cr_assert_eq(network_ping(nb, &err), -KAIROS_EBACKEND);
	cr_assert_lt(now_ms() - t0, 1000);
	cr_assert(strstr(err.message, "connect: Connection refused"), "%s", err.message);
	network_backend_destroy(nb);
}

struct pinger {
	struct network_backend *nb;
	long long took_ms;
	int rc;
	char message[768];
};

static void *pinger_run(void *arg)
{
	struct pinger *p = arg;
	struct kairos_error err;
	long long t0 = now_ms();
	p->rc = network_ping(p->nb, &err);
	p->took_ms = now_ms() - t0;
	snprintf(p->message, sizeof(p->message), "%s", p->rc ? err.message : "");
	return NULL;
}

Test(network_ovsdb_server, callers_queued_on_a_frozen_server_each_wait_one_timeout)
{
	struct network_backend *nb = NULL;
	struct kairos_error err;
	cr_assert_eq(network_backend_ovsdb_new(fx.remote, 600, &nb, &err), 0);
	cr_assert_eq(network_ping(nb, &err), 0, "%s", err.message);
	cr_assert_eq(ovs_fixture_pause(&fx), 0);
	enum { N = 4 };
	struct pinger p[N];
	pthread_t th[N];
	for (int i = 0; i < N; i++) {
		p[i] = (struct pinger){.nb = nb};
		pthread_create(&th[i], NULL, pinger_run, &p[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(ovs_fixture_resume(&fx), 0);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(p[i].rc, -KAIROS_EBACKEND);
		cr_assert(strstr(p[i].message, "within 600 ms"), "%s", p[i].message);
		cr_assert_lt(p[i].took_ms, 1000, "caller %d waited %lld ms", i, p[i].took_ms);
	}
	cr_assert_eq(network_ping(nb, &err), 0, "after SIGCONT: %s", err.message);
	network_backend_destroy(nb);
}
