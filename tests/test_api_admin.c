/*
 * test_api_admin.c - the operator's routes against the real kairosd: tenants with tokens
 * shown once and stored hashed, the host inventory (libvirt decides cores and memory),
 * authentication and authorisation, and nothing stored for a failed request.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/kairosd_fixture.h"

static struct kairosd_fixture kd;

static void setup(void)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "kairosd did not start:\n%s",
		  kairosd_fixture_log(&kd));
}

static void teardown(void)
{
	kairosd_fixture_destroy(&kd);
}

TestSuite(api_admin, .init = setup, .fini = teardown, .timeout = 120);

static json_t *parse(const struct kairos_http_response *r)
{
	json_t *j = json_loads(r->body, 0, NULL);
	cr_assert_not_null(j, "not JSON: %s", r->body);
	return j;
}

static char *count(const char *sql)
{
	return pg_fixture_scalar(&kd.pg, sql);
}

#define POST_JSON(token, path, body)                                                               \
	kairosd_fixture_request_as(&kd, token, "POST", path, "application/json", body, strlen(body))

Test(api_admin, tenant_creation_answers_the_token_once_and_stores_its_hash)
{
	struct kairos_http_response r = POST_JSON(kd.token, "/v1/tenants", "{\"name\": \"acme\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *j = parse(&r);
	const char *token = json_string_value(json_object_get(j, "token"));
	cr_assert_not_null(token);
	cr_assert_eq(strlen(token), 64);
	cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "acme");
	cr_assert_eq(strlen(json_string_value(json_object_get(j, "id"))), 36);
	char sql[300];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM tokens t JOIN tenants n ON n.id = t.tenant_id"
		 " WHERE n.name = 'acme' AND t.token_hash = sha256('%s'::bytea)",
		 token);
	char *n = count(sql);
	cr_assert_str_eq(n, "1", "the token's hash is stored for the tenant");
	free(n);

	/* The tenant's token authenticates, but not for admin routes. */
	struct kairos_http_response r2 = POST_JSON(token, "/v1/tenants", "{\"name\": \"evil\"}");
	cr_assert_eq(r2.status, 403, "%s", r2.body);
	kairos_http_response_destroy(&r2);
	r2 = kairosd_fixture_request_as(&kd, token, "GET", "/v1/hosts", NULL, NULL, 0);
	cr_assert_eq(r2.status, 403);
	kairos_http_response_destroy(&r2);
	n = count("SELECT count(*) FROM tenants");
	cr_assert_str_eq(n, "1");
	free(n);
	json_decref(j);
	kairos_http_response_destroy(&r);
}

Test(api_admin, tenant_errors_are_clear_and_store_nothing)
{
	struct kairos_http_response r = POST_JSON(NULL, "/v1/tenants", "{\"name\": \"acme\"}");
	cr_assert_eq(r.status, 401);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	kairos_http_response_destroy(&r);
	r = POST_JSON("0000000000000000000000000000000000000000000000000000000000000000",
		      "/v1/tenants", "{\"name\": \"acme\"}");
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.body, "unknown or revoked token"));
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/tenants", "{\"name\": ");
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body, "not JSON"), "%s", r.body);
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/tenants", "{\"nom\": \"acme\"}");
	cr_assert_eq(r.status, 422);
	cr_assert_not_null(strstr(r.body, "\"field\":\"name\""), "%s", r.body);
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/tenants", "{\"name\": \"Bad Name!\"}");
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "Bad Name!"));
	kairos_http_response_destroy(&r);
	char *n = count("SELECT count(*) FROM tenants");
	cr_assert_str_eq(n, "0");
	free(n);

	r = POST_JSON(kd.token, "/v1/tenants", "{\"name\": \"acme\"}");
	cr_assert_eq(r.status, 201);
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/tenants", "{\"name\": \"acme\"}");
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "already exists"));
	kairos_http_response_destroy(&r);
	n = count("SELECT count(*) FROM tenants");
	cr_assert_str_eq(n, "1");
	free(n);
	n = count("SELECT count(*) FROM tokens WHERE NOT is_admin");
	cr_assert_str_eq(n, "1", "no token was stored for the refused duplicate");
	free(n);
}

Test(api_admin, host_inventory_lists_registers_and_deletes)
{
	struct kairos_http_response r =
	    kairosd_fixture_request(&kd, "GET", "/v1/hosts", true, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *j = parse(&r);
	json_t *hosts = json_object_get(j, "hosts");
	cr_assert_eq(json_array_size(hosts), 4);
	json_t *s1 = json_array_get(hosts, 0);
	cr_assert_str_eq(json_string_value(json_object_get(s1, "name")), "server1");
	cr_assert_eq(json_integer_value(json_object_get(s1, "cores")), 8);
	cr_assert_str_eq(json_string_value(json_object_get(s1, "failure_domain")), "rack-a");
	cr_assert_eq(
	    json_number_value(json_object_get(json_object_get(s1, "availability"), "host")), 0.999);
	json_decref(j);
	kairos_http_response_destroy(&r);

	char body[1400];
	snprintf(body, sizeof(body),
		 "{\"name\": \"server5\", \"libvirt_uri\": \"test://%s/etc/hosts/server3.xml\", "
		 "\"speed\": 1.5,"
		 " \"ovs_bridge\": \"br-server5\", \"uplink_mbps\": 1000,"
		 " \"storage\": {\"pool\": \"p5\", \"capacity_gib\": 100, \"iops\": 1000, "
		 "\"throughput_mbps\": 100},"
		 " \"availability\": {\"host\": 0.999, \"hypervisor\": 0.9999}, "
		 "\"failure_domain\": \"rack-d\"}",
		 getenv("KAIROS_ROOT"));
	r = POST_JSON(kd.token, "/v1/hosts", body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	j = parse(&r);
	cr_assert_eq(json_integer_value(json_object_get(j, "cores")), 4, "cores come from libvirt");
	cr_assert_eq(json_integer_value(json_object_get(j, "memory_mib")), 8192);
	json_decref(j);
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/hosts", body);
	cr_assert_eq(r.status, 409, "%s", r.body);
	kairos_http_response_destroy(&r);
	/* The new host is probed by /healthz. */
	r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
	cr_assert_not_null(strstr(r.body, "\"server5\":{\"ok\":true}"), "%s", r.body);
	kairos_http_response_destroy(&r);

	r = kairosd_fixture_request(&kd, "DELETE", "/v1/hosts/server5", true, NULL, NULL, 0);
	cr_assert_eq(r.status, 204, "%s", r.body);
	kairos_http_response_destroy(&r);
	r = kairosd_fixture_request(&kd, "DELETE", "/v1/hosts/server5", true, NULL, NULL, 0);
	cr_assert_eq(r.status, 404, "%s", r.body);
	kairos_http_response_destroy(&r);
	r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
	cr_assert_null(strstr(r.body, "server5"), "%s", r.body);
	kairos_http_response_destroy(&r);
	char *n = count("SELECT count(*) FROM hosts");
	cr_assert_str_eq(n, "4");
	free(n);
}

Test(api_admin, bad_hosts_are_refused_and_leave_no_row)
{
	struct kairos_http_response r = POST_JSON(
	    kd.token, "/v1/hosts",
	    "{\"name\": \"ghost\", \"libvirt_uri\": \"test:///nonexistent/node.xml\", \"speed\": 1,"
	    " \"ovs_bridge\": \"br-ghost\", \"uplink_mbps\": 1000,"
	    " \"storage\": {\"pool\": \"p\", \"capacity_gib\": 1, \"iops\": 1, "
	    "\"throughput_mbps\": 1},"
	    " \"availability\": {\"host\": 0.99, \"hypervisor\": 0.99}, \"failure_domain\": "
	    "\"x\"}");
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "/nonexistent/node.xml"), "%s", r.body);
	kairos_http_response_destroy(&r);
	r = POST_JSON(kd.token, "/v1/hosts",
		      "{\"name\": \"h\", \"libvirt_uri\": \"test:///default\", \"ovs_bridge\": "
		      "\"br-h\", \"failure_domain\": \"x\", \"speed\": -1}");
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"field\":\"speed\""), "%s", r.body);
	kairos_http_response_destroy(&r);
	/* A bridge already used by another host: refused by the database after libvirt said yes. */
	char body[1400];
	snprintf(
	    body, sizeof(body),
	    "{\"name\": \"server6\", \"libvirt_uri\": \"test://%s/etc/hosts/server3.xml\", "
	    "\"speed\": 1,"
	    " \"ovs_bridge\": \"br-server1\", \"uplink_mbps\": 1000,"
	    " \"storage\": {\"pool\": \"p6\", \"capacity_gib\": 1, \"iops\": 1, "
	    "\"throughput_mbps\": 1},"
	    " \"availability\": {\"host\": 0.99, \"hypervisor\": 0.99}, \"failure_domain\": \"x\"}",
	    getenv("KAIROS_ROOT"));
	r = POST_JSON(kd.token, "/v1/hosts", body);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "OVS bridge"), "%s", r.body);
	kairos_http_response_destroy(&r);
	r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
	cr_assert_null(strstr(r.body, "server6"), "a refused host is not connected: %s", r.body);
	kairos_http_response_destroy(&r);
	char *n = count("SELECT count(*) FROM hosts");
	cr_assert_str_eq(n, "4");
	free(n);
}
