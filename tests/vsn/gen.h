/*
 * gen.h - generated VSN documents for the vsn tests and benchmark: the same VSN of
 * any size written directly in Turtle, RDF/XML, N-Triples or JSON (not through the
 * library's writers, so that readers are checked against an independent text).
 */
#ifndef KAIROS_TESTS_VSN_GEN_H
#define KAIROS_TESTS_VSN_GEN_H

#include <stddef.h>

#include "vsn/vsn.h"

#define VSN_GEN_BASE "https://gen.example/vsn#"

/*
 * A VSN with NODES nodes (every fifth a storage node, every fiftieth (48, 98, ...) a backup of the
 * node before it), LINKS links (link j joins node j mod N to node (7j+1) mod N) and
 * FLOWS flows (flow k: source of link k, link k, its target). Caller frees.
 */
char *vsn_gen_document(size_t nodes, size_t links, size_t flows, enum vsn_syntax syntax);

#endif
