/*
 * parse.c - SPEC §4 model JSON -> struct rtc_model (and back).
 *
 * Numbers become int64 micro-units: a decimal with up to 6 fractional digits is
 * exact after rounding x*1e6 to the nearest integer (|x| <= 1e9 keeps the
 * double's relative error far below 1e-6); anything finer is rejected rather
 * than rounded, because rounding a wcet down would make the bound unsound.
 * Every error names the JSON field at fault. The reader is fuzzed (mk/rtc.mk).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/rtc.h"
#include "rtc/rtc_internal.h"

#define MAX_UNITS 1e9

#define BAD(field, ...) kairos_error_set(err, KAIROS_EINVAL, field, __VA_ARGS__)

/* Reads number KEY of OBJ in micro-units into *out; absent -> *present = false. */
static int get_micro(json_t *obj, const char *key, const char *prefix, int64_t *out, bool *present,
		     struct kairos_error *err)
{
	char f[160];
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return 0;
	snprintf(f, sizeof(f), "%s.%s", prefix, key);
	if (!json_is_number(v))
		return BAD(f, "%s: expected a number", f);
	double x = json_number_value(v);
	if (!isfinite(x) || fabs(x) > MAX_UNITS)
		return BAD(f, "%s: out of range (|value| <= 1e9)", f);
	double scaled = x * 1e6;
	double r = nearbyint(scaled);
	if (fabs(scaled - r) > 1e-3)
		return BAD(f, "%s: at most 6 fractional digits are supported", f);
	*out = (int64_t)r;
	if (present)
		*present = true;
	return 0;
}

static int get_string(json_t *obj, const char *key, const char *prefix, bool required, const char **out,
		      struct kairos_error *err)
{
	char f[160];
	json_t *v = json_object_get(obj, key);
	snprintf(f, sizeof(f), "%s.%s", prefix, key);
	*out = NULL;
	if (!v) {
		if (required)
			return BAD(f, "%s: required", f);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		return BAD(f, "%s: expected a non-empty string", f);
	*out = json_string_value(v);
	return 0;
}

static int parse_resource(struct rtc_model *m, json_t *jr, int i, struct kairos_error *err)
{
	char p[64], f[160];
	const char *name, *policy, *kind;
	int rc;
	snprintf(p, sizeof(p), "resources[%d]", i);
	if (!json_is_object(jr))
		return BAD(p, "%s: expected an object", p);
	if ((rc = get_string(jr, "name", p, true, &name, err)) || (rc = get_string(jr, "policy", p, true, &policy, err)) ||
	    (rc = get_string(jr, "kind", p, false, &kind, err)))
		return rc;
	enum rtc_policy pol;
	snprintf(f, sizeof(f), "%s.policy", p);
	if (strcmp(policy, "fp") == 0)
		pol = RTC_POLICY_FP;
	else if (strcmp(policy, "edf") == 0)
		pol = RTC_POLICY_EDF;
	else if (strcmp(policy, "tdma") == 0)
		pol = RTC_POLICY_TDMA;
	else
		return BAD(f, "%s: unknown policy \"%s\" (expected fp, edf or tdma)", f, policy);
	if (rtc_model_find_resource(m, name) >= 0) {
		snprintf(f, sizeof(f), "%s.name", p);
		return BAD(f, "%s: duplicate resource name \"%s\"", f, name);
	}
	int idx = rtc_model_add_resource(m, name, pol, err);
	if (idx < 0)
		return idx;
	struct rtc_resource *r = &m->resources[idx];
	if (kind) {
		snprintf(f, sizeof(f), "%s.kind", p);
		if (strcmp(kind, "host") == 0)
			r->kind = RTC_KIND_HOST;
		else if (strcmp(kind, "network") == 0)
			r->kind = RTC_KIND_NETWORK;
		else
			return BAD(f, "%s: unknown kind \"%s\" (expected host or network)", f, kind);
	}
	bool has_rate, has_cycle;
	if ((rc = get_micro(jr, "rate", p, &r->rate_micro, &has_rate, err)) ||
	    (rc = get_micro(jr, "latency", p, &r->latency, NULL, err)) ||
	    (rc = get_micro(jr, "cycle", p, &r->cycle, &has_cycle, err)))
		return rc;
	if (!has_rate)
		r->rate_micro = RTC_TICKS_PER_UNIT;
	if (pol == RTC_POLICY_TDMA && !has_cycle) {
		snprintf(f, sizeof(f), "%s.cycle", p);
		return BAD(f, "%s: required on a tdma resource", f);
	}
	return 0;
}

/* Resource names sorted once per parse, so that each task's look-up is a bsearch. */
struct name_index {
	const struct rtc_model *m;
	int *idx;
	int n;
};

static int cmp_res(const void *a, const void *b, void *ctx)
{
	const struct rtc_model *m = ctx;
	return strcmp(m->resources[*(const int *)a].name, m->resources[*(const int *)b].name);
}

static int find_res(const struct name_index *ix, const char *name)
{
	int lo = 0, hi = ix->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(ix->m->resources[ix->idx[mid]].name, name);
		if (c == 0)
			return ix->idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int parse_task(struct rtc_model *m, const struct name_index *ix, int si, json_t *jt, int h, const char *sp,
		      struct kairos_error *err)
{
	char p[96], f[160];
	const char *name, *res;
	int rc;
	snprintf(p, sizeof(p), "%s.path[%d]", sp, h);
	if (!json_is_object(jt))
		return BAD(p, "%s: expected an object", p);
	if ((rc = get_string(jt, "task", p, true, &name, err)) || (rc = get_string(jt, "resource", p, true, &res, err)))
		return rc;
	int r = find_res(ix, res);
	if (r < 0) {
		snprintf(f, sizeof(f), "%s.resource", p);
		return BAD(f, "%s: unknown resource \"%s\"", f, res);
	}
	int64_t wcet = 0, bcet = 0;
	bool has_wcet, has_bcet;
	if ((rc = get_micro(jt, "wcet", p, &wcet, &has_wcet, err)) || (rc = get_micro(jt, "bcet", p, &bcet, &has_bcet, err)))
		return rc;
	if (!has_wcet) {
		snprintf(f, sizeof(f), "%s.wcet", p);
		return BAD(f, "%s: required", f);
	}
	int t = rtc_model_add_task(m, si, name, r, wcet, has_bcet ? bcet : 0, err);
	if (t < 0)
		return t;
	struct rtc_task *k = &m->tasks[t];
	if ((rc = get_micro(jt, "deadline", p, &k->deadline, &k->has_deadline, err)) ||
	    (rc = get_micro(jt, "slot", p, &k->slot, NULL, err)))
		return rc;
	json_t *jp = json_object_get(jt, "priority");
	if (jp && !json_is_null(jp)) {
		snprintf(f, sizeof(f), "%s.priority", p);
		double x = json_is_number(jp) ? json_number_value(jp) : NAN;
		if (!isfinite(x) || x != floor(x) || fabs(x) > 1e15)
			return BAD(f, "%s: expected an integer", f);
		k->priority = (long)x;
		k->has_priority = true;
	}
	return 0;
}

static int parse_stream(struct rtc_model *m, const struct name_index *ix, json_t *js, int i,
			struct kairos_error *err)
{
	char p[64], f[160];
	const char *name;
	int rc;
	snprintf(p, sizeof(p), "streams[%d]", i);
	if (!json_is_object(js))
		return BAD(p, "%s: expected an object", p);
	if ((rc = get_string(js, "name", p, true, &name, err)))
		return rc;
	if (rtc_model_find_stream(m, name) >= 0) {
		snprintf(f, sizeof(f), "%s.name", p);
		return BAD(f, "%s: duplicate stream name \"%s\"", f, name);
	}
	int64_t period = 0;
	bool has_period;
	if ((rc = get_micro(js, "period", p, &period, &has_period, err)))
		return rc;
	if (!has_period) {
		snprintf(f, sizeof(f), "%s.period", p);
		return BAD(f, "%s: required", f);
	}
	int si = rtc_model_add_stream(m, name, period, err);
	if (si < 0)
		return si;
	struct rtc_stream *s = &m->streams[si];
	if ((rc = get_micro(js, "jitter", p, &s->jitter, NULL, err)) ||
	    (rc = get_micro(js, "min_distance", p, &s->min_distance, NULL, err)) ||
	    (rc = get_micro(js, "deadline", p, &s->deadline, &s->has_deadline, err)))
		return rc;
	json_t *path = json_object_get(js, "path");
	snprintf(f, sizeof(f), "%s.path", p);
	if (!json_is_array(path) || json_array_size(path) == 0)
		return BAD(f, "%s: expected a non-empty array of tasks", f);
	for (size_t h = 0; h < json_array_size(path); h++)
		if ((rc = parse_task(m, ix, si, json_array_get(path, h), (int)h, p, err)))
			return rc;
	return 0;
}

/* replica_of names a task anywhere in the model: resolved once all are read. */
static int resolve_replicas(struct rtc_model *m, json_t *streams, struct kairos_error *err)
{
	char f[160];
	for (int si = 0; si < m->nstreams; si++) {
		json_t *path = json_object_get(json_array_get(streams, (size_t)si), "path");
		for (int h = 0; h < m->streams[si].path_len; h++) {
			json_t *v = json_object_get(json_array_get(path, (size_t)h), "replica_of");
			if (!v || json_is_null(v))
				continue;
			snprintf(f, sizeof(f), "streams[%d].path[%d].replica_of", si, h);
			if (!json_is_string(v))
				return BAD(f, "%s: expected a task name", f);
			int t = rtc_model_find_task(m, json_string_value(v));
			if (t < 0)
				return BAD(f, "%s: unknown task \"%s\"", f, json_string_value(v));
			m->tasks[m->streams[si].path[h]].replica_of = t;
		}
	}
	return 0;
}

int rtc_model_parse(const char *json, size_t len, struct rtc_model **out, struct kairos_error *err)
{
	json_error_t jerr;
	struct name_index ix = {NULL, NULL, 0};
	struct rtc_model *m = NULL;
	int rc = 0;
	*out = NULL;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return kairos_error_set(err, KAIROS_ESYNTAX, NULL, "model: invalid JSON at line %d column %d: %s",
					jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = BAD("model", "model: expected a JSON object");
		goto out;
	}
	json_t *res = json_object_get(root, "resources"), *streams = json_object_get(root, "streams");
	if (!json_is_array(res)) {
		rc = BAD("resources", "resources: expected an array");
		goto out;
	}
	if (!json_is_array(streams)) {
		rc = BAD("streams", "streams: expected an array");
		goto out;
	}
	m = rtc_model_new();
	for (size_t i = 0; i < json_array_size(res); i++)
		if ((rc = parse_resource(m, json_array_get(res, i), (int)i, err)))
			goto out;
	ix.m = m;
	ix.n = m->nresources;
	ix.idx = kairos_xmalloc(((size_t)m->nresources + 1) * sizeof(int));
	for (int i = 0; i < m->nresources; i++)
		ix.idx[i] = i;
	qsort_r(ix.idx, (size_t)ix.n, sizeof(int), cmp_res, m);
	for (size_t i = 0; i < json_array_size(streams); i++)
		if ((rc = parse_stream(m, &ix, json_array_get(streams, i), (int)i, err)))
			goto out;
	if ((rc = resolve_replicas(m, streams, err)) || (rc = rtc_model_validate(m, err)))
		goto out;
	*out = m;
	m = NULL;
out:
	free(ix.idx);
	rtc_model_free(m);
	json_decref(root);
	return rc;
}

void rtc_ticks_format(int64_t ticks, char *buf, size_t size)
{
	uint64_t a = ticks < 0 ? (uint64_t)0 - (uint64_t)ticks : (uint64_t)ticks;
	uint64_t ip = a / RTC_TICKS_PER_UNIT, fp = a % RTC_TICKS_PER_UNIT;
	if (fp == 0) {
		snprintf(buf, size, "%s%llu", ticks < 0 ? "-" : "", (unsigned long long)ip);
		return;
	}
	char frac[8];
	snprintf(frac, sizeof(frac), "%06llu", (unsigned long long)fp);
	for (int i = 5; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	snprintf(buf, size, "%s%llu.%s", ticks < 0 ? "-" : "", (unsigned long long)ip, frac);
}

static void put_num(struct kairos_buf *b, const char *key, int64_t v)
{
	char n[48];
	rtc_ticks_format(v, n, sizeof(n));
	kairos_buf_printf(b, ", \"%s\": %s", key, n);
}

void rtc_buf_put_json_string(struct kairos_buf *b, const char *s)
{
	json_t *j = json_string(s);
	char *e = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	kairos_buf_puts(b, e ? e : "\"\"");
	free(e);
	json_decref(j);
}

char *rtc_model_to_json(const struct rtc_model *m)
{
	static const char *const pol[] = {"fp", "edf", "tdma"};
	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_puts(&b, "{\"resources\": [");
	for (int i = 0; i < m->nresources; i++) {
		const struct rtc_resource *r = &m->resources[i];
		kairos_buf_puts(&b, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
		rtc_buf_put_json_string(&b, r->name);
		kairos_buf_printf(&b, ", \"policy\": \"%s\", \"kind\": \"%s\"", pol[r->policy],
				  r->kind == RTC_KIND_NETWORK ? "network" : "host");
		put_num(&b, "rate", r->rate_micro);
		put_num(&b, "latency", r->latency);
		if (r->policy == RTC_POLICY_TDMA)
			put_num(&b, "cycle", r->cycle);
		kairos_buf_puts(&b, "}");
	}
	kairos_buf_puts(&b, "],\n \"streams\": [");
	int first = 1;
	for (int i = 0; i < m->nstreams; i++) {
		const struct rtc_stream *s = &m->streams[i];
		if (s->path_len == 0)
			continue;
		kairos_buf_puts(&b, first ? "\n  {\"name\": " : ",\n  {\"name\": ");
		first = 0;
		rtc_buf_put_json_string(&b, s->name);
		put_num(&b, "period", s->period);
		put_num(&b, "jitter", s->jitter);
		put_num(&b, "min_distance", s->min_distance);
		if (s->has_deadline)
			put_num(&b, "deadline", s->deadline);
		kairos_buf_puts(&b, ", \"path\": [");
		for (int h = 0; h < s->path_len; h++) {
			const struct rtc_task *t = &m->tasks[s->path[h]];
			kairos_buf_puts(&b, h ? ",\n    {\"task\": " : "\n    {\"task\": ");
			rtc_buf_put_json_string(&b, t->name);
			kairos_buf_puts(&b, ", \"resource\": ");
			rtc_buf_put_json_string(&b, m->resources[t->resource].name);
			put_num(&b, "wcet", t->wcet);
			put_num(&b, "bcet", t->bcet);
			if (t->has_priority)
				kairos_buf_printf(&b, ", \"priority\": %ld", t->priority);
			if (t->has_deadline)
				put_num(&b, "deadline", t->deadline);
			if (t->slot)
				put_num(&b, "slot", t->slot);
			if (t->replica_of >= 0) {
				kairos_buf_puts(&b, ", \"replica_of\": ");
				rtc_buf_put_json_string(&b, m->tasks[t->replica_of].name);
			}
			kairos_buf_puts(&b, "}");
		}
		kairos_buf_puts(&b, "]}");
	}
	kairos_buf_puts(&b, "]}\n");
	return kairos_buf_steal(&b);
}
