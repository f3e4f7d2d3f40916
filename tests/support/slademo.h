/*
 * slademo.h - the demo inventory of etc/inventory.json (with the cores and
 * memory of its libvirt node files) as scheduler hosts, and the seed VSN
 * (tests/vsn/good/seed.ttl), for the SLA tests and the placement benchmark.
 */
#ifndef KAIROS_TESTS_SLADEMO_H
#define KAIROS_TESTS_SLADEMO_H

#include "scheduler/scheduler.h"
#include "vsn/vsn.h"

#define SLADEMO_NHOSTS 4
extern const struct sched_host slademo_hosts[SLADEMO_NHOSTS];
extern const struct sched_lan slademo_lan;

/*
 * Parses the file REL (relative to $KAIROS_ROOT, or the current directory) in
 * SYNTAX. Returns the document (vsn_doc_free it) or NULL with a message in
 * ERR (SIZE bytes).
 */
struct vsn_doc *slademo_load(const char *rel, enum vsn_syntax syntax, char *err, size_t size);

#endif
