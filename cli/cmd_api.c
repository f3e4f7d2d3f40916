/*
 * cmd_api.c - the kairosctl commands that talk to the Kairos API: tenants, hosts and
 * VSNs. Human-readable tables by default, the API's JSON with --json. The URL and token
 * come from --url/--token or KAIROS_URL/KAIROS_TOKEN.
 *
 * Exit status: 0 success, 1 the API refused or failed (its problem is printed), 2 bad
 * usage or an unreadable file, 3 the API could not be reached.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "vsn/vsn.h"

struct api_opts {
	const char *url;
	const char *token;
	bool is_json;
	bool is_dry_run;
	const char *format;
	const char *counter_offer_out;
	const char *args[4];
	int n_args;
};

static int parse_opts(int argc, char **argv, struct api_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->url = getenv("KAIROS_URL") && *getenv("KAIROS_URL") ? getenv("KAIROS_URL")
							       : "http://127.0.0.1:8080";
	o->token = getenv("KAIROS_TOKEN");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0)
			o->is_json = true;
		else if (strcmp(a, "--dry-run") == 0)
			o->is_dry_run = true;
		else if ((strcmp(a, "--url") == 0 || strcmp(a, "--token") == 0 ||
			  strcmp(a, "--format") == 0 || strcmp(a, "--counter-offer") == 0) &&
			 i + 1 < argc) {
			const char *v = argv[++i];
			if (a[2] == 'u')
				o->url = v;
			else if (a[2] == 't')
				o->token = v;
			else if (a[2] == 'f')
				o->format = v;
			else
				o->counter_offer_out = v;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "kairosctl: unknown option %s\n", a);
			return 2;
		} else if (o->n_args < 4) {
			o->args[o->n_args++] = a;
		} else {
			fprintf(stderr, "kairosctl: too many arguments (%s)\n", a);
			return 2;
		}
	}
	return 0;
}

static int need_token(const struct api_opts *o)
{
	if (o->token && *o->token)
		return 0;
	fputs("kairosctl: no token: pass --token TOKEN or set KAIROS_TOKEN\n"
	      "  (the operator's token is in var/admin.token after `make run`)\n",
	      stderr);
	return 2;
}

/* Sends the request; on success *resp holds the answer (caller destroys). */
static int call(const struct api_opts *o, const char *method, const char *path, const char *ctype,
		const char *body, size_t len, struct kairos_http_response *resp)
{
	struct kairos_error err;
	kairos_error_clear(&err);
	if (kairos_http_request(o->url, method, path, o->token, ctype, body, len, 60000, resp,
				&err) != 0) {
		fprintf(stderr, "kairosctl: %s\n", err.message);
		return 3;
	}
	return 0;
}

/* Prints a problem+json answer for a human: title, detail, and any listed problems. */
static void print_problem(const struct kairos_http_response *r)
{
	json_t *j = json_loads(r->body, 0, NULL);
	if (!j) {
		fprintf(stderr, "error %d: %s\n", r->status, r->body);
		return;
	}
	const char *title = json_string_value(json_object_get(j, "title"));
	const char *detail = json_string_value(json_object_get(j, "detail"));
	fprintf(stderr, "error %d %s%s%s\n", r->status, title ? title : "", detail ? ": " : "",
		detail ? detail : "");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "problems"), i, p)
	{
		int line = (int)json_integer_value(json_object_get(p, "line"));
		const char *msg = json_string_value(json_object_get(p, "message"));
		const char *rule = json_string_value(json_object_get(p, "rule"));
		if (line)
			fprintf(stderr, "  line %d:%d: %s [%s]\n", line,
				(int)json_integer_value(json_object_get(p, "column")),
				msg ? msg : "", rule ? rule : "");
		else
			fprintf(stderr, "  %s [%s]\n", msg ? msg : "", rule ? rule : "");
	}
	json_array_foreach(json_object_get(j, "reasons"), i, p)
	{
		fprintf(stderr, "  %s: %s required %g, achievable %g\n",
			json_string_value(json_object_get(p, "element"))
			    ? json_string_value(json_object_get(p, "element"))
			    : "?",
			json_string_value(json_object_get(p, "bound"))
			    ? json_string_value(json_object_get(p, "bound"))
			    : "?",
			json_number_value(json_object_get(p, "required")),
			json_number_value(json_object_get(p, "achievable")));
	}
	json_decref(j);
}

/* Common ending: --json prints the body as is; errors print the problem. */
static int finish(const struct api_opts *o, struct kairos_http_response *r, int ok_status,
		  void (*human)(json_t *))
{
	int rc = 0;
	if (r->status != ok_status) {
		if (o->is_json)
			printf("%s\n", r->body);
		else
			print_problem(r);
		rc = 1;
	} else if (o->is_json || !human) {
		if (r->body_len)
			printf("%s\n", r->body);
	} else {
		json_t *j = json_loads(r->body, 0, NULL);
		if (j)
			human(j);
		else
			printf("%s\n", r->body);
		json_decref(j);
	}
	kairos_http_response_destroy(r);
	return rc;
}

/* ---- tenants and hosts ------------------------------------------------------- */

static void show_tenant(json_t *j)
{
	printf("tenant %s created (id %s)\n", json_string_value(json_object_get(j, "name")),
	       json_string_value(json_object_get(j, "id")));
	printf("token: %s\n(shown only now: keep it)\n",
	       json_string_value(json_object_get(j, "token")));
}

int kairosctl_tenant(int argc, char **argv)
{
	struct api_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.n_args != 2 || strcmp(o.args[0], "create") != 0) {
		fputs("usage: kairosctl tenant create NAME [--json]\n", stderr);
		return 2;
	}
	if ((rc = need_token(&o)))
		return rc;
	json_t *body = json_pack("{s:s}", "name", o.args[1]);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct kairos_http_response r;
	rc = call(&o, "POST", "/v1/tenants", "application/json", text, strlen(text), &r);
	free(text);
	return rc ? rc : finish(&o, &r, 201, show_tenant);
}

static void show_hosts(json_t *j)
{
	printf("%-12s %5s %9s %6s %-10s %10s %-6s\n", "HOST", "CORES", "MEMORY", "SPEED", "DOMAIN",
	       "UPLINK", "STATE");
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(j, "hosts"), i, h)
	{
		printf("%-12s %5lld %6lldMiB %6g %-10s %6gMbps %-6s\n",
		       json_string_value(json_object_get(h, "name")),
		       (long long)json_integer_value(json_object_get(h, "cores")),
		       (long long)json_integer_value(json_object_get(h, "memory_mib")),
		       json_number_value(json_object_get(h, "speed")),
		       json_string_value(json_object_get(h, "failure_domain")),
		       json_number_value(json_object_get(h, "uplink_mbps")),
		       json_string_value(json_object_get(h, "state")));
	}
}

int kairosctl_host(int argc, char **argv)
{
	struct api_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	if (o.n_args != 1 || strcmp(o.args[0], "list") != 0) {
		fputs("usage: kairosctl host list [--json]\n", stderr);
		return 2;
	}
	if ((rc = need_token(&o)))
		return rc;
	struct kairos_http_response r;
	rc = call(&o, "GET", "/v1/hosts", NULL, NULL, 0, &r);
	return rc ? rc : finish(&o, &r, 200, show_hosts);
}

/* ---- VSNs --------------------------------------------------------------------- */

static void show_vsn(json_t *v)
{
	json_t *sla = json_object_get(v, "sla");
	printf("VSN %s  %s  state %s  SLA v%lld %s\n", json_string_value(json_object_get(v, "id")),
	       json_string_value(json_object_get(v, "label"))
		   ? json_string_value(json_object_get(v, "label"))
		   : "",
	       json_string_value(json_object_get(v, "state"))
		   ? json_string_value(json_object_get(v, "state"))
		   : "quote",
	       (long long)json_integer_value(json_object_get(sla, "version")),
	       json_string_value(json_object_get(sla, "state"))
		   ? json_string_value(json_object_get(sla, "state"))
		   : "");
	json_t *av = json_object_get(sla, "availability");
	if (json_is_number(json_object_get(av, "target")))
		printf("availability: target %g, composed %g\n",
		       json_number_value(json_object_get(av, "target")),
		       json_number_value(json_object_get(av, "composed")));
	const char *iri;
	json_t *p;
	printf("\n%-48s %-10s %4s %8s %-8s\n", "NODE", "HOST", "CORE", "PRIORITY", "MODE");
	json_object_foreach(json_object_get(v, "placement"), iri, p)
	{
		printf("%-48s %-10s %4lld %8lld %-8s\n", iri,
		       json_string_value(json_object_get(p, "host")),
		       (long long)json_integer_value(json_object_get(p, "core")),
		       (long long)json_integer_value(json_object_get(p, "priority")),
		       json_string_value(json_object_get(p, "mode")));
	}
	json_t *bounds = json_object_get(v, "bounds");
	if (!bounds)
		bounds = json_object_get(sla, "bounds");
	printf("\n%-48s %10s %10s\n", "ELEMENT", "BOUND ms", "DEADLINE");
	json_object_foreach(json_object_get(bounds, "nodes"), iri, p)
	    printf("%-48s %10g %10g\n", iri, json_number_value(json_object_get(p, "wcrtMs")),
		   json_number_value(json_object_get(p, "deadlineMs")));
	json_object_foreach(json_object_get(bounds, "flows"), iri, p)
	    printf("%-48s %10g %10g\n", iri, json_number_value(json_object_get(p, "latencyMs")),
		   json_number_value(json_object_get(p, "deadlineMs")));
}

static void show_vsn_list(json_t *j)
{
	json_t *arr = json_is_array(j) ? j : json_object_get(j, "vsns");
	printf("%-36s %-24s %-9s %s\n", "ID", "LABEL", "STATE", "SLA");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		printf("%-36s %-24s %-9s v%lld\n", json_string_value(json_object_get(v, "id")),
		       json_string_value(json_object_get(v, "label"))
			   ? json_string_value(json_object_get(v, "label"))
			   : "",
		       json_string_value(json_object_get(v, "state")),
		       (long long)json_integer_value(
			   json_object_get(json_object_get(v, "sla"), "version")));
	}
}

/* Sends FILE as a VSN document with the content type of its syntax. */
static int send_document(const struct api_opts *o, const char *method, const char *path,
			 const char *file, struct kairos_http_response *r)
{
	enum vsn_syntax syn =
	    o->format ? vsn_syntax_from_name(o->format) : vsn_syntax_from_filename(file);
	static const char *types[] = {[VSN_SYNTAX_TURTLE] = "text/turtle",
				      [VSN_SYNTAX_RDFXML] = "application/rdf+xml",
				      [VSN_SYNTAX_NTRIPLES] = "application/n-triples",
				      [VSN_SYNTAX_JSON] = "application/json"};
	if (syn == VSN_SYNTAX_UNKNOWN) {
		fprintf(stderr,
			"kairosctl: cannot tell the syntax of %s: use .ttl, .rdf, .nt or .json, or "
			"--format\n",
			file);
		return 2;
	}
	char *text = NULL;
	size_t len = 0;
	int rc = kairos_read_file(file, &text, &len);
	if (rc) {
		fprintf(stderr, "kairosctl: cannot read %s: %s\n", file, strerror(-rc));
		return 2;
	}
	rc = call(o, method, path, types[syn], text, len, r);
	free(text);
	return rc;
}

/* After a 409, writes the counter-offer where --counter-offer says. */
static void save_counter_offer(const struct api_opts *o, const struct kairos_http_response *r)
{
	if (r->status != 409 || !o->counter_offer_out)
		return;
	json_t *j = json_loads(r->body, 0, NULL);
	json_t *offer = json_object_get(j, "counter_offer");
	if (offer && json_dump_file(offer, o->counter_offer_out, JSON_INDENT(2)) == 0)
		fprintf(stderr, "counter-offer written to %s (submit it to accept)\n",
			o->counter_offer_out);
	json_decref(j);
}

int kairosctl_vsn_api(int argc, char **argv)
{
	struct api_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	const char *cmd = o.n_args ? o.args[0] : "";
	struct kairos_http_response r;
	char path[600];
	if (strcmp(cmd, "submit") == 0 && o.n_args == 2) {
		if ((rc = need_token(&o)))
			return rc;
		rc = send_document(&o, "POST", o.is_dry_run ? "/v1/vsns?dry_run=true" : "/v1/vsns",
				   o.args[1], &r);
		if (rc)
			return rc;
		save_counter_offer(&o, &r);
		return finish(&o, &r, o.is_dry_run ? 200 : 201, show_vsn);
	}
	if (strcmp(cmd, "renegotiate") == 0 && o.n_args == 3) {
		if ((rc = need_token(&o)))
			return rc;
		snprintf(path, sizeof(path), "/v1/vsns/%s/sla", o.args[1]);
		rc = send_document(&o, "PUT", path, o.args[2], &r);
		if (rc)
			return rc;
		save_counter_offer(&o, &r);
		return finish(&o, &r, 200, show_vsn);
	}
	if (strcmp(cmd, "list") == 0 && o.n_args == 1) {
		if ((rc = need_token(&o)) || (rc = call(&o, "GET", "/v1/vsns", NULL, NULL, 0, &r)))
			return rc;
		return finish(&o, &r, 200, show_vsn_list);
	}
	if ((strcmp(cmd, "show") == 0 || strcmp(cmd, "delete") == 0) && o.n_args == 2) {
		snprintf(path, sizeof(path), "/v1/vsns/%s", o.args[1]);
		bool is_show = cmd[0] == 's';
		if ((rc = need_token(&o)) ||
		    (rc = call(&o, is_show ? "GET" : "DELETE", path, NULL, NULL, 0, &r)))
			return rc;
		if (!is_show && r.status == 204 && !o.is_json)
			printf("VSN %s deleted; its reservations are released\n", o.args[1]);
		return finish(&o, &r, is_show ? 200 : 204, is_show ? show_vsn : NULL);
	}
	fputs("usage: kairosctl vsn submit FILE [--dry-run] [--format F] [--counter-offer OUT]\n"
	      "       kairosctl vsn list | show ID | renegotiate ID FILE | delete ID\n"
	      "       kairosctl vsn validate FILE [--json] [--format F]\n"
	      "options: --json  --url URL (KAIROS_URL)  --token TOKEN (KAIROS_TOKEN)\n",
	      stderr);
	return 2;
}
