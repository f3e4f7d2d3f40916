/*
 * validate.c - checks a VSN graph against the ontology, term by term: which vsn:
 * terms exist (with a "did you mean" for typos), what every property means once the
 * document's own rdfs:subPropertyOf / rdfs:subClassOf chains are followed, domains,
 * datatypes, units, numeric bounds, precision, single-valued properties, required
 * properties and order constraints (vsn:notGreaterThan). Every rule comes from the
 * ontology graph; nothing here names a property except through it.
 *
 * The structural rules (membership, paths, backups) and the building of the model
 * are in structure.c; both share struct vsn_validator (validate.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/validate.h"

#define MAX_HOPS 64

static void display(const struct vsn_validator *v, uint32_t id, struct kairos_buf *b)
{
	kairos_buf_reset(b);
	vsn_term_to_display(v->g, id, b);
}

void vsn_validator_problem(struct vsn_validator *v, uint32_t s, uint32_t p, uint32_t o,
			   const char *rule, int line, const char *fmt, ...)
{
	struct kairos_buf sb = {0}, pb = {0}, ob = {0}, mb = {0};
	va_list ap;
	display(v, s, &sb);
	display(v, p, &pb);
	display(v, o, &ob);
	va_start(ap, fmt);
	kairos_buf_vprintf(&mb, fmt, ap);
	va_end(ap);
	vsn_problem_add(v->problems, VSN_PROBLEM_SEMANTIC, kairos_buf_str(&sb), kairos_buf_str(&pb),
			kairos_buf_str(&ob), rule, line, 0, "%s", kairos_buf_str(&mb));
	kairos_buf_destroy(&sb);
	kairos_buf_destroy(&pb);
	kairos_buf_destroy(&ob);
	kairos_buf_destroy(&mb);
}

const char *vsn_validator_name(const struct vsn_validator *v, uint32_t id)
{
	/* Four rotating buffers: a message may name up to four terms. */
	static __thread char bufs[4][512];
	static __thread unsigned turn;
	char *buf = bufs[turn++ % 4];
	const struct vsn_term *t = &v->g->terms[id];
	size_t n = strlen(VSN_NS);
	if (t->kind == VSN_TERM_IRI && strncmp(t->value, VSN_NS, n) == 0)
		snprintf(buf, sizeof(bufs[0]), "vsn:%s", t->value + n);
	else if (t->kind == VSN_TERM_IRI)
		snprintf(buf, sizeof(bufs[0]), "<%s>", t->value);
	else if (t->kind == VSN_TERM_BLANK)
		snprintf(buf, sizeof(bufs[0]), "_:%s", t->value);
	else
		snprintf(buf, sizeof(bufs[0]), "\"%s\"", t->value);
	return buf;
}

static bool is_vsn_iri(const struct vsn_graph *g, uint32_t id)
{
	return id && g->terms[id].kind == VSN_TERM_IRI &&
	       strncmp(g->terms[id].value, VSN_NS, strlen(VSN_NS)) == 0;
}

/* ---- what terms mean --------------------------------------------------------- */

/*
 * The terms reachable from START through VIA (rdfs:subPropertyOf or rdfs:subClassOf)
 * in the document, START first, breadth first, each once, at most MAX_HOPS: the
 * document's own hierarchy. Returns how many were written to OUT.
 */
static size_t hierarchy_walk(const struct vsn_validator *v, uint32_t start, uint32_t via,
			     uint32_t out[MAX_HOPS])
{
	const struct vsn_graph *g = v->g;
	size_t head = 0, tail = 0;
	out[tail++] = start;
	while (head < tail) {
		uint32_t q = out[head++];
		if (q >= g->indexed_terms || !via)
			continue;
		for (uint32_t k = 0; k < g->subj_count[q] && tail < MAX_HOPS; k++) {
			const struct vsn_triple *t =
			    &g->triples[g->by_subject[g->subj_first[q] + k]];
			bool seen = t->p != via;
			for (size_t j = 0; j < tail && !seen; j++)
				seen = out[j] == t->o;
			if (!seen)
				out[tail++] = t->o;
		}
	}
	return tail;
}

/*
 * The ontology property a predicate stands for: itself if it is one, else the first
 * reached through the document's rdfs:subPropertyOf chains; -1 for none.
 */
static int predicate_meaning(struct vsn_validator *v, uint32_t p)
{
	uint32_t reach[MAX_HOPS];
	size_t n = hierarchy_walk(v, p, v->rdfs_subprop, reach);
	for (size_t i = 0; i < n; i++) {
		int prop = is_vsn_iri(v->g, reach[i])
			       ? vsn_onto_prop_find(v->o, v->g->terms[reach[i]].value)
			       : -1;
		if (prop >= 0)
			return prop;
	}
	return -1;
}

/*
 * The ontology classes (closure bits) a class term denotes through the document's
 * rdfs:subClassOf chains and then the ontology's own hierarchy.
 */
static uint32_t class_meaning(struct vsn_validator *v, uint32_t c)
{
	if (v->class_done[c])
		return v->class_bits[c];
	uint32_t reach[MAX_HOPS], bits = 0;
	size_t n = hierarchy_walk(v, c, v->rdfs_subclass, reach);
	for (size_t i = 0; i < n; i++) {
		int cls = is_vsn_iri(v->g, reach[i])
			      ? vsn_onto_class_find(v->o, v->g->terms[reach[i]].value)
			      : -1;
		if (cls >= 0)
			bits |= v->o->classes[cls].closure;
	}
	v->class_done[c] = 1;
	v->class_bits[c] = bits;
	return bits;
}

/* Reports every use of a vsn: IRI the ontology does not define. */
static void check_unknown_terms(struct vsn_validator *v)
{
	const struct vsn_graph *g = v->g;
	uint8_t *known = kairos_xcalloc(g->term_count, 1); /* 0 unchecked, 1 known, 2 unknown */
	for (size_t i = 0; i < g->triple_count; i++) {
		const struct vsn_triple *t = &g->triples[i];
		uint32_t ids[3] = {t->s, t->p, t->o};
		for (int k = 0; k < 3; k++) {
			uint32_t id = ids[k];
			if (!known[id])
				known[id] = !is_vsn_iri(g, id) ||
						    vsn_onto_term_known(v->o, g->terms[id].value +
										  strlen(VSN_NS))
						? 1
						: 2;
			if (known[id] != 2)
				continue;
			const char *local = g->terms[id].value + strlen(VSN_NS);
			const char *hint = vsn_onto_suggest(v->o, local);
			char rule[] = "known vsn: term";
			if (hint)
				vsn_validator_problem(v, t->s, t->p, id, rule, t->line,
						      "unknown term vsn:%s; did you mean vsn:%s?",
						      local, hint);
			else
				vsn_validator_problem(v, t->s, t->p, id, rule, t->line,
						      "unknown term vsn:%s: the vocabulary has no "
						      "such class or property",
						      local);
		}
	}
	free(known);
}

/* ---- literal values ---------------------------------------------------------- */

static bool xsd_is(const struct vsn_graph *g, uint32_t dt, const char *local)
{
	return dt && strncmp(g->terms[dt].value, VSN_XSD_NS, strlen(VSN_XSD_NS)) == 0 &&
	       strcmp(g->terms[dt].value + strlen(VSN_XSD_NS), local) == 0;
}

static bool xsd_is_integer_type(const struct vsn_graph *g, uint32_t dt)
{
	static const char *ints[] = {
	    "integer",	       "int",	      "long",	     "short", "nonNegativeInteger",
	    "positiveInteger", "unsignedInt", "unsignedLong"};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (xsd_is(g, dt, ints[i]))
			return true;
	return false;
}

/* "25 ms", "0.5s", "100Mbps": a number followed by a unit. */
static bool looks_like_number_with_unit(const char *s)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	size_t digits = 0;
	while ((*p >= '0' && *p <= '9') || *p == '.') {
		digits += *p != '.';
		p++;
	}
	while (*p == ' ')
		p++;
	return digits > 0 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '%');
}

static void fmt_bound(char *buf, size_t size, double x)
{
	vsn_decimal_format(x, buf, size);
}

/*
 * Checks the object O of a numeric property PROP (triple T) and parses it.
 * Returns true with *value when it is valid; otherwise records why and returns false.
 */
static bool check_number(struct vsn_validator *v, const struct vsn_triple *t, int prop,
			 double *value)
{
	const struct vsn_onto_prop *op = &v->o->props[prop];
	const struct vsn_graph *g = v->g;
	const struct vsn_term *lit = &g->terms[t->o];
	bool want_int = op->range == VSN_RANGE_INTEGER;
	const char *unit = op->unit ? op->unit : "1";
	char rule[128];
	int fd;

	snprintf(rule, sizeof(rule), "datatype %s", op->range_text);
	if (lit->kind != VSN_TERM_LITERAL) {
		vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
				      "vsn:%s takes a literal %s, not the resource %s", op->local,
				      op->range_text, vsn_validator_name(v, t->o));
		return false;
	}
	uint32_t dt = lit->datatype;
	bool is_plain = !dt || xsd_is(g, dt, "string");
	if (is_plain) {
		double x;
		if (looks_like_number_with_unit(lit->value)) {
			snprintf(rule, sizeof(rule), "unit %s", unit);
			vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
					      "vsn:%s is a bare %s in %s; found the text \"%s\"",
					      op->local, op->range_text, unit, lit->value);
		} else if (vsn_decimal_parse(lit->value, &x, &fd, false)) {
			vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
					      "vsn:%s takes an %s; \"%s\" is a string (write the "
					      "number without quotes)",
					      op->local, op->range_text, lit->value);
		} else {
			vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
					      "vsn:%s takes an %s in %s; found the text \"%s\"",
					      op->local, op->range_text, unit, lit->value);
		}
		return false;
	}
	bool dt_ok = xsd_is_integer_type(g, dt) || (!want_int && xsd_is(g, dt, "decimal"));
	if (!dt_ok) {
		const char *dts = g->terms[dt].value;
		if (strncmp(dts, VSN_XSD_NS, strlen(VSN_XSD_NS)) != 0) {
			/* A datatype outside XSD is a unit (QUDT, UCUM, ...). */
			snprintf(rule, sizeof(rule), "unit %s", unit);
			vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
					      "vsn:%s is a bare %s in %s; found a value typed <%s>",
					      op->local, op->range_text, unit, dts);
		} else {
			vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
					      "vsn:%s takes an %s%s; found xsd:%s", op->local,
					      op->range_text,
					      want_int ? " (a whole number)" : " (exact decimal)",
					      dts + strlen(VSN_XSD_NS));
		}
		return false;
	}
	if (!vsn_decimal_parse(lit->value, value, &fd, want_int)) {
		vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
				      "\"%s\" is not a valid %s", lit->value, op->range_text);
		return false;
	}
	if (fabs(*value) > VSN_MAX_MAGNITUDE) {
		vsn_validator_problem(v, t->s, t->p, t->o, "magnitude <= 1e12", t->line,
				      "vsn:%s is %s; Kairos accepts magnitudes up to 1e12",
				      op->local, lit->value);
		return false;
	}
	if (op->fraction_digits >= 0 && fd > op->fraction_digits) {
		snprintf(rule, sizeof(rule), "at most %d fraction digits", op->fraction_digits);
		vsn_validator_problem(
		    v, t->s, t->p, t->o, rule, t->line,
		    "vsn:%s is %s: Kairos stores at most %d digits after the point "
		    "(round it yourself; it is never rounded silently)",
		    op->local, lit->value, op->fraction_digits);
		return false;
	}
	char bound[64];
	bool ok = true;
	if (op->has_min_incl && *value < op->min_incl) {
		fmt_bound(bound, sizeof(bound), op->min_incl);
		snprintf(rule, sizeof(rule), "%s >= %s", op->local, bound);
		ok = false;
	} else if (op->has_min_excl && *value <= op->min_excl) {
		fmt_bound(bound, sizeof(bound), op->min_excl);
		snprintf(rule, sizeof(rule), "%s > %s", op->local, bound);
		ok = false;
	} else if (op->has_max_excl && *value >= op->max_excl) {
		fmt_bound(bound, sizeof(bound), op->max_excl);
		snprintf(rule, sizeof(rule), "%s < %s", op->local, bound);
		ok = false;
	}
	if (!ok) {
		vsn_validator_problem(v, t->s, t->p, t->o, rule, t->line,
				      "vsn:%s is %s%s%s, out of range: the rule is %s", op->local,
				      lit->value, op->unit && strcmp(op->unit, "1") ? " " : "",
				      op->unit && strcmp(op->unit, "1") ? op->unit : "", rule);
		return false;
	}
	return true;
}

/* ---- per subject ---------------------------------------------------------------- */

/*
 * Reads the vsn: values of subject S into *sv. With REPORT, also records every domain,
 * datatype, bound, single-value, required and order problem of S.
 */
void vsn_validator_subject(struct vsn_validator *v, uint32_t s, struct vsn_subject *sv, bool report)
{
	const struct vsn_graph *g = v->g;
	uint32_t mask = v->type_mask[s];
	memset(sv, 0, sizeof(*sv));
	for (uint32_t k = 0; k < g->subj_count[s]; k++) {
		uint32_t ti = g->by_subject[g->subj_first[s] + k];
		const struct vsn_triple *t = &g->triples[ti];
		int prop = v->prop_of[t->p];
		if (prop < 0)
			continue;
		const struct vsn_onto_prop *op = &v->o->props[prop];
		v->consumed[ti] = 1;
		if (!sv->first_line)
			sv->first_line = t->line;
		uint64_t bit = 1ull << prop;
		if ((sv->seen & bit) && op->is_functional) {
			if (report)
				vsn_validator_problem(v, s, t->p, t->o, "single value", t->line,
						      "%s has more than one vsn:%s",
						      vsn_validator_name(v, s), op->local);
			continue;
		}
		bool first = !(sv->seen & bit);
		sv->seen |= bit;
		if (first) {
			sv->obj[prop] = t->o;
			sv->line[prop] = t->line;
		}
		/* A subject whose only types are unknown (a typo, reported as such) or the
		 * abstract vsn:Node gets one problem about its type, not one per property. */
		bool is_type_unclear = v->has_unknown_type[s] || mask == v->o->bit_node;
		if (report && !(mask & op->domain_bits) && !is_type_unclear)
			vsn_validator_problem(v, s, t->p, t->o, "domain", t->line,
					      "vsn:%s applies to %s; %s is not one", op->local,
					      op->domain_text, vsn_validator_name(v, s));
		switch (op->range) {
		case VSN_RANGE_DECIMAL:
		case VSN_RANGE_INTEGER:
			if (!report) {
				int fd;
				sv->is_valid[prop] = vsn_decimal_parse(g->terms[t->o].value,
								       &sv->num[prop], &fd, false);
			} else {
				sv->is_valid[prop] = check_number(v, t, prop, &sv->num[prop]);
			}
			break;
		case VSN_RANGE_STRING:
			sv->is_valid[prop] = g->terms[t->o].kind == VSN_TERM_LITERAL;
			if (report && !sv->is_valid[prop])
				vsn_validator_problem(v, s, t->p, t->o, "datatype xsd:string",
						      t->line, "vsn:%s takes a string literal",
						      op->local);
			break;
		case VSN_RANGE_CLASS:
		case VSN_RANGE_LIST:
			sv->is_valid[prop] = g->terms[t->o].kind != VSN_TERM_LITERAL;
			if (report && !sv->is_valid[prop])
				vsn_validator_problem(
				    v, s, t->p, t->o, "range", t->line,
				    "vsn:%s takes a resource (%s), not the literal \"%s\"",
				    op->local, op->range_text, g->terms[t->o].value);
			break;
		}
	}
	if (!report)
		return;
	/* Required properties of every ontology class the subject belongs to. */
	for (size_t c = 0; c < v->o->class_count; c++) {
		const struct vsn_onto_class *oc = &v->o->classes[c];
		if (!(mask & oc->self_bit))
			continue;
		for (size_t r = 0; r < oc->required_count; r++) {
			uint32_t prop = oc->required[r];
			if (sv->seen & (1ull << prop))
				continue;
			const struct vsn_onto_prop *op = &v->o->props[prop];
			struct kairos_buf sb = {0};
			vsn_term_to_display(g, s, &sb);
			vsn_problem_add(v->problems, VSN_PROBLEM_SEMANTIC, kairos_buf_str(&sb),
					op->iri, NULL, "required", v->subject_line[s], 0,
					"%s is a vsn:%s and has no vsn:%s (required)",
					vsn_validator_name(v, s), oc->local, op->local);
			kairos_buf_destroy(&sb);
		}
	}
	/* Order constraints: vsn:notGreaterThan. */
	for (size_t prop = 0; prop < v->o->prop_count; prop++) {
		const struct vsn_onto_prop *op = &v->o->props[prop];
		int q = op->not_greater_than;
		if (q < 0 || !sv->is_valid[prop] || !sv->is_valid[q])
			continue;
		if (sv->num[prop] <= sv->num[q])
			continue;
		char rule[128];
		const struct vsn_onto_prop *oq = &v->o->props[q];
		snprintf(rule, sizeof(rule), "%s <= %s", op->local, oq->local);
		uint32_t pid = vsn_graph_find_iri(g, op->iri);
		/* Report on the property as written (a subproperty keeps its own IRI). */
		vsn_validator_problem(v, s, pid ? pid : v->prop_term[prop], sv->obj[prop], rule,
				      sv->line[prop], "vsn:%s (%s) is greater than vsn:%s (%s)",
				      op->local, g->terms[sv->obj[prop]].value, oq->local,
				      g->terms[sv->obj[q]].value);
	}
}

/* ---- entry ------------------------------------------------------------------- */

static uint32_t well_known(const struct vsn_graph *g, const char *ns, const char *local)
{
	char iri[256];
	snprintf(iri, sizeof(iri), "%s%s", ns, local);
	return vsn_graph_find_iri(g, iri);
}

int vsn_graph_validate(const struct vsn_graph *g, const struct vsn_limits *limits,
		       struct vsn_doc **doc_out, struct vsn_problems *problems)
{
	struct vsn_validator v = {.g = g, .limits = limits, .problems = problems};
	size_t before = problems->count;
	int rc;

	*doc_out = NULL;
	v.o = vsn_ontology_get();
	if (!v.o)
		return -KAIROS_EINTERNAL;
	v.rdf_type = well_known(g, VSN_RDF_NS, "type");
	v.rdf_first = well_known(g, VSN_RDF_NS, "first");
	v.rdf_rest = well_known(g, VSN_RDF_NS, "rest");
	v.rdf_nil = well_known(g, VSN_RDF_NS, "nil");
	v.rdfs_label = well_known(g, VSN_RDFS_NS, "label");
	v.rdfs_subclass = well_known(g, VSN_RDFS_NS, "subClassOf");
	v.rdfs_subprop = well_known(g, VSN_RDFS_NS, "subPropertyOf");
	v.prop_of = kairos_xmalloc(g->term_count * sizeof(int));
	v.class_bits = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	v.class_done = kairos_xcalloc(g->term_count, 1);
	v.type_mask = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	v.subject_line = kairos_xcalloc(g->term_count, sizeof(int));
	v.has_unknown_type = kairos_xcalloc(g->term_count, 1);
	v.consumed = kairos_xcalloc(g->triple_count + 1, 1);
	v.prop_term = kairos_xcalloc(v.o->prop_count, sizeof(uint32_t));
	for (size_t i = 0; i < v.o->prop_count; i++)
		v.prop_term[i] = vsn_graph_find_iri(g, v.o->props[i].iri);

	/* What every predicate means, and every subject's types. */
	uint8_t *pred_done = kairos_xcalloc(g->term_count, 1);
	for (size_t i = 0; i < g->triple_count; i++) {
		const struct vsn_triple *t = &g->triples[i];
		if (!pred_done[t->p]) {
			v.prop_of[t->p] = predicate_meaning(&v, t->p);
			pred_done[t->p] = 1;
		}
		if (!v.subject_line[t->s])
			v.subject_line[t->s] = t->line;
		if (t->p == v.rdf_type && t->p) {
			uint32_t bits = class_meaning(&v, t->o);
			v.type_mask[t->s] |= bits;
			if (is_vsn_iri(g, t->o)) {
				v.consumed[i] = 1;
				if (!bits)
					v.has_unknown_type[t->s] = 1;
			}
		}
	}
	free(pred_done);

	check_unknown_terms(&v);
	struct vsn_subject sv;
	for (uint32_t s = 1; s < g->term_count; s++)
		if (g->subj_count[s])
			vsn_validator_subject(&v, s, &sv, true);
	vsn_structure_check(&v);

	rc = problems->count > before ? -KAIROS_EINVAL : 0;
	if (rc == 0)
		*doc_out = vsn_structure_build(&v);
	free(v.prop_of);
	free(v.class_bits);
	free(v.class_done);
	free(v.type_mask);
	free(v.subject_line);
	free(v.has_unknown_type);
	free(v.consumed);
	free(v.prop_term);
	free(v.vsn_members);
	free(v.nodes);
	free(v.links);
	free(v.flows);
	free(v.link_source);
	free(v.link_target);
	return rc;
}
