/*
 * common.h - the few things every Kairos module shares: the error record that
 * carries explanations to users, a growable string builder, and structured
 * logging (key=value lines on stderr).
 *
 * rtc/ and vsn/ use kairos_error and kairos_buf only; they never log.
 */
#ifndef KAIROS_COMMON_H
#define KAIROS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- errors ------------------------------------------------------------ */

/* Module error codes, returned negated next to -errno values. */
enum kairos_errcode {
	KAIROS_OK = 0,
	KAIROS_EINVAL = 1000, /* bad input: the message names the field */
	KAIROS_ESYNTAX,	      /* parse error: line/column in the message */
	KAIROS_ENOTFOUND,
	KAIROS_ECONFLICT,
	KAIROS_EBACKEND, /* a backend (PostgreSQL, OVSDB, libvirt) failed */
	KAIROS_ELIMIT,	 /* a configured limit was exceeded */
	KAIROS_EINTERNAL,
};

/*
 * What went wrong, for a user: a code, a message naming what is wrong and what
 * was expected, and the field / IRI / file at fault (empty when none).
 * Fixed-size so that it can live on the stack and be filled without allocating.
 */
struct kairos_error {
	int code;
	char field[256];
	char message[768];
};

/* Resets *err to "no error". err may be NULL. */
void kairos_error_clear(struct kairos_error *err);

/*
 * Records an error (printf-style message) about FIELD (may be NULL) and returns
 * -code, so that callers can write `return kairos_error_set(err, ...)`.
 * err may be NULL (the error is then only returned).
 */
int kairos_error_set(struct kairos_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short name for a code ("invalid", "syntax", ...). */
const char *kairos_errcode_name(int code);

/* ---- string builder ------------------------------------------------------ */

/* A growable NUL-terminated string. Zero-initialised is a valid empty buffer. */
struct kairos_buf {
	char *data;
	size_t len;
	size_t cap;
};

void kairos_buf_init(struct kairos_buf *b);
void kairos_buf_destroy(struct kairos_buf *b);
void kairos_buf_reset(struct kairos_buf *b);
/* Appends; these abort on out-of-memory (Kairos treats OOM as fatal). */
void kairos_buf_append(struct kairos_buf *b, const char *s, size_t n);
void kairos_buf_puts(struct kairos_buf *b, const char *s);
void kairos_buf_printf(struct kairos_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void kairos_buf_vprintf(struct kairos_buf *b, const char *fmt, va_list ap);
/* Returns the data (never NULL) and hands ownership to the caller; b is left empty. */
char *kairos_buf_steal(struct kairos_buf *b);
/* The contents as a C string (never NULL; valid until the next change). */
const char *kairos_buf_str(const struct kairos_buf *b);

/* Allocation helpers that abort on out-of-memory. */
void *kairos_xmalloc(size_t n);
void *kairos_xcalloc(size_t n, size_t size);
void *kairos_xrealloc(void *p, size_t n);
char *kairos_xstrdup(const char *s);

/* ---- logging ------------------------------------------------------------- */

enum kairos_log_level { KAIROS_LOG_DEBUG, KAIROS_LOG_INFO, KAIROS_LOG_WARN, KAIROS_LOG_ERROR };

/* The threshold below which lines are dropped. Set once by main before threads start. */
void kairos_log_set_level(enum kairos_log_level level);
/* Parses "debug"/"info"/"warn"/"error"; returns 0 or -KAIROS_EINVAL. */
int kairos_log_level_parse(const char *s, enum kairos_log_level *out);

/*
 * Writes one line `ts=... level=LEVEL msg="MSG" KV` to stderr, where KV is a
 * printf-formatted run of key=value pairs (may be NULL). Thread-safe: one write(2).
 */
void kairos_log(enum kairos_log_level level, const char *msg, const char *kv_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Quotes S for a log value or a JSON-free text context: "..." with \" and \\ escaped. */
void kairos_buf_put_quoted(struct kairos_buf *b, const char *s);

/* Reads a whole file into a NUL-terminated buffer the caller frees. Returns 0 or -errno. */
int kairos_read_file(const char *path, char **out, size_t *len_out);

/* ---- a minimal HTTP/1.1 client (kairosctl and the test suites) ------------- */

/* One request/answer exchange; the body and headers are owned by the caller of
 * kairos_http_request() and released with kairos_http_response_destroy(). */
struct kairos_http_response {
	int status;
	char content_type[128];
	char *body; /* NUL-terminated */
	size_t body_len;
};

/*
 * Sends METHOD PATH to BASE_URL ("http://host:port", no TLS) with optional bearer TOKEN,
 * CONTENT_TYPE and BODY (len bytes), over a fresh connection, and reads the whole answer
 * (Content-Length or chunked). Fails with -KAIROS_EBACKEND and a message naming the URL
 * when the server cannot be reached or answers garbage, after TIMEOUT_MS at most.
 */
int kairos_http_request(const char *base_url, const char *method, const char *path,
			const char *token, const char *content_type, const char *body, size_t len,
			int timeout_ms, struct kairos_http_response *resp,
			struct kairos_error *err);
void kairos_http_response_destroy(struct kairos_http_response *resp);

#endif
