/*
 * internal.h - what the files of vsn/ share and nobody else sees: the RDF graph every
 * reader fills (interned terms + triples), the parsed ontology that drives validation,
 * decimal helpers and the problem-recording helpers.
 *
 * Pipeline: reader (rdf_read.c / json_read.c) -> struct vsn_graph -> validate.c
 * (terms, datatypes, required-ness, order constraints) + structure.c (membership,
 * paths, backups) -> struct vsn_doc.
 */
#ifndef KAIROS_VSN_INTERNAL_H
#define KAIROS_VSN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsn/vsn.h"

#define VSN_RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define VSN_RDFS_NS "http://www.w3.org/2000/01/rdf-schema#"
#define VSN_XSD_NS "http://www.w3.org/2001/XMLSchema#"
#define VSN_OWL_NS "http://www.w3.org/2002/07/owl#"

/* ---- graph ------------------------------------------------------------------ */

enum vsn_term_kind { VSN_TERM_IRI, VSN_TERM_BLANK, VSN_TERM_LITERAL };

/* An interned RDF term. Term ids start at 1; 0 means "none". */
struct vsn_term {
	enum vsn_term_kind kind;
	uint32_t datatype; /* literal: term id of the datatype IRI, 0 for a plain literal */
	uint32_t hash;
	uint32_t next; /* hash chain */
	char *value;   /* IRI, blank label (without "_:") or literal text, NUL-terminated */
	char *lang;    /* literal language tag or NULL */
};

struct vsn_triple {
	uint32_t s, p, o;
	int line; /* where the parser was when it produced the triple, 0 when unknown */
};

/*
 * A small RDF graph. Terms are interned, so term ids compare for equality.
 * After vsn_graph_index(), the triples of one subject are
 * by_subject[subj_first[s] .. subj_first[s] + subj_count[s]) (indices into triples).
 */
struct vsn_graph {
	struct vsn_term *terms; /* terms[0] unused */
	size_t term_count;	/* including the unused slot 0 */
	size_t term_cap;
	uint32_t *buckets;
	size_t bucket_count;
	struct vsn_triple *triples;
	size_t triple_count;
	size_t triple_cap;
	uint32_t *by_subject;
	uint32_t *subj_first;
	uint32_t *subj_count;
	size_t indexed_terms;
};

void vsn_graph_init(struct vsn_graph *g);
void vsn_graph_destroy(struct vsn_graph *g);
uint32_t vsn_graph_iri(struct vsn_graph *g, const char *iri, size_t len);
uint32_t vsn_graph_blank(struct vsn_graph *g, const char *label, size_t len);
/* DATATYPE is an IRI or NULL (plain), LANG NULL when none. */
uint32_t vsn_graph_literal(struct vsn_graph *g, const char *text, size_t len, const char *datatype,
			   const char *lang);
/* Looks a term up without adding it; 0 when absent. */
uint32_t vsn_graph_find_iri(const struct vsn_graph *g, const char *iri);
void vsn_graph_add(struct vsn_graph *g, uint32_t s, uint32_t p, uint32_t o, int line);
/* Builds the subject index; call after the last vsn_graph_add. */
void vsn_graph_index(struct vsn_graph *g);
/* The first object of (s, p), 0 when none. Needs the index. */
uint32_t vsn_graph_object(const struct vsn_graph *g, uint32_t s, uint32_t p);
struct kairos_buf;
/* True if S (LEN bytes) is valid UTF-8 without NUL characters. */
bool vsn_utf8_valid(const char *s, size_t len);
/* Appends S to B escaped for the inside of an N-Triples / Turtle "..." literal. */
void vsn_literal_escape(struct kairos_buf *b, const char *s);
/*
 * True if IRI (LEN bytes) has none of the characters RFC 3987 and Turtle's IRIREF
 * exclude (controls, space, <>"{}|\^`): such an IRI could not be written back.
 */
bool vsn_iri_valid(const char *iri, size_t len);
/* Appends <IRI> to B, escaping what an N-Triples / Turtle IRIREF cannot hold. */
void vsn_iri_write(struct kairos_buf *b, const char *iri);
/* Appends the term in N-Triples syntax to B. */
void vsn_term_to_nt(const struct vsn_graph *g, uint32_t id, struct kairos_buf *b);
/* The term as a user sees it in a problem: IRI, "_:label" or the literal text. */
void vsn_term_to_display(const struct vsn_graph *g, uint32_t id, struct kairos_buf *b);

/* ---- ontology ------------------------------------------------------------------ */

enum vsn_range {
	VSN_RANGE_DECIMAL,
	VSN_RANGE_INTEGER,
	VSN_RANGE_STRING,
	VSN_RANGE_CLASS, /* an object property whose values are instances of range_class */
	VSN_RANGE_LIST,	 /* rdf:List */
};

#define VSN_ONTO_MAX_CLASSES 32

struct vsn_onto_class {
	char *iri;
	const char *local;     /* points into iri */
	uint32_t self_bit;     /* 1 << index */
	uint32_t closure;      /* bits of this class and every superclass */
	uint32_t required[32]; /* property indices */
	size_t required_count;
};

struct vsn_onto_prop {
	char *iri;
	const char *local;
	enum vsn_range range;
	uint32_t range_bits;  /* VSN_RANGE_CLASS: the bit of the range class */
	uint32_t domain_bits; /* classes whose instances may carry the property */
	char *domain_text;    /* "vsn:ComputeNode or vsn:Flow", for messages */
	char *range_text;     /* "xsd:decimal", "vsn:Node", ... */
	char *unit;	      /* NULL when none */
	bool is_functional;
	bool has_min_incl, has_min_excl, has_max_excl;
	double min_incl, min_excl, max_excl;
	int fraction_digits; /* -1 when unconstrained */
	bool has_default;
	double default_value;
	int not_greater_than; /* property index, -1 when none */
};

struct vsn_ontology {
	struct vsn_onto_class classes[VSN_ONTO_MAX_CLASSES];
	size_t class_count;
	struct vsn_onto_prop *props;
	size_t prop_count;
	char **terms; /* local names of every vsn: term the ontology defines */
	size_t term_count;
	/* Bits of the classes the model needs. */
	uint32_t bit_vsn, bit_node, bit_compute, bit_storage, bit_link, bit_flow;
};

/* The process-wide ontology, parsed on first use (thread-safe). NULL if it is broken. */
const struct vsn_ontology *vsn_ontology_get(void);
int vsn_onto_class_find(const struct vsn_ontology *o, const char *iri);
int vsn_onto_prop_find(const struct vsn_ontology *o, const char *iri);
/* Index of the property with local name LOCAL; aborts if absent (programming error). */
int vsn_onto_prop_local(const struct vsn_ontology *o, const char *local);
bool vsn_onto_term_known(const struct vsn_ontology *o, const char *local);
/* The known local name closest to LOCAL (edit distance), or NULL if none is close. */
const char *vsn_onto_suggest(const struct vsn_ontology *o, const char *local);

/* ---- raptor2 ----------------------------------------------------------------- */

/*
 * Streams DATA through raptor2's parser for SYNTAX (Turtle, RDF/XML, N-Triples) into
 * G, enforcing LIMITS; syntax errors and limit breaches go to PROBLEMS.
 * Returns 0, -KAIROS_ESYNTAX or -KAIROS_ELIMIT.
 */
int vsn_rdf_read(const char *data, size_t len, enum vsn_syntax syntax, const char *base_iri,
		 const struct vsn_limits *limits, struct vsn_graph *g,
		 struct vsn_problems *problems);
/* Makes sure the libraries behind raptor2 (libxml2) are initialised; called once. */
void vsn_rdf_global_init(void);

/* The JSON form into G (same vocabulary as the RDF syntaxes). Same returns. */
int vsn_json_read(const char *data, size_t len, const char *base_iri,
		  const struct vsn_limits *limits, struct vsn_graph *g,
		  struct vsn_problems *problems);

/* Validates G and, when it has no problem, builds *doc_out. Returns 0 or -KAIROS_EINVAL. */
int vsn_graph_validate(const struct vsn_graph *g, const struct vsn_limits *limits,
		       struct vsn_doc **doc_out, struct vsn_problems *problems);

/* ---- decimals ----------------------------------------------------------------- */

/*
 * Parses an xsd:decimal / xsd:integer lexical form. *fraction_digits gets the number
 * of significant digits after the point (trailing zeros do not count).
 * Returns false if TEXT is not such a form.
 */
bool vsn_decimal_parse(const char *text, double *value, int *fraction_digits, bool integer_only);
/* The shortest plain decimal text (no exponent) that reads back as V; into BUF. */
void vsn_decimal_format(double v, char *buf, size_t size);

/* ---- problems ------------------------------------------------------------------ */

/* Appends a problem; string arguments may be NULL (stored as ""). */
void vsn_problem_add(struct vsn_problems *problems, enum vsn_problem_kind kind, const char *subject,
		     const char *property, const char *value, const char *rule, int line,
		     int column, const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* Resolves the effective limits (zero fields to defaults). */
void vsn_limits_resolve(const struct vsn_limits *in, struct vsn_limits *out);

#endif
