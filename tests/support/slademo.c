/*
 * slademo.c - the demo inventory and document loading shared by the SLA
 * tests and bench_placement (see slademo.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/common.h"
#include "tests/support/slademo.h"

/* etc/inventory.json; cores and memory from the etc/hosts node files. */
const struct sched_host slademo_hosts[SLADEMO_NHOSTS] = {
	{"server1", 8, 16384, 1.0, 1000, 500, 5000, 400, 0.999, 0.9999, "rack-a", true},
	{"server2", 8, 16384, 1.0, 1000, 500, 5000, 400, 0.999, 0.9999, "rack-b", true},
	{"server3", 4, 8192, 1.0, 1000, 250, 2500, 200, 0.998, 0.9999, "rack-c", true},
	{"server4", 16, 32768, 2.0, 10000, 2000, 20000, 1000, 0.9995, 0.9999, "rack-a", true},
};
const struct sched_lan slademo_lan = {"lan", 1000};

struct vsn_doc *slademo_load(const char *rel, enum vsn_syntax syntax, char *err, size_t size)
{
	const char *root = getenv("KAIROS_ROOT");
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	char *text;
	size_t len;
	if (kairos_read_file(path, &text, &len)) {
		snprintf(err, size, "cannot read %s", path);
		return NULL;
	}
	struct vsn_problems probs;
	vsn_problems_init(&probs);
	struct vsn_doc *doc = NULL;
	if (vsn_parse(text, len, syntax, NULL, NULL, &doc, &probs)) {
		char *msg = vsn_problems_to_text(&probs);
		snprintf(err, size, "%s: %s", path, msg);
		free(msg);
	}
	vsn_problems_destroy(&probs);
	free(text);
	return doc;
}
