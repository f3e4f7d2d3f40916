/*
 * test_api_service.c - kairosd as a whole process against real backends: start-up with
 * migrations, /healthz following ovsdb-server down and up again, /metrics, problem+json
 * for unknown routes and methods, the body limit, configuration errors and a graceful stop.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/kairosd_fixture.h"

static struct kairosd_fixture kd;

static void teardown(void)
{
	kairosd_fixture_destroy(&kd);
}

TestSuite(api_service, .fini = teardown, .timeout = 120);

static json_t *body_json(const struct kairos_http_response *r)
{
	json_error_t e;
	json_t *j = json_loads(r->body, 0, &e);
	cr_assert_not_null(j, "answer is not JSON (%s): %s", e.text, r->body);
	return j;
}

static bool array_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (json_is_string(v) &&
					  strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* Polls /healthz until it answers WANT (or 10 s pass); returns the last answer. */
static struct kairos_http_response wait_health(int want)
{
	struct kairos_http_response r = {0};
	for (int i = 0; i < 100; i++) {
		r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
		if (r.status == want)
			return r;
		kairos_http_response_destroy(&r);
		usleep(100000);
	}
	return kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
}

Test(api_service, healthz_names_ovsdb_when_it_stops_and_recovers_when_it_is_back)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "kairosd did not start:\n%s",
		  kairosd_fixture_log(&kd));

	struct kairos_http_response r = wait_health(200);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *j = body_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	json_t *hosts = json_object_get(json_object_get(j, "backends"), "hosts");
	cr_assert_eq(json_object_size(hosts), 4, "every inventory host is probed: %s", r.body);
	cr_assert(json_is_true(json_object_get(json_object_get(hosts, "server3"), "ok")));
	json_decref(j);
	kairos_http_response_destroy(&r);

	cr_assert_eq(ovs_fixture_stop(&kd.ovs), 0);
	r = wait_health(503);
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	j = body_json(&r);
	cr_assert(array_has(json_object_get(j, "down"), "ovsdb"), "%s", r.body);
	cr_assert(!array_has(json_object_get(j, "down"), "database"), "%s", r.body);
	cr_assert_not_null(strstr(json_string_value(json_object_get(j, "detail")), "ovsdb"));
	cr_assert(json_is_false(
	    json_object_get(json_object_get(json_object_get(j, "backends"), "ovsdb"), "ok")));
	json_decref(j);
	kairos_http_response_destroy(&r);

	cr_assert_eq(ovs_fixture_restart(&kd.ovs), 0);
	r = wait_health(200);
	cr_assert_eq(r.status, 200, "after ovsdb-server is back: %s", r.body);
	kairos_http_response_destroy(&r);
	cr_assert_eq(kairosd_fixture_stop(&kd), 0, "graceful stop exits 0:\n%s",
		     kairosd_fixture_log(&kd));
}

Test(api_service, metrics_count_requests_per_route_and_report_backends)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	struct kairos_http_response r =
	    kairosd_fixture_request(&kd, "GET", "/nowhere", false, NULL, NULL, 0);
	kairos_http_response_destroy(&r);
	r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
	kairos_http_response_destroy(&r);
	r = kairosd_fixture_request(&kd, "GET", "/metrics", false, NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.content_type, "text/plain");
	cr_assert_not_null(strstr(r.body, "# TYPE kairos_http_requests_total counter"));
	cr_assert_not_null(
	    strstr(
		r.body,
		"kairos_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"),
	    "%s", r.body);
	cr_assert_not_null(
	    strstr(r.body, "kairos_http_request_duration_seconds_count{route=\"unmatched\"} 1"));
	cr_assert_not_null(strstr(r.body, "kairos_backend_up{backend=\"database\"} 1"));
	cr_assert_not_null(strstr(r.body, "kairos_backend_up{backend=\"ovsdb\"} 1"));
	cr_assert_not_null(
	    strstr(r.body, "kairos_backend_up{backend=\"libvirt\",host=\"server2\"} 1"));
	kairos_http_response_destroy(&r);
}

Test(api_service, unknown_routes_and_methods_are_problem_json)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	struct kairos_http_response r =
	    kairosd_fixture_request(&kd, "GET", "/v0/nothing", false, NULL, NULL, 0);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	json_t *j = body_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 404);
	cr_assert_str_eq(json_string_value(json_object_get(j, "instance")), "/v0/nothing");
	json_decref(j);
	kairos_http_response_destroy(&r);

	r = kairosd_fixture_request(&kd, "DELETE", "/healthz", false, NULL, NULL, 0);
	cr_assert_eq(r.status, 405);
	j = body_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(j, "title")), "Method Not Allowed");
	cr_assert_not_null(strstr(json_string_value(json_object_get(j, "detail")), "allowed: GET"));
	json_decref(j);
	kairos_http_response_destroy(&r);
}

Test(api_service, bodies_over_the_limit_get_413)
{
	static const char *env[] = {"KAIROS_MAX_BODY_BYTES=4096", NULL};
	kairosd_fixture_init(&kd, true);
	kd.extra_env = env;
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	char *big = malloc(5000);
	memset(big, 'x', 5000);
	struct kairos_http_response r =
	    kairosd_fixture_request(&kd, "POST", "/healthz", false, "text/plain", big, 5000);
	cr_assert_eq(r.status, 413, "%d %s", r.status, r.body);
	cr_assert_str_eq(r.content_type, "application/problem+json");
	cr_assert_not_null(strstr(r.body, "4096 bytes"));
	kairos_http_response_destroy(&r);
	free(big);
	/* The service is still fine afterwards. */
	r = kairosd_fixture_request(&kd, "GET", "/healthz", false, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	kairos_http_response_destroy(&r);
}

Test(api_service, second_start_applies_no_migration_and_keeps_the_admin_token)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	char first_token[128];
	snprintf(first_token, sizeof(first_token), "%s", kd.token);
	cr_assert_eq(strlen(first_token), 64);
	char path[200];
	snprintf(path, sizeof(path), "%s/admin.token", kd.dir);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "the admin token file is private");
	cr_assert_eq(kairosd_fixture_stop(&kd), 0);

	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	cr_assert_str_eq(kd.token, first_token);
	char *log = kairosd_fixture_log(&kd);
	const char *first = strstr(log, "migrations_applied=");
	cr_assert_not_null(first, "%s", log);
	cr_assert_gt(atoi(first + strlen("migrations_applied=")), 0,
		     "the first start applies the schema:\n%s", log);
	cr_assert_not_null(strstr(log, "migrations_applied=0 "),
			   "second start applied something:\n%s", log);
	/* Hosts are registered once, not twice. */
	cr_assert_eq(strstr(strstr(log, "inventory registered") + 1, "inventory registered"), NULL,
		     "%s", log);
	free(log);
	char *n = pg_fixture_scalar(&kd.pg, "SELECT count(*) FROM hosts");
	cr_assert_str_eq(n, "4");
	free(n);
	n = pg_fixture_scalar(&kd.pg, "SELECT count(*) FROM tokens WHERE is_admin");
	cr_assert_str_eq(n, "1");
	free(n);
	n = pg_fixture_scalar(&kd.pg, "SELECT cores || '/' || memory_mib || '/' || failure_domain "
				      "FROM hosts WHERE name = 'server3'");
	cr_assert_str_eq(n, "4/8192/rack-c", "cores and memory come from the libvirt node file");
	free(n);
}

Test(api_service, broken_migration_stops_start_up_naming_file_and_error)
{
	kairosd_fixture_init(&kd, false);
	char migdir[300], cmd[2048];
	snprintf(migdir, sizeof(migdir), "%s/migrations", kd.dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && cp %s/migrations/*.sql %s/ && printf 'CREATE TABLE half (id "
		 "int);\\nSELEC 1;\\n' > %s/9000_broken.sql",
		 migdir, getenv("KAIROS_ROOT") ? getenv("KAIROS_ROOT") : ".", migdir, migdir);
	cr_assert_eq(system(cmd), 0);
	char envbuf[400];
	snprintf(envbuf, sizeof(envbuf), "KAIROS_MIGRATIONS_DIR=%s", migdir);
	const char *env[] = {envbuf, NULL};
	kd.extra_env = env;
	int rc = kairosd_fixture_run_to_exit(&kd, NULL, 30);
	cr_assert_eq(rc, 1, "kairosd must refuse to start");
	char *log = kairosd_fixture_log(&kd);
	cr_assert_not_null(strstr(log, "9000_broken.sql"), "%s", log);
	cr_assert_not_null(strstr(log, "syntax error at or near \"SELEC\""), "%s", log);
	free(log);
	char *n = pg_fixture_scalar(
	    &kd.pg, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'");
	cr_assert_str_eq(n, "0", "the failing file left a table behind");
	free(n);
	n = pg_fixture_scalar(&kd.pg,
			      "SELECT count(*) FROM schema_migrations WHERE version = '9000'");
	cr_assert_str_eq(n, "0");
	free(n);
}

Test(api_service, config_errors_are_clear_and_exit_2)
{
	kairosd_fixture_init(&kd, false);
	const char *missing[] = {"--config", "/nonexistent/kairos.conf", NULL};
	cr_assert_eq(kairosd_fixture_run_to_exit(&kd, missing, 10), 2);
	char *log = kairosd_fixture_log(&kd);
	cr_assert_not_null(
	    strstr(log, "cannot read config file /nonexistent/kairos.conf: No such file"), "%s",
	    log);
	free(log);

	char conf[300];
	snprintf(conf, sizeof(conf), "%s/bad.conf", kd.dir);
	FILE *f = fopen(conf, "w");
	fputs("# a comment\nport = 8081\nlisten_adress = 127.0.0.1\n", f);
	fclose(f);
	const char *unknown[] = {"--config", conf, NULL};
	cr_assert_eq(kairosd_fixture_run_to_exit(&kd, unknown, 10), 2);
	log = kairosd_fixture_log(&kd);
	cr_assert_not_null(strstr(log, ":3: unknown option \"listen_adress\""), "%s", log);
	free(log);

	const char *bad_arg[] = {"--prot", "1", NULL};
	cr_assert_eq(kairosd_fixture_run_to_exit(&kd, bad_arg, 10), 2);
	log = kairosd_fixture_log(&kd);
	cr_assert_not_null(strstr(log, "unknown argument \"--prot\""), "%s", log);
	free(log);

	static const char *bad_env[] = {"KAIROS_THREADS=lots", NULL};
	kd.extra_env = bad_env;
	cr_assert_eq(kairosd_fixture_run_to_exit(&kd, NULL, 10), 2);
	log = kairosd_fixture_log(&kd);
	cr_assert_not_null(strstr(log, "environment KAIROS_THREADS: threads must be an integer"),
			   "%s", log);
	free(log);
}

Test(api_service, unreachable_database_is_a_clear_start_up_error)
{
	kairosd_fixture_init(&kd, false);
	static const char *env[] = {"KAIROS_PG_HOST=/nonexistent-pg", NULL};
	kd.extra_env = env;
	cr_assert_eq(kairosd_fixture_run_to_exit(&kd, NULL, 30), 1);
	char *log = kairosd_fixture_log(&kd);
	cr_assert_not_null(strstr(log, "cannot connect to PostgreSQL"), "%s", log);
	cr_assert_not_null(strstr(log, "/nonexistent-pg"), "%s", log);
	free(log);
}
