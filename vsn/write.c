/*
 * write.c - the model back to Turtle and to the JSON form of SPEC section 2. Numbers
 * are written as the shortest plain decimal that reads back as the same double, so
 * that read -> write -> read gives an equal model in every syntax. Turtle also carries
 * the document's annotations (as N-Triples lines, which are valid Turtle).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/internal.h"

static void ttl_ref(struct kairos_buf *b, const char *iri)
{
	if (strncmp(iri, "_:", 2) == 0)
		kairos_buf_puts(b, iri);
	else if (strncmp(iri, VSN_NS, strlen(VSN_NS)) == 0 &&
		 strspn(iri + strlen(VSN_NS),
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
		     strlen(iri + strlen(VSN_NS)))
		kairos_buf_printf(b, "vsn:%s", iri + strlen(VSN_NS));
	else
		vsn_iri_write(b, iri);
}

static void ttl_string(struct kairos_buf *b, const char *s)
{
	kairos_buf_puts(b, "\"");
	vsn_literal_escape(b, s);
	kairos_buf_puts(b, "\"");
}

/* A decimal property: always in xsd:decimal lexical form (with a point). */
static void ttl_decimal(struct kairos_buf *b, const char *prop, double x)
{
	char num[64];
	vsn_decimal_format(x, num, sizeof(num));
	kairos_buf_printf(b, " ;\n    vsn:%s %s%s", prop, num, strchr(num, '.') ? "" : ".0");
}

static void ttl_integer(struct kairos_buf *b, const char *prop, int64_t x)
{
	kairos_buf_printf(b, " ;\n    vsn:%s %lld", prop, (long long)x);
}

char *vsn_write_turtle(const struct vsn_doc *doc)
{
	struct kairos_buf b = {0};
	kairos_buf_puts(&b, "@prefix vsn: <" VSN_NS "> .\n"
			    "@prefix rdfs: <" VSN_RDFS_NS "> .\n\n");
	ttl_ref(&b, doc->iri);
	kairos_buf_puts(&b, " a vsn:VirtualServiceNetwork");
	if (doc->label) {
		kairos_buf_puts(&b, " ;\n    rdfs:label ");
		ttl_string(&b, doc->label);
	}
	if (doc->fields & VSN_F_AVAILABILITY)
		ttl_decimal(&b, "availability", doc->availability);
	const char *has[] = {"hasNode", "hasLink", "hasFlow"};
	size_t counts[] = {doc->node_count, doc->link_count, doc->flow_count};
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < counts[k]; i++) {
			kairos_buf_printf(&b, " ;\n    vsn:%s ", has[k]);
			ttl_ref(&b, k == 0   ? doc->nodes[i].iri
				    : k == 1 ? doc->links[i].iri
					     : doc->flows[i].iri);
		}
	kairos_buf_puts(&b, " .\n");

	for (size_t i = 0; i < doc->node_count; i++) {
		const struct vsn_node *n = &doc->nodes[i];
		kairos_buf_puts(&b, "\n");
		ttl_ref(&b, n->iri);
		kairos_buf_printf(&b, " a vsn:%s",
				  n->type == VSN_NODE_COMPUTE ? "ComputeNode" : "StorageNode");
		if (n->fields & VSN_F_BACKUP_OF) {
			kairos_buf_puts(&b, " ;\n    vsn:backupOf ");
			ttl_ref(&b, n->backup_of);
		}
		if (n->fields & VSN_F_VCPUS)
			ttl_integer(&b, "vcpus", n->vcpus);
		if (n->fields & VSN_F_MEMORY_MIB)
			ttl_integer(&b, "memoryMiB", n->memory_mib);
		if (n->fields & VSN_F_PERIOD_MS)
			ttl_decimal(&b, "periodMs", n->period_ms);
		if (n->fields & VSN_F_JITTER_MS)
			ttl_decimal(&b, "jitterMs", n->jitter_ms);
		if (n->fields & VSN_F_WCET_MS)
			ttl_decimal(&b, "wcetMs", n->wcet_ms);
		if (n->fields & VSN_F_BCET_MS)
			ttl_decimal(&b, "bcetMs", n->bcet_ms);
		if (n->fields & VSN_F_DEADLINE_MS)
			ttl_decimal(&b, "deadlineMs", n->deadline_ms);
		if (n->fields & VSN_F_AVAILABILITY)
			ttl_decimal(&b, "availability", n->availability);
		if (n->fields & VSN_F_IMAGE) {
			kairos_buf_puts(&b, " ;\n    vsn:image ");
			ttl_string(&b, n->image);
		}
		if (n->fields & VSN_F_DISK_GIB)
			ttl_integer(&b, "diskGiB", n->disk_gib);
		if (n->fields & VSN_F_IOPS)
			ttl_integer(&b, "iops", n->iops);
		if (n->fields & VSN_F_THROUGHPUT_MBPS)
			ttl_decimal(&b, "throughputMBps", n->throughput_mbps);
		kairos_buf_puts(&b, " .\n");
	}
	for (size_t i = 0; i < doc->link_count; i++) {
		const struct vsn_link *l = &doc->links[i];
		kairos_buf_puts(&b, "\n");
		ttl_ref(&b, l->iri);
		kairos_buf_puts(&b, " a vsn:NetworkLink ;\n    vsn:source ");
		ttl_ref(&b, l->source);
		kairos_buf_puts(&b, " ;\n    vsn:target ");
		ttl_ref(&b, l->target);
		ttl_decimal(&b, "bandwidthMbps", l->bandwidth_mbps);
		ttl_decimal(&b, "maxBandwidthMbps", l->max_bandwidth_mbps);
		ttl_decimal(&b, "latencyMs", l->latency_ms);
		ttl_integer(&b, "messageBytes", l->message_bytes);
		kairos_buf_puts(&b, " .\n");
	}
	for (size_t i = 0; i < doc->flow_count; i++) {
		const struct vsn_flow *f = &doc->flows[i];
		kairos_buf_puts(&b, "\n");
		ttl_ref(&b, f->iri);
		kairos_buf_puts(&b, " a vsn:Flow ;\n    vsn:path (");
		for (size_t k = 0; k < f->path_len; k++) {
			kairos_buf_puts(&b, " ");
			ttl_ref(&b, f->path[k]);
		}
		kairos_buf_puts(&b, " )");
		ttl_decimal(&b, "deadlineMs", f->deadline_ms);
		kairos_buf_puts(&b, " .\n");
	}
	if (doc->annotation_count)
		kairos_buf_puts(&b, "\n# annotations kept from the source document\n");
	for (size_t i = 0; i < doc->annotation_count; i++) {
		kairos_buf_puts(&b, doc->annotations[i]);
		kairos_buf_puts(&b, "\n");
	}
	return kairos_buf_steal(&b);
}

/* Integral decimals are written as JSON integers ("periodMs": 25), others as reals. */
static json_t *json_decimal(double x)
{
	if (x == (double)(json_int_t)x && x > -1e15 && x < 1e15)
		return json_integer((json_int_t)x);
	return json_real(x);
}

static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

char *vsn_write_json(const struct vsn_doc *doc)
{
	json_t *root = json_object();
	put(root, "id", json_string(doc->iri));
	if (doc->label)
		put(root, "label", json_string(doc->label));
	if (doc->fields & VSN_F_AVAILABILITY)
		put(root, "availability", json_decimal(doc->availability));
	json_t *nodes = json_array(), *links = json_array(), *flows = json_array();
	for (size_t i = 0; i < doc->node_count; i++) {
		const struct vsn_node *n = &doc->nodes[i];
		json_t *o = json_object();
		put(o, "id", json_string(n->iri));
		put(o, "type", json_string(n->type == VSN_NODE_COMPUTE ? "compute" : "storage"));
		if (n->fields & VSN_F_VCPUS)
			put(o, "vcpus", json_integer(n->vcpus));
		if (n->fields & VSN_F_MEMORY_MIB)
			put(o, "memoryMiB", json_integer(n->memory_mib));
		if (n->fields & VSN_F_PERIOD_MS)
			put(o, "periodMs", json_decimal(n->period_ms));
		if (n->fields & VSN_F_JITTER_MS)
			put(o, "jitterMs", json_decimal(n->jitter_ms));
		if (n->fields & VSN_F_WCET_MS)
			put(o, "wcetMs", json_decimal(n->wcet_ms));
		if (n->fields & VSN_F_BCET_MS)
			put(o, "bcetMs", json_decimal(n->bcet_ms));
		if (n->fields & VSN_F_DEADLINE_MS)
			put(o, "deadlineMs", json_decimal(n->deadline_ms));
		if (n->fields & VSN_F_AVAILABILITY)
			put(o, "availability", json_decimal(n->availability));
		if (n->fields & VSN_F_IMAGE)
			put(o, "image", json_string(n->image));
		if (n->fields & VSN_F_BACKUP_OF)
			put(o, "backupOf", json_string(n->backup_of));
		if (n->fields & VSN_F_DISK_GIB)
			put(o, "diskGiB", json_integer(n->disk_gib));
		if (n->fields & VSN_F_IOPS)
			put(o, "iops", json_integer(n->iops));
		if (n->fields & VSN_F_THROUGHPUT_MBPS)
			put(o, "throughputMBps", json_decimal(n->throughput_mbps));
		json_array_append_new(nodes, o);
	}
	for (size_t i = 0; i < doc->link_count; i++) {
		const struct vsn_link *l = &doc->links[i];
		json_t *o = json_object();
		put(o, "id", json_string(l->iri));
		put(o, "source", json_string(l->source));
		put(o, "target", json_string(l->target));
		put(o, "bandwidthMbps", json_decimal(l->bandwidth_mbps));
		put(o, "maxBandwidthMbps", json_decimal(l->max_bandwidth_mbps));
		put(o, "latencyMs", json_decimal(l->latency_ms));
		put(o, "messageBytes", json_integer(l->message_bytes));
		json_array_append_new(links, o);
	}
	for (size_t i = 0; i < doc->flow_count; i++) {
		const struct vsn_flow *f = &doc->flows[i];
		json_t *o = json_object(), *path = json_array();
		put(o, "id", json_string(f->iri));
		put(o, "deadlineMs", json_decimal(f->deadline_ms));
		for (size_t k = 0; k < f->path_len; k++)
			json_array_append_new(path, json_string(f->path[k]));
		put(o, "path", path);
		json_array_append_new(flows, o);
	}
	put(root, "nodes", nodes);
	put(root, "links", links);
	put(root, "flows", flows);
	/* 15 significant digits: every stored value (at most 12 fraction digits, magnitude
	 * bounded) prints exactly and without binary noise. */
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!s)
		abort(); /* out of memory: fatal in Kairos */
	return s;
}
