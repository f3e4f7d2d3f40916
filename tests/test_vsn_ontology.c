/*
 * test_vsn_ontology.c - the embedded ontology (vsn/ontology/vsn.ttl) covers every
 * class and property of SPEC section 2, each with rdfs:domain, rdfs:range, a unit
 * for numbers and a one-line rdfs:comment; and validation follows it (a term it
 * defines is accepted, one it lacks is not).
 */
#include <criterion/criterion.h>
#include <raptor2.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/vsn.h"

#define RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define OWL "http://www.w3.org/2002/07/owl#"

struct triple {
	char *s, *p, *o;
};

struct graph {
	struct triple *t;
	size_t n;
};

static char *term_text(raptor_term *t)
{
	if (t->type == RAPTOR_TERM_TYPE_URI)
		return strdup((const char *)raptor_uri_as_string(t->value.uri));
	if (t->type == RAPTOR_TERM_TYPE_BLANK)
		return strdup((const char *)t->value.blank.string);
	return strdup((const char *)t->value.literal.string);
}

static void on_statement(void *data, raptor_statement *st)
{
	struct graph *g = data;
	g->t = realloc(g->t, (g->n + 1) * sizeof(*g->t));
	g->t[g->n++] = (struct triple){term_text(st->subject), term_text(st->predicate),
				       term_text(st->object)};
}

/* The object of (s, p) or NULL; the number of such triples in *count. */
static const char *object(const struct graph *g, const char *s, const char *p, size_t *count)
{
	const char *o = NULL;
	*count = 0;
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->t[i].s, s) == 0 && strcmp(g->t[i].p, p) == 0) {
			o = o ? o : g->t[i].o;
			(*count)++;
		}
	return o;
}

static struct graph *load(void)
{
	static struct graph g;
	if (g.n)
		return &g;
	size_t len;
	const char *text = vsn_ontology_text(&len);
	raptor_world *w = raptor_new_world();
	raptor_parser *p = raptor_new_parser(w, "turtle");
	raptor_uri *base = raptor_new_uri(w, (const unsigned char *)VSN_NS);
	raptor_parser_set_statement_handler(p, &g, on_statement);
	cr_assert_eq(raptor_parser_parse_start(p, base), 0);
	cr_assert_eq(raptor_parser_parse_chunk(p, (const unsigned char *)text, len, 1), 0);
	raptor_free_uri(base);
	raptor_free_parser(p);
	raptor_free_world(w);
	cr_assert_gt(g.n, 150);
	return &g;
}

Test(vsn_ontology, every_spec_term_is_declared_with_domain_range_unit_and_comment)
{
	const struct graph *g = load();
	const char *classes[] = {"VirtualServiceNetwork", "Node",	 "ComputeNode",
				 "StorageNode",		  "NetworkLink", "Flow"};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		char iri[128];
		size_t n;
		snprintf(iri, sizeof(iri), VSN_NS "%s", classes[i]);
		cr_assert_str_eq(object(g, iri, RDF "type", &n), OWL "Class", "%s", iri);
		const char *comment = object(g, iri, RDFS "comment", &n);
		cr_assert(comment && n == 1 && !strchr(comment, '\n'), "%s: one one-line comment",
			  iri);
	}
	size_t n;
	cr_assert_str_eq(object(g, VSN_NS "ComputeNode", RDFS "subClassOf", &n), VSN_NS "Node");
	cr_assert_str_eq(object(g, VSN_NS "StorageNode", RDFS "subClassOf", &n), VSN_NS "Node");

	/* SPEC section 2, every property, with its unit ("" for none). */
	const struct {
		const char *name, *unit;
	} props[] = {
	    {"hasNode", ""},
	    {"hasLink", ""},
	    {"hasFlow", ""},
	    {"availability", "1"},
	    {"vcpus", "vCPU"},
	    {"memoryMiB", "MiB"},
	    {"periodMs", "ms"},
	    {"jitterMs", "ms"},
	    {"wcetMs", "ms"},
	    {"bcetMs", "ms"},
	    {"deadlineMs", "ms"},
	    {"image", ""},
	    {"backupOf", ""},
	    {"diskGiB", "GiB"},
	    {"iops", "IO/s"},
	    {"throughputMBps", "MB/s"},
	    {"source", ""},
	    {"target", ""},
	    {"bandwidthMbps", "Mbit/s"},
	    {"maxBandwidthMbps", "Mbit/s"},
	    {"latencyMs", "ms"},
	    {"messageBytes", "byte"},
	    {"path", ""},
	};
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		char iri[128];
		snprintf(iri, sizeof(iri), VSN_NS "%s", props[i].name);
		cr_assert_not_null(object(g, iri, RDFS "domain", &n), "%s has no rdfs:domain", iri);
		cr_assert_eq(n, 1, "%s", iri);
		const char *range = object(g, iri, RDFS "range", &n);
		cr_assert_not_null(range, "%s has no rdfs:range", iri);
		const char *comment = object(g, iri, RDFS "comment", &n);
		cr_assert(comment && n == 1 && !strchr(comment, '\n'), "%s: one one-line comment",
			  iri);
		const char *unit = object(g, iri, VSN_NS "unit", &n);
		if (*props[i].unit)
			cr_assert(unit && strcmp(unit, props[i].unit) == 0, "%s unit %s", iri,
				  unit ? unit : "(none)");
		else
			cr_assert_null(unit, "%s has a unit", iri);
		if (strstr(props[i].name, "Ms"))
			cr_assert_str_eq(range, "http://www.w3.org/2001/XMLSchema#decimal", "%s",
					 iri);
	}
}

/* The validator reads required-ness from the ontology: every required property of a
 * compute node, removed in turn, gives exactly one "required" problem naming it. */
Test(vsn_ontology, required_properties_follow_the_ontology)
{
	const struct graph *g = load();
	size_t checked = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (strcmp(g->t[i].s, VSN_NS "ComputeNode") ||
		    strcmp(g->t[i].p, VSN_NS "requiredProperty"))
			continue;
		const char *local = g->t[i].o + strlen(VSN_NS);
		const char *all[] = {"vcpus 1",	 "memoryMiB 64", "periodMs 10",
				     "wcetMs 1", "bcetMs 1",	 "deadlineMs 10"};
		char doc[2048];
		int at = snprintf(doc, sizeof(doc),
				  "@prefix vsn: <" VSN_NS "> .\n<v> a vsn:VirtualServiceNetwork ; "
				  "vsn:hasNode <n> .\n<n> a vsn:ComputeNode");
		for (size_t k = 0; k < 6; k++)
			if (strncmp(all[k], local, strlen(local)) || all[k][strlen(local)] != ' ')
				at += snprintf(doc + at, sizeof(doc) - (size_t)at, " ; vsn:%s",
					       all[k]);
		snprintf(doc + at, sizeof(doc) - (size_t)at, " .\n");
		struct vsn_problems problems;
		struct vsn_doc *d = NULL;
		vsn_problems_init(&problems);
		cr_assert_eq(vsn_parse(doc, strlen(doc), VSN_SYNTAX_TURTLE, "https://t.example/",
				       NULL, &d, &problems),
			     -KAIROS_EINVAL, "%s", doc);
		cr_assert_eq(problems.count, 1, "%s", doc);
		cr_assert_str_eq(problems.items[0].rule, "required");
		cr_assert_str_eq(problems.items[0].property, g->t[i].o);
		cr_assert_str_eq(problems.items[0].subject, "https://t.example/n");
		vsn_problems_destroy(&problems);
		checked++;
	}
	cr_assert_eq(checked, 6);
}
