/*
 * vsn.h - Virtual Service Networks: the in-memory model of a tenant's VSN document
 * (SPEC section 2), its readers (Turtle, RDF/XML, N-Triples through raptor2; the JSON
 * form through jansson), its writers (Turtle, JSON) and its validation.
 *
 * Every reader turns the document into the same RDF graph and one validator, driven by
 * the ontology vsn/ontology/vsn.ttl (embedded in the library, parsed once per process),
 * checks it and builds the model. Validation lists every problem it finds, each naming
 * the subject IRI, the property, the value and the rule broken, so that the HTTP API can
 * answer 400 (syntax problems, with line and column) or 422 (semantic problems).
 *
 * Thread safety: every function may be called from several threads at once; documents
 * are independent and the ontology is initialised once, under pthread_once.
 * vsn/ does no I/O: callers hand it bytes.
 */
#ifndef KAIROS_VSN_H
#define KAIROS_VSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSN_NS "https://w3id.org/kairos/vsn#"
/* The base IRI of relative IRIs and short ids when neither caller nor document gives one
 * (hierarchical, so that RDF resolution keeps "n1" as ".../vsn/n1"; .invalid by RFC 2606). */
#define VSN_DEFAULT_BASE "https://kairos.invalid/vsn/"

/* ---- syntaxes ----------------------------------------------------------------- */

enum vsn_syntax {
	VSN_SYNTAX_UNKNOWN = 0,
	VSN_SYNTAX_TURTLE,   /* text/turtle, .ttl */
	VSN_SYNTAX_RDFXML,   /* application/rdf+xml, .rdf/.owl/.xml */
	VSN_SYNTAX_NTRIPLES, /* application/n-triples, .nt */
	VSN_SYNTAX_JSON,     /* application/json, .json */
};

/* Maps a media type (parameters such as "; charset=utf-8" are ignored) to a syntax. */
enum vsn_syntax vsn_syntax_from_content_type(const char *content_type);
/* Maps a file name or path by its extension to a syntax. */
enum vsn_syntax vsn_syntax_from_filename(const char *path);
/* Maps a short name ("turtle", "ttl", "rdfxml", "xml", "ntriples", "nt", "json"). */
enum vsn_syntax vsn_syntax_from_name(const char *name);
/* A short name of the syntax ("turtle", "rdfxml", "ntriples", "json", "unknown"). */
const char *vsn_syntax_name(enum vsn_syntax syntax);

/* ---- limits against abusive documents ------------------------------------------ */

/*
 * Caps enforced while parsing: a document over a cap is refused as soon as the cap is
 * crossed, so memory stays bounded. A zero field means "the default" below.
 */
struct vsn_limits {
	size_t max_document_bytes; /* default 8 MiB */
	size_t max_triples;	   /* default 1,000,000 */
	size_t max_nodes;	   /* default 100,000 */
	size_t max_links;	   /* default 200,000 */
	size_t max_flows;	   /* default 100,000 */
	size_t max_path_length;	   /* elements of one flow path; default 1,024 */
	size_t max_literal_bytes;  /* default 4 KiB */
	size_t max_depth;	   /* XML element nesting (RDF/XML); default 64 */
};

/* Fills *limits with the defaults. */
void vsn_limits_default(struct vsn_limits *limits);

/* ---- problems -------------------------------------------------------------------- */

enum vsn_problem_kind {
	VSN_PROBLEM_SYNTAX,   /* the bytes are not a document of the syntax (HTTP 400) */
	VSN_PROBLEM_LIMIT,    /* a cap of struct vsn_limits was crossed (HTTP 413/400) */
	VSN_PROBLEM_SEMANTIC, /* a well-formed document breaks a rule (HTTP 422) */
};

/*
 * One problem. Strings are owned by the list and never NULL ("" when not applicable).
 * rule is a short stable statement of the rule broken ("bcetMs <= wcetMs", "required",
 * "datatype xsd:decimal", "path connected", ...); message is a sentence for humans that
 * names what is wrong and what was expected. line/column are 1-based, 0 when unknown.
 */
struct vsn_problem {
	enum vsn_problem_kind kind;
	char *subject;	/* IRI (or _:blank) of the element at fault */
	char *property; /* property IRI at fault */
	char *value;	/* the offending value as written */
	char *rule;
	char *message;
	int line;
	int column;
};

/* At most this many problems are listed; one more (kind limit, rule "max_problems")
 * then says that the list was cut. */
#define VSN_MAX_PROBLEMS 1000

struct vsn_problems {
	struct vsn_problem *items;
	size_t count;
	size_t cap;
};

void vsn_problems_init(struct vsn_problems *problems);
void vsn_problems_destroy(struct vsn_problems *problems);
/* True if any problem is of KIND. */
bool vsn_problems_has_kind(const struct vsn_problems *problems, enum vsn_problem_kind kind);
/*
 * The problems as a JSON array of objects {"kind","subject","property","value","rule",
 * "message","line","column"} (empty strings and zero positions left out). Caller frees.
 */
char *vsn_problems_to_json(const struct vsn_problems *problems);
/*
 * One human line per problem: "line L[:C]: KIND: MESSAGE [rule: R] [subject: S]
 * [property: P] [value: V]" (empty parts left out). Caller frees.
 */
char *vsn_problems_to_text(const struct vsn_problems *problems);

/* ---- the model ------------------------------------------------------------------ */

enum vsn_node_type { VSN_NODE_COMPUTE, VSN_NODE_STORAGE };

/*
 * Bits of vsn_node.fields and vsn_doc.fields (VSN_F_AVAILABILITY, VSN_F_LABEL): which
 * values the document gave. Links and flows have only required values.
 */
enum vsn_field {
	VSN_F_VCPUS = 1u << 0,
	VSN_F_MEMORY_MIB = 1u << 1,
	VSN_F_PERIOD_MS = 1u << 2,
	VSN_F_JITTER_MS = 1u << 3,
	VSN_F_WCET_MS = 1u << 4,
	VSN_F_BCET_MS = 1u << 5,
	VSN_F_DEADLINE_MS = 1u << 6,
	VSN_F_AVAILABILITY = 1u << 7,
	VSN_F_IMAGE = 1u << 8,
	VSN_F_BACKUP_OF = 1u << 9,
	VSN_F_DISK_GIB = 1u << 10,
	VSN_F_IOPS = 1u << 11,
	VSN_F_THROUGHPUT_MBPS = 1u << 12,
	VSN_F_LABEL = 1u << 13,
};

/*
 * A node. Decimal quantities are doubles parsed from the document's decimal text; the
 * validator refuses more fraction digits than vsn:fractionDigits of the ontology (6 for
 * times: nanosecond resolution) so that every stored value is the nearest double of an
 * exact decimal and writes back to the same text. Unset optional values are 0
 * (jitter_ms is 0 by default, as the ontology says).
 */
struct vsn_node {
	char *iri;
	enum vsn_node_type type;
	unsigned fields; /* enum vsn_field bits */
	int64_t vcpus;
	int64_t memory_mib;
	double period_ms;
	double jitter_ms;
	double wcet_ms;
	double bcet_ms;
	double deadline_ms;
	double availability;
	char *image;	 /* NULL when not given */
	char *backup_of; /* IRI of the primary, NULL when not a backup */
	int64_t disk_gib;
	int64_t iops;
	double throughput_mbps;
};

struct vsn_link {
	char *iri;
	char *source; /* node IRI */
	char *target; /* node IRI */
	double bandwidth_mbps;
	double max_bandwidth_mbps;
	double latency_ms;
	int64_t message_bytes;
};

struct vsn_flow {
	char *iri;
	double deadline_ms;
	size_t path_len;
	char **path; /* IRIs, node, link, node, ... */
};

/*
 * A validated VSN. Nodes, links and flows are in the order of the document's
 * vsn:hasNode / hasLink / hasFlow triples (array order for JSON). Elements should be
 * IRIs; a blank-node element keeps its document label as "_:label". annotations holds the triples
 * the model does not consume (tenant annotations, subclass declarations) as N-Triples lines; they
 * are written back to Turtle and ignored by vsn_doc_equal.
 */
struct vsn_doc {
	char *iri;
	char *label; /* NULL when absent */
	unsigned fields;
	double availability;
	size_t node_count;
	struct vsn_node *nodes;
	size_t link_count;
	struct vsn_link *links;
	size_t flow_count;
	struct vsn_flow *flows;
	size_t annotation_count;
	char **annotations;
	size_t triple_count; /* triples the document held (for metrics) */
};

/* Frees the document and everything it owns. doc may be NULL. */
void vsn_doc_free(struct vsn_doc *doc);
/* Finds a node / link by IRI; NULL when absent. Linear. */
const struct vsn_node *vsn_doc_node(const struct vsn_doc *doc, const char *iri);
const struct vsn_link *vsn_doc_link(const struct vsn_doc *doc, const char *iri);
/*
 * True when A and B describe the same VSN: same IRI, label, availability, and the same
 * nodes, links and flows with the same values (jitter_ms unset equals 0). Element order
 * and annotations are ignored.
 */
bool vsn_doc_equal(const struct vsn_doc *a, const struct vsn_doc *b);

/* ---- reading -------------------------------------------------------------------- */

/*
 * Parses and validates DATA (LEN bytes, need not be NUL-terminated) in SYNTAX.
 * BASE_IRI resolves relative IRIs (RDF) and short ids (JSON); NULL means the JSON
 * document's own "id" namespace, or VSN_DEFAULT_BASE. LIMITS may be NULL
 * (defaults). On success returns 0 and *doc_out owns the new model (free it with
 * vsn_doc_free). Otherwise *doc_out is NULL, every problem found is appended to
 * PROBLEMS (which the caller initialised) and the return value is
 * -KAIROS_ESYNTAX (a syntax problem; semantic checks did not run),
 * -KAIROS_ELIMIT (a cap was crossed) or -KAIROS_EINVAL (semantic problems).
 * -KAIROS_EINTERNAL if the embedded ontology cannot be loaded.
 */
int vsn_parse(const char *data, size_t len, enum vsn_syntax syntax, const char *base_iri,
	      const struct vsn_limits *limits, struct vsn_doc **doc_out,
	      struct vsn_problems *problems);

/* ---- writing -------------------------------------------------------------------- */

/* The document as Turtle. Caller frees. */
char *vsn_write_turtle(const struct vsn_doc *doc);
/* The document as the JSON form of SPEC section 2, on one line. Caller frees. */
char *vsn_write_json(const struct vsn_doc *doc);

/* ---- the ontology ----------------------------------------------------------------- */

/* The embedded ontology text (Turtle) and its length. */
const char *vsn_ontology_text(size_t *len_out);

#endif
