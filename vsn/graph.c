/*
 * graph.c - the RDF graph every VSN reader fills: interned terms (one hash table, so
 * that a term id is the term's identity) and a flat triple array with a subject index.
 * Readers stream triples in; nothing is re-parsed.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/internal.h"

/* FNV-1a over kind, value, datatype id and language tag. */
static uint32_t term_hash(enum vsn_term_kind kind, const char *v, size_t len, uint32_t dt,
			  const char *lang)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)v[i]) * 16777619u;
	h = (h ^ dt) * 16777619u;
	for (const char *l = lang; l && *l; l++)
		h = (h ^ (unsigned char)*l) * 16777619u;
	return h;
}

void vsn_graph_init(struct vsn_graph *g)
{
	memset(g, 0, sizeof(*g));
	g->term_cap = 64;
	g->terms = kairos_xcalloc(g->term_cap, sizeof(*g->terms));
	g->term_count = 1;
	g->bucket_count = 256;
	g->buckets = kairos_xcalloc(g->bucket_count, sizeof(*g->buckets));
}

void vsn_graph_destroy(struct vsn_graph *g)
{
	for (size_t i = 1; i < g->term_count; i++) {
		free(g->terms[i].value);
		free(g->terms[i].lang);
	}
	free(g->terms);
	free(g->buckets);
	free(g->triples);
	free(g->by_subject);
	free(g->subj_first);
	free(g->subj_count);
	memset(g, 0, sizeof(*g));
}

static void graph_rehash(struct vsn_graph *g)
{
	free(g->buckets);
	g->bucket_count *= 2;
	g->buckets = kairos_xcalloc(g->bucket_count, sizeof(*g->buckets));
	for (size_t i = 1; i < g->term_count; i++) {
		size_t b = g->terms[i].hash & (g->bucket_count - 1);
		g->terms[i].next = g->buckets[b];
		g->buckets[b] = (uint32_t)i;
	}
}

static uint32_t graph_lookup(const struct vsn_graph *g, enum vsn_term_kind kind, const char *v,
			     size_t len, uint32_t dt, const char *lang, uint32_t h)
{
	for (uint32_t i = g->buckets[h & (g->bucket_count - 1)]; i; i = g->terms[i].next) {
		const struct vsn_term *t = &g->terms[i];
		if (t->hash == h && t->kind == kind && t->datatype == dt &&
		    strlen(t->value) == len && memcmp(t->value, v, len) == 0 &&
		    ((!t->lang && !lang) || (t->lang && lang && strcmp(t->lang, lang) == 0)))
			return i;
	}
	return 0;
}

static uint32_t graph_intern(struct vsn_graph *g, enum vsn_term_kind kind, const char *v,
			     size_t len, uint32_t dt, const char *lang)
{
	if (lang && !*lang)
		lang = NULL;
	uint32_t h = term_hash(kind, v, len, dt, lang);
	uint32_t id = graph_lookup(g, kind, v, len, dt, lang, h);
	if (id)
		return id;
	if (g->term_count == g->term_cap) {
		g->term_cap *= 2;
		g->terms = kairos_xrealloc(g->terms, g->term_cap * sizeof(*g->terms));
	}
	id = (uint32_t)g->term_count++;
	struct vsn_term *t = &g->terms[id];
	t->kind = kind;
	t->datatype = dt;
	t->hash = h;
	t->value = kairos_xmalloc(len + 1);
	memcpy(t->value, v, len);
	t->value[len] = '\0';
	t->lang = lang ? kairos_xstrdup(lang) : NULL;
	size_t b = h & (g->bucket_count - 1);
	t->next = g->buckets[b];
	g->buckets[b] = id;
	if (g->term_count > g->bucket_count)
		graph_rehash(g);
	return id;
}

uint32_t vsn_graph_iri(struct vsn_graph *g, const char *iri, size_t len)
{
	return graph_intern(g, VSN_TERM_IRI, iri, len, 0, NULL);
}

uint32_t vsn_graph_blank(struct vsn_graph *g, const char *label, size_t len)
{
	return graph_intern(g, VSN_TERM_BLANK, label, len, 0, NULL);
}

uint32_t vsn_graph_literal(struct vsn_graph *g, const char *text, size_t len, const char *datatype,
			   const char *lang)
{
	uint32_t dt = datatype ? vsn_graph_iri(g, datatype, strlen(datatype)) : 0;
	return graph_intern(g, VSN_TERM_LITERAL, text, len, dt, lang);
}

uint32_t vsn_graph_find_iri(const struct vsn_graph *g, const char *iri)
{
	size_t len = strlen(iri);
	return graph_lookup(g, VSN_TERM_IRI, iri, len, 0, NULL,
			    term_hash(VSN_TERM_IRI, iri, len, 0, NULL));
}

void vsn_graph_add(struct vsn_graph *g, uint32_t s, uint32_t p, uint32_t o, int line)
{
	if (g->triple_count == g->triple_cap) {
		g->triple_cap = g->triple_cap ? g->triple_cap * 2 : 256;
		g->triples = kairos_xrealloc(g->triples, g->triple_cap * sizeof(*g->triples));
	}
	g->triples[g->triple_count++] = (struct vsn_triple){s, p, o, line};
}

/* Counting sort by subject: stable, so document order is kept within a subject. */
void vsn_graph_index(struct vsn_graph *g)
{
	free(g->by_subject);
	free(g->subj_first);
	free(g->subj_count);
	g->indexed_terms = g->term_count;
	g->subj_first = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	g->subj_count = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	g->by_subject = kairos_xcalloc(g->triple_count + 1, sizeof(uint32_t));
	for (size_t i = 0; i < g->triple_count; i++)
		g->subj_count[g->triples[i].s]++;
	uint32_t at = 0;
	for (size_t t = 0; t < g->term_count; t++) {
		g->subj_first[t] = at;
		at += g->subj_count[t];
	}
	uint32_t *fill = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	for (size_t i = 0; i < g->triple_count; i++) {
		uint32_t s = g->triples[i].s;
		g->by_subject[g->subj_first[s] + fill[s]++] = (uint32_t)i;
	}
	free(fill);
}

uint32_t vsn_graph_object(const struct vsn_graph *g, uint32_t s, uint32_t p)
{
	if (!s || s >= g->indexed_terms)
		return 0;
	for (uint32_t k = 0; k < g->subj_count[s]; k++) {
		const struct vsn_triple *t = &g->triples[g->by_subject[g->subj_first[s] + k]];
		if (t->p == p)
			return t->o;
	}
	return 0;
}

void vsn_literal_escape(struct kairos_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '"':
			kairos_buf_puts(b, "\\\"");
			break;
		case '\\':
			kairos_buf_puts(b, "\\\\");
			break;
		case '\n':
			kairos_buf_puts(b, "\\n");
			break;
		case '\r':
			kairos_buf_puts(b, "\\r");
			break;
		case '\t':
			kairos_buf_puts(b, "\\t");
			break;
		default:
			if ((unsigned char)*s < 0x20)
				kairos_buf_printf(b, "\\u%04X", (unsigned char)*s);
			else
				kairos_buf_append(b, s, 1);
		}
	}
}

bool vsn_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		size_t more;
		unsigned min;
		if (c < 0x80)
			continue;
		else if ((c & 0xE0) == 0xC0)
			more = 1, min = 0x80, c &= 0x1F;
		else if ((c & 0xF0) == 0xE0)
			more = 2, min = 0x800, c &= 0x0F;
		else if ((c & 0xF8) == 0xF0)
			more = 3, min = 0x10000, c &= 0x07;
		else
			return false;
		if ((size_t)(end - p) < more)
			return false;
		for (size_t i = 0; i < more; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3F);
		}
		p += more;
		/* No overlong forms, no surrogates, nothing past U+10FFFF, no NUL. */
		if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
			return false;
	}
	return memchr(s, 0, len) == NULL;
}

bool vsn_iri_valid(const char *iri, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)iri[i];
		if (c <= 0x20 || strchr("<>\"{}|\\^`", c))
			return false;
	}
	return len > 0;
}

void vsn_iri_write(struct kairos_buf *b, const char *iri)
{
	kairos_buf_puts(b, "<");
	for (const unsigned char *p = (const unsigned char *)iri; *p; p++) {
		/* Characters IRIREF forbids are written as UCHAR escapes. */
		if (*p <= 0x20 || strchr("<>\"{}|^`\\", *p))
			kairos_buf_printf(b, "\\u%04X", *p);
		else
			kairos_buf_append(b, (const char *)p, 1);
	}
	kairos_buf_puts(b, ">");
}

void vsn_term_to_nt(const struct vsn_graph *g, uint32_t id, struct kairos_buf *b)
{
	const struct vsn_term *t = &g->terms[id];
	switch (t->kind) {
	case VSN_TERM_IRI:
		vsn_iri_write(b, t->value);
		break;
	case VSN_TERM_BLANK:
		kairos_buf_printf(b, "_:%s", t->value);
		break;
	case VSN_TERM_LITERAL:
		kairos_buf_puts(b, "\"");
		vsn_literal_escape(b, t->value);
		kairos_buf_puts(b, "\"");
		if (t->lang)
			kairos_buf_printf(b, "@%s", t->lang);
		else if (t->datatype) {
			kairos_buf_puts(b, "^^");
			vsn_iri_write(b, g->terms[t->datatype].value);
		}
		break;
	}
}

void vsn_term_to_display(const struct vsn_graph *g, uint32_t id, struct kairos_buf *b)
{
	if (!id)
		return;
	const struct vsn_term *t = &g->terms[id];
	if (t->kind == VSN_TERM_BLANK)
		kairos_buf_puts(b, "_:");
	kairos_buf_puts(b, t->value);
}
