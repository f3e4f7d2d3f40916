/* gen.c - see gen.h. */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/vsn/gen.h"

#define XSD "http://www.w3.org/2001/XMLSchema#"

struct gen {
	struct kairos_buf b;
	enum vsn_syntax syntax;
	const char *subject; /* current subject id (local name) */
	int props;	     /* properties written for the current subject */
	size_t lists;
};

static void g_begin(struct gen *g, const char *id, const char *cls)
{
	g->subject = id;
	g->props = 0;
	switch (g->syntax) {
	case VSN_SYNTAX_TURTLE:
		kairos_buf_printf(&g->b, "<%s%s> a vsn:%s", VSN_GEN_BASE, id, cls);
		break;
	case VSN_SYNTAX_NTRIPLES:
		kairos_buf_printf(
		    &g->b,
		    "<%s%s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <" VSN_NS "%s> .\n",
		    VSN_GEN_BASE, id, cls);
		break;
	case VSN_SYNTAX_RDFXML:
		kairos_buf_printf(&g->b, "<vsn:%s rdf:about=\"%s%s\">", cls, VSN_GEN_BASE, id);
		break;
	case VSN_SYNTAX_JSON:
		kairos_buf_printf(&g->b, "{\"id\":\"%s\"", id); /* short ids: resolved */
		if (strcmp(cls, "ComputeNode") == 0)
			kairos_buf_puts(&g->b, ",\"type\":\"compute\"");
		else if (strcmp(cls, "StorageNode") == 0)
			kairos_buf_puts(&g->b, ",\"type\":\"storage\"");
		break;
	default:
		abort();
	}
}

/* One property; KIND: 'i' integer, 'd' decimal, 'r' reference (id), 's' string. */
static void g_prop(struct gen *g, const char *prop, char kind, const char *value)
{
	switch (g->syntax) {
	case VSN_SYNTAX_TURTLE:
		kairos_buf_printf(&g->b, " ;\n  vsn:%s ", prop);
		if (kind == 'r')
			kairos_buf_printf(&g->b, "<%s%s>", VSN_GEN_BASE, value);
		else if (kind == 's')
			kairos_buf_printf(&g->b, "\"%s\"", value);
		else
			kairos_buf_puts(&g->b, value);
		break;
	case VSN_SYNTAX_NTRIPLES:
		kairos_buf_printf(&g->b, "<%s%s> <" VSN_NS "%s> ", VSN_GEN_BASE, g->subject, prop);
		if (kind == 'r')
			kairos_buf_printf(&g->b, "<%s%s> .\n", VSN_GEN_BASE, value);
		else if (kind == 's')
			kairos_buf_printf(&g->b, "\"%s\" .\n", value);
		else
			kairos_buf_printf(&g->b, "\"%s\"^^<" XSD "%s> .\n", value,
					  kind == 'i' ? "integer" : "decimal");
		break;
	case VSN_SYNTAX_RDFXML:
		if (kind == 'r')
			kairos_buf_printf(&g->b, "<vsn:%s rdf:resource=\"%s%s\"/>", prop,
					  VSN_GEN_BASE, value);
		else if (kind == 's')
			kairos_buf_printf(&g->b, "<vsn:%s>%s</vsn:%s>", prop, value, prop);
		else
			kairos_buf_printf(&g->b, "<vsn:%s rdf:datatype=\"" XSD "%s\">%s</vsn:%s>",
					  prop, kind == 'i' ? "integer" : "decimal", value, prop);
		break;
	case VSN_SYNTAX_JSON:
		if (kind == 'r' || kind == 's')
			kairos_buf_printf(&g->b, ",\"%s\":\"%s\"", prop, value);
		else
			kairos_buf_printf(&g->b, ",\"%s\":%s", prop, value);
		break;
	default:
		abort();
	}
	g->props++;
}

static void g_path(struct gen *g, const char **ids, size_t n)
{
	switch (g->syntax) {
	case VSN_SYNTAX_TURTLE:
		kairos_buf_puts(&g->b, " ;\n  vsn:path (");
		for (size_t i = 0; i < n; i++)
			kairos_buf_printf(&g->b, " <%s%s>", VSN_GEN_BASE, ids[i]);
		kairos_buf_puts(&g->b, " )");
		break;
	case VSN_SYNTAX_NTRIPLES: {
		size_t l = g->lists++;
		kairos_buf_printf(&g->b, "<%s%s> <" VSN_NS "path> _:l%zuc0 .\n", VSN_GEN_BASE,
				  g->subject, l);
		for (size_t i = 0; i < n; i++) {
			kairos_buf_printf(
			    &g->b,
			    "_:l%zuc%zu <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <%s%s> "
			    ".\n",
			    l, i, VSN_GEN_BASE, ids[i]);
			if (i + 1 < n)
				kairos_buf_printf(
				    &g->b,
				    "_:l%zuc%zu <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> "
				    "_:l%zuc%zu .\n",
				    l, i, l, i + 1);
			else
				kairos_buf_printf(
				    &g->b,
				    "_:l%zuc%zu <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> "
				    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .\n",
				    l, i);
		}
		break;
	}
	case VSN_SYNTAX_RDFXML:
		kairos_buf_puts(&g->b, "<vsn:path rdf:parseType=\"Collection\">");
		for (size_t i = 0; i < n; i++)
			kairos_buf_printf(&g->b, "<rdf:Description rdf:about=\"%s%s\"/>",
					  VSN_GEN_BASE, ids[i]);
		kairos_buf_puts(&g->b, "</vsn:path>");
		break;
	case VSN_SYNTAX_JSON:
		kairos_buf_puts(&g->b, ",\"path\":[");
		for (size_t i = 0; i < n; i++)
			kairos_buf_printf(&g->b, "%s\"%s\"", i ? "," : "", ids[i]);
		kairos_buf_puts(&g->b, "]");
		break;
	default:
		abort();
	}
}

static void g_end(struct gen *g, const char *cls, bool more)
{
	switch (g->syntax) {
	case VSN_SYNTAX_TURTLE:
		kairos_buf_puts(&g->b, " .\n");
		break;
	case VSN_SYNTAX_RDFXML:
		kairos_buf_printf(&g->b, "</vsn:%s>\n", cls);
		break;
	case VSN_SYNTAX_JSON:
		kairos_buf_puts(&g->b, more ? "},\n" : "}\n");
		break;
	default:
		break;
	}
}

static void id_of(char *buf, size_t size, const char *prefix, size_t i)
{
	snprintf(buf, size, "%s%zu", prefix, i);
}

char *vsn_gen_document(size_t nodes, size_t links, size_t flows, enum vsn_syntax syntax)
{
	struct gen g = {.syntax = syntax};
	char id[64], ref[64], num[64];
	if (flows > links)
		flows = links;

	switch (syntax) {
	case VSN_SYNTAX_TURTLE:
		kairos_buf_puts(&g.b, "@prefix vsn: <" VSN_NS "> .\n"
				      "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n");
		break;
	case VSN_SYNTAX_RDFXML:
		kairos_buf_puts(
		    &g.b, "<?xml version=\"1.0\"?>\n"
			  "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
			  "xmlns:rdfs=\"http://www.w3.org/2000/01/rdf-schema#\" "
			  "xmlns:vsn=\"" VSN_NS "\">\n");
		break;
	case VSN_SYNTAX_JSON:
		kairos_buf_puts(&g.b, "{\"id\":\"" VSN_GEN_BASE "vsn\",\"label\":\"generated\","
				      "\"availability\":0.9999,\n\"nodes\":[\n");
		break;
	default:
		break;
	}
	if (syntax != VSN_SYNTAX_JSON) {
		g_begin(&g, "vsn", "VirtualServiceNetwork");
		if (syntax == VSN_SYNTAX_TURTLE)
			kairos_buf_puts(&g.b, " ;\n  rdfs:label \"generated\"");
		else if (syntax == VSN_SYNTAX_NTRIPLES)
			kairos_buf_puts(
			    &g.b,
			    "<" VSN_GEN_BASE
			    "vsn> <http://www.w3.org/2000/01/rdf-schema#label> \"generated\" .\n");
		else
			kairos_buf_puts(&g.b, "<rdfs:label>generated</rdfs:label>");
		g_prop(&g, "availability", 'd', "0.9999");
		for (size_t i = 0; i < nodes; i++) {
			id_of(ref, sizeof(ref), "n", i);
			g_prop(&g, "hasNode", 'r', ref);
		}
		for (size_t j = 0; j < links; j++) {
			id_of(ref, sizeof(ref), "l", j);
			g_prop(&g, "hasLink", 'r', ref);
		}
		for (size_t k = 0; k < flows; k++) {
			id_of(ref, sizeof(ref), "f", k);
			g_prop(&g, "hasFlow", 'r', ref);
		}
		g_end(&g, "VirtualServiceNetwork", true);
	}
	for (size_t i = 0; i < nodes; i++) {
		bool is_storage = i % 5 == 4;
		const char *cls = is_storage ? "StorageNode" : "ComputeNode";
		id_of(id, sizeof(id), "n", i);
		g_begin(&g, id, cls);
		if (is_storage) {
			snprintf(num, sizeof(num), "%zu", 10 + i % 100);
			g_prop(&g, "diskGiB", 'i', num);
			snprintf(num, sizeof(num), "%zu", 100 + i % 1000);
			g_prop(&g, "iops", 'i', num);
			snprintf(num, sizeof(num), "%zu.5", 20 + i % 10);
			g_prop(&g, "throughputMBps", 'd', num);
		} else {
			if (i % 50 == 48) {
				id_of(ref, sizeof(ref), "n", i - 1);
				g_prop(&g, "backupOf", 'r', ref);
			}
			g_prop(&g, "vcpus", 'i', "1");
			g_prop(&g, "memoryMiB", 'i', i % 2 ? "512" : "1024");
			snprintf(num, sizeof(num), "%zu", 10 + i % 90);
			g_prop(&g, "periodMs", 'd', num);
			snprintf(num, sizeof(num), "%zu.25", i % 3);
			g_prop(&g, "wcetMs", 'd', num);
			g_prop(&g, "bcetMs", 'd', "0.125");
			snprintf(num, sizeof(num), "%zu", 5 + i % 5);
			g_prop(&g, "deadlineMs", 'd', num);
			if (i % 10 == 0)
				g_prop(&g, "jitterMs", 'd', "0.5");
			if (i % 7 == 0)
				g_prop(&g, "availability", 'd', "0.999");
			if (i % 11 == 0)
				g_prop(&g, "image", 's', "debian-12-rt");
		}
		g_end(&g, cls, i + 1 < nodes);
	}
	if (syntax == VSN_SYNTAX_JSON)
		kairos_buf_puts(&g.b, "],\n\"links\":[\n");
	for (size_t j = 0; j < links; j++) {
		id_of(id, sizeof(id), "l", j);
		g_begin(&g, id, "NetworkLink");
		id_of(ref, sizeof(ref), "n", j % nodes);
		g_prop(&g, "source", 'r', ref);
		id_of(ref, sizeof(ref), "n", (7 * j + 1) % nodes);
		g_prop(&g, "target", 'r', ref);
		snprintf(num, sizeof(num), "%zu", 10 + j % 90);
		g_prop(&g, "bandwidthMbps", 'd', num);
		g_prop(&g, "maxBandwidthMbps", 'd', "1000");
		g_prop(&g, "latencyMs", 'd', "0.05");
		snprintf(num, sizeof(num), "%zu", 1000 + j);
		g_prop(&g, "messageBytes", 'i', num);
		g_end(&g, "NetworkLink", j + 1 < links);
	}
	if (syntax == VSN_SYNTAX_JSON)
		kairos_buf_puts(&g.b, "],\n\"flows\":[\n");
	for (size_t k = 0; k < flows; k++) {
		char a[64], l[64], b[64];
		const char *path[3] = {a, l, b};
		id_of(id, sizeof(id), "f", k);
		id_of(a, sizeof(a), "n", k % nodes);
		id_of(l, sizeof(l), "l", k);
		id_of(b, sizeof(b), "n", (7 * k + 1) % nodes);
		g_begin(&g, id, "Flow");
		g_path(&g, path, 3);
		snprintf(num, sizeof(num), "%zu", 20 + k % 30);
		g_prop(&g, "deadlineMs", 'd', num);
		g_end(&g, "Flow", k + 1 < flows);
	}
	if (syntax == VSN_SYNTAX_JSON)
		kairos_buf_puts(&g.b, "]}\n");
	else if (syntax == VSN_SYNTAX_RDFXML)
		kairos_buf_puts(&g.b, "</rdf:RDF>\n");
	return kairos_buf_steal(&g.b);
}
