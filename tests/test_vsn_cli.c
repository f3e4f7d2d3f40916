/*
 * test_vsn_cli.c - `kairosctl vsn validate` as a user runs it: the real binary in
 * $KAIROS_BUILD, its exit status and what it prints.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/common.h"
#include "vsn/vsn.h"

/* Runs kairosctl with ARGS (a shell word list); returns its exit status, *out its stdout. */
static int run(const char *args, char **out)
{
	const char *build = getenv("KAIROS_BUILD"), *root = getenv("KAIROS_ROOT");
	struct kairos_buf cmd = {0}, b = {0};
	kairos_buf_printf(&cmd, "cd '%s' && '%s/kairosctl' %s 2>/dev/null", root ? root : ".",
			  build ? build : "build", args);
	FILE *p = popen(kairos_buf_str(&cmd), "r");
	cr_assert_not_null(p);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		kairos_buf_append(&b, chunk, n);
	int status = pclose(p);
	kairos_buf_destroy(&cmd);
	*out = kairos_buf_steal(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(vsn_cli, valid_document_prints_a_summary_and_exits_0)
{
	char *out;
	cr_assert_eq(run("vsn validate tests/vsn/good/seed.ttl", &out), 0);
	cr_assert_not_null(strstr(out, "valid turtle VSN https://tenant.example/grid#grid"), "%s",
			   out);
	cr_assert_not_null(
	    strstr(out, "4 nodes (4 compute, 0 storage, 1 backups), 1 links, 1 flows, 53 triples"),
	    "%s", out);
	free(out);
}

Test(vsn_cli, json_output_is_the_model_in_the_json_form)
{
	char *out;
	cr_assert_eq(run("vsn validate tests/vsn/good/seed.rdf --json", &out), 0);
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	cr_assert_eq(vsn_parse(out, strlen(out), VSN_SYNTAX_JSON, NULL, NULL, &doc, &problems), 0,
		     "%s", out);
	cr_assert_eq(doc->node_count, 4);
	cr_assert_eq(vsn_doc_node(doc, "https://tenant.example/grid#VM2")->wcet_ms, 5.0);
	vsn_doc_free(doc);
	vsn_problems_destroy(&problems);
	free(out);
}

Test(vsn_cli, invalid_document_lists_every_problem_and_exits_1)
{
	char *out;
	cr_assert_eq(run("vsn validate tests/vsn/bad/11-negative-times.ttl", &out), 1);
	cr_assert_not_null(strstr(out, "3 problems"), "%s", out);
	cr_assert_not_null(strstr(out, "[rule: jitterMs >= 0]"));
	cr_assert_not_null(strstr(out, "[rule: periodMs > 0]"));
	cr_assert_not_null(strstr(out, "[rule: bcetMs >= 0] [subject: https://t.example/v#a]"));
	free(out);
	cr_assert_eq(run("vsn validate tests/vsn/bad/02-syntax-json.json --json", &out), 1);
	cr_assert_str_eq(
	    out, "[{\"kind\":\"syntax\",\"rule\":\"syntax\",\"message\":\"'}' expected near "
		 "'\\\"type\\\"'\",\"line\":3,\"column\":28}]\n");
	free(out);
}

Test(vsn_cli, format_option_overrides_the_extension_and_usage_errors_exit_2)
{
	char *out;
	cr_assert_eq(run("vsn validate tests/vsn/good/seed.nt --format json", &out), 1);
	cr_assert_not_null(strstr(out, "syntax"));
	free(out);
	cr_assert_eq(run("vsn validate tests/vsn/good/seed.nt --format ntriples", &out), 0);
	free(out);
	cr_assert_eq(run("vsn validate", &out), 2);
	free(out);
	cr_assert_eq(run("vsn validate tests/vsn/no-such-file.ttl", &out), 2);
	free(out);
	cr_assert_eq(run("vsn validate tests/vsn/gen.h", &out), 2);
	free(out);
}
