/*
 * json_read.c - the JSON form of a VSN (SPEC section 2) into the same RDF graph the
 * RDF readers build, so that one validator serves every syntax: each key becomes the
 * vsn: property of the same local name ("label" is rdfs:label, a key holding a ':'
 * is taken as a full property IRI, a tenant annotation), "type" becomes rdf:type,
 * "path" an rdf:List. Short ids are resolved against the base IRI: the caller's, or
 * else the namespace of the document's own "id".
 */
#include <jansson.h>
#include <raptor2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/internal.h"

struct json_reader {
	struct vsn_graph *g;
	const struct vsn_limits *limits;
	struct vsn_problems *problems;
	const struct vsn_ontology *onto;
	char *base;
	bool is_aborted;
	size_t lists;
	raptor_world *world; /* created on first need, to normalise IRIs as raptor does */
	uint32_t rdf_type, rdf_first, rdf_rest, rdf_nil, rdfs_label;
};

static void jr_limit(struct json_reader *r, const char *rule, const char *what, size_t cap)
{
	if (r->is_aborted)
		return;
	r->is_aborted = true;
	vsn_problem_add(r->problems, VSN_PROBLEM_LIMIT, NULL, NULL, NULL, rule, 0, 0,
			"the document has more than %zu %s", cap, what);
}

static void jr_add(struct json_reader *r, uint32_t s, uint32_t p, uint32_t o)
{
	if (r->is_aborted || !s || !p || !o)
		return;
	if (r->g->triple_count >= r->limits->max_triples) {
		jr_limit(r, "max_triples", "triples", r->limits->max_triples);
		return;
	}
	vsn_graph_add(r->g, s, p, o, 0);
}

static bool iri_is_absolute(const char *id);
static bool id_is_valid(const char *id);
static uint32_t jr_absolute(struct json_reader *r, const char *iri, size_t len);

/* The base IRI short ids hang from: ends with '#', '/' or ':'. */
static char *base_from_id(const char *id)
{
	const char *cut = strrchr(id, '#');
	if (!cut)
		cut = strrchr(id, '/');
	if (!cut || !iri_is_absolute(id) || !id_is_valid(id))
		return kairos_xstrdup(VSN_DEFAULT_BASE);
	size_t n = (size_t)(cut - id) + 1;
	char *b = kairos_xmalloc(n + 1);
	memcpy(b, id, n);
	b[n] = '\0';
	return b;
}

/* scheme ":" ...: RFC 3986 section 3.1. Anything else is a short id. */
static bool iri_is_absolute(const char *id)
{
	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return id[n] == ':';
}

/* RFC 3987 excludes these from IRIs; blank node labels are kept to [A-Za-z0-9_.-]. */
static bool id_is_valid(const char *id)
{
	if (strncmp(id, "_:", 2) == 0) {
		size_t n = strlen(id + 2);
		return n > 0 &&
		       strspn(id + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_-") == n;
	}
	return vsn_iri_valid(id, strlen(id));
}

static uint32_t jr_ref(struct json_reader *r, const char *id)
{
	if (!id_is_valid(id)) {
		vsn_problem_add(r->problems, VSN_PROBLEM_SEMANTIC, NULL, NULL, id, "IRI syntax", 0,
				0,
				"\"%s\" is not a valid IRI or blank node id (no spaces, quotes, "
				"<>{}|\\^` or control characters)",
				id);
		return 0;
	}
	if (strncmp(id, "_:", 2) == 0)
		return vsn_graph_blank(r->g, id + 2, strlen(id + 2));
	if (iri_is_absolute(id))
		return jr_absolute(r, id, strlen(id));
	struct kairos_buf b = {0};
	size_t n = strlen(r->base);
	char last = n ? r->base[n - 1] : '#';
	kairos_buf_puts(&b, r->base);
	if (last != '#' && last != '/' && last != ':')
		kairos_buf_puts(&b, "#");
	kairos_buf_puts(&b, id);
	uint32_t t = jr_absolute(r, b.data, b.len);
	kairos_buf_destroy(&b);
	return t;
}

/*
 * An absolute IRI as the RDF readers would produce it: raptor removes dot segments
 * ("a/./b", "a/../b") when it resolves IRIs, so JSON ids that hold them go through
 * raptor too, and the same document gives the same model in every syntax.
 */
static uint32_t jr_absolute(struct json_reader *r, const char *iri, size_t len)
{
	if (!strstr(iri, "/.") && !strstr(iri, ":."))
		return vsn_graph_iri(r->g, iri, len);
	if (!r->world) {
		r->world = raptor_new_world();
		if (!r->world)
			abort(); /* out of memory: fatal in Kairos */
		raptor_world_set_flag(r->world, RAPTOR_WORLD_FLAG_LIBXML_GENERIC_ERROR_SAVE, 0);
		raptor_world_set_flag(r->world, RAPTOR_WORLD_FLAG_LIBXML_STRUCTURED_ERROR_SAVE, 0);
		raptor_world_set_flag(r->world, RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH, 1);
		if (raptor_world_open(r->world))
			abort();
	}
	raptor_uri *base = raptor_new_uri(r->world, (const unsigned char *)VSN_DEFAULT_BASE);
	raptor_uri *u =
	    base ? raptor_new_uri_relative_to_base(r->world, base, (const unsigned char *)iri)
		 : NULL;
	uint32_t t;
	if (u) {
		size_t n;
		const unsigned char *s = raptor_uri_as_counted_string(u, &n);
		t = vsn_graph_iri(r->g, (const char *)s, n);
		raptor_free_uri(u);
	} else {
		t = vsn_graph_iri(r->g, iri, len);
	}
	if (base)
		raptor_free_uri(base);
	return t;
}

static uint32_t jr_iri(struct json_reader *r, const char *ns, const char *local)
{
	struct kairos_buf b = {0};
	kairos_buf_printf(&b, "%s%s", ns, local);
	uint32_t t = vsn_graph_iri(r->g, b.data, b.len);
	kairos_buf_destroy(&b);
	return t;
}

static void jr_problem(struct json_reader *r, uint32_t s, uint32_t p, const char *value,
		       const char *rule, const char *msg)
{
	struct kairos_buf sb = {0}, pb = {0};
	vsn_term_to_display(r->g, s, &sb);
	vsn_term_to_display(r->g, p, &pb);
	vsn_problem_add(r->problems, VSN_PROBLEM_SEMANTIC, kairos_buf_str(&sb), kairos_buf_str(&pb),
			value, rule, 0, 0, "%s", msg);
	kairos_buf_destroy(&sb);
	kairos_buf_destroy(&pb);
}

/* One scalar value of property P on S. */
static void jr_value(struct json_reader *r, uint32_t s, uint32_t p, int prop, json_t *v)
{
	char text[64];
	uint32_t o = 0;
	const struct vsn_onto_prop *op = prop >= 0 ? &r->onto->props[prop] : NULL;
	bool is_ref = op && (op->range == VSN_RANGE_CLASS || op->range == VSN_RANGE_LIST);

	switch (json_typeof(v)) {
	case JSON_NULL:
		return; /* absent */
	case JSON_STRING: {
		size_t n = json_string_length(v);
		if (n > r->limits->max_literal_bytes) {
			jr_limit(r, "max_literal_bytes", "bytes in a string",
				 r->limits->max_literal_bytes);
			return;
		}
		if (is_ref)
			o = jr_ref(r, json_string_value(v));
		else
			o = vsn_graph_literal(r->g, json_string_value(v), n, NULL, NULL);
		break;
	}
	case JSON_INTEGER:
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		o = vsn_graph_literal(r->g, text, strlen(text), VSN_XSD_NS "integer", NULL);
		break;
	case JSON_REAL:
		vsn_decimal_format(json_real_value(v), text, sizeof(text));
		o = vsn_graph_literal(
		    r->g, text, strlen(text),
		    strchr(text, 'e') ? VSN_XSD_NS "double" : VSN_XSD_NS "decimal", NULL);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		o = vsn_graph_literal(r->g, json_is_true(v) ? "true" : "false",
				      json_is_true(v) ? 4 : 5, VSN_XSD_NS "boolean", NULL);
		break;
	case JSON_OBJECT:
	case JSON_ARRAY: {
		char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		jr_problem(r, s, p, dump ? dump : "", "single value",
			   "expected a single number or string, found a JSON object or array");
		free(dump);
		return;
	}
	}
	jr_add(r, s, p, o);
}

/* A "path": an array of ids, as an rdf:List. */
static void jr_path(struct json_reader *r, uint32_t s, uint32_t p, json_t *arr)
{
	if (!json_is_array(arr)) {
		char *dump = json_dumps(arr, JSON_COMPACT | JSON_ENCODE_ANY);
		jr_problem(r, s, p, dump ? dump : "", "range rdf:List",
			   "a path is an array of node and link ids, in order");
		free(dump);
		return;
	}
	size_t n = json_array_size(arr);
	if (n > r->limits->max_path_length) {
		jr_limit(r, "max_path_length", "elements in a flow path",
			 r->limits->max_path_length);
		return;
	}
	size_t list = r->lists++;
	uint32_t prev = s, prev_p = p;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		if (!json_is_string(e)) {
			jr_problem(r, s, p, "", "range rdf:List",
				   "every path element is the id (a string) of a node or a link");
			continue;
		}
		char label[64];
		snprintf(label, sizeof(label), "jsonpath%zu.%zu", list, i);
		uint32_t cell = vsn_graph_blank(r->g, label, strlen(label));
		jr_add(r, prev, prev_p, cell);
		jr_add(r, cell, r->rdf_first, jr_ref(r, json_string_value(e)));
		prev = cell;
		prev_p = r->rdf_rest;
	}
	jr_add(r, prev, prev_p, r->rdf_nil);
}

/* The keys of one element (or of the VSN) other than "id", "type" and the arrays. */
static void jr_properties(struct json_reader *r, uint32_t s, json_t *obj, bool is_top)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (r->is_aborted)
			return;
		if (strcmp(key, "id") == 0 || (!is_top && strcmp(key, "type") == 0) ||
		    (is_top && (strcmp(key, "nodes") == 0 || strcmp(key, "links") == 0 ||
				strcmp(key, "flows") == 0)))
			continue;
		uint32_t p;
		if (strcmp(key, "label") == 0)
			p = r->rdfs_label;
		else if (iri_is_absolute(key) && id_is_valid(key))
			p = vsn_graph_iri(r->g, key, strlen(key));
		else
			p = jr_iri(r, VSN_NS, key);
		int prop = vsn_onto_prop_find(r->onto, r->g->terms[p].value);
		if (prop >= 0 && r->onto->props[prop].range == VSN_RANGE_LIST)
			jr_path(r, s, p, v);
		else
			jr_value(r, s, p, prop, v);
	}
}

static uint32_t jr_subject(struct json_reader *r, json_t *obj, const char *what, size_t index)
{
	json_t *id = json_object_get(obj, "id");
	if (json_is_string(id) && json_string_length(id) > 0 &&
	    json_string_length(id) <= r->limits->max_literal_bytes)
		return jr_ref(r, json_string_value(id));
	char label[64];
	snprintf(label, sizeof(label), "%s%zu", what, index);
	uint32_t s = vsn_graph_blank(r->g, label, strlen(label));
	jr_problem(r, s, 0, "", "required",
		   "every element of the JSON form has an \"id\" (a string)");
	return s;
}

static void jr_elements(struct json_reader *r, uint32_t vsn, json_t *top, const char *key,
			const char *has, const char *cls, size_t cap, const char *limit_rule)
{
	json_t *arr = json_object_get(top, key);
	if (!arr || json_is_null(arr))
		return;
	uint32_t p = jr_iri(r, VSN_NS, has);
	if (!json_is_array(arr)) {
		jr_problem(r, vsn, p, "", "JSON array", "expected an array of objects");
		return;
	}
	if (json_array_size(arr) > cap) {
		jr_limit(r, limit_rule, key, cap);
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		if (r->is_aborted)
			return;
		if (!json_is_object(e)) {
			jr_problem(r, vsn, p, "", "JSON object", "every element is a JSON object");
			continue;
		}
		uint32_t s = jr_subject(r, e, key, i);
		jr_add(r, vsn, p, s);
		if (cls) {
			jr_add(r, s, r->rdf_type, jr_iri(r, VSN_NS, cls));
		} else {
			json_t *t = json_object_get(e, "type");
			const char *ts = json_string_value(t);
			if (ts && strcmp(ts, "compute") == 0)
				jr_add(r, s, r->rdf_type, jr_iri(r, VSN_NS, "ComputeNode"));
			else if (ts && strcmp(ts, "storage") == 0)
				jr_add(r, s, r->rdf_type, jr_iri(r, VSN_NS, "StorageNode"));
			else if (ts && iri_is_absolute(ts))
				jr_add(r, s, r->rdf_type, jr_ref(r, ts));
			else if (ts && id_is_valid(ts))
				/* An unknown short type is reported as an unknown vsn: term. */
				jr_add(r, s, r->rdf_type, jr_iri(r, VSN_NS, ts));
			else if (t)
				jr_problem(
				    r, s, r->rdf_type, ts ? ts : "", "node type",
				    "a node's \"type\" is \"compute\", \"storage\" or a class IRI");
		}
		jr_properties(r, s, e, false);
	}
}

int vsn_json_read(const char *data, size_t len, const char *base_iri,
		  const struct vsn_limits *limits, struct vsn_graph *g,
		  struct vsn_problems *problems)
{
	struct json_reader r = {.g = g, .limits = limits, .problems = problems};
	json_error_t err;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	int rc;

	if (!root) {
		vsn_problem_add(problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax", err.line,
				err.column, "%s", err.text);
		return -KAIROS_ESYNTAX;
	}
	if (!json_is_object(root)) {
		vsn_problem_add(problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax", 1, 1,
				"the JSON form of a VSN is an object");
		json_decref(root);
		return -KAIROS_ESYNTAX;
	}
	r.onto = vsn_ontology_get();
	json_t *id = json_object_get(root, "id");
	r.base = base_iri ? kairos_xstrdup(base_iri)
			  : base_from_id(json_is_string(id) ? json_string_value(id) : "");
	r.rdf_type = jr_iri(&r, VSN_RDF_NS, "type");
	r.rdf_first = jr_iri(&r, VSN_RDF_NS, "first");
	r.rdf_rest = jr_iri(&r, VSN_RDF_NS, "rest");
	r.rdf_nil = jr_iri(&r, VSN_RDF_NS, "nil");
	r.rdfs_label = jr_iri(&r, VSN_RDFS_NS, "label");

	size_t problems_before = problems->count;
	uint32_t vsn = jr_subject(&r, root, "vsn", 0);
	jr_add(&r, vsn, r.rdf_type, jr_iri(&r, VSN_NS, "VirtualServiceNetwork"));
	jr_properties(&r, vsn, root, true);
	jr_elements(&r, vsn, root, "nodes", "hasNode", NULL, limits->max_nodes, "max_nodes");
	jr_elements(&r, vsn, root, "links", "hasLink", "NetworkLink", limits->max_links,
		    "max_links");
	jr_elements(&r, vsn, root, "flows", "hasFlow", "Flow", limits->max_flows, "max_flows");
	if (r.is_aborted)
		rc = -KAIROS_ELIMIT;
	else if (problems->count > problems_before)
		rc = -KAIROS_EINVAL;
	else
		rc = 0;
	free(r.base);
	if (r.world)
		raptor_free_world(r.world);
	json_decref(root);
	return rc;
}
