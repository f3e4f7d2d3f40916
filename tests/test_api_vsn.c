/*
 * test_api_vsn.c - admission end to end through the real kairosd and PostgreSQL: the seed
 * VSN admitted with bounds that `GET /v1/model` + the engine reproduce, tenant isolation,
 * quotes that store nothing, refusal with reasons and a counter-offer that is then
 * admitted, renegotiation that changes nothing when refused, bad documents that leave no
 * row, restart with the same bounds, and concurrent submissions that never overbook.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "tests/support/kairosd_fixture.h"

static struct kairosd_fixture kd;
static char inventory_env[1100];

static void start(bool small)
{
	kairosd_fixture_init(&kd, true);
	if (small) {
		static const char *env[2];
		snprintf(inventory_env, sizeof(inventory_env),
			 "KAIROS_INVENTORY=%s/tests/data/inventory-small.json",
			 getenv("KAIROS_ROOT"));
		env[0] = inventory_env;
		env[1] = NULL;
		kd.extra_env = env;
	}
	cr_assert(kairosd_fixture_start(&kd), "kairosd did not start:\n%s",
		  kairosd_fixture_log(&kd));
}

static void teardown(void)
{
	kairosd_fixture_destroy(&kd);
}

TestSuite(api_vsn, .fini = teardown, .timeout = 240);

static json_t *parse(const struct kairos_http_response *r)
{
	json_t *j = json_loads(r->body, 0, NULL);
	cr_assert_not_null(j, "not JSON (%d): %s", r->status, r->body);
	return j;
}

/* Creates a tenant and returns its token (static buffer per call site). */
static void tenant(const char *name, char *token, size_t size)
{
	char body[128];
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", name);
	struct kairos_http_response r = kairosd_fixture_request_as(
	    &kd, kd.token, "POST", "/v1/tenants", "application/json", body, strlen(body));
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *j = parse(&r);
	snprintf(token, size, "%s", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	kairos_http_response_destroy(&r);
}

static char *read_example(const char *name)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/../shared/examples/%s", getenv("KAIROS_ROOT"), name);
	char *text = NULL;
	cr_assert_eq(kairos_read_file(path, &text, NULL), 0, "cannot read %s", path);
	return text;
}

static struct kairos_http_response submit(const char *token, const char *path, const char *ctype,
					  const char *doc)
{
	return kairosd_fixture_request_as(&kd, token, "POST", path, ctype, doc, strlen(doc));
}

static char *count(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return pg_fixture_scalar(&kd.pg, sql);
}

static char *get_model(void)
{
	struct kairos_http_response r =
	    kairosd_fixture_request(&kd, "GET", "/v1/model", true, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *m = strdup(r.body);
	kairos_http_response_destroy(&r);
	return m;
}

/* Every node bound of ANSWER equals the engine's wcrt for that task in MODEL. */
static void check_bounds_reproduce(json_t *answer, const char *model_text)
{
	struct rtc_model *m = NULL;
	struct rtc_result *res = NULL;
	struct kairos_error err;
	cr_assert_eq(rtc_model_parse(model_text, strlen(model_text), &m, &err), 0, "%s",
		     err.message);
	cr_assert_eq(rtc_analyze(m, &res, &err), 0, "%s", err.message);
	cr_assert(res->schedulable, "the admitted cloud must be schedulable");
	const char *iri;
	json_t *b;
	int checked = 0;
	json_object_foreach(json_object_get(json_object_get(answer, "bounds"), "nodes"), iri, b)
	{
		if (!json_is_number(json_object_get(b, "wcrtMs")))
			continue;
		int t = rtc_model_find_task(m, iri);
		cr_assert_geq(t, 0, "task %s missing from the model", iri);
		double wcrt = (double)res->tasks[t].wcrt / RTC_TICKS_PER_UNIT;
		cr_assert_float_eq(json_number_value(json_object_get(b, "wcrtMs")), wcrt, 1e-6,
				   "%s", iri);
		checked++;
	}
	cr_assert_gt(checked, 0);
	rtc_result_free(res);
	rtc_model_free(m);
}

Test(api_vsn, seed_scenario_is_admitted_and_its_bounds_reproduce)
{
	start(false);
	char acme[128], other[128];
	tenant("acme", acme, sizeof(acme));
	tenant("other", other, sizeof(other));
	char *ttl = read_example("seed-scenario.ttl");
	struct kairos_http_response r = submit(acme, "/v1/vsns", "text/turtle", ttl);
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *a = parse(&r);
	cr_assert_str_eq(json_string_value(json_object_get(a, "state")), "admitted");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(a, "sla"), "version")), 1);
	json_t *pl = json_object_get(a, "placement");
	cr_assert_eq(json_object_size(pl), 4, "%s", r.body);
	const char *h2 = json_string_value(
	    json_object_get(json_object_get(pl, "https://tenant.example/grid#VM2"), "host"));
	const char *h2b = json_string_value(
	    json_object_get(json_object_get(pl, "https://tenant.example/grid#VM2b"), "host"));
	cr_assert_not_null(h2);
	cr_assert_not_null(h2b);
	cr_assert_str_neq(h2, h2b, "a backup runs on another host");
	json_t *flow = json_object_get(json_object_get(json_object_get(a, "bounds"), "flows"),
				       "https://tenant.example/grid#a2");
	cr_assert_not_null(flow, "%s", r.body);
	cr_assert_leq(json_number_value(json_object_get(flow, "latencyMs")), 12);
	char *model = get_model();
	check_bounds_reproduce(a, model);
	const char *id = json_string_value(json_object_get(a, "id"));
	char path[128];
	snprintf(path, sizeof(path), "/v1/vsns/%s", id);

	/* Another tenant sees nothing of it. */
	struct kairos_http_response o =
	    kairosd_fixture_request_as(&kd, other, "GET", path, NULL, NULL, 0);
	cr_assert_eq(o.status, 404, "%s", o.body);
	kairos_http_response_destroy(&o);
	o = kairosd_fixture_request_as(&kd, other, "GET", "/v1/vsns", NULL, NULL, 0);
	cr_assert_str_eq(o.body, "{\"vsns\":[]}");
	kairos_http_response_destroy(&o);
	o = kairosd_fixture_request_as(&kd, other, "DELETE", path, NULL, NULL, 0);
	cr_assert_eq(o.status, 404);
	kairos_http_response_destroy(&o);

	/* The owner sees it, with the same bounds. */
	o = kairosd_fixture_request_as(&kd, acme, "GET", path, NULL, NULL, 0);
	cr_assert_eq(o.status, 200, "%s", o.body);
	json_t *shown = parse(&o);
	cr_assert(json_equal(json_object_get(shown, "bounds"), json_object_get(a, "bounds")), "%s",
		  o.body);
	json_decref(shown);
	kairos_http_response_destroy(&o);

	/* A restart rebuilds the same cloud. */
	cr_assert_eq(kairosd_fixture_stop(&kd), 0);
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	char *model2 = get_model();
	cr_assert_str_eq(model, model2, "the cloud rebuilt after a restart differs");
	free(model2);

	/* Delete releases everything. */
	o = kairosd_fixture_request_as(&kd, acme, "DELETE", path, NULL, NULL, 0);
	cr_assert_eq(o.status, 204, "%s", o.body);
	kairos_http_response_destroy(&o);
	char *n =
	    pg_fixture_scalar(&kd.pg, "SELECT count(*) FROM reservations WHERE state = 'active'");
	cr_assert_str_eq(n, "0");
	free(n);
	model2 = get_model();
	cr_assert_null(strstr(model2, "grid#VM1"), "%s", model2);
	free(model2);
	free(model);
	json_decref(a);
	kairos_http_response_destroy(&r);
	free(ttl);
}

Test(api_vsn, quotes_and_bad_documents_store_nothing)
{
	start(false);
	char acme[128];
	tenant("acme", acme, sizeof(acme));
	char *json = read_example("seed-scenario.ttl");
	struct kairos_http_response r = submit(acme, "/v1/vsns?dry_run=true", "text/turtle", json);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"state\":\"quote\""), "%s", r.body);
	kairos_http_response_destroy(&r);
	free(json);

	struct {
		const char *ctype, *doc;
		int status;
		const char *needle;
	} cases[] = {
	    {"text/turtle",
	     "@prefix vsn: <https://w3id.org/kairos/vsn#> .\nex:x a vsn:ComputeNode ;;; .", 400,
	     "line"},
	    {"application/rdf+xml",
	     "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><oops", 400,
	     "problems"},
	    {"application/n-triples", "<a> <b> .", 400, "problems"},
	    {"application/json", "{\"id\": ", 400, "problems"},
	    {"application/json",
	     "{\"id\": \"https://t.example/v#v\", \"nodes\": [{\"id\": \"https://t.example/v#n\", "
	     "\"type\": \"compute\","
	     " \"vcpus\": 1, \"memoryMiB\": 256, \"periodMs\": 10, \"wcetMs\": 2, \"bcetMs\": 3, "
	     "\"deadlineMs\": 10}]}",
	     422, "bcetMs"},
	    {"image/png", "hello", 415, "Content-Type"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = submit(acme, "/v1/vsns", cases[i].ctype, cases[i].doc);
		cr_assert_eq(r.status, cases[i].status, "case %zu: %d %s", i, r.status, r.body);
		cr_assert_str_eq(r.content_type, "application/problem+json");
		cr_assert_not_null(strstr(r.body, cases[i].needle), "case %zu: %s", i, r.body);
		kairos_http_response_destroy(&r);
	}
	const char *tables[] = {"vsns", "sla_versions", "placements", "reservations"};
	for (int i = 0; i < 4; i++) {
		char *n = count(tables[i]);
		cr_assert_str_eq(n, "0", "%s has rows", tables[i]);
		free(n);
	}
	char *model = get_model();
	cr_assert_null(strstr(model, "grid#"), "a quote reserved something: %s", model);
	free(model);
}

/* One compute node taking 40% of a reference core with a tight deadline. */
static char *heavy_vsn_mem(int i, double deadline, int memory_mib)
{
	char *s = NULL;
	if (asprintf(&s,
		     "{\"id\": \"https://t.example/h%d#v\", \"label\": \"heavy %d\", \"nodes\": "
		     "[{\"id\": "
		     "\"https://t.example/h%d#n\", \"type\": \"compute\", \"vcpus\": 1, "
		     "\"memoryMiB\": 256,"
		     " \"periodMs\": 10, \"wcetMs\": 4, \"bcetMs\": 2, \"deadlineMs\": %g}]}",
		     i, i, i, deadline) < 0)
		return NULL;
	char *m = strstr(s, "\"memoryMiB\": 256");
	if (m && memory_mib != 256) {
		char *t = NULL;
		if (asprintf(&t, "%.*s\"memoryMiB\": %d%s", (int)(m - s), s, memory_mib,
			     m + strlen("\"memoryMiB\": 256")) < 0)
			t = NULL;
		free(s);
		s = t;
	}
	return s;
}

static char *heavy_vsn(int i, double deadline)
{
	return heavy_vsn_mem(i, deadline, 256);
}

Test(api_vsn, full_cloud_refuses_with_reasons_and_the_counter_offer_is_admitted)
{
	start(true);
	char acme[128];
	tenant("acme", acme, sizeof(acme));
	int admitted = 0;
	struct kairos_http_response r = {0};
	for (int i = 0; i < 40; i++) {
		char *doc = heavy_vsn(i, 4);
		r = submit(acme, "/v1/vsns", "application/json", doc);
		free(doc);
		if (r.status != 201)
			break;
		admitted++;
		kairos_http_response_destroy(&r);
	}
	cr_assert_eq(r.status, 409, "the cloud never filled: %d %s", r.status, r.body);
	cr_assert_eq(admitted, 4, "two 2-core hosts hold four 4-in-4 ms nodes");
	json_t *p = parse(&r);
	json_t *reasons = json_object_get(p, "reasons");
	cr_assert_gt(json_array_size(reasons), 0, "%s", r.body);
	json_t *reason = json_array_get(reasons, 0);
	cr_assert_str_eq(json_string_value(json_object_get(reason, "element")),
			 "https://t.example/h4#n");
	cr_assert_str_eq(json_string_value(json_object_get(reason, "bound")), "deadlineMs");
	cr_assert_eq(json_number_value(json_object_get(reason, "required")), 4);
	cr_assert_gt(json_number_value(json_object_get(reason, "achievable")), 4);
	json_t *offer = json_object_get(p, "counter_offer");
	cr_assert(json_is_object(offer), "%s", r.body);
	char *model_before = get_model();
	char *rows_before = count("vsns");
	cr_assert_str_eq(rows_before, "4");

	char *offer_text = json_dumps(offer, JSON_COMPACT);
	struct kairos_http_response r2 = submit(acme, "/v1/vsns", "application/json", offer_text);
	cr_assert_eq(r2.status, 201, "the counter-offer must be admitted: %s", r2.body);
	json_t *a = parse(&r2);
	char *model_after = get_model();
	check_bounds_reproduce(a, model_after);
	cr_assert_str_neq(model_before, model_after,
			  "the counter-offer was admitted into the cloud");
	free(model_after);
	json_decref(a);
	kairos_http_response_destroy(&r2);
	free(offer_text);
	free(model_before);
	free(rows_before);
	json_decref(p);
	kairos_http_response_destroy(&r);
}

Test(api_vsn, refused_renegotiation_leaves_the_old_sla_untouched)
{
	start(true);
	char acme[128];
	tenant("acme", acme, sizeof(acme));
	char ids[4][40];
	for (int i = 0; i < 4; i++) {
		char *doc = heavy_vsn(i, 6);
		struct kairos_http_response r = submit(acme, "/v1/vsns", "application/json", doc);
		cr_assert_eq(r.status, 201, "%s", r.body);
		json_t *j = parse(&r);
		snprintf(ids[i], sizeof(ids[i]), "%s", json_string_value(json_object_get(j, "id")));
		json_decref(j);
		kairos_http_response_destroy(&r);
		free(doc);
	}
	char path[128];
	snprintf(path, sizeof(path), "/v1/vsns/%s", ids[0]);
	struct kairos_http_response before =
	    kairosd_fixture_request_as(&kd, acme, "GET", path, NULL, NULL, 0);
	char *model_before = get_model();
	char *db_before = pg_fixture_scalar(
	    &kd.pg, "SELECT string_agg(v.document || s.bounds::text || s.state, '|' ORDER BY v.id) "
		    "FROM vsns v JOIN sla_versions s ON s.vsn_id = v.id");

	/* 100 GiB of memory fits on no host of this cloud. */
	char *doc = heavy_vsn_mem(0, 6, 102400);
	char sla_path[160];
	snprintf(sla_path, sizeof(sla_path), "/v1/vsns/%s/sla", ids[0]);
	struct kairos_http_response r = kairosd_fixture_request_as(
	    &kd, acme, "PUT", sla_path, "application/json", doc, strlen(doc));
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"reasons\""));
	kairos_http_response_destroy(&r);
	free(doc);

	struct kairos_http_response after =
	    kairosd_fixture_request_as(&kd, acme, "GET", path, NULL, NULL, 0);
	cr_assert_str_eq(before.body, after.body, "the old SLA changed");
	char *model_after = get_model();
	cr_assert_str_eq(model_before, model_after);
	char *db_after = pg_fixture_scalar(
	    &kd.pg, "SELECT string_agg(v.document || s.bounds::text || s.state, '|' ORDER BY v.id) "
		    "FROM vsns v JOIN sla_versions s ON s.vsn_id = v.id");
	cr_assert_str_eq(db_before, db_after);

	/* A feasible renegotiation creates version 2. */
	doc = heavy_vsn(0, 8);
	r = kairosd_fixture_request_as(&kd, acme, "PUT", sla_path, "application/json", doc,
				       strlen(doc));
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"version\":2"), "%s", r.body);
	kairos_http_response_destroy(&r);
	free(doc);
	char *n = pg_fixture_scalar(
	    &kd.pg, "SELECT string_agg(s.version || ':' || s.state, ',' ORDER BY s.version) FROM "
		    "sla_versions s JOIN vsns v ON v.id = s.vsn_id WHERE v.label = 'heavy 0'");
	cr_assert_str_eq(n, "1:superseded,2:agreed");
	free(n);
	free(model_before);
	free(model_after);
	free(db_before);
	free(db_after);
	kairos_http_response_destroy(&before);
	kairos_http_response_destroy(&after);
}

struct client {
	char token[128];
	int index;
	int created, refused, other;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	for (int k = 0; k < 10; k++) {
		char *doc = heavy_vsn(c->index * 100 + k, 6);
		struct kairos_http_response r;
		struct kairos_error err;
		if (kairos_http_request(kd.base_url, "POST", "/v1/vsns", c->token,
					"application/json", doc, strlen(doc), 60000, &r,
					&err) != 0) {
			c->other++;
		} else {
			if (r.status == 201)
				c->created++;
			else if (r.status == 409)
				c->refused++;
			else
				c->other++;
			kairos_http_response_destroy(&r);
		}
		free(doc);
	}
	return NULL;
}

Test(api_vsn, concurrent_submissions_never_overbook)
{
	start(true);
	struct client cl[5];
	pthread_t th[5];
	for (int i = 0; i < 5; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		char name[16];
		snprintf(name, sizeof(name), "t%d", i);
		tenant(name, cl[i].token, sizeof(cl[i].token));
		cl[i].index = i;
	}
	for (int i = 0; i < 5; i++)
		pthread_create(&th[i], NULL, client_main, &cl[i]);
	int created = 0, refused = 0, other = 0;
	for (int i = 0; i < 5; i++) {
		pthread_join(th[i], NULL);
		created += cl[i].created;
		refused += cl[i].refused;
		other += cl[i].other;
	}
	cr_assert_eq(other, 0, "every answer is 201 or 409");
	cr_assert_eq(created + refused, 50);
	cr_assert_gt(created, 0);
	cr_assert_gt(refused, 0);
	char *n = count("vsns");
	cr_assert_eq(atoi(n), created, "rows %s, admitted %d", n, created);
	free(n);
	n = pg_fixture_scalar(&kd.pg, "SELECT count(*) FROM sla_versions WHERE state = 'agreed'");
	cr_assert_eq(atoi(n), created);
	free(n);
	/* Re-analysing the stored state: every admitted bound holds. */
	char *model = get_model();
	struct rtc_model *m = NULL;
	struct rtc_result *res = NULL;
	struct kairos_error err;
	cr_assert_eq(rtc_model_parse(model, strlen(model), &m, &err), 0, "%s", err.message);
	cr_assert_eq(rtc_analyze(m, &res, &err), 0);
	cr_assert(res->schedulable, "overbooked: %s", model);
	rtc_result_free(res);
	rtc_model_free(m);
	free(model);
}

Test(api_vsn, every_bad_document_of_the_corpus_is_refused_and_leaves_no_row)
{
	start(false);
	char acme[128];
	tenant("acme", acme, sizeof(acme));
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "ls %s/tests/vsn/bad | grep -v '\\.expect$'",
		 getenv("KAIROS_ROOT"));
	FILE *ls = popen(cmd, "r");
	char name[256];
	int checked = 0;
	while (fgets(name, sizeof(name), ls)) {
		name[strcspn(name, "\n")] = '\0';
		char path[1600];
		snprintf(path, sizeof(path), "%s/tests/vsn/bad/%s", getenv("KAIROS_ROOT"), name);
		char *doc = NULL;
		size_t len = 0;
		cr_assert_eq(kairos_read_file(path, &doc, &len), 0);
		const char *ext = strrchr(name, '.');
		const char *ctype = strcmp(ext, ".ttl") == 0   ? "text/turtle"
				    : strcmp(ext, ".rdf") == 0 ? "application/rdf+xml"
				    : strcmp(ext, ".nt") == 0  ? "application/n-triples"
							       : "application/json";
		/* The corpus's own expectation says which kind of problem comes first. */
		char expect_path[1700];
		snprintf(expect_path, sizeof(expect_path), "%.*s.expect",
			 (int)(strlen(path) - strlen(ext)), path);
		char *expect = NULL;
		cr_assert_eq(kairos_read_file(expect_path, &expect, NULL), 0, "%s", expect_path);
		const char *line = expect;
		while (*line == '#' || *line == '\n')
			line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line);
		int want = strncmp(line, "syntax", 6) == 0  ? 400
			   : strncmp(line, "limit", 5) == 0 ? 413
							    : 422;
		free(expect);
		struct kairos_http_response r =
		    kairosd_fixture_request_as(&kd, acme, "POST", "/v1/vsns", ctype, doc, len);
		cr_assert_eq(r.status, want, "%s: %d %s", name, r.status, r.body);
		cr_assert_str_eq(r.content_type, "application/problem+json", "%s", name);
		json_t *j = parse(&r);
		json_t *problems = json_object_get(j, "problems");
		cr_assert_gt(json_array_size(problems), 0, "%s: no problem listed: %s", name,
			     r.body);
		json_t *p0 = json_array_get(problems, 0);
		cr_assert(json_is_string(json_object_get(p0, "rule")), "%s: %s", name, r.body);
		if (want == 422)
			cr_assert(json_is_string(json_object_get(p0, "subject")) ||
				      json_is_string(json_object_get(p0, "property")),
				  "%s: a semantic problem names its subject or property: %s", name,
				  r.body);
		json_decref(j);
		kairos_http_response_destroy(&r);
		free(doc);
		checked++;
	}
	pclose(ls);
	cr_assert_geq(checked, 25);
	const char *tables[] = {"vsns", "sla_versions", "placements", "reservations", "events"};
	for (int i = 0; i < 5; i++) {
		char *n = count(tables[i]);
		cr_assert_str_eq(n, "0", "%s has rows", tables[i]);
		free(n);
	}
}
