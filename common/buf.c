/*
 * buf.c - kairos_buf, a growable string (after Open vSwitch's struct ds), and the
 * allocation wrappers. Out-of-memory aborts: a half-built answer is worse than a
 * restart, and every caller would otherwise carry an error path it cannot test.
 */
#include "common/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("level=error msg=\"out of memory\"\n", stderr);
	abort();
}

void *kairos_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *kairos_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *kairos_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *kairos_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kairos_xmalloc(n);
	memcpy(d, s, n);
	return d;
}

void kairos_buf_init(struct kairos_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void kairos_buf_destroy(struct kairos_buf *b)
{
	free(b->data);
	kairos_buf_init(b);
}

void kairos_buf_reset(struct kairos_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void reserve(struct kairos_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = kairos_xrealloc(b->data, cap);
	b->cap = cap;
}

void kairos_buf_append(struct kairos_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kairos_buf_puts(struct kairos_buf *b, const char *s)
{
	kairos_buf_append(b, s, strlen(s));
}

void kairos_buf_vprintf(struct kairos_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void kairos_buf_printf(struct kairos_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kairos_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *kairos_buf_steal(struct kairos_buf *b)
{
	char *d = b->data ? b->data : kairos_xstrdup("");
	kairos_buf_init(b);
	return d;
}

const char *kairos_buf_str(const struct kairos_buf *b)
{
	return b->data ? b->data : "";
}

void kairos_buf_put_quoted(struct kairos_buf *b, const char *s)
{
	kairos_buf_append(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kairos_buf_append(b, "\\", 1);
		if (*s == '\n') {
			kairos_buf_append(b, "\\n", 2);
			continue;
		}
		kairos_buf_append(b, s, 1);
	}
	kairos_buf_append(b, "\"", 1);
}

int kairos_read_file(const char *path, char **out, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	struct kairos_buf b;
	kairos_buf_init(&b);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kairos_buf_append(&b, chunk, n);
	int rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc) {
		kairos_buf_destroy(&b);
		return rc;
	}
	if (len_out)
		*len_out = b.len;
	*out = kairos_buf_steal(&b);
	return 0;
}
