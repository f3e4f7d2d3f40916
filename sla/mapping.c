/*
 * mapping.c - a validated VSN document as the scheduler's neutral problem,
 * and a deep copy of a document (the counter-offer starts as one).
 *
 * The RTC side of the mapping (which tasks, streams and resources) is
 * scheduler/build.c; docs/SLA-MAPPING.md describes both for tenants.
 */
#include <stdlib.h>
#include <string.h>

#include "sla/sla.h"

static int node_index(const struct vsn_doc *doc, const char *iri)
{
	for (size_t i = 0; i < doc->node_count; i++)
		if (strcmp(doc->nodes[i].iri, iri) == 0)
			return (int)i;
	return -1;
}

static int link_index(const struct vsn_doc *doc, const char *iri)
{
	for (size_t i = 0; i < doc->link_count; i++)
		if (strcmp(doc->links[i].iri, iri) == 0)
			return (int)i;
	return -1;
}

int sla_problem_from_doc(const struct vsn_doc *doc, struct sched_problem *p, struct kairos_error *err)
{
	memset(p, 0, sizeof(*p));
	p->name = doc->iri;
	p->availability = (doc->fields & VSN_F_AVAILABILITY) ? doc->availability : 0;
	p->nnodes = (int)doc->node_count;
	p->nlinks = (int)doc->link_count;
	p->nflows = (int)doc->flow_count;
	p->nodes = kairos_xcalloc(doc->node_count + 1, sizeof(*p->nodes));
	p->links = kairos_xcalloc(doc->link_count + 1, sizeof(*p->links));
	p->flows = kairos_xcalloc(doc->flow_count + 1, sizeof(*p->flows));
	int rc = 0;
	for (size_t i = 0; i < doc->node_count && rc == 0; i++) {
		const struct vsn_node *v = &doc->nodes[i];
		struct sched_node *n = &p->nodes[i];
		n->name = v->iri;
		n->is_storage = v->type == VSN_NODE_STORAGE;
		n->vcpus = v->vcpus > 0 ? (int)v->vcpus : 1;
		n->memory_mib = v->memory_mib;
		n->disk_gib = v->disk_gib;
		n->iops = v->iops;
		n->throughput_mbps = v->throughput_mbps;
		n->period_ms = v->period_ms;
		n->jitter_ms = v->jitter_ms;
		n->wcet_ms = v->wcet_ms;
		n->bcet_ms = v->bcet_ms;
		n->has_deadline = (v->fields & VSN_F_DEADLINE_MS) != 0;
		n->deadline_ms = v->deadline_ms;
		n->has_availability = (v->fields & VSN_F_AVAILABILITY) != 0;
		n->availability = v->availability;
		n->backup_of = -1;
		if (v->backup_of) {
			n->backup_of = node_index(doc, v->backup_of);
			if (n->backup_of < 0)
				rc = kairos_error_set(err, KAIROS_EINVAL, v->iri, "%s: backupOf %s is not a node of the VSN",
						      v->iri, v->backup_of);
		}
		if (!n->is_storage && !(n->period_ms > 0) && rc == 0)
			rc = kairos_error_set(err, KAIROS_EINVAL, v->iri, "%s: a compute node needs periodMs > 0", v->iri);
	}
	for (size_t i = 0; i < doc->link_count && rc == 0; i++) {
		const struct vsn_link *v = &doc->links[i];
		struct sched_link *l = &p->links[i];
		l->name = v->iri;
		l->source = node_index(doc, v->source);
		l->target = node_index(doc, v->target);
		l->bandwidth_mbps = v->bandwidth_mbps;
		l->latency_ms = v->latency_ms;
		l->message_bytes = v->message_bytes;
		if (l->source < 0 || l->target < 0)
			rc = kairos_error_set(err, KAIROS_EINVAL, v->iri, "%s: source and target must be nodes of the VSN",
					      v->iri);
	}
	for (size_t i = 0; i < doc->flow_count && rc == 0; i++) {
		const struct vsn_flow *v = &doc->flows[i];
		struct sched_flow *f = &p->flows[i];
		f->name = v->iri;
		f->deadline_ms = v->deadline_ms;
		f->path_len = (int)v->path_len;
		f->path = kairos_xcalloc(v->path_len + 1, sizeof(*f->path));
		for (size_t k = 0; k < v->path_len && rc == 0; k++) {
			int x = node_index(doc, v->path[k]);
			f->path[k].is_link = x < 0;
			f->path[k].index = x >= 0 ? x : link_index(doc, v->path[k]);
			if (f->path[k].index < 0)
				rc = kairos_error_set(err, KAIROS_EINVAL, v->iri, "%s: path element %s is not in the VSN",
						      v->iri, v->path[k]);
		}
	}
	if (rc)
		sla_problem_destroy(p);
	return rc;
}

void sla_problem_destroy(struct sched_problem *p)
{
	for (int i = 0; i < p->nflows; i++)
		free(p->flows[i].path);
	free(p->nodes);
	free(p->links);
	free(p->flows);
	memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
	return s ? kairos_xstrdup(s) : NULL;
}

struct vsn_doc *sla_doc_copy(const struct vsn_doc *doc)
{
	struct vsn_doc *d = kairos_xcalloc(1, sizeof(*d));
	*d = *doc;
	d->iri = dup_or_null(doc->iri);
	d->label = dup_or_null(doc->label);
	d->nodes = kairos_xcalloc(doc->node_count + 1, sizeof(*d->nodes));
	for (size_t i = 0; i < doc->node_count; i++) {
		d->nodes[i] = doc->nodes[i];
		d->nodes[i].iri = dup_or_null(doc->nodes[i].iri);
		d->nodes[i].image = dup_or_null(doc->nodes[i].image);
		d->nodes[i].backup_of = dup_or_null(doc->nodes[i].backup_of);
	}
	d->links = kairos_xcalloc(doc->link_count + 1, sizeof(*d->links));
	for (size_t i = 0; i < doc->link_count; i++) {
		d->links[i] = doc->links[i];
		d->links[i].iri = dup_or_null(doc->links[i].iri);
		d->links[i].source = dup_or_null(doc->links[i].source);
		d->links[i].target = dup_or_null(doc->links[i].target);
	}
	d->flows = kairos_xcalloc(doc->flow_count + 1, sizeof(*d->flows));
	for (size_t i = 0; i < doc->flow_count; i++) {
		d->flows[i] = doc->flows[i];
		d->flows[i].iri = dup_or_null(doc->flows[i].iri);
		d->flows[i].path = kairos_xcalloc(doc->flows[i].path_len + 1, sizeof(char *));
		for (size_t k = 0; k < doc->flows[i].path_len; k++)
			d->flows[i].path[k] = dup_or_null(doc->flows[i].path[k]);
	}
	d->annotations = kairos_xcalloc(doc->annotation_count + 1, sizeof(char *));
	for (size_t i = 0; i < doc->annotation_count; i++)
		d->annotations[i] = dup_or_null(doc->annotations[i]);
	return d;
}
