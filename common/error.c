/* error.c - the kairos_error record: what went wrong, where, in words for a user. */
#include "common/common.h"

#include <stdio.h>
#include <string.h>

void kairos_error_clear(struct kairos_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

int kairos_error_set(struct kairos_error *err, int code, const char *field, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -code;
}

const char *kairos_errcode_name(int code)
{
	switch (code) {
	case KAIROS_OK:
		return "ok";
	case KAIROS_EINVAL:
		return "invalid";
	case KAIROS_ESYNTAX:
		return "syntax";
	case KAIROS_ENOTFOUND:
		return "not-found";
	case KAIROS_ECONFLICT:
		return "conflict";
	case KAIROS_EBACKEND:
		return "backend";
	case KAIROS_ELIMIT:
		return "limit";
	case KAIROS_EINTERNAL:
		return "internal";
	default:
		return "error";
	}
}
