/*
 * test_vsn_parse.c - reading VSN documents in every syntax into the same model,
 * writing them back (round trips), tenant subclasses and subproperties, blank nodes,
 * annotations, syntax errors with positions, limits, and concurrent parsing.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/vsn/gen.h"
#include "vsn/vsn.h"

#define GRID "https://tenant.example/grid#"

static char *root_path(const char *rel)
{
	const char *root = getenv("KAIROS_ROOT");
	struct kairos_buf b = {0};
	kairos_buf_printf(&b, "%s/%s", root ? root : ".", rel);
	return kairos_buf_steal(&b);
}

static char *slurp(const char *rel)
{
	char *path = root_path(rel), *data;
	size_t len;
	cr_assert_eq(kairos_read_file(path, &data, &len), 0, "cannot read %s", path);
	free(path);
	return data;
}

/* Parses TEXT and asserts success; returns the model. */
static struct vsn_doc *parse_ok(const char *text, enum vsn_syntax syntax, const char *base)
{
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	int rc = vsn_parse(text, strlen(text), syntax, base, NULL, &doc, &problems);
	if (rc != 0) {
		char *t = vsn_problems_to_text(&problems);
		cr_log_error("%s", t);
		free(t);
	}
	cr_assert_eq(rc, 0, "parse of a %s document failed", vsn_syntax_name(syntax));
	cr_assert_not_null(doc);
	cr_assert_eq(problems.count, 0);
	vsn_problems_destroy(&problems);
	return doc;
}

static struct vsn_doc *parse_file(const char *rel)
{
	char *text = slurp(rel);
	struct vsn_doc *doc = parse_ok(text, vsn_syntax_from_filename(rel), NULL);
	free(text);
	return doc;
}

/* Parses TEXT expecting failure RC; returns the problems (caller destroys). */
static struct vsn_problems parse_bad(const char *text, enum vsn_syntax syntax, int want_rc,
				     const struct vsn_limits *limits)
{
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	int rc = vsn_parse(text, strlen(text), syntax, NULL, limits, &doc, &problems);
	cr_assert_eq(rc, want_rc, "rc %d, expected %d", rc, want_rc);
	cr_assert_null(doc);
	cr_assert_gt(problems.count, 0);
	return problems;
}

static void assert_seed(const struct vsn_doc *doc)
{
	cr_assert_str_eq(doc->iri, GRID "grid");
	cr_assert_str_eq(doc->label, "substation protection");
	cr_assert_eq(doc->node_count, 4);
	cr_assert_eq(doc->link_count, 1);
	cr_assert_eq(doc->flow_count, 1);
	cr_assert(!(doc->fields & VSN_F_AVAILABILITY));

	const struct vsn_node *vm1 = vsn_doc_node(doc, GRID "VM1");
	cr_assert_not_null(vm1);
	cr_assert_eq(vm1->type, VSN_NODE_COMPUTE);
	cr_assert_eq(vm1->vcpus, 1);
	cr_assert_eq(vm1->memory_mib, 512);
	cr_assert_eq(vm1->period_ms, 25.0);
	cr_assert_eq(vm1->wcet_ms, 3.0);
	cr_assert_eq(vm1->bcet_ms, 2.0);
	cr_assert_eq(vm1->deadline_ms, 4.0);
	cr_assert_eq(vm1->jitter_ms, 0.0);
	cr_assert(!(vm1->fields & VSN_F_JITTER_MS));
	cr_assert_null(vm1->backup_of);

	const struct vsn_node *vm2 = vsn_doc_node(doc, GRID "VM2");
	cr_assert_eq(vm2->memory_mib, 1024);
	cr_assert_eq(vm2->period_ms, 20.0);
	cr_assert_eq(vm2->wcet_ms, 5.0);
	cr_assert_eq(vm2->deadline_ms, 10.0);

	const struct vsn_node *vm2b = vsn_doc_node(doc, GRID "VM2b");
	cr_assert_str_eq(vm2b->backup_of, GRID "VM2");
	cr_assert(vm2b->fields & VSN_F_BACKUP_OF);
	cr_assert_eq(vm2b->wcet_ms, 2.0);
	cr_assert_eq(vm2b->bcet_ms, 1.0);
	cr_assert_eq(vm2b->deadline_ms, 2.0);

	const struct vsn_node *vm3 = vsn_doc_node(doc, GRID "VM3");
	cr_assert_eq(vm3->period_ms, 10.0);
	cr_assert_eq(vm3->deadline_ms, 6.0);

	const struct vsn_link *sync = vsn_doc_link(doc, GRID "sync");
	cr_assert_not_null(sync);
	cr_assert_str_eq(sync->source, GRID "VM2");
	cr_assert_str_eq(sync->target, GRID "VM2b");
	cr_assert_eq(sync->bandwidth_mbps, 100.0);
	cr_assert_eq(sync->max_bandwidth_mbps, 1000.0);
	cr_assert_eq(sync->latency_ms, 2.0);
	cr_assert_eq(sync->message_bytes, 125000);

	const struct vsn_flow *a2 = &doc->flows[0];
	cr_assert_str_eq(a2->iri, GRID "a2");
	cr_assert_eq(a2->deadline_ms, 12.0);
	cr_assert_eq(a2->path_len, 3);
	cr_assert_str_eq(a2->path[0], GRID "VM2");
	cr_assert_str_eq(a2->path[1], GRID "sync");
	cr_assert_str_eq(a2->path[2], GRID "VM2b");
}

Test(vsn_parse, seed_scenario_turtle_has_the_values_of_the_file)
{
	char *path = root_path("../shared/examples/seed-scenario.ttl");
	char *text, *alt = NULL;
	size_t len;
	if (kairos_read_file(path, &text, &len) != 0)
		text = alt = slurp("tests/vsn/good/seed.ttl");
	struct vsn_doc *doc = parse_ok(text, VSN_SYNTAX_TURTLE, NULL);
	assert_seed(doc);
	cr_assert_eq(doc->triple_count, 53);
	vsn_doc_free(doc);
	free(text);
	free(path);
	(void)alt;
}

Test(vsn_parse, seed_scenario_is_the_same_model_in_every_syntax)
{
	struct vsn_doc *ttl = parse_file("tests/vsn/good/seed.ttl");
	const char *others[] = {"tests/vsn/good/seed.rdf", "tests/vsn/good/seed.nt",
				"tests/vsn/good/seed.json", "tests/vsn/good/seed-short-ids.json"};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct vsn_doc *d = parse_file(others[i]);
		assert_seed(d);
		cr_assert(vsn_doc_equal(ttl, d), "%s differs from seed.ttl", others[i]);
		vsn_doc_free(d);
	}
	vsn_doc_free(ttl);
}

/* read -> write (Turtle, JSON) -> read gives an equal model. */
static void assert_round_trips(const struct vsn_doc *doc)
{
	char *ttl = vsn_write_turtle(doc);
	char *json = vsn_write_json(doc);
	struct vsn_doc *a = parse_ok(ttl, VSN_SYNTAX_TURTLE, NULL);
	struct vsn_doc *b = parse_ok(json, VSN_SYNTAX_JSON, NULL);
	cr_assert(vsn_doc_equal(doc, a), "Turtle round trip differs:\n%s", ttl);
	cr_assert(vsn_doc_equal(doc, b), "JSON round trip differs:\n%s", json);
	cr_assert_eq(a->annotation_count, doc->annotation_count);
	/* Writing again gives the same text: the writers are deterministic. */
	char *ttl2 = vsn_write_turtle(a), *json2 = vsn_write_json(b);
	cr_assert_str_eq(ttl2, ttl);
	cr_assert_str_eq(json2, json);
	free(ttl2);
	free(json2);
	vsn_doc_free(a);
	vsn_doc_free(b);
	free(ttl);
	free(json);
}

Test(vsn_parse, every_example_and_fixture_round_trips)
{
	const char *patterns[] = {"../shared/examples/*.ttl", "tests/vsn/good/*.ttl",
				  "tests/vsn/good/*.rdf", "tests/vsn/good/*.nt",
				  "tests/vsn/good/*.json"};
	size_t files = 0;
	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		char *pat = root_path(patterns[p]);
		glob_t gl;
		if (glob(pat, 0, NULL, &gl) == 0) {
			for (size_t i = 0; i < gl.gl_pathc; i++) {
				char *text;
				size_t len;
				cr_assert_eq(kairos_read_file(gl.gl_pathv[i], &text, &len), 0);
				struct vsn_doc *doc =
				    parse_ok(text, vsn_syntax_from_filename(gl.gl_pathv[i]), NULL);
				assert_round_trips(doc);
				vsn_doc_free(doc);
				free(text);
				files++;
			}
			globfree(&gl);
		}
		free(pat);
	}
	cr_assert_geq(files, 10, "only %zu documents found", files);
}

Test(vsn_parse, generated_vsn_is_equal_in_every_syntax_and_round_trips)
{
	const enum vsn_syntax syntaxes[] = {VSN_SYNTAX_TURTLE, VSN_SYNTAX_RDFXML,
					    VSN_SYNTAX_NTRIPLES, VSN_SYNTAX_JSON};
	struct vsn_doc *first = NULL;
	for (size_t i = 0; i < 4; i++) {
		char *text = vsn_gen_document(120, 240, 30, syntaxes[i]);
		struct vsn_doc *doc = parse_ok(text, syntaxes[i], VSN_GEN_BASE);
		cr_assert_eq(doc->node_count, 120);
		cr_assert_eq(doc->link_count, 240);
		cr_assert_eq(doc->flow_count, 30);
		cr_assert_eq(doc->availability, 0.9999);
		const struct vsn_node *n48 = vsn_doc_node(doc, VSN_GEN_BASE "n48");
		cr_assert_str_eq(n48->backup_of, VSN_GEN_BASE "n47");
		cr_assert_eq(n48->wcet_ms, 0.25);
		cr_assert_eq(n48->bcet_ms, 0.125);
		const struct vsn_node *n4 = vsn_doc_node(doc, VSN_GEN_BASE "n4");
		cr_assert_eq(n4->type, VSN_NODE_STORAGE);
		cr_assert_eq(n4->throughput_mbps, 24.5);
		cr_assert_eq(vsn_doc_node(doc, VSN_GEN_BASE "n0")->jitter_ms, 0.5);
		cr_assert_str_eq(vsn_doc_node(doc, VSN_GEN_BASE "n0")->image, "debian-12-rt");
		cr_assert_eq(vsn_doc_link(doc, VSN_GEN_BASE "l3")->latency_ms, 0.05);
		assert_round_trips(doc);
		if (first) {
			cr_assert(vsn_doc_equal(first, doc), "%s differs from turtle",
				  vsn_syntax_name(syntaxes[i]));
			vsn_doc_free(doc);
		} else {
			first = doc;
		}
		free(text);
	}
	vsn_doc_free(first);
}

Test(vsn_parse, tenant_plant_is_the_same_model_in_every_syntax)
{
	struct vsn_doc *ttl = parse_file("tests/vsn/good/plant.ttl");
	const struct vsn_node *plc2 = vsn_doc_node(ttl, "https://tenant.example/plant#plc2");
	cr_assert_eq(plc2->type, VSN_NODE_COMPUTE);
	cr_assert_eq(plc2->wcet_ms, 0.25);
	cr_assert_str_eq(plc2->backup_of, "https://tenant.example/plant#plc1");
	cr_assert_str_eq(ttl->label, "bottling plant \"line 3\"");
	cr_assert_eq(vsn_doc_node(ttl, "https://tenant.example/plant#hist")->throughput_mbps, 80.5);
	const char *others[] = {"tests/vsn/good/plant.rdf", "tests/vsn/good/plant.nt",
				"tests/vsn/good/plant.json"};
	for (size_t i = 0; i < 3; i++) {
		struct vsn_doc *d = parse_file(others[i]);
		cr_assert(vsn_doc_equal(ttl, d), "%s differs from plant.ttl", others[i]);
		vsn_doc_free(d);
	}
	vsn_doc_free(ttl);
}

Test(vsn_parse, equality_sees_a_changed_value)
{
	struct vsn_doc *a = parse_file("tests/vsn/good/seed.ttl");
	struct vsn_doc *b = parse_file("tests/vsn/good/seed.ttl");
	cr_assert(vsn_doc_equal(a, b));
	b->nodes[2].wcet_ms = 2.000001;
	cr_assert_not(vsn_doc_equal(a, b));
	b->nodes[2].wcet_ms = a->nodes[2].wcet_ms;
	free(b->flows[0].path[1]);
	b->flows[0].path[1] = kairos_xstrdup(GRID "other");
	cr_assert_not(vsn_doc_equal(a, b));
	vsn_doc_free(a);
	vsn_doc_free(b);
}

Test(vsn_parse, tenant_subclasses_subproperties_blank_nodes_and_annotations)
{
	static const char doc_text[] =
	    "@prefix vsn: <https://w3id.org/kairos/vsn#> .\n"
	    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
	    "@prefix ex: <https://tenant.example/plant#> .\n"
	    "ex:PLC rdfs:subClassOf ex:Controller .\n"
	    "ex:Controller rdfs:subClassOf vsn:ComputeNode .\n"
	    "ex:worstCase rdfs:subPropertyOf ex:timing .\n"
	    "ex:timing rdfs:subPropertyOf vsn:wcetMs .\n"
	    "ex:plant a vsn:VirtualServiceNetwork ; rdfs:label \"plant\" ; vsn:availability "
	    "0.99999 ;\n"
	    "  ex:owner \"ops team\" ;\n"
	    "  vsn:hasNode ex:plc1, _:hist ; vsn:hasLink ex:l ; vsn:hasFlow [ a vsn:Flow ;\n"
	    "    vsn:path ( ex:plc1 ex:l _:hist ) ; vsn:deadlineMs 7.5 ] .\n"
	    "ex:plc1 a ex:PLC ; rdfs:comment \"line 3\" ; vsn:vcpus 2 ; vsn:memoryMiB 256 ;\n"
	    "  vsn:periodMs 1.5 ; ex:worstCase 0.25 ; vsn:bcetMs 0.1 ; vsn:deadlineMs 1.5 ;\n"
	    "  vsn:jitterMs 0.05 ; vsn:image \"plc-fw\" ; vsn:availability 0.9995 .\n"
	    "_:hist a vsn:StorageNode ; vsn:diskGiB 100 ; vsn:iops 2000 ; vsn:throughputMBps 80 .\n"
	    "ex:l a vsn:NetworkLink ; vsn:source ex:plc1 ; vsn:target _:hist ;\n"
	    "  vsn:bandwidthMbps 10 ; vsn:maxBandwidthMbps 100 ; vsn:latencyMs 0.5 ; "
	    "vsn:messageBytes 1500 .\n";
	struct vsn_doc *doc = parse_ok(doc_text, VSN_SYNTAX_TURTLE, NULL);
	cr_assert_eq(doc->node_count, 2);
	cr_assert_eq(doc->availability, 0.99999);
	const struct vsn_node *plc = vsn_doc_node(doc, "https://tenant.example/plant#plc1");
	cr_assert_not_null(plc);
	cr_assert_eq(plc->type, VSN_NODE_COMPUTE, "ex:PLC is a vsn:ComputeNode through two hops");
	cr_assert_eq(plc->wcet_ms, 0.25, "ex:worstCase means vsn:wcetMs through two hops");
	cr_assert(plc->fields & VSN_F_WCET_MS);
	cr_assert_eq(plc->jitter_ms, 0.05);
	cr_assert_eq(plc->availability, 0.9995);
	cr_assert_str_eq(plc->image, "plc-fw");
	const struct vsn_node *hist = &doc->nodes[1];
	cr_assert_eq(strncmp(hist->iri, "_:", 2), 0, "blank node element keeps a _: id");
	cr_assert_eq(hist->type, VSN_NODE_STORAGE);
	cr_assert_eq(hist->iops, 2000);
	cr_assert_eq(doc->flow_count, 1);
	cr_assert_eq(doc->flows[0].deadline_ms, 7.5);
	cr_assert_str_eq(doc->flows[0].path[2], hist->iri);
	/* Kept and ignored: the subclass/subproperty declarations, ex:owner, rdfs:comment
	 * and ex:plc1's rdf:type ex:PLC. */
	cr_assert_eq(doc->annotation_count, 7);
	bool has_owner = false;
	for (size_t i = 0; i < doc->annotation_count; i++)
		has_owner |= strstr(doc->annotations[i],
				    "<https://tenant.example/plant#owner> \"ops team\"") != NULL;
	cr_assert(has_owner);
	assert_round_trips(doc);
	vsn_doc_free(doc);
}

Test(vsn_parse, json_short_ids_resolve_against_the_document_or_caller_base)
{
	static const char text[] =
	    "{\"id\": \"https://t.example/x#v\", \"nodes\": [{\"id\": \"a\", \"type\": \"compute\","
	    " \"vcpus\": 1, \"memoryMiB\": 64, \"periodMs\": 10, \"wcetMs\": 1, \"bcetMs\": 0.5,"
	    " \"deadlineMs\": 10}]}";
	struct vsn_doc *doc = parse_ok(text, VSN_SYNTAX_JSON, NULL);
	cr_assert_str_eq(doc->nodes[0].iri, "https://t.example/x#a");
	vsn_doc_free(doc);
	static const char text2[] =
	    "{\"id\": \"v\", \"nodes\": [{\"id\": \"a\", \"type\": \"storage\", \"diskGiB\": 1,"
	    " \"iops\": 1, \"throughputMBps\": 1}]}";
	doc = parse_ok(text2, VSN_SYNTAX_JSON, "https://base.example/p/");
	cr_assert_str_eq(doc->iri, "https://base.example/p/v");
	cr_assert_str_eq(doc->nodes[0].iri, "https://base.example/p/a");
	vsn_doc_free(doc);
	/* Dot segments are removed as the RDF readers remove them (found by fuzzing). */
	doc = parse_ok(text2, VSN_SYNTAX_JSON, "https://base.example/p/./q/../");
	cr_assert_str_eq(doc->nodes[0].iri, "https://base.example/p/a");
	char *ttl = vsn_write_turtle(doc);
	struct vsn_doc *again = parse_ok(ttl, VSN_SYNTAX_TURTLE, NULL);
	cr_assert(vsn_doc_equal(doc, again));
	vsn_doc_free(again);
	free(ttl);
	vsn_doc_free(doc);
}

Test(vsn_parse, syntax_errors_carry_line_and_column)
{
	struct vsn_problems p = parse_bad("@prefix vsn: <https://w3id.org/kairos/vsn#> .\n"
					  "<a> a vsn:VirtualServiceNetwork ;\n"
					  "    vsn:hasNode <b> <c> .\n",
					  VSN_SYNTAX_TURTLE, -KAIROS_ESYNTAX, NULL);
	cr_assert_eq(p.items[0].kind, VSN_PROBLEM_SYNTAX);
	cr_assert_eq(p.items[0].line, 3);
	cr_assert_str_eq(p.items[0].rule, "syntax");
	vsn_problems_destroy(&p);

	p = parse_bad("{\"id\": \"x\",\n  \"nodes\": [1, 2,]\n}", VSN_SYNTAX_JSON, -KAIROS_ESYNTAX,
		      NULL);
	cr_assert_eq(p.count, 1);
	cr_assert_eq(p.items[0].line, 2);
	cr_assert_eq(p.items[0].column, 18, "column %d", p.items[0].column);
	vsn_problems_destroy(&p);

	p = parse_bad("<?xml version=\"1.0\"?>\n<rdf:RDF "
		      "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
		      "<rdf:Description rdf:about=\"a\">\n</rdf:RDF>\n",
		      VSN_SYNTAX_RDFXML, -KAIROS_ESYNTAX, NULL);
	cr_assert_eq(p.items[0].line, 4); /* raptor's RDF/XML parser gives lines only */
	vsn_problems_destroy(&p);

	p = parse_bad("<a> <b> .\n", VSN_SYNTAX_NTRIPLES, -KAIROS_ESYNTAX, NULL);
	cr_assert_eq(p.items[0].line, 1);
	vsn_problems_destroy(&p);
}

Test(vsn_parse, limits_refuse_big_documents_early)
{
	struct vsn_limits limits = {0};
	char *text = vsn_gen_document(200, 400, 10, VSN_SYNTAX_TURTLE);
	limits.max_triples = 500;
	struct vsn_problems p = parse_bad(text, VSN_SYNTAX_TURTLE, -KAIROS_ELIMIT, &limits);
	cr_assert_eq(p.count, 1);
	cr_assert_eq(p.items[0].kind, VSN_PROBLEM_LIMIT);
	cr_assert_str_eq(p.items[0].rule, "max_triples");
	vsn_problems_destroy(&p);

	memset(&limits, 0, sizeof(limits));
	limits.max_nodes = 100;
	p = parse_bad(text, VSN_SYNTAX_TURTLE, -KAIROS_ELIMIT, &limits);
	cr_assert_str_eq(p.items[0].rule, "max_nodes");
	vsn_problems_destroy(&p);
	free(text);

	memset(&limits, 0, sizeof(limits));
	limits.max_document_bytes = 1000;
	text = vsn_gen_document(200, 400, 10, VSN_SYNTAX_JSON);
	p = parse_bad(text, VSN_SYNTAX_JSON, -KAIROS_ELIMIT, &limits);
	cr_assert_str_eq(p.items[0].rule, "max_document_bytes");
	vsn_problems_destroy(&p);
	memset(&limits, 0, sizeof(limits));
	limits.max_links = 10;
	p = parse_bad(text, VSN_SYNTAX_JSON, -KAIROS_ELIMIT, &limits);
	cr_assert_str_eq(p.items[0].rule, "max_links");
	vsn_problems_destroy(&p);
	free(text);

	/* A 1 MiB literal against the default 4 KiB cap, in RDF/XML. */
	struct kairos_buf b = {0};
	kairos_buf_puts(&b, "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
			    "xmlns:vsn=\"https://w3id.org/kairos/vsn#\"><rdf:Description "
			    "rdf:about=\"x\"><vsn:image>");
	for (int i = 0; i < 1 << 20; i++)
		kairos_buf_append(&b, "a", 1);
	kairos_buf_puts(&b, "</vsn:image></rdf:Description></rdf:RDF>");
	p = parse_bad(b.data, VSN_SYNTAX_RDFXML, -KAIROS_ELIMIT, NULL);
	cr_assert_str_eq(p.items[0].rule, "max_literal_bytes");
	vsn_problems_destroy(&p);
	kairos_buf_destroy(&b);

	/* Deep XML nesting is refused before raptor runs (it is slow on it). */
	kairos_buf_puts(
	    &b, "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		"xmlns:vsn=\"https://w3id.org/kairos/vsn#\"><!-- <a><b><c> --><rdf:Description>");
	for (int i = 0; i < 100000; i++)
		kairos_buf_puts(&b, "<vsn:x><rdf:Description a='>'>");
	p = parse_bad(b.data, VSN_SYNTAX_RDFXML, -KAIROS_ELIMIT, NULL);
	cr_assert_eq(p.count, 1);
	cr_assert_str_eq(p.items[0].rule, "max_depth");
	vsn_problems_destroy(&p);
	kairos_buf_reset(&b);

	/* A document that breaks a rule in every triple: the list is cut at
	 * VSN_MAX_PROBLEMS, and says so. */
	kairos_buf_puts(&b, "@prefix vsn: <https://w3id.org/kairos/vsn#> .\n");
	for (int i = 0; i < 3000; i++)
		kairos_buf_printf(&b, "<n%d> vsn:wcetMS %d .\n", i, i);
	p = parse_bad(b.data, VSN_SYNTAX_TURTLE, -KAIROS_EINVAL, NULL);
	cr_assert_eq(p.count, VSN_MAX_PROBLEMS + 1);
	cr_assert_str_eq(p.items[VSN_MAX_PROBLEMS - 1].rule, "known vsn: term");
	cr_assert_str_eq(p.items[VSN_MAX_PROBLEMS].rule, "max_problems");
	cr_assert_eq(p.items[VSN_MAX_PROBLEMS].kind, VSN_PROBLEM_LIMIT);
	vsn_problems_destroy(&p);
	kairos_buf_reset(&b);

	/* Deep nesting: refused (by the parser or a cap), never a crash. */
	kairos_buf_puts(&b, "@prefix vsn: <https://w3id.org/kairos/vsn#> .\n<a> vsn:x ");
	for (int i = 0; i < 100000; i++)
		kairos_buf_puts(&b, "[ vsn:x ");
	struct vsn_problems q;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&q);
	cr_assert_neq(vsn_parse(b.data, b.len, VSN_SYNTAX_TURTLE, NULL, NULL, &doc, &q), 0);
	cr_assert_null(doc);
	vsn_problems_destroy(&q);
	kairos_buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		kairos_buf_puts(&b, "{\"a\":[");
	vsn_problems_init(&q);
	cr_assert_eq(vsn_parse(b.data, b.len, VSN_SYNTAX_JSON, NULL, NULL, &doc, &q),
		     -KAIROS_ESYNTAX);
	vsn_problems_destroy(&q);
	kairos_buf_destroy(&b);
}

Test(vsn_parse, syntax_names_media_types_and_extensions)
{
	cr_assert_eq(vsn_syntax_from_content_type("text/turtle"), VSN_SYNTAX_TURTLE);
	cr_assert_eq(vsn_syntax_from_content_type("application/rdf+xml; charset=utf-8"),
		     VSN_SYNTAX_RDFXML);
	cr_assert_eq(vsn_syntax_from_content_type("application/n-triples"), VSN_SYNTAX_NTRIPLES);
	cr_assert_eq(vsn_syntax_from_content_type("Application/JSON"), VSN_SYNTAX_JSON);
	cr_assert_eq(vsn_syntax_from_content_type("text/html"), VSN_SYNTAX_UNKNOWN);
	cr_assert_eq(vsn_syntax_from_filename("a/b.c/grid.ttl"), VSN_SYNTAX_TURTLE);
	cr_assert_eq(vsn_syntax_from_filename("grid.rdf"), VSN_SYNTAX_RDFXML);
	cr_assert_eq(vsn_syntax_from_filename("grid.nt"), VSN_SYNTAX_NTRIPLES);
	cr_assert_eq(vsn_syntax_from_filename("grid.json"), VSN_SYNTAX_JSON);
	cr_assert_eq(vsn_syntax_from_filename("a.d/grid"), VSN_SYNTAX_UNKNOWN);
	cr_assert_str_eq(vsn_syntax_name(VSN_SYNTAX_NTRIPLES), "ntriples");
	size_t len;
	const char *onto = vsn_ontology_text(&len);
	cr_assert_gt(len, 1000);
	cr_assert_not_null(strstr(onto, "vsn:wcetMs a owl:DatatypeProperty"));
}

struct thread_arg {
	enum vsn_syntax syntax;
	char *text;
	int failures;
};

static void *parse_many(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 20; i++) {
		struct vsn_problems problems;
		struct vsn_doc *doc = NULL;
		vsn_problems_init(&problems);
		if (vsn_parse(a->text, strlen(a->text), a->syntax, VSN_GEN_BASE, NULL, &doc,
			      &problems) != 0 ||
		    doc->node_count != 50)
			a->failures++;
		vsn_doc_free(doc);
		vsn_problems_destroy(&problems);
	}
	return NULL;
}

Test(vsn_parse, concurrent_parses_in_every_syntax)
{
	const enum vsn_syntax syntaxes[] = {VSN_SYNTAX_TURTLE, VSN_SYNTAX_RDFXML,
					    VSN_SYNTAX_NTRIPLES, VSN_SYNTAX_JSON};
	pthread_t th[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] =
		    (struct thread_arg){syntaxes[i], vsn_gen_document(50, 80, 5, syntaxes[i]), 0};
		cr_assert_eq(pthread_create(&th[i], NULL, parse_many, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(args[i].failures, 0, "%s failed %d times",
			     vsn_syntax_name(syntaxes[i]), args[i].failures);
		free(args[i].text);
	}
}

/* A backup chain that runs into a cycle: the cycle's nodes are "acyclic" problems, the
 * node leading into it a "backup of a backup"; found in linear time. */
Test(vsn_parse, backup_cycles_and_chains)
{
	struct kairos_buf b = {0};
	kairos_buf_puts(&b, "@prefix vsn: <https://w3id.org/kairos/vsn#> .\n"
			    "<v> a vsn:VirtualServiceNetwork ; vsn:hasNode <n1>, <n2>, <n3>, <n4> .\n");
	const int primary_of[] = {0, 2, 3, 1, 1};
	for (int i = 1; i <= 4; i++)
		kairos_buf_printf(&b,
				  "<n%d> a vsn:StorageNode ; vsn:diskGiB 1 ; vsn:iops 1 ; "
				  "vsn:throughputMBps 1 ; vsn:backupOf <n%d> .\n",
				  i, primary_of[i]);
	struct vsn_problems p = parse_bad(b.data, VSN_SYNTAX_TURTLE, -KAIROS_EINVAL, NULL);
	cr_assert_eq(p.count, 4);
	for (int i = 0; i < 3; i++) {
		char subject[64];
		snprintf(subject, sizeof(subject), VSN_DEFAULT_BASE "n%d", i + 1);
		cr_assert_str_eq(p.items[i].subject, subject);
		cr_assert_str_eq(p.items[i].rule, "backupOf acyclic");
	}
	cr_assert_str_eq(p.items[3].subject, VSN_DEFAULT_BASE "n4");
	cr_assert_str_eq(p.items[3].rule, "no backup of a backup");
	cr_assert_str_eq(p.items[3].value, VSN_DEFAULT_BASE "n1");
	vsn_problems_destroy(&p);
	kairos_buf_destroy(&b);
}
