/*
 * reader_fuzz.c - libFuzzer target for the OVSDB message splitter
 * (ovsdb_reader in network/ovsdb.c), built by mk/network.mk (`make fuzz-network`).
 *
 * Differential: the input (after its first byte, which picks a chunk size) is fed
 * once whole and once in chunks; both must yield the same messages, then fail at
 * the same point or both wait for more bytes. Catches a split message taken as
 * an error or as complete, lost or duplicated bytes, and memory errors (ASan).
 */
#include <stdint.h>
#include <stdlib.h>

#include "network/ovsdb.h"

#define MAX_MSGS 256

/* Feeds DATA in chunks of STEP bytes, collecting up to MAX_MSGS messages; returns the final status.
 */
static int split(const uint8_t *data, size_t size, size_t step, json_t **msgs, size_t *n)
{
	struct ovsdb_reader r;
	struct kairos_error err;
	int rc = 0;
	*n = 0;
	ovsdb_reader_init(&r);
	for (size_t off = 0; off < size && rc >= 0; off += step) {
		size_t len = size - off < step ? size - off : step;
		ovsdb_reader_feed(&r, (const char *)data + off, len);
		json_t *m;
		while ((rc = ovsdb_reader_next(&r, &m, &err)) == 1) {
			if (*n < MAX_MSGS)
				msgs[(*n)++] = m;
			else
				json_decref(m);
		}
	}
	ovsdb_reader_destroy(&r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = data[0] % 17 + 1;
	data++;
	size--;
	static json_t *whole[MAX_MSGS], *chunked[MAX_MSGS];
	size_t nw = 0, nc = 0;
	int rw = split(data, size, size ? size : 1, whole, &nw);
	int rc = split(data, size, step, chunked, &nc);
	if (rw != rc || nw != nc)
		abort();
	for (size_t i = 0; i < nw; i++) {
		if (!json_is_object(whole[i]) || !json_equal(whole[i], chunked[i]))
			abort();
		json_decref(whole[i]);
		json_decref(chunked[i]);
	}
	return 0;
}
