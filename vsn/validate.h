/*
 * validate.h - the state validate.c and structure.c share while they check one graph.
 * Internal to vsn/.
 */
#ifndef KAIROS_VSN_VALIDATE_H
#define KAIROS_VSN_VALIDATE_H

#include <stdarg.h>

#include "vsn/internal.h"

#define VSN_MAX_MAGNITUDE 1e12
#define VSN_MAX_PROPS 64

enum { VSN_ROLE_NODE = 1, VSN_ROLE_LINK = 2, VSN_ROLE_FLOW = 4 };

struct vsn_validator {
	const struct vsn_graph *g;
	const struct vsn_ontology *o;
	const struct vsn_limits *limits;
	struct vsn_problems *problems;
	uint32_t rdf_type, rdf_first, rdf_rest, rdf_nil, rdfs_label, rdfs_subclass, rdfs_subprop;
	int *prop_of;	      /* per predicate term: ontology property index or -1 */
	uint32_t *class_bits; /* per class term: the ontology classes it denotes */
	uint8_t *class_done;
	uint32_t *type_mask;	   /* per subject: ontology classes it belongs to */
	int *subject_line;	   /* per subject: line of its first triple */
	uint8_t *has_unknown_type; /* per subject: typed with an unknown vsn: class */
	uint8_t *consumed;	   /* per triple: the model uses it (not an annotation) */
	uint32_t *prop_term;	   /* per ontology property: its term id in g, 0 if unused */
	uint32_t vsn;		   /* the VirtualServiceNetwork subject, 0 if none */
	uint8_t *vsn_members;	   /* per term: VSN_ROLE_* bits */
	uint32_t *nodes, *links, *flows;
	uint32_t *link_source, *link_target; /* per link member: its ends, 0 if unset */
	size_t node_count, link_count, flow_count;
};

/* The vsn: values of one subject. Index = ontology property index. */
struct vsn_subject {
	uint64_t seen;
	int first_line;
	uint32_t obj[VSN_MAX_PROPS];
	int line[VSN_MAX_PROPS];
	double num[VSN_MAX_PROPS];
	bool is_valid[VSN_MAX_PROPS];
};

void vsn_validator_problem(struct vsn_validator *v, uint32_t s, uint32_t p, uint32_t o,
			   const char *rule, int line, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* A short name of a term for messages (vsn:x, <iri>, _:b, "literal"); per-thread buffer. */
const char *vsn_validator_name(const struct vsn_validator *v, uint32_t id);
void vsn_validator_subject(struct vsn_validator *v, uint32_t s, struct vsn_subject *sv,
			   bool report);

/* structure.c: membership, node types, links, flow paths, backups. */
void vsn_structure_check(struct vsn_validator *v);
/* Builds the model of a graph that passed every check. Caller owns the result. */
struct vsn_doc *vsn_structure_build(struct vsn_validator *v);

#endif
