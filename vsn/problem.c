/*
 * problem.c - the list of problems a VSN document has, and its JSON and text forms
 * (the HTTP API answers the JSON form in a 400/422 problem body; kairosctl prints the
 * text form).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/internal.h"

void vsn_problems_init(struct vsn_problems *problems)
{
	memset(problems, 0, sizeof(*problems));
}

void vsn_problems_destroy(struct vsn_problems *problems)
{
	for (size_t i = 0; i < problems->count; i++) {
		struct vsn_problem *p = &problems->items[i];
		free(p->subject);
		free(p->property);
		free(p->value);
		free(p->rule);
		free(p->message);
	}
	free(problems->items);
	memset(problems, 0, sizeof(*problems));
}

bool vsn_problems_has_kind(const struct vsn_problems *problems, enum vsn_problem_kind kind)
{
	for (size_t i = 0; i < problems->count; i++)
		if (problems->items[i].kind == kind)
			return true;
	return false;
}

void vsn_problem_add(struct vsn_problems *problems, enum vsn_problem_kind kind, const char *subject,
		     const char *property, const char *value, const char *rule, int line,
		     int column, const char *fmt, ...)
{
	/* A hostile document can break a rule in every triple: list the first
	 * VSN_MAX_PROBLEMS, then say that there are more, then stop (bounded memory). */
	if (problems->count > VSN_MAX_PROBLEMS)
		return;
	if (problems->count == VSN_MAX_PROBLEMS) {
		kind = VSN_PROBLEM_LIMIT;
		subject = property = value = NULL;
		rule = "max_problems";
		line = column = 0;
	}
	if (problems->count == problems->cap) {
		problems->cap = problems->cap ? problems->cap * 2 : 8;
		problems->items =
		    kairos_xrealloc(problems->items, problems->cap * sizeof(*problems->items));
	}
	struct vsn_problem *p = &problems->items[problems->count++];
	p->kind = kind;
	p->subject = kairos_xstrdup(subject ? subject : "");
	p->property = kairos_xstrdup(property ? property : "");
	p->value = kairos_xstrdup(value ? value : "");
	p->rule = kairos_xstrdup(rule ? rule : "");
	p->line = line > 0 ? line : 0;
	p->column = column > 0 ? column : 0;
	struct kairos_buf b = {0};
	if (strcmp(rule, "max_problems") == 0) {
		kairos_buf_printf(&b, "more problems were found; only the first %d are listed",
				  VSN_MAX_PROBLEMS);
	} else {
		va_list ap;
		va_start(ap, fmt);
		kairos_buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	p->message = kairos_buf_steal(&b);
}

static const char *kind_name(enum vsn_problem_kind kind)
{
	switch (kind) {
	case VSN_PROBLEM_SYNTAX:
		return "syntax";
	case VSN_PROBLEM_LIMIT:
		return "limit";
	case VSN_PROBLEM_SEMANTIC:
		return "semantic";
	}
	return "semantic";
}

char *vsn_problems_to_json(const struct vsn_problems *problems)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < problems->count; i++) {
		const struct vsn_problem *p = &problems->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(kind_name(p->kind)));
		const char *keys[] = {"subject", "property", "value", "rule", "message"};
		const char *vals[] = {p->subject, p->property, p->value, p->rule, p->message};
		for (size_t k = 0; k < 5; k++)
			if (*vals[k])
				json_object_set_new(o, keys[k],
						    json_stringn(vals[k], strlen(vals[k])));
		if (p->line)
			json_object_set_new(o, "line", json_integer(p->line));
		if (p->column)
			json_object_set_new(o, "column", json_integer(p->column));
		json_array_append_new(arr, o);
	}
	char *s = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(arr);
	if (!s)
		abort(); /* out of memory: fatal in Kairos */
	return s;
}

char *vsn_problems_to_text(const struct vsn_problems *problems)
{
	struct kairos_buf b = {0};
	for (size_t i = 0; i < problems->count; i++) {
		const struct vsn_problem *p = &problems->items[i];
		if (p->line && p->column)
			kairos_buf_printf(&b, "line %d:%d: ", p->line, p->column);
		else if (p->line)
			kairos_buf_printf(&b, "line %d: ", p->line);
		kairos_buf_printf(&b, "%s: %s", kind_name(p->kind), p->message);
		if (*p->rule)
			kairos_buf_printf(&b, " [rule: %s]", p->rule);
		if (*p->subject)
			kairos_buf_printf(&b, " [subject: %s]", p->subject);
		if (*p->property)
			kairos_buf_printf(&b, " [property: %s]", p->property);
		if (*p->value)
			kairos_buf_printf(&b, " [value: %s]", p->value);
		kairos_buf_puts(&b, "\n");
	}
	return kairos_buf_steal(&b);
}
