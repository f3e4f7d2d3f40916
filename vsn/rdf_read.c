/*
 * rdf_read.c - Turtle, RDF/XML and N-Triples through raptor2. raptor streams
 * statements to a handler that interns them into the graph as they come, counting
 * against the limits; a breach aborts the parse at once. raptor's log handler turns
 * its errors into syntax problems with line and column.
 *
 * Thread safety: each parse owns its raptor world; the process-wide initialisation
 * of libxml2 (which raptor's RDF/XML parser uses) runs once, under the ontology's
 * pthread_once, before any parse. The world is told not to touch libxml2's global
 * error handlers nor the WWW library, both process-global.
 */
#include <raptor2.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/internal.h"

#define CHUNK_BYTES 65536

/*
 * Two leaks of the Debian 12 libraries, told to LeakSanitizer (which calls this hook
 * if it is defined; with its fast unwinder the stacks stop inside the library):
 * - raptor 2.0.15 leaks one vocabulary URI (xsd:integer, 65 bytes, allocated by
 *   raptor_concepts_init in raptor_world_open) per world that parsed N-Triples with
 *   typed literals: bounded per parse.
 * - libxml2 2.9.14 may not free its per-thread state (968 bytes, xmlGetGlobalState)
 *   when a thread that parsed RDF/XML exits, if libxml2 was first used in another
 *   thread than main: bounded per thread.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:raptor_new_uri_from_counted_string\nleak:xmlGetGlobalState\n";
}

struct rdf_reader {
	struct vsn_graph *g;
	const struct vsn_limits *limits;
	struct vsn_problems *problems;
	raptor_parser *parser;
	size_t nodes, links, flows;
	bool is_aborted;
	bool has_syntax_error;
	bool has_limit_error;
};

static void reader_limit(struct rdf_reader *r, const char *rule, const char *fmt, size_t cap)
{
	if (r->has_limit_error)
		return;
	raptor_locator *loc = raptor_parser_get_locator(r->parser);
	r->has_limit_error = true;
	r->is_aborted = true;
	vsn_problem_add(r->problems, VSN_PROBLEM_LIMIT, NULL, NULL, NULL, rule, loc ? loc->line : 0,
			loc ? loc->column : 0, fmt, cap);
	raptor_parser_parse_abort(r->parser);
}

static void rdf_log(void *data, raptor_log_message *m)
{
	struct rdf_reader *r = data;
	if (m->level < RAPTOR_LOG_LEVEL_ERROR || r->has_limit_error)
		return;
	r->has_syntax_error = true;
	/* Problems after the first few are usually the parser's recovery noise. */
	if (r->problems->count >= 50)
		return;
	int line = m->locator ? m->locator->line : 0;
	int column = m->locator ? m->locator->column : 0;
	vsn_problem_add(r->problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax", line, column,
			"%s", m->text ? m->text : "syntax error");
}

/* Every string that enters the graph is UTF-8: writers and JSON depend on it. */
static bool text_ok(struct rdf_reader *r, const unsigned char *s, size_t len)
{
	if (vsn_utf8_valid((const char *)s, len))
		return true;
	if (!r->is_aborted) {
		raptor_locator *loc = raptor_parser_get_locator(r->parser);
		r->has_syntax_error = true;
		r->is_aborted = true;
		vsn_problem_add(r->problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax",
				loc ? loc->line : 0, loc ? loc->column : 0,
				"the document is not valid UTF-8 (or holds a NUL character)");
		raptor_parser_parse_abort(r->parser);
	}
	return false;
}

/* raptor's RDF/XML parser lets IRIs hold characters no IRI may hold ('>', '{', ...). */
static bool iri_ok(struct rdf_reader *r, const unsigned char *s, size_t len)
{
	if (vsn_iri_valid((const char *)s, len))
		return true;
	if (!r->is_aborted) {
		raptor_locator *loc = raptor_parser_get_locator(r->parser);
		r->has_syntax_error = true;
		r->is_aborted = true;
		vsn_problem_add(r->problems, VSN_PROBLEM_SYNTAX, NULL, NULL, (const char *)s,
				"syntax", loc ? loc->line : 0, loc ? loc->column : 0,
				"\"%.*s\" is not a valid IRI (no spaces, controls or <>\"{}|\\^`)",
				(int)(len > 200 ? 200 : len), s);
		raptor_parser_parse_abort(r->parser);
	}
	return false;
}

/* BCP 47 shape, as Turtle and N-Triples write it: [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*. */
static bool lang_ok(struct rdf_reader *r, const char *lang)
{
	const char *p = lang;
	bool ok = true;
	size_t run = 0;
	for (; *p && ok; p++) {
		bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		bool digit = *p >= '0' && *p <= '9';
		if (*p == '-')
			ok = run > 0, run = 0;
		else if (alpha || (digit && p > lang && strchr(lang, '-') && strchr(lang, '-') < p))
			run++;
		else
			ok = false;
	}
	ok = ok && run > 0;
	if (!ok && !r->is_aborted) {
		raptor_locator *loc = raptor_parser_get_locator(r->parser);
		r->has_syntax_error = true;
		r->is_aborted = true;
		vsn_problem_add(r->problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax",
				loc ? loc->line : 0, loc ? loc->column : 0,
				"\"%.40s\" is not a valid language tag", lang);
		raptor_parser_parse_abort(r->parser);
	}
	return ok;
}

static uint32_t term_intern(struct rdf_reader *r, raptor_term *t)
{
	size_t len;
	const unsigned char *s;
	switch (t->type) {
	case RAPTOR_TERM_TYPE_URI:
		s = raptor_uri_as_counted_string(t->value.uri, &len);
		if (!text_ok(r, s, len) || !iri_ok(r, s, len))
			return 0;
		return vsn_graph_iri(r->g, (const char *)s, len);
	case RAPTOR_TERM_TYPE_BLANK:
		if (!text_ok(r, t->value.blank.string, t->value.blank.string_len))
			return 0;
		return vsn_graph_blank(r->g, (const char *)t->value.blank.string,
				       t->value.blank.string_len);
	case RAPTOR_TERM_TYPE_LITERAL: {
		len = t->value.literal.string_len;
		if (len > r->limits->max_literal_bytes) {
			reader_limit(r, "max_literal_bytes",
				     "a literal is longer than the %zu bytes accepted",
				     r->limits->max_literal_bytes);
			return 0;
		}
		if (!text_ok(r, t->value.literal.string, len) ||
		    (t->value.literal.language &&
		     !text_ok(r, t->value.literal.language, t->value.literal.language_len)))
			return 0;
		const char *dt = NULL;
		if (t->value.literal.datatype) {
			size_t dlen;
			const unsigned char *d =
			    raptor_uri_as_counted_string(t->value.literal.datatype, &dlen);
			if (!text_ok(r, d, dlen) || !iri_ok(r, d, dlen))
				return 0;
			dt = (const char *)d;
		}
		if (t->value.literal.language &&
		    !lang_ok(r, (const char *)t->value.literal.language))
			return 0;
		return vsn_graph_literal(r->g, (const char *)t->value.literal.string, len, dt,
					 (const char *)t->value.literal.language);
	}
	case RAPTOR_TERM_TYPE_UNKNOWN:
		break;
	}
	return 0;
}

static bool is_vsn(raptor_term *t, const char *local)
{
	if (t->type != RAPTOR_TERM_TYPE_URI)
		return false;
	const char *s = (const char *)raptor_uri_as_string(t->value.uri);
	size_t n = strlen(VSN_NS);
	return strncmp(s, VSN_NS, n) == 0 && strcmp(s + n, local) == 0;
}

static void rdf_statement(void *data, raptor_statement *st)
{
	struct rdf_reader *r = data;
	if (r->is_aborted)
		return;
	if (r->g->triple_count >= r->limits->max_triples) {
		reader_limit(r, "max_triples", "the document has more than %zu triples",
			     r->limits->max_triples);
		return;
	}
	/* Counted on the vocabulary's own properties: enough to bound memory, since the
	 * triple cap bounds everything else. */
	if (is_vsn(st->predicate, "hasNode") && ++r->nodes > r->limits->max_nodes)
		reader_limit(r, "max_nodes", "the VSN has more than %zu nodes",
			     r->limits->max_nodes);
	else if (is_vsn(st->predicate, "hasLink") && ++r->links > r->limits->max_links)
		reader_limit(r, "max_links", "the VSN has more than %zu links",
			     r->limits->max_links);
	else if (is_vsn(st->predicate, "hasFlow") && ++r->flows > r->limits->max_flows)
		reader_limit(r, "max_flows", "the VSN has more than %zu flows",
			     r->limits->max_flows);
	if (r->is_aborted)
		return;
	uint32_t s = term_intern(r, st->subject);
	uint32_t p = term_intern(r, st->predicate);
	uint32_t o = term_intern(r, st->object);
	if (!s || !p || !o)
		return;
	raptor_locator *loc = raptor_parser_get_locator(r->parser);
	vsn_graph_add(r->g, s, p, o, loc ? loc->line : 0);
}

/*
 * The deepest element nesting of an XML document, found by a linear scan (comments,
 * CDATA, processing instructions, declarations and quoted attribute values skipped).
 * raptor's RDF/XML parser is slow and memory-hungry on deep nesting (minutes and
 * hundreds of MiB for 100,000 levels), so depth is checked before it runs.
 * Returns the depth, or stops early and returns CAP + 1 once CAP is exceeded.
 */
static size_t xml_depth(const char *p, size_t len, size_t cap)
{
	const char *end = p + len;
	size_t depth = 0, deepest = 0;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		const char *close = NULL;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			close = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
		else if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
			close = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3);
		else if (end - p >= 2 && (p[1] == '?' || p[1] == '!'))
			close = memchr(p, '>', (size_t)(end - p));
		if (close || (end - p >= 2 && (p[1] == '?' || p[1] == '!'))) {
			if (!close)
				break;
			p = close + 1;
			continue;
		}
		bool is_end = end - p >= 2 && p[1] == '/';
		char quote = 0;
		const char *q = p + 1;
		for (; q < end; q++) {
			if (quote) {
				if (*q == quote)
					quote = 0;
			} else if (*q == '"' || *q == '\'') {
				quote = *q;
			} else if (*q == '>') {
				break;
			}
		}
		if (q >= end)
			break;
		if (is_end) {
			if (depth)
				depth--;
		} else if (q[-1] != '/' && ++depth > deepest) {
			deepest = depth;
			if (deepest > cap)
				return deepest;
		}
		p = q + 1;
	}
	return deepest;
}

void vsn_rdf_global_init(void)
{
	/* One RDF/XML parse initialises libxml2's globals (xmlInitParser) before any
	 * concurrent use. */
	static const char doc[] =
	    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>";
	struct vsn_graph g;
	struct vsn_problems problems;
	struct vsn_limits limits;
	vsn_limits_default(&limits);
	vsn_graph_init(&g);
	vsn_problems_init(&problems);
	(void)vsn_rdf_read(doc, sizeof(doc) - 1, VSN_SYNTAX_RDFXML, VSN_NS, &limits, &g, &problems);
	vsn_problems_destroy(&problems);
	vsn_graph_destroy(&g);
}

int vsn_rdf_read(const char *data, size_t len, enum vsn_syntax syntax, const char *base_iri,
		 const struct vsn_limits *limits, struct vsn_graph *g,
		 struct vsn_problems *problems)
{
	const char *name = syntax == VSN_SYNTAX_TURTLE	 ? "turtle"
			   : syntax == VSN_SYNTAX_RDFXML ? "rdfxml"
							 : "ntriples";
	struct rdf_reader r = {.g = g, .limits = limits, .problems = problems};
	raptor_world *world = raptor_new_world();
	raptor_uri *base = NULL;
	int rc = -KAIROS_EINTERNAL;

	if (!world)
		return rc;
	if (syntax == VSN_SYNTAX_RDFXML &&
	    xml_depth(data, len, limits->max_depth) > limits->max_depth) {
		vsn_problem_add(problems, VSN_PROBLEM_LIMIT, NULL, NULL, NULL, "max_depth", 0, 0,
				"the document nests XML elements more than %zu deep",
				limits->max_depth);
		raptor_free_world(world);
		return -KAIROS_ELIMIT;
	}
	raptor_world_set_flag(world, RAPTOR_WORLD_FLAG_LIBXML_GENERIC_ERROR_SAVE, 0);
	raptor_world_set_flag(world, RAPTOR_WORLD_FLAG_LIBXML_STRUCTURED_ERROR_SAVE, 0);
	raptor_world_set_flag(world, RAPTOR_WORLD_FLAG_WWW_SKIP_INIT_FINISH, 1);
	if (raptor_world_open(world))
		goto out;
	raptor_world_set_log_handler(world, &r, rdf_log);
	r.parser = raptor_new_parser(world, name);
	if (!r.parser)
		goto out;
	/* A tenant document never reaches for the network or the file system. */
	raptor_parser_set_option(r.parser, RAPTOR_OPTION_NO_NET, NULL, 1);
	raptor_parser_set_option(r.parser, RAPTOR_OPTION_NO_FILE, NULL, 1);
	raptor_parser_set_option(r.parser, RAPTOR_OPTION_LOAD_EXTERNAL_ENTITIES, NULL, 0);
	raptor_parser_set_statement_handler(r.parser, &r, rdf_statement);
	base =
	    raptor_new_uri(world, (const unsigned char *)(base_iri ? base_iri : VSN_DEFAULT_BASE));
	if (!base || raptor_parser_parse_start(r.parser, base))
		goto out;
	bool failed = false;
	for (size_t at = 0; at < len && !r.is_aborted && !failed; at += CHUNK_BYTES) {
		size_t n = len - at < CHUNK_BYTES ? len - at : CHUNK_BYTES;
		failed =
		    raptor_parser_parse_chunk(r.parser, (const unsigned char *)data + at, n, 0);
	}
	if (!r.is_aborted && !failed)
		failed = raptor_parser_parse_chunk(r.parser, NULL, 0, 1);
	if (failed && !r.has_syntax_error && !r.has_limit_error) {
		r.has_syntax_error = true;
		vsn_problem_add(problems, VSN_PROBLEM_SYNTAX, NULL, NULL, NULL, "syntax", 0, 0,
				"the %s parser rejected the document", name);
	}
	if (r.has_limit_error)
		rc = -KAIROS_ELIMIT;
	else if (r.has_syntax_error)
		rc = -KAIROS_ESYNTAX;
	else
		rc = 0;
out:
	if (base)
		raptor_free_uri(base);
	if (r.parser)
		raptor_free_parser(r.parser);
	raptor_free_world(world);
	return rc;
}
