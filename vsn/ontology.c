/*
 * ontology.c - the VSN vocabulary as validation sees it. vsn/ontology/vsn.ttl is
 * assembled into the library (.incbin below, so every build of libvsn - the normal,
 * the sanitizer and the fuzzer ones - carries it and nothing is looked up on disk)
 * and parsed with raptor2 once per process, under pthread_once. From its graph this
 * file derives the classes and their superclass closure, and for every property its
 * domain, range, datatype, unit, bounds, precision, default and order constraint.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "vsn/internal.h"

/* The ontology text, NUL-terminated. mk/vsn.mk makes this object depend on vsn.ttl. */
__asm__(".section .rodata\n"
	".balign 16\n"
	".hidden vsn_ontology_ttl_start\n"
	".globl vsn_ontology_ttl_start\n"
	"vsn_ontology_ttl_start:\n"
	".incbin \"vsn/ontology/vsn.ttl\"\n"
	".hidden vsn_ontology_ttl_end\n"
	".globl vsn_ontology_ttl_end\n"
	"vsn_ontology_ttl_end:\n"
	".byte 0\n"
	".previous\n");
extern const char vsn_ontology_ttl_start[];
extern const char vsn_ontology_ttl_end[];

const char *vsn_ontology_text(size_t *len_out)
{
	if (len_out)
		*len_out = (size_t)(vsn_ontology_ttl_end - vsn_ontology_ttl_start);
	return vsn_ontology_ttl_start;
}

static struct vsn_ontology onto;
static bool onto_ok;
static pthread_once_t onto_once = PTHREAD_ONCE_INIT;

static const char *local_name(const char *iri)
{
	return iri + strlen(VSN_NS);
}

static bool is_vsn_iri(const struct vsn_graph *g, uint32_t id)
{
	return id && g->terms[id].kind == VSN_TERM_IRI &&
	       strncmp(g->terms[id].value, VSN_NS, strlen(VSN_NS)) == 0;
}

int vsn_onto_class_find(const struct vsn_ontology *o, const char *iri)
{
	for (size_t i = 0; i < o->class_count; i++)
		if (strcmp(o->classes[i].iri, iri) == 0)
			return (int)i;
	return -1;
}

int vsn_onto_prop_find(const struct vsn_ontology *o, const char *iri)
{
	for (size_t i = 0; i < o->prop_count; i++)
		if (strcmp(o->props[i].iri, iri) == 0)
			return (int)i;
	return -1;
}

int vsn_onto_prop_local(const struct vsn_ontology *o, const char *local)
{
	for (size_t i = 0; i < o->prop_count; i++)
		if (strcmp(o->props[i].local, local) == 0)
			return (int)i;
	abort(); /* the C code names a property the ontology lacks */
}

bool vsn_onto_term_known(const struct vsn_ontology *o, const char *local)
{
	for (size_t i = 0; i < o->term_count; i++)
		if (strcmp(o->terms[i], local) == 0)
			return true;
	return false;
}

static int tolower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Levenshtein distance, case-insensitive, on short strings (longer ones are cut). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63)
		la = 63;
	if (lb > 63)
		lb = 63;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower_ascii(a[i - 1]) == tolower_ascii(b[j - 1]) ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *vsn_onto_suggest(const struct vsn_ontology *o, const char *local)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t len = strlen(local);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	for (size_t i = 0; i < o->term_count; i++) {
		size_t d = edit_distance(local, o->terms[i]);
		if (d < best_d) {
			best_d = d;
			best = o->terms[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/* ---- building the ontology from its graph ---------------------------------------- */

struct onto_iris {
	uint32_t rdf_type, rdf_first, rdf_rest, rdf_nil, rdf_list;
	uint32_t owl_class, owl_object, owl_datatype, owl_functional, owl_union;
	uint32_t domain, range, subclass;
	uint32_t required, unit, min_incl, min_excl, max_excl, frac, dflt, ngt;
	uint32_t xsd_decimal, xsd_integer, xsd_string;
};

static uint32_t find(struct vsn_graph *g, const char *ns, const char *local)
{
	char iri[256];
	snprintf(iri, sizeof(iri), "%s%s", ns, local);
	return vsn_graph_iri(g, iri, strlen(iri));
}

static bool has_type(const struct vsn_graph *g, uint32_t s, uint32_t type_pred, uint32_t type)
{
	for (uint32_t k = 0; k < g->subj_count[s]; k++) {
		const struct vsn_triple *t = &g->triples[g->by_subject[g->subj_first[s] + k]];
		if (t->p == type_pred && t->o == type)
			return true;
	}
	return false;
}

static bool literal_number(const struct vsn_graph *g, uint32_t id, double *v)
{
	int fd;
	return id && g->terms[id].kind == VSN_TERM_LITERAL &&
	       vsn_decimal_parse(g->terms[id].value, v, &fd, false);
}

static void add_class_text(const struct vsn_graph *g, uint32_t cls, struct kairos_buf *b)
{
	if (b->len)
		kairos_buf_puts(b, " or ");
	if (is_vsn_iri(g, cls))
		kairos_buf_printf(b, "vsn:%s", local_name(g->terms[cls].value));
	else
		kairos_buf_puts(b, g->terms[cls].value);
}

/* Domain: a class IRI or a blank owl:unionOf list of class IRIs. */
static void read_domain(struct vsn_graph *g, const struct onto_iris *k, uint32_t dom,
			struct vsn_onto_prop *p)
{
	struct kairos_buf text = {0};
	uint32_t members[VSN_ONTO_MAX_CLASSES];
	size_t n = 0;
	if (g->terms[dom].kind == VSN_TERM_IRI) {
		members[n++] = dom;
	} else {
		uint32_t list = vsn_graph_object(g, dom, k->owl_union);
		while (list && list != k->rdf_nil && n < VSN_ONTO_MAX_CLASSES) {
			members[n++] = vsn_graph_object(g, list, k->rdf_first);
			list = vsn_graph_object(g, list, k->rdf_rest);
		}
	}
	for (size_t i = 0; i < n; i++) {
		int c = members[i] ? vsn_onto_class_find(&onto, g->terms[members[i]].value) : -1;
		if (c >= 0) {
			p->domain_bits |= onto.classes[c].self_bit;
			add_class_text(g, members[i], &text);
		}
	}
	free(p->domain_text);
	p->domain_text = kairos_buf_steal(&text);
}

static int ontology_build(struct vsn_graph *g)
{
	struct onto_iris k = {
	    .rdf_type = find(g, VSN_RDF_NS, "type"),
	    .rdf_first = find(g, VSN_RDF_NS, "first"),
	    .rdf_rest = find(g, VSN_RDF_NS, "rest"),
	    .rdf_nil = find(g, VSN_RDF_NS, "nil"),
	    .rdf_list = find(g, VSN_RDF_NS, "List"),
	    .owl_class = find(g, VSN_OWL_NS, "Class"),
	    .owl_object = find(g, VSN_OWL_NS, "ObjectProperty"),
	    .owl_datatype = find(g, VSN_OWL_NS, "DatatypeProperty"),
	    .owl_functional = find(g, VSN_OWL_NS, "FunctionalProperty"),
	    .owl_union = find(g, VSN_OWL_NS, "unionOf"),
	    .domain = find(g, VSN_RDFS_NS, "domain"),
	    .range = find(g, VSN_RDFS_NS, "range"),
	    .subclass = find(g, VSN_RDFS_NS, "subClassOf"),
	    .required = find(g, VSN_NS, "requiredProperty"),
	    .unit = find(g, VSN_NS, "unit"),
	    .min_incl = find(g, VSN_NS, "minInclusive"),
	    .min_excl = find(g, VSN_NS, "minExclusive"),
	    .max_excl = find(g, VSN_NS, "maxExclusive"),
	    .frac = find(g, VSN_NS, "fractionDigits"),
	    .dflt = find(g, VSN_NS, "defaultValue"),
	    .ngt = find(g, VSN_NS, "notGreaterThan"),
	    .xsd_decimal = find(g, VSN_XSD_NS, "decimal"),
	    .xsd_integer = find(g, VSN_XSD_NS, "integer"),
	    .xsd_string = find(g, VSN_XSD_NS, "string"),
	};
	vsn_graph_index(g);

	/* Every vsn: subject is a term; classes and properties get their records. */
	onto.terms = kairos_xcalloc(g->term_count, sizeof(char *));
	onto.props = kairos_xcalloc(g->term_count, sizeof(*onto.props));
	for (uint32_t s = 1; s < g->term_count; s++) {
		if (!is_vsn_iri(g, s) || g->subj_count[s] == 0)
			continue;
		const char *iri = g->terms[s].value;
		onto.terms[onto.term_count++] = kairos_xstrdup(local_name(iri));
		if (has_type(g, s, k.rdf_type, k.owl_class)) {
			if (onto.class_count == VSN_ONTO_MAX_CLASSES)
				return -1;
			struct vsn_onto_class *c = &onto.classes[onto.class_count];
			c->iri = kairos_xstrdup(iri);
			c->local = local_name(c->iri);
			c->self_bit = 1u << onto.class_count;
			c->closure = c->self_bit;
			onto.class_count++;
		} else if (has_type(g, s, k.rdf_type, k.owl_object) ||
			   has_type(g, s, k.rdf_type, k.owl_datatype)) {
			struct vsn_onto_prop *p = &onto.props[onto.prop_count++];
			p->iri = kairos_xstrdup(iri);
			p->local = local_name(p->iri);
			p->is_functional = has_type(g, s, k.rdf_type, k.owl_functional);
		}
	}
	/* Superclass closure: iterate to a fixpoint (the hierarchy is tiny). */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < onto.class_count; i++) {
			uint32_t s = vsn_graph_find_iri(g, onto.classes[i].iri);
			for (uint32_t j = 0; j < g->subj_count[s]; j++) {
				const struct vsn_triple *t =
				    &g->triples[g->by_subject[g->subj_first[s] + j]];
				if (t->p != k.subclass)
					continue;
				int sup = vsn_onto_class_find(&onto, g->terms[t->o].value);
				if (sup < 0)
					continue;
				uint32_t c = onto.classes[i].closure | onto.classes[sup].closure;
				if (c != onto.classes[i].closure) {
					onto.classes[i].closure = c;
					changed = true;
				}
			}
		}
	}
	for (size_t i = 0; i < onto.prop_count; i++) {
		struct vsn_onto_prop *p = &onto.props[i];
		uint32_t s = vsn_graph_find_iri(g, p->iri);
		uint32_t dom = vsn_graph_object(g, s, k.domain);
		uint32_t rng = vsn_graph_object(g, s, k.range);
		double v;
		if (!dom || !rng)
			return -1;
		read_domain(g, &k, dom, p);
		p->not_greater_than = -1;
		p->fraction_digits = -1;
		if (rng == k.xsd_decimal) {
			p->range = VSN_RANGE_DECIMAL;
			p->range_text = kairos_xstrdup("xsd:decimal");
		} else if (rng == k.xsd_integer) {
			p->range = VSN_RANGE_INTEGER;
			p->range_text = kairos_xstrdup("xsd:integer");
		} else if (rng == k.xsd_string) {
			p->range = VSN_RANGE_STRING;
			p->range_text = kairos_xstrdup("xsd:string");
		} else if (rng == k.rdf_list) {
			p->range = VSN_RANGE_LIST;
			p->range_text = kairos_xstrdup("rdf:List");
		} else {
			int c = vsn_onto_class_find(&onto, g->terms[rng].value);
			if (c < 0)
				return -1;
			p->range = VSN_RANGE_CLASS;
			p->range_bits = onto.classes[c].self_bit;
			struct kairos_buf b = {0};
			kairos_buf_printf(&b, "vsn:%s", onto.classes[c].local);
			p->range_text = kairos_buf_steal(&b);
		}
		uint32_t u = vsn_graph_object(g, s, k.unit);
		p->unit = u ? kairos_xstrdup(g->terms[u].value) : NULL;
		if ((p->has_min_incl = literal_number(g, vsn_graph_object(g, s, k.min_incl), &v)))
			p->min_incl = v;
		if ((p->has_min_excl = literal_number(g, vsn_graph_object(g, s, k.min_excl), &v)))
			p->min_excl = v;
		if ((p->has_max_excl = literal_number(g, vsn_graph_object(g, s, k.max_excl), &v)))
			p->max_excl = v;
		if (literal_number(g, vsn_graph_object(g, s, k.frac), &v))
			p->fraction_digits = (int)v;
		if ((p->has_default = literal_number(g, vsn_graph_object(g, s, k.dflt), &v)))
			p->default_value = v;
		uint32_t ngt = vsn_graph_object(g, s, k.ngt);
		if (ngt)
			p->not_greater_than = vsn_onto_prop_find(&onto, g->terms[ngt].value);
	}
	for (size_t i = 0; i < onto.class_count; i++) {
		struct vsn_onto_class *c = &onto.classes[i];
		uint32_t s = vsn_graph_find_iri(g, c->iri);
		for (uint32_t j = 0; j < g->subj_count[s]; j++) {
			const struct vsn_triple *t =
			    &g->triples[g->by_subject[g->subj_first[s] + j]];
			if (t->p != k.required)
				continue;
			int p = vsn_onto_prop_find(&onto, g->terms[t->o].value);
			if (p < 0 || c->required_count == 32)
				return -1;
			c->required[c->required_count++] = (uint32_t)p;
		}
	}
	const char *need[] = {"VirtualServiceNetwork", "Node",	      "ComputeNode",
			      "StorageNode",	       "NetworkLink", "Flow"};
	uint32_t *bits[] = {&onto.bit_vsn,     &onto.bit_node, &onto.bit_compute,
			    &onto.bit_storage, &onto.bit_link, &onto.bit_flow};
	for (size_t i = 0; i < 6; i++) {
		char iri[128];
		snprintf(iri, sizeof(iri), "%s%s", VSN_NS, need[i]);
		int c = vsn_onto_class_find(&onto, iri);
		if (c < 0)
			return -1;
		*bits[i] = onto.classes[c].self_bit;
	}
	return 0;
}

static void ontology_load(void)
{
	struct vsn_graph g;
	struct vsn_problems problems;
	struct vsn_limits limits;
	size_t len;
	const char *text = vsn_ontology_text(&len);

	vsn_rdf_global_init();
	vsn_limits_default(&limits);
	vsn_problems_init(&problems);
	vsn_graph_init(&g);
	onto_ok = vsn_rdf_read(text, len, VSN_SYNTAX_TURTLE, VSN_NS, &limits, &g, &problems) == 0 &&
		  ontology_build(&g) == 0;
	vsn_graph_destroy(&g);
	vsn_problems_destroy(&problems);
}

const struct vsn_ontology *vsn_ontology_get(void)
{
	pthread_once(&onto_once, ontology_load);
	return onto_ok ? &onto : NULL;
}
