/*
 * vsn_fuzz.c - libFuzzer target for the VSN readers; built once per syntax with
 * -DVSN_FUZZ_SYNTAX=VSN_SYNTAX_TURTLE / _RDFXML / _JSON (see mk/vsn.mk).
 *
 * Beyond "no crash, no leak, no sanitizer report", every input that validates must
 * also survive the round trip: written to Turtle and to JSON and read back, it must
 * give an equal model (abort otherwise, so that libFuzzer keeps the input).
 */
#include <stdint.h>
#include <stdlib.h>

#include "vsn/vsn.h"

static void round_trip(const struct vsn_doc *doc, char *text, enum vsn_syntax syntax)
{
	struct vsn_problems problems;
	struct vsn_doc *again = NULL;
	vsn_problems_init(&problems);
	size_t len = 0;
	while (text[len])
		len++;
	if (vsn_parse(text, len, syntax, NULL, NULL, &again, &problems) != 0 ||
	    !vsn_doc_equal(doc, again))
		abort();
	vsn_doc_free(again);
	vsn_problems_destroy(&problems);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsn_limits limits = {0};
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;

	limits.max_document_bytes = 1 << 16;
	limits.max_triples = 20000;
	limits.max_path_length = 64;
	vsn_problems_init(&problems);
	if (vsn_parse((const char *)data, size, VSN_FUZZ_SYNTAX, NULL, &limits, &doc, &problems) ==
	    0) {
		char *s = vsn_problems_to_json(&problems);
		free(s);
		round_trip(doc, vsn_write_turtle(doc), VSN_SYNTAX_TURTLE);
		round_trip(doc, vsn_write_json(doc), VSN_SYNTAX_JSON);
		vsn_doc_free(doc);
	} else {
		char *s = vsn_problems_to_json(&problems);
		free(s);
		s = vsn_problems_to_text(&problems);
		free(s);
	}
	vsn_problems_destroy(&problems);
	return 0;
}
