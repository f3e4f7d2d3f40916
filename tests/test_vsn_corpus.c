/*
 * test_vsn_corpus.c - the bad-document corpus: every tests/vsn/bad/NN-rule.{ttl,json,
 * rdf,nt} breaks one rule, and NN-rule.expect lists every problem it must yield, field
 * by field: kind | subject | property | value | rule | line:column [| ~text the message
 * contains]. The lists must match exactly (same problems, nothing more), in any order.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/vsn.h"

struct expected {
	char *fields[7];
	size_t count;
};

static const char *kind_name(enum vsn_problem_kind kind)
{
	return kind == VSN_PROBLEM_SYNTAX  ? "syntax"
	       : kind == VSN_PROBLEM_LIMIT ? "limit"
					   : "semantic";
}

/* Splits LINE (modified in place) on " | ". */
static void split(char *line, struct expected *e)
{
	e->count = 0;
	char *at = line;
	while (e->count < 7) {
		e->fields[e->count++] = at;
		char *sep = strstr(at, " | ");
		if (!sep)
			break;
		*sep = '\0';
		at = sep + 3;
	}
}

static bool matches(const struct expected *e, const struct vsn_problem *p)
{
	char pos[32];
	snprintf(pos, sizeof(pos), "%d:%d", p->line, p->column);
	if (e->count < 6)
		return false;
	if (strcmp(e->fields[0], kind_name(p->kind)) || strcmp(e->fields[1], p->subject) ||
	    strcmp(e->fields[2], p->property) || strcmp(e->fields[3], p->value) ||
	    strcmp(e->fields[4], p->rule) || strcmp(e->fields[5], pos))
		return false;
	if (e->count == 7 && e->fields[6][0] == '~' && !strstr(p->message, e->fields[6] + 1))
		return false;
	return *p->message != '\0';
}

static void check_document(const char *path, size_t *checked_problems)
{
	char *text, *expect_text;
	size_t len, elen;
	cr_assert_eq(kairos_read_file(path, &text, &len), 0, "cannot read %s", path);
	char expect_path[4096];
	snprintf(expect_path, sizeof(expect_path), "%s", path);
	strcpy(strrchr(expect_path, '.'), ".expect");
	cr_assert_eq(kairos_read_file(expect_path, &expect_text, &elen), 0, "no %s", expect_path);

	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	int rc = vsn_parse(text, len, vsn_syntax_from_filename(path), NULL, NULL, &doc, &problems);
	cr_expect_neq(rc, 0, "%s: accepted", path);
	cr_expect_null(doc);
	bool want_syntax = vsn_problems_has_kind(&problems, VSN_PROBLEM_SYNTAX);
	cr_expect_eq(rc == -KAIROS_ESYNTAX, want_syntax, "%s: rc %d", path, rc);

	bool *used = calloc(problems.count + 1, sizeof(bool));
	size_t expected_count = 0;
	for (char *line = strtok(expect_text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char copy[8192];
		snprintf(copy, sizeof(copy), "%s", line);
		struct expected e;
		split(line, &e);
		expected_count++;
		bool found = false;
		for (size_t i = 0; i < problems.count && !found; i++) {
			if (!used[i] && matches(&e, &problems.items[i])) {
				used[i] = true;
				found = true;
			}
		}
		cr_expect(found, "%s: expected problem not reported: %s", path, copy);
	}
	for (size_t i = 0; i < problems.count; i++) {
		const struct vsn_problem *p = &problems.items[i];
		cr_expect(used[i], "%s: unexpected problem: %s | %s | %s | %s | %s | %d:%d (%s)",
			  path, kind_name(p->kind), p->subject, p->property, p->value, p->rule,
			  p->line, p->column, p->message);
	}
	cr_expect_eq(problems.count, expected_count, "%s: %zu problems, expected %zu", path,
		     problems.count, expected_count);
	cr_expect_gt(expected_count, 0, "%s: an empty expectation proves nothing", path);
	*checked_problems += expected_count;
	free(used);
	vsn_doc_free(doc);
	vsn_problems_destroy(&problems);
	free(text);
	free(expect_text);
}

Test(vsn_corpus, every_bad_document_yields_exactly_its_expected_problems)
{
	const char *root = getenv("KAIROS_ROOT");
	const char *exts[] = {"ttl", "json", "rdf", "nt"};
	size_t documents = 0, problems = 0;
	for (size_t k = 0; k < 4; k++) {
		char pattern[4096];
		glob_t gl;
		snprintf(pattern, sizeof(pattern), "%s/tests/vsn/bad/*.%s", root ? root : ".",
			 exts[k]);
		if (glob(pattern, 0, NULL, &gl) != 0)
			continue;
		for (size_t i = 0; i < gl.gl_pathc; i++, documents++)
			check_document(gl.gl_pathv[i], &problems);
		globfree(&gl);
	}
	cr_assert_geq(documents, 25, "only %zu bad documents", documents);
	cr_assert_geq(problems, documents);
}

Test(vsn_corpus, problems_serialise_for_the_api_and_the_cli)
{
	char *text;
	size_t len;
	const char *root = getenv("KAIROS_ROOT");
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/vsn/bad/12-bcet-above-wcet.ttl", root ? root : ".");
	cr_assert_eq(kairos_read_file(path, &text, &len), 0);
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	vsn_problems_init(&problems);
	cr_assert_eq(vsn_parse(text, len, VSN_SYNTAX_TURTLE, NULL, NULL, &doc, &problems),
		     -KAIROS_EINVAL);
	char *json = vsn_problems_to_json(&problems);
	cr_assert_str_eq(
	    json, "[{\"kind\":\"semantic\",\"subject\":\"https://t.example/v#a\","
		  "\"property\":\"https://w3id.org/kairos/vsn#bcetMs\",\"value\":\"2.5\","
		  "\"rule\":\"bcetMs <= wcetMs\","
		  "\"message\":\"vsn:bcetMs (2.5) is greater than vsn:wcetMs (2)\",\"line\":9}]");
	char *lines = vsn_problems_to_text(&problems);
	cr_assert_str_eq(lines, "line 9: semantic: vsn:bcetMs (2.5) is greater than vsn:wcetMs (2) "
				"[rule: bcetMs <= wcetMs] [subject: https://t.example/v#a] "
				"[property: https://w3id.org/kairos/vsn#bcetMs] [value: 2.5]\n");
	free(json);
	free(lines);
	vsn_problems_destroy(&problems);
	free(text);
}
