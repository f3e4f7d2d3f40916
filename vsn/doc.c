/*
 * doc.c - the VSN model's life cycle and comparison, the syntax names and media
 * types, the limits, and vsn_parse(), the one entry point that runs a reader and then
 * the validator.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "vsn/internal.h"

/* ---- syntaxes ----------------------------------------------------------------- */

enum vsn_syntax vsn_syntax_from_content_type(const char *content_type)
{
	static const struct {
		const char *type;
		enum vsn_syntax syntax;
	} map[] = {
	    {"text/turtle", VSN_SYNTAX_TURTLE},
	    {"application/x-turtle", VSN_SYNTAX_TURTLE},
	    {"application/rdf+xml", VSN_SYNTAX_RDFXML},
	    {"application/n-triples", VSN_SYNTAX_NTRIPLES},
	    {"text/plain", VSN_SYNTAX_NTRIPLES}, /* the historical N-Triples type */
	    {"application/json", VSN_SYNTAX_JSON},
	};
	if (!content_type)
		return VSN_SYNTAX_UNKNOWN;
	while (*content_type == ' ')
		content_type++;
	size_t n = strcspn(content_type, "; \t");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].type) == n && strncasecmp(map[i].type, content_type, n) == 0)
			return map[i].syntax;
	return VSN_SYNTAX_UNKNOWN;
}

enum vsn_syntax vsn_syntax_from_name(const char *name)
{
	static const struct {
		const char *name;
		enum vsn_syntax syntax;
	} map[] = {
	    {"turtle", VSN_SYNTAX_TURTLE},     {"ttl", VSN_SYNTAX_TURTLE},
	    {"rdfxml", VSN_SYNTAX_RDFXML},     {"rdf", VSN_SYNTAX_RDFXML},
	    {"xml", VSN_SYNTAX_RDFXML},	       {"owl", VSN_SYNTAX_RDFXML},
	    {"ntriples", VSN_SYNTAX_NTRIPLES}, {"nt", VSN_SYNTAX_NTRIPLES},
	    {"json", VSN_SYNTAX_JSON},
	};
	if (!name)
		return VSN_SYNTAX_UNKNOWN;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(map[i].name, name) == 0)
			return map[i].syntax;
	return VSN_SYNTAX_UNKNOWN;
}

enum vsn_syntax vsn_syntax_from_filename(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot || strchr(dot, '/'))
		return VSN_SYNTAX_UNKNOWN;
	return vsn_syntax_from_name(dot + 1);
}

const char *vsn_syntax_name(enum vsn_syntax syntax)
{
	switch (syntax) {
	case VSN_SYNTAX_TURTLE:
		return "turtle";
	case VSN_SYNTAX_RDFXML:
		return "rdfxml";
	case VSN_SYNTAX_NTRIPLES:
		return "ntriples";
	case VSN_SYNTAX_JSON:
		return "json";
	case VSN_SYNTAX_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- limits ------------------------------------------------------------------- */

void vsn_limits_default(struct vsn_limits *limits)
{
	limits->max_document_bytes = 8u << 20;
	limits->max_triples = 1000000;
	limits->max_nodes = 100000;
	limits->max_links = 200000;
	limits->max_flows = 100000;
	limits->max_path_length = 1024;
	limits->max_literal_bytes = 4096;
	limits->max_depth = 64;
}

void vsn_limits_resolve(const struct vsn_limits *in, struct vsn_limits *out)
{
	struct vsn_limits d;
	vsn_limits_default(&d);
	*out = d;
	if (!in)
		return;
#define PICK(f) out->f = in->f ? in->f : d.f
	PICK(max_document_bytes);
	PICK(max_triples);
	PICK(max_nodes);
	PICK(max_links);
	PICK(max_flows);
	PICK(max_path_length);
	PICK(max_literal_bytes);
	PICK(max_depth);
#undef PICK
}

/* ---- parse ------------------------------------------------------------------- */

int vsn_parse(const char *data, size_t len, enum vsn_syntax syntax, const char *base_iri,
	      const struct vsn_limits *limits_in, struct vsn_doc **doc_out,
	      struct vsn_problems *problems)
{
	struct vsn_limits limits;
	struct vsn_graph g;
	int rc;

	*doc_out = NULL;
	vsn_limits_resolve(limits_in, &limits);
	if (!vsn_ontology_get())
		return -KAIROS_EINTERNAL;
	if (len > limits.max_document_bytes) {
		vsn_problem_add(problems, VSN_PROBLEM_LIMIT, NULL, NULL, NULL, "max_document_bytes",
				0, 0, "the document has %zu bytes; at most %zu are accepted", len,
				limits.max_document_bytes);
		return -KAIROS_ELIMIT;
	}
	vsn_graph_init(&g);
	switch (syntax) {
	case VSN_SYNTAX_TURTLE:
	case VSN_SYNTAX_RDFXML:
	case VSN_SYNTAX_NTRIPLES:
		rc = vsn_rdf_read(data, len, syntax, base_iri, &limits, &g, problems);
		break;
	case VSN_SYNTAX_JSON:
		rc = vsn_json_read(data, len, base_iri, &limits, &g, problems);
		break;
	default:
		vsn_problem_add(
		    problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax", 0, 0,
		    "unknown document syntax; expected Turtle, RDF/XML, N-Triples or JSON");
		rc = -KAIROS_ESYNTAX;
		break;
	}
	/* A JSON document whose shape is wrong still goes through validation, so that
	 * the caller sees every problem at once. */
	if (rc == 0 || rc == -KAIROS_EINVAL) {
		vsn_graph_index(&g);
		int vrc = vsn_graph_validate(&g, &limits, doc_out, problems);
		if (rc == 0)
			rc = vrc;
		if (rc != 0 && *doc_out) {
			vsn_doc_free(*doc_out);
			*doc_out = NULL;
		}
	}
	vsn_graph_destroy(&g);
	return rc;
}

/* ---- model --------------------------------------------------------------------- */

void vsn_doc_free(struct vsn_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->node_count; i++) {
		free(doc->nodes[i].iri);
		free(doc->nodes[i].image);
		free(doc->nodes[i].backup_of);
	}
	for (size_t i = 0; i < doc->link_count; i++) {
		free(doc->links[i].iri);
		free(doc->links[i].source);
		free(doc->links[i].target);
	}
	for (size_t i = 0; i < doc->flow_count; i++) {
		free(doc->flows[i].iri);
		for (size_t k = 0; k < doc->flows[i].path_len; k++)
			free(doc->flows[i].path[k]);
		free(doc->flows[i].path);
	}
	for (size_t i = 0; i < doc->annotation_count; i++)
		free(doc->annotations[i]);
	free(doc->annotations);
	free(doc->nodes);
	free(doc->links);
	free(doc->flows);
	free(doc->iri);
	free(doc->label);
	free(doc);
}

const struct vsn_node *vsn_doc_node(const struct vsn_doc *doc, const char *iri)
{
	for (size_t i = 0; i < doc->node_count; i++)
		if (strcmp(doc->nodes[i].iri, iri) == 0)
			return &doc->nodes[i];
	return NULL;
}

const struct vsn_link *vsn_doc_link(const struct vsn_doc *doc, const char *iri)
{
	for (size_t i = 0; i < doc->link_count; i++)
		if (strcmp(doc->links[i].iri, iri) == 0)
			return &doc->links[i];
	return NULL;
}

static const struct vsn_flow *doc_flow(const struct vsn_doc *doc, const char *iri)
{
	for (size_t i = 0; i < doc->flow_count; i++)
		if (strcmp(doc->flows[i].iri, iri) == 0)
			return &doc->flows[i];
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool node_equal(const struct vsn_node *a, const struct vsn_node *b)
{
	/* jitter has a default: unset and 0 are the same statement. */
	unsigned mask = ~(unsigned)VSN_F_JITTER_MS;
	return a->type == b->type && (a->fields & mask) == (b->fields & mask) &&
	       a->vcpus == b->vcpus && a->memory_mib == b->memory_mib &&
	       a->period_ms == b->period_ms && a->jitter_ms == b->jitter_ms &&
	       a->wcet_ms == b->wcet_ms && a->bcet_ms == b->bcet_ms &&
	       a->deadline_ms == b->deadline_ms && a->availability == b->availability &&
	       str_eq(a->image, b->image) && str_eq(a->backup_of, b->backup_of) &&
	       a->disk_gib == b->disk_gib && a->iops == b->iops &&
	       a->throughput_mbps == b->throughput_mbps;
}

bool vsn_doc_equal(const struct vsn_doc *a, const struct vsn_doc *b)
{
	if (!str_eq(a->iri, b->iri) || !str_eq(a->label, b->label) || a->fields != b->fields ||
	    a->availability != b->availability || a->node_count != b->node_count ||
	    a->link_count != b->link_count || a->flow_count != b->flow_count)
		return false;
	for (size_t i = 0; i < a->node_count; i++) {
		const struct vsn_node *nb = vsn_doc_node(b, a->nodes[i].iri);
		if (!nb || !node_equal(&a->nodes[i], nb))
			return false;
	}
	for (size_t i = 0; i < a->link_count; i++) {
		const struct vsn_link *la = &a->links[i], *lb = vsn_doc_link(b, la->iri);
		if (!lb || !str_eq(la->source, lb->source) || !str_eq(la->target, lb->target) ||
		    la->bandwidth_mbps != lb->bandwidth_mbps ||
		    la->max_bandwidth_mbps != lb->max_bandwidth_mbps ||
		    la->latency_ms != lb->latency_ms || la->message_bytes != lb->message_bytes)
			return false;
	}
	for (size_t i = 0; i < a->flow_count; i++) {
		const struct vsn_flow *fa = &a->flows[i], *fb = doc_flow(b, fa->iri);
		if (!fb || fa->deadline_ms != fb->deadline_ms || fa->path_len != fb->path_len)
			return false;
		for (size_t k = 0; k < fa->path_len; k++)
			if (strcmp(fa->path[k], fb->path[k]) != 0)
				return false;
	}
	return true;
}
