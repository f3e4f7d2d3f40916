/*
 * vsn.c - the tenant's VSN routes (SPEC §3): submit (admit, quote, or refuse with
 * reasons and a counter-offer), list, show, renegotiate and delete, plus the admin's
 * whole-cloud model. Every decision holds the cloud lock from the analysis to the
 * database commit, so two admissions never see the same free capacity; when the commit
 * fails the in-memory cloud is put back, so nothing is half-stored or half-reserved.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void uuid_v4(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		memset(b, 0, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static bool is_dry_run(struct api_ctx *ctx)
{
	const char *v = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "dry_run");
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* Only tenants own VSNs. */
static int auth_tenant(struct api_ctx *ctx, struct db_principal *who, enum MHD_Result *reply)
{
	if (api_auth(ctx, false, who, reply))
		return -1;
	if (who->is_admin) {
		*reply = api_reply_problem(ctx, 403, "Forbidden",
					   "VSNs belong to tenants: use a tenant's token", NULL);
		return -1;
	}
	return 0;
}

/* Parses the request body as a VSN document; on failure queues 400/413/415/422. */
static struct vsn_doc *parse_document(struct api_ctx *ctx, const char **ctype_out,
				      enum MHD_Result *reply)
{
	const char *ctype =
	    MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	enum vsn_syntax syn = ctype ? vsn_syntax_from_content_type(ctype) : VSN_SYNTAX_UNKNOWN;
	if (syn == VSN_SYNTAX_UNKNOWN) {
		char detail[300];
		snprintf(
		    detail, sizeof(detail),
		    "Content-Type %s is not a VSN syntax; use text/turtle, application/rdf+xml, "
		    "application/n-triples or application/json",
		    ctype ? ctype : "(missing)");
		*reply = api_reply_problem(ctx, 415, "Unsupported Media Type", detail, NULL);
		return NULL;
	}
	*ctype_out = ctype;
	struct vsn_problems problems;
	vsn_problems_init(&problems);
	struct vsn_doc *doc = NULL;
	int rc = vsn_parse(ctx->body, ctx->body_len, syn, NULL, NULL, &doc, &problems);
	if (rc == 0) {
		vsn_problems_destroy(&problems);
		return doc;
	}
	char *text = vsn_problems_to_json(&problems);
	json_t *list = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	char detail[900];
	const char *first =
	    problems.count ? problems.items[0].message : "the document could not be read";
	snprintf(detail, sizeof(detail), "%zu problem%s in the %s document; first: %s",
		 problems.count, problems.count == 1 ? "" : "s", vsn_syntax_name(syn), first);
	unsigned int status = rc == -KAIROS_ESYNTAX  ? 400
			      : rc == -KAIROS_ELIMIT ? 413
			      : rc == -KAIROS_EINVAL ? 422
						     : 500;
	const char *title = status == 400   ? "Bad Request"
			    : status == 413 ? "Content Too Large"
			    : status == 422 ? "Unprocessable Content"
					    : "Internal Server Error";
	*reply = api_reply_problem(ctx, status, title, detail,
				   json_pack("{s:o}", "problems", list ? list : json_array()));
	vsn_problems_destroy(&problems);
	return NULL;
}

static const char *unit_of(const char *kind)
{
	if (strcmp(kind, "cpu") == 0)
		return "share";
	if (strcmp(kind, "memory") == 0)
		return "MiB";
	if (strcmp(kind, "bandwidth") == 0)
		return "Mbps";
	if (strcmp(kind, "disk") == 0)
		return "GiB";
	if (strcmp(kind, "iops") == 0)
		return "IOPS";
	return "MB/s";
}

/* What db_vsn_insert/renegotiate store for decision D; free with record_destroy. */
struct record {
	struct db_sla sla;
	struct db_placement *pl;
	struct db_reservation *rv;
	char *terms, *bounds, *placement;
	char **changed_states;
};

static void record_build(struct record *r, struct api_service *svc, const struct vsn_doc *doc,
			 const struct sla_decision *d, int version)
{
	memset(r, 0, sizeof(*r));
	r->pl = kairos_xcalloc((size_t)d->nnodes + 1, sizeof(*r->pl));
	for (int i = 0; i < d->nnodes; i++)
		r->pl[i] = (struct db_placement){d->nodes[i].iri,      0,
						 d->nodes[i].host,     d->nodes[i].core,
						 d->nodes[i].priority, d->nodes[i].core >= 0,
						 d->nodes[i].mode};
	r->rv = kairos_xcalloc((size_t)d->nreservations + 1, sizeof(*r->rv));
	for (int i = 0; i < d->nreservations; i++)
		r->rv[i] =
		    (struct db_reservation){d->reservations[i].element, d->reservations[i].resource,
					    d->reservations[i].kind, d->reservations[i].amount,
					    unit_of(d->reservations[i].kind)};
	r->terms = vsn_write_json(doc);
	json_t *dj = sla_decision_to_json(d);
	r->bounds = json_dumps(json_object_get(dj, "bounds"), JSON_COMPACT);
	json_decref(dj);
	json_t *pj = sla_placement_to_json(svc->cloud, &d->placement);
	r->placement = json_dumps(pj, JSON_COMPACT);
	json_decref(pj);
	r->changed_states = kairos_xcalloc((size_t)d->nchanged + 1, sizeof(char *));
	for (int i = 0; i < d->nchanged; i++) {
		json_t *cj = sla_placement_to_json(svc->cloud,
						   sla_cloud_placement(svc->cloud, d->changed[i]));
		r->changed_states[i] = json_dumps(cj, JSON_COMPACT);
		json_decref(cj);
	}
	r->sla = (struct db_sla){.version = version,
				 .terms_json = r->terms,
				 .bounds_json = r->bounds,
				 .availability_target =
				     d->availability_target > 0 ? d->availability_target : -1,
				 .availability_composed = d->availability_composed,
				 .placements = r->pl,
				 .n_placements = (size_t)d->nnodes,
				 .reservations = r->rv,
				 .n_reservations = (size_t)d->nreservations,
				 .placement_json = r->placement,
				 .changed_ids = (const char *const *)d->changed,
				 .changed_placements = (const char *const *)r->changed_states,
				 .n_changed = (size_t)d->nchanged};
}

static void record_destroy(struct record *r, int nchanged)
{
	for (int i = 0; i < nchanged; i++)
		free(r->changed_states[i]);
	free(r->changed_states);
	free(r->pl);
	free(r->rv);
	free(r->terms);
	free(r->bounds);
	free(r->placement);
}

/* The answer for an admitted or quoted decision, with the VSN's identity. */
static json_t *answer(const struct sla_decision *d, const char *id, const char *state,
		      const struct vsn_doc *doc, int version)
{
	json_t *j = sla_decision_to_json(d);
	json_object_del(j, "reasons");
	json_object_del(j, "counter_offer");
	if (id)
		json_object_set_new(j, "id", json_string(id));
	json_object_set_new(j, "state", json_string(state));
	json_object_set_new(j, "iri", json_string(doc->iri));
	json_object_set_new(j, "label", doc->label ? json_string(doc->label) : json_null());
	json_t *sla = json_object_get(j, "sla");
	json_object_set_new(sla, "version", json_integer(version));
	json_object_set_new(sla, "state",
			    json_string(strcmp(state, "admitted") == 0 ? "agreed" : "quoted"));
	return j;
}

/* 409 with every reason and the counter-offer; the old state stays in force. */
static enum MHD_Result refuse(struct api_ctx *ctx, const struct sla_decision *d, const char *what)
{
	json_t *j = sla_decision_to_json(d);
	json_t *extra = json_object();
	json_object_set(extra, "reasons",
			json_object_get(j, "reasons") ? json_object_get(j, "reasons")
						      : json_array());
	json_object_set(extra, "counter_offer",
			json_object_get(j, "counter_offer") ? json_object_get(j, "counter_offer")
							    : json_null());
	json_decref(j);
	char detail[300];
	snprintf(detail, sizeof(detail),
		 "%s cannot be guaranteed now: %d term%s unmet (see reasons); the "
		 "counter_offer lists what Kairos can guarantee",
		 what, d->nreasons, d->nreasons == 1 ? "" : "s");
	return api_reply_problem(ctx, 409, "Conflict", detail, extra);
}

enum MHD_Result api_route_vsn_submit(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (auth_tenant(ctx, &who, &reply))
		return reply;
	const char *ctype = NULL;
	struct vsn_doc *doc = parse_document(ctx, &ctype, &reply);
	if (!doc)
		return reply;
	bool dry_run = is_dry_run(ctx);
	char id[37];
	uuid_v4(id);
	struct api_service *svc = ctx->svc;
	struct kairos_error err;
	kairos_error_clear(&err);
	struct sla_decision *d = NULL;

	pthread_mutex_lock(&svc->cloud_lock);
	int rc = sla_cloud_admit(svc->cloud, id, doc, dry_run, &d, &err);
	if (rc == 0 && d->is_admitted && !dry_run) {
		struct record rec;
		record_build(&rec, svc, doc, d, 1);
		rc = db_vsn_insert(svc->db, id, who.tenant_id, doc->iri, doc->label, ctype,
				   ctx->body, rec.terms, &rec.sla, &err);
		record_destroy(&rec, d->nchanged);
		/* The database said no: release the capacity too. (Priorities the decision
		 * renumbered on other VSNs stay renumbered in memory, still schedulable; the
		 * database keeps their previous, equally valid, numbering.) */
		if (rc)
			sla_cloud_remove(svc->cloud, id);
	}
	pthread_mutex_unlock(&svc->cloud_lock);

	if (rc) {
		sla_decision_free(d);
		vsn_doc_free(doc);
		return api_reply_error(ctx, &err);
	}
	if (!d->is_admitted) {
		kairos_log(KAIROS_LOG_INFO, "vsn refused", "tenant=%s iri=\"%s\" reasons=%d",
			   who.tenant_name, doc->iri, d->nreasons);
		reply = refuse(ctx, d, "this VSN");
	} else if (dry_run) {
		reply = api_reply_json(ctx, 200, answer(d, NULL, "quote", doc, 1));
	} else {
		kairos_log(KAIROS_LOG_INFO, "vsn admitted", "tenant=%s id=%s iri=\"%s\"",
			   who.tenant_name, id, doc->iri);
		reply = api_reply_json(ctx, 201, answer(d, id, "admitted", doc, 1));
	}
	sla_decision_free(d);
	vsn_doc_free(doc);
	return reply;
}

/* The stored VSN ID of the caller, or a queued 404. */
static json_t *fetch_own(struct api_ctx *ctx, const struct db_principal *who, const char *id,
			 enum MHD_Result *reply)
{
	json_t *arr = NULL;
	struct kairos_error err;
	kairos_error_clear(&err);
	/* Only well-formed ids reach the database: anything else cannot exist. */
	if (strlen(id) != 36 || strspn(id, "0123456789abcdef-") != 36) {
		char detail[400];
		snprintf(detail, sizeof(detail), "no VSN %s", id);
		*reply = api_reply_problem(ctx, 404, "Not Found", detail, NULL);
		return NULL;
	}
	if (db_vsn_fetch(ctx->svc->db, who->tenant_id, id, &arr, &err)) {
		*reply = api_reply_error(ctx, &err);
		return NULL;
	}
	json_t *v = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return v;
}

/* The stored row with placement and bounds as the cloud holds them now. */
static json_t *live_view(struct api_service *svc, json_t *v)
{
	const char *id = json_string_value(json_object_get(v, "id"));
	struct sla_decision *d = NULL;
	struct kairos_error err;
	pthread_mutex_lock(&svc->cloud_lock);
	int rc = sla_cloud_describe(svc->cloud, id, &d, &err);
	pthread_mutex_unlock(&svc->cloud_lock);
	if (rc == 0) {
		json_t *dj = sla_decision_to_json(d);
		json_object_set(v, "placement", json_object_get(dj, "placement"));
		json_object_set(v, "bounds", json_object_get(dj, "bounds"));
		json_object_set(json_object_get(v, "sla"), "availability",
				json_object_get(json_object_get(dj, "sla"), "availability"));
		json_decref(dj);
		sla_decision_free(d);
	}
	json_object_del(json_object_get(v, "sla"), "terms");
	json_object_del(json_object_get(v, "sla"), "bounds");
	return v;
}

enum MHD_Result api_route_vsn_list(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (auth_tenant(ctx, &who, &reply))
		return reply;
	json_t *arr = NULL;
	struct kairos_error err;
	if (db_vsn_fetch(ctx->svc->db, who.tenant_id, NULL, &arr, &err))
		return api_reply_error(ctx, &err);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		json_object_del(v, "model");
		live_view(ctx->svc, v);
	}
	return api_reply_json(ctx, 200, json_pack("{s:o}", "vsns", arr));
}

enum MHD_Result api_route_vsn_show(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (auth_tenant(ctx, &who, &reply))
		return reply;
	json_t *v = fetch_own(ctx, &who, ctx->params[0], &reply);
	if (!v)
		return reply;
	return api_reply_json(ctx, 200, live_view(ctx->svc, v));
}

enum MHD_Result api_route_vsn_delete(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (auth_tenant(ctx, &who, &reply))
		return reply;
	json_t *v = fetch_own(ctx, &who, ctx->params[0], &reply);
	if (!v)
		return reply;
	json_decref(v);
	struct kairos_error err;
	kairos_error_clear(&err);
	pthread_mutex_lock(&ctx->svc->cloud_lock);
	int rc = db_vsn_delete(ctx->svc->db, ctx->params[0], who.tenant_id, &err);
	if (rc == 0)
		sla_cloud_remove(ctx->svc->cloud, ctx->params[0]);
	pthread_mutex_unlock(&ctx->svc->cloud_lock);
	if (rc)
		return api_reply_error(ctx, &err);
	kairos_log(KAIROS_LOG_INFO, "vsn deleted", "tenant=%s id=%s", who.tenant_name,
		   ctx->params[0]);
	return api_reply_text(ctx, 204, "text/plain", "");
}

enum MHD_Result api_route_vsn_renegotiate(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (auth_tenant(ctx, &who, &reply))
		return reply;
	const char *id = ctx->params[0];
	json_t *stored = fetch_own(ctx, &who, id, &reply);
	if (!stored)
		return reply;
	int version =
	    (int)json_integer_value(json_object_get(json_object_get(stored, "sla"), "version")) + 1;
	json_decref(stored);
	const char *ctype = NULL;
	struct vsn_doc *doc = parse_document(ctx, &ctype, &reply);
	if (!doc)
		return reply;
	bool dry_run = is_dry_run(ctx);
	struct api_service *svc = ctx->svc;
	struct kairos_error err;
	kairos_error_clear(&err);
	struct sla_decision *d = NULL;

	pthread_mutex_lock(&svc->cloud_lock);
	const struct sched_placement *current = sla_cloud_placement(svc->cloud, id);
	if (!current) {
		/* Stored but not in the analysed cloud: its restore failed at start (logged then).
		 */
		pthread_mutex_unlock(&svc->cloud_lock);
		vsn_doc_free(doc);
		return api_reply_problem(
		    ctx, 503, "Service Unavailable",
		    "this VSN is stored but not in the analysed cloud; see the service log", NULL);
	}
	/* Kept to put the old version back should the database refuse the new one. */
	struct sched_placement old_pl;
	sched_placement_copy(&old_pl, current);
	struct vsn_doc *old_doc = NULL;
	int rc = sla_cloud_renegotiate(svc->cloud, id, doc, dry_run, &d, &err);
	if (rc == 0 && d->is_admitted && !dry_run) {
		struct record rec;
		record_build(&rec, svc, doc, d, version);
		rc = db_vsn_renegotiate(svc->db, id, ctype, ctx->body, rec.terms, &rec.sla, &err);
		record_destroy(&rec, d->nchanged);
		if (rc) {
			/* Restore the old version exactly: its document from the database, its
			 * placement kept above. */
			json_t *arr = NULL;
			struct kairos_error e2;
			if (db_vsn_fetch(svc->db, who.tenant_id, id, &arr, &e2) == 0) {
				char *model = json_dumps(
				    json_object_get(json_array_get(arr, 0), "model"), JSON_COMPACT);
				struct vsn_problems pr;
				vsn_problems_init(&pr);
				if (model && vsn_parse(model, strlen(model), VSN_SYNTAX_JSON, NULL,
						       NULL, &old_doc, &pr) == 0) {
					sla_cloud_remove(svc->cloud, id);
					if (sla_cloud_restore(svc->cloud, id, old_doc, &old_pl,
							      &e2) != 0)
						kairos_log(
						    KAIROS_LOG_ERROR,
						    "could not restore the old SLA in memory",
						    "vsn=%s error=\"%s\"", id, e2.message);
				}
				vsn_problems_destroy(&pr);
				free(model);
				json_decref(arr);
			}
		}
	}
	pthread_mutex_unlock(&svc->cloud_lock);
	sched_placement_destroy(&old_pl);
	vsn_doc_free(old_doc);

	if (rc) {
		sla_decision_free(d);
		vsn_doc_free(doc);
		return api_reply_error(ctx, &err);
	}
	if (!d->is_admitted)
		reply = refuse(ctx, d, "the new terms");
	else
		reply = api_reply_json(ctx, 200,
				       answer(d, id, dry_run ? "quote" : "admitted", doc,
					      dry_run ? version - 1 : version));
	sla_decision_free(d);
	vsn_doc_free(doc);
	return reply;
}

enum MHD_Result api_route_model(struct api_ctx *ctx)
{
	struct db_principal who;
	enum MHD_Result reply;
	if (api_auth(ctx, true, &who, &reply))
		return reply;
	pthread_mutex_lock(&ctx->svc->cloud_lock);
	char *model = sla_cloud_model_json(ctx->svc->cloud);
	pthread_mutex_unlock(&ctx->svc->cloud_lock);
	reply = api_reply_text(ctx, 200, "application/json", model ? model : "{}");
	free(model);
	return reply;
}
