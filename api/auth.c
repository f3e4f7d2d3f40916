/*
 * auth.c - bearer tokens on requests. A route that needs a caller calls api_auth();
 * on failure the 401/403 answer is already queued and the route just returns it.
 */
#include "api/internal.h"

#include <string.h>
#include <strings.h>

int api_auth(struct api_ctx *ctx, bool need_admin, struct db_principal *who, enum MHD_Result *reply)
{
	const char *h =
	    MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	struct kairos_error err;
	kairos_error_clear(&err);
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0') {
		*reply =
		    api_reply_problem(ctx, 401, "Unauthorized",
				      "an Authorization: Bearer TOKEN header is required", NULL);
		return -1;
	}
	int rc = db_token_lookup(ctx->svc->db, h + 7, who, &err);
	if (rc == -KAIROS_ENOTFOUND) {
		*reply =
		    api_reply_problem(ctx, 401, "Unauthorized", "unknown or revoked token", NULL);
		return -1;
	}
	if (rc) {
		*reply = api_reply_problem(ctx, 503, "Service Unavailable", err.message, NULL);
		return -1;
	}
	if (need_admin && !who->is_admin) {
		*reply = api_reply_problem(ctx, 403, "Forbidden", "this route needs an admin token",
					   NULL);
		return -1;
	}
	return 0;
}

json_t *api_body_json(struct api_ctx *ctx, enum MHD_Result *reply)
{
	json_error_t jerr;
	json_t *j = json_loadb(ctx->body, ctx->body_len, 0, &jerr);
	if (!j) {
		char detail[300];
		snprintf(detail, sizeof(detail), "the body is not JSON: line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		*reply = api_reply_problem(ctx, 400, "Bad Request", detail, NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*reply = api_reply_problem(ctx, 400, "Bad Request",
					   "the body must be a JSON object", NULL);
		return NULL;
	}
	return j;
}

enum MHD_Result api_reply_error(struct api_ctx *ctx, const struct kairos_error *err)
{
	unsigned int status;
	const char *title;
	switch (err->code) {
	case KAIROS_EINVAL:
		status = 422, title = "Unprocessable Content";
		break;
	case KAIROS_ESYNTAX:
		status = 400, title = "Bad Request";
		break;
	case KAIROS_ENOTFOUND:
		status = 404, title = "Not Found";
		break;
	case KAIROS_ECONFLICT:
		status = 409, title = "Conflict";
		break;
	case KAIROS_ELIMIT:
		status = 413, title = "Content Too Large";
		break;
	case KAIROS_EBACKEND:
		status = 503, title = "Service Unavailable";
		break;
	default:
		status = 500, title = "Internal Server Error";
	}
	json_t *extra = NULL;
	if (err->field[0])
		extra = json_pack("{s:s}", "field", err->field);
	return api_reply_problem(ctx, status, title, err->message, extra);
}
