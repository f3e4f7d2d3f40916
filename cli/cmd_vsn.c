/*
 * cmd_vsn.c - `kairosctl vsn validate`: reads a VSN document from a file and validates
 * it locally with libvsn, without the API. Valid documents print a summary (or the
 * model as JSON); invalid ones print every problem, one per line (or a JSON array).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "vsn/vsn.h"

static int validate_usage(void)
{
	fputs("usage: kairosctl vsn validate FILE [--json] [--format turtle|rdfxml|ntriples|json]"
	      " [--base IRI]\n",
	      stderr);
	return 2;
}

static void print_summary(const struct vsn_doc *doc, const char *path, enum vsn_syntax syntax)
{
	size_t compute = 0, storage = 0, backups = 0;
	for (size_t i = 0; i < doc->node_count; i++) {
		if (doc->nodes[i].type == VSN_NODE_COMPUTE)
			compute++;
		else
			storage++;
		backups += doc->nodes[i].backup_of != NULL;
	}
	printf("%s: valid %s VSN %s", path, vsn_syntax_name(syntax), doc->iri);
	if (doc->label)
		printf(" (\"%s\")", doc->label);
	printf("\n  %zu nodes (%zu compute, %zu storage, %zu backups), %zu links, %zu flows, "
	       "%zu triples",
	       doc->node_count, compute, storage, backups, doc->link_count, doc->flow_count,
	       doc->triple_count);
	if (doc->fields & VSN_F_AVAILABILITY)
		printf(", availability target %.12g", doc->availability);
	if (doc->annotation_count)
		printf(", %zu annotation triples kept", doc->annotation_count);
	printf("\n");
}

int kairosctl_vsn_validate(int argc, char **argv)
{
	const char *path = NULL, *format = NULL, *base = NULL;
	bool is_json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			is_json = true;
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return validate_usage();
		else if (!path)
			path = argv[i];
		else
			return validate_usage();
	}
	if (!path)
		return validate_usage();
	enum vsn_syntax syntax =
	    format ? vsn_syntax_from_name(format) : vsn_syntax_from_filename(path);
	if (syntax == VSN_SYNTAX_UNKNOWN) {
		fprintf(stderr,
			"kairosctl: cannot tell the syntax of %s; use --format turtle|rdfxml|"
			"ntriples|json\n",
			path);
		return 2;
	}

	char *data;
	size_t len;
	int rc = kairos_read_file(path, &data, &len);
	if (rc != 0) {
		fprintf(stderr, "kairosctl: cannot read %s: %s\n", path, strerror(-rc));
		return 2;
	}
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	rc = vsn_parse(data, len, syntax, base, NULL, &doc, &problems);
	int status;
	if (rc == 0) {
		if (is_json) {
			char *json = vsn_write_json(doc);
			printf("%s\n", json);
			free(json);
		} else {
			print_summary(doc, path, syntax);
		}
		status = 0;
	} else if (rc == -KAIROS_EINTERNAL) {
		fprintf(stderr, "kairosctl: the embedded VSN ontology could not be loaded\n");
		status = 2;
	} else {
		char *out =
		    is_json ? vsn_problems_to_json(&problems) : vsn_problems_to_text(&problems);
		if (!is_json)
			printf("%s: %zu problem%s\n", path, problems.count,
			       problems.count == 1 ? "" : "s");
		fputs(out, stdout);
		if (is_json)
			fputs("\n", stdout);
		free(out);
		status = 1;
	}
	vsn_doc_free(doc);
	vsn_problems_destroy(&problems);
	free(data);
	return status;
}
