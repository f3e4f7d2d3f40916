/*
 * structure.c - the rules that span several elements of a VSN: exactly one
 * vsn:VirtualServiceNetwork; its members have the right types; links join nodes of
 * this VSN; a flow's path is an rdf:List node, link, node, ... where every link goes
 * from the node before it to the node after it; vsn:backupOf names a node of this
 * VSN, never a backup itself, and never closes a cycle. Then, for a graph without
 * problems, the model.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "vsn/validate.h"

static int prop_index(const struct vsn_validator *v, const char *local)
{
	return vsn_onto_prop_local(v->o, local);
}

static void add_member(uint32_t **list, size_t *count, uint32_t id)
{
	if ((*count & (*count - 1)) == 0) /* grow at powers of two */
		*list = kairos_xrealloc(*list, (*count ? 2 * *count : 1) * sizeof(uint32_t));
	(*list)[(*count)++] = id;
}

/* Collects the members of the VSN in triple order, each once. */
static void collect_members(struct vsn_validator *v)
{
	const struct vsn_graph *g = v->g;
	int has_node = prop_index(v, "hasNode"), has_link = prop_index(v, "hasLink"),
	    has_flow = prop_index(v, "hasFlow");
	v->vsn_members = kairos_xcalloc(g->term_count, 1);
	for (uint32_t k = 0; k < g->subj_count[v->vsn]; k++) {
		const struct vsn_triple *t = &g->triples[g->by_subject[g->subj_first[v->vsn] + k]];
		int prop = v->prop_of[t->p];
		if (g->terms[t->o].kind == VSN_TERM_LITERAL)
			continue;
		uint8_t *role = &v->vsn_members[t->o];
		if (prop == has_node && !(*role & VSN_ROLE_NODE)) {
			*role |= VSN_ROLE_NODE;
			add_member(&v->nodes, &v->node_count, t->o);
		} else if (prop == has_link && !(*role & VSN_ROLE_LINK)) {
			*role |= VSN_ROLE_LINK;
			add_member(&v->links, &v->link_count, t->o);
		} else if (prop == has_flow && !(*role & VSN_ROLE_FLOW)) {
			*role |= VSN_ROLE_FLOW;
			add_member(&v->flows, &v->flow_count, t->o);
		}
	}
}

static const char *class_name(const struct vsn_validator *v, uint32_t bit)
{
	for (size_t c = 0; c < v->o->class_count; c++)
		if (v->o->classes[c].self_bit == bit)
			return v->o->classes[c].local;
	return "?";
}

static void check_member_types(struct vsn_validator *v)
{
	const struct vsn_ontology *o = v->o;
	uint32_t has_node = v->prop_term[prop_index(v, "hasNode")];
	uint32_t has_link = v->prop_term[prop_index(v, "hasLink")];
	uint32_t has_flow = v->prop_term[prop_index(v, "hasFlow")];
	for (size_t i = 0; i < v->node_count; i++) {
		uint32_t n = v->nodes[i], mask = v->type_mask[n];
		bool is_compute = mask & o->bit_compute, is_storage = mask & o->bit_storage;
		if (is_compute && is_storage)
			vsn_validator_problem(v, v->vsn, has_node, n, "node type",
					      v->subject_line[n],
					      "%s is both a vsn:ComputeNode and a vsn:StorageNode",
					      vsn_validator_name(v, n));
		else if (!is_compute && !is_storage)
			vsn_validator_problem(
			    v, v->vsn, has_node, n, "node type", v->subject_line[n],
			    "%s is listed by vsn:hasNode but is not typed vsn:ComputeNode "
			    "or vsn:StorageNode (or a subclass)",
			    vsn_validator_name(v, n));
	}
	struct {
		uint32_t *list;
		size_t count;
		uint32_t bit, pred;
	} kinds[] = {{v->links, v->link_count, o->bit_link, has_link},
		     {v->flows, v->flow_count, o->bit_flow, has_flow}};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < kinds[k].count; i++) {
			uint32_t e = kinds[k].list[i];
			if (v->type_mask[e] & kinds[k].bit)
				continue;
			char rule[96];
			snprintf(rule, sizeof(rule), "range vsn:%s", class_name(v, kinds[k].bit));
			vsn_validator_problem(
			    v, v->vsn, kinds[k].pred, e, rule, v->subject_line[e],
			    "%s is listed by %s but is not typed vsn:%s (or a subclass)",
			    vsn_validator_name(v, e), k ? "vsn:hasFlow" : "vsn:hasLink",
			    class_name(v, kinds[k].bit));
		}
}

static void check_links(struct vsn_validator *v)
{
	int ends[2] = {prop_index(v, "source"), prop_index(v, "target")};
	struct vsn_subject sv;
	for (size_t i = 0; i < v->link_count; i++) {
		uint32_t l = v->links[i];
		vsn_validator_subject(v, l, &sv, false);
		v->link_source[l] = sv.is_valid[ends[0]] ? sv.obj[ends[0]] : 0;
		v->link_target[l] = sv.is_valid[ends[1]] ? sv.obj[ends[1]] : 0;
		for (int e = 0; e < 2; e++) {
			int prop = ends[e];
			if (!sv.is_valid[prop] || (v->vsn_members[sv.obj[prop]] & VSN_ROLE_NODE))
				continue;
			char rule[64];
			snprintf(rule, sizeof(rule), "%s in VSN", v->o->props[prop].local);
			vsn_validator_problem(v, l, v->prop_term[prop], sv.obj[prop], rule,
					      sv.line[prop],
					      "the %s of link %s, %s, is not a node of this VSN "
					      "(not listed by vsn:hasNode)",
					      v->o->props[prop].local, vsn_validator_name(v, l),
					      vsn_validator_name(v, sv.obj[prop]));
		}
	}
}

static void check_backups(struct vsn_validator *v)
{
	int backup = prop_index(v, "backupOf");
	uint32_t pred = v->prop_term[backup];
	uint32_t *primary = kairos_xcalloc(v->g->term_count, sizeof(uint32_t));
	int *line = kairos_xcalloc(v->g->term_count, sizeof(int));
	struct vsn_subject sv;
	for (size_t i = 0; i < v->node_count; i++) {
		uint32_t n = v->nodes[i];
		vsn_validator_subject(v, n, &sv, false);
		if (!sv.is_valid[backup])
			continue;
		uint32_t p = sv.obj[backup];
		line[n] = sv.line[backup];
		if (!(v->vsn_members[p] & VSN_ROLE_NODE)) {
			vsn_validator_problem(
			    v, n, pred, p, "backupOf in VSN", line[n],
			    "%s is a backup of %s, which is not a node of this VSN",
			    vsn_validator_name(v, n), vsn_validator_name(v, p));
			continue;
		}
		primary[n] = p;
	}
	/*
	 * Nodes on a cycle: each node has at most one primary, so walking from every
	 * unvisited node and stamping the walk finds each cycle once, in linear time.
	 */
	uint32_t *stamp = kairos_xcalloc(v->g->term_count, sizeof(uint32_t));
	uint8_t *on_cycle = kairos_xcalloc(v->g->term_count, 1);
	for (size_t i = 0; i < v->node_count; i++) {
		uint32_t at = v->nodes[i], mark = (uint32_t)i + 1;
		while (at && !stamp[at]) {
			stamp[at] = mark;
			at = primary[at];
		}
		if (at && stamp[at] == mark) /* came back into this walk: a new cycle */
			for (uint32_t c = at; !on_cycle[c]; c = primary[c])
				on_cycle[c] = 1;
	}
	for (size_t i = 0; i < v->node_count; i++) {
		uint32_t n = v->nodes[i], p = primary[n];
		if (!p)
			continue;
		if (on_cycle[n])
			vsn_validator_problem(
			    v, n, pred, p, "backupOf acyclic", line[n],
			    "%s is in a vsn:backupOf cycle (a node cannot back itself up, "
			    "even through others)",
			    vsn_validator_name(v, n));
		else if (primary[p])
			vsn_validator_problem(
			    v, n, pred, p, "no backup of a backup", line[n],
			    "%s is a backup of %s, which is itself a backup of %s; "
			    "name the primary instead",
			    vsn_validator_name(v, n), vsn_validator_name(v, p),
			    vsn_validator_name(v, primary[p]));
	}
	free(stamp);
	free(on_cycle);
	free(primary);
	free(line);
}

/*
 * Walks the rdf:List of a flow path into *elems (caller frees). Marks the list's
 * triples as consumed. With REPORT, records malformed lists. Returns false when the
 * list is malformed.
 */
static bool walk_path(struct vsn_validator *v, uint32_t flow, uint32_t head, int line,
		      uint32_t **elems, size_t *count, bool report)
{
	const struct vsn_graph *g = v->g;
	uint32_t pred = v->prop_term[prop_index(v, "path")];
	*elems = NULL;
	*count = 0;
	for (uint32_t cell = head; cell != v->rdf_nil || !cell;) {
		if (!cell || g->terms[cell].kind == VSN_TERM_LITERAL || cell >= g->indexed_terms) {
			if (report)
				vsn_validator_problem(
				    v, flow, pred, cell ? cell : head, "range rdf:List", line,
				    "the path of %s is not a well-formed rdf:List",
				    vsn_validator_name(v, flow));
			return false;
		}
		if (*count >= v->limits->max_path_length) {
			if (report)
				vsn_problem_add(
				    v->problems, VSN_PROBLEM_LIMIT, g->terms[flow].value,
				    VSN_NS "path", NULL, "max_path_length", line, 0,
				    "the path of %s has more than %zu elements (or loops)",
				    vsn_validator_name(v, flow), v->limits->max_path_length);
			return false;
		}
		uint32_t first = 0, rest = 0;
		for (uint32_t k = 0; k < g->subj_count[cell]; k++) {
			uint32_t ti = g->by_subject[g->subj_first[cell] + k];
			const struct vsn_triple *t = &g->triples[ti];
			if (t->p == v->rdf_first && !first) {
				first = t->o;
				v->consumed[ti] = 1;
			} else if (t->p == v->rdf_rest && !rest) {
				rest = t->o;
				v->consumed[ti] = 1;
			}
		}
		if (!first || !rest) {
			if (report)
				vsn_validator_problem(
				    v, flow, pred, cell, "range rdf:List", line,
				    "the path of %s is not a well-formed rdf:List "
				    "(a cell lacks rdf:first or rdf:rest)",
				    vsn_validator_name(v, flow));
			return false;
		}
		if ((*count & (*count - 1)) == 0)
			*elems =
			    kairos_xrealloc(*elems, (*count ? 2 * *count : 1) * sizeof(uint32_t));
		(*elems)[(*count)++] = first;
		cell = rest;
	}
	return true;
}

static void check_flows(struct vsn_validator *v)
{
	int path = prop_index(v, "path");
	uint32_t pred = v->prop_term[path];
	struct vsn_subject sv;
	for (size_t i = 0; i < v->flow_count; i++) {
		uint32_t f = v->flows[i];
		uint32_t *e;
		size_t n;
		vsn_validator_subject(v, f, &sv, false);
		if (!sv.is_valid[path])
			continue;
		int line = sv.line[path];
		if (!walk_path(v, f, sv.obj[path], line, &e, &n, true)) {
			free(e);
			continue;
		}
		if (n == 0)
			vsn_validator_problem(
			    v, f, pred, sv.obj[path], "path connected", line,
			    "the path of %s is empty; it starts and ends with a node",
			    vsn_validator_name(v, f));
		bool in_vsn = true;
		for (size_t k = 0; k < n; k++) {
			uint8_t role = v->vsn_members[e[k]];
			bool want_node = k % 2 == 0;
			if (!(role & (VSN_ROLE_NODE | VSN_ROLE_LINK))) {
				vsn_validator_problem(v, f, pred, e[k], "path element in VSN", line,
						      "element %zu of the path of %s, %s, is "
						      "neither a node nor a link of this VSN",
						      k + 1, vsn_validator_name(v, f),
						      vsn_validator_name(v, e[k]));
				in_vsn = false;
			} else if (want_node != !!(role & VSN_ROLE_NODE)) {
				vsn_validator_problem(v, f, pred, e[k], "path connected", line,
						      "element %zu of the path of %s should be a "
						      "%s (paths go node, link, node, ...)",
						      k + 1, vsn_validator_name(v, f),
						      want_node ? "node" : "link");
				in_vsn = false;
			}
		}
		if (in_vsn && n > 0 && n % 2 == 0)
			vsn_validator_problem(
			    v, f, pred, e[n - 1], "path connected", line,
			    "the path of %s ends with a link; it must end with a node",
			    vsn_validator_name(v, f));
		for (size_t k = 1; in_vsn && k + 1 < n; k += 2) {
			uint32_t a = v->link_source[e[k]], b = v->link_target[e[k]];
			if (a == e[k - 1] && b == e[k + 1])
				continue;
			struct kairos_buf from = {0};
			kairos_buf_puts(&from, vsn_validator_name(v, e[k - 1]));
			vsn_validator_problem(v, f, pred, e[k], "path connected", line,
					      "link %s of the path of %s does not go from %s to %s",
					      vsn_validator_name(v, e[k]), vsn_validator_name(v, f),
					      kairos_buf_str(&from),
					      vsn_validator_name(v, e[k + 1]));
			kairos_buf_destroy(&from);
		}
		free(e);
	}
}

void vsn_structure_check(struct vsn_validator *v)
{
	const struct vsn_graph *g = v->g;
	size_t count = 0;
	for (uint32_t s = 1; s < g->term_count; s++) {
		if (!(v->type_mask[s] & v->o->bit_vsn))
			continue;
		if (count++ == 0) {
			v->vsn = s;
			continue;
		}
		vsn_validator_problem(v, s, v->rdf_type, 0, "exactly one vsn:VirtualServiceNetwork",
				      v->subject_line[s],
				      "a document describes one VSN; %s is a second one",
				      vsn_validator_name(v, s));
	}
	if (!v->vsn) {
		vsn_problem_add(v->problems, VSN_PROBLEM_SEMANTIC, NULL, VSN_RDF_NS "type",
				VSN_NS "VirtualServiceNetwork",
				"exactly one vsn:VirtualServiceNetwork", 0, 0,
				"the document describes no vsn:VirtualServiceNetwork");
		v->vsn_members = kairos_xcalloc(g->term_count, 1);
		return;
	}
	collect_members(v);
	v->link_source = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	v->link_target = kairos_xcalloc(g->term_count, sizeof(uint32_t));
	check_member_types(v);
	check_links(v);
	check_backups(v);
	check_flows(v);
}

/* ---- the model ------------------------------------------------------------------ */

static char *term_string(const struct vsn_validator *v, uint32_t id)
{
	struct kairos_buf b = {0};
	vsn_term_to_display(v->g, id, &b);
	return kairos_buf_steal(&b);
}

struct field_map {
	const char *local;
	unsigned flag;
	size_t offset;
	bool is_int;
};

#define NUM(local, flag, member, is_int)                                                           \
	{                                                                                          \
		local, flag, offsetof(struct vsn_node, member), is_int                             \
	}
static const struct field_map node_fields[] = {
    NUM("vcpus", VSN_F_VCPUS, vcpus, true),
    NUM("memoryMiB", VSN_F_MEMORY_MIB, memory_mib, true),
    NUM("periodMs", VSN_F_PERIOD_MS, period_ms, false),
    NUM("jitterMs", VSN_F_JITTER_MS, jitter_ms, false),
    NUM("wcetMs", VSN_F_WCET_MS, wcet_ms, false),
    NUM("bcetMs", VSN_F_BCET_MS, bcet_ms, false),
    NUM("deadlineMs", VSN_F_DEADLINE_MS, deadline_ms, false),
    NUM("availability", VSN_F_AVAILABILITY, availability, false),
    NUM("diskGiB", VSN_F_DISK_GIB, disk_gib, true),
    NUM("iops", VSN_F_IOPS, iops, true),
    NUM("throughputMBps", VSN_F_THROUGHPUT_MBPS, throughput_mbps, false),
};
#undef NUM

static void build_node(struct vsn_validator *v, uint32_t id, struct vsn_node *n)
{
	struct vsn_subject sv;
	vsn_validator_subject(v, id, &sv, false);
	n->iri = term_string(v, id);
	n->type = (v->type_mask[id] & v->o->bit_compute) ? VSN_NODE_COMPUTE : VSN_NODE_STORAGE;
	for (size_t i = 0; i < sizeof(node_fields) / sizeof(node_fields[0]); i++) {
		const struct field_map *f = &node_fields[i];
		int prop = prop_index(v, f->local);
		const struct vsn_onto_prop *op = &v->o->props[prop];
		double x = sv.is_valid[prop] ? sv.num[prop]
			   : op->has_default ? op->default_value
					     : 0;
		if (sv.is_valid[prop])
			n->fields |= f->flag;
		if (f->is_int)
			*(int64_t *)((char *)n + f->offset) = (int64_t)x;
		else
			*(double *)((char *)n + f->offset) = x;
	}
	int image = prop_index(v, "image"), backup = prop_index(v, "backupOf");
	if (sv.is_valid[image]) {
		n->fields |= VSN_F_IMAGE;
		n->image = kairos_xstrdup(v->g->terms[sv.obj[image]].value);
	}
	if (sv.is_valid[backup]) {
		n->fields |= VSN_F_BACKUP_OF;
		n->backup_of = term_string(v, sv.obj[backup]);
	}
}

static double num_of(const struct vsn_validator *v, const struct vsn_subject *sv, const char *local)
{
	int prop = prop_index(v, local);
	return sv->is_valid[prop] ? sv->num[prop] : 0;
}

struct vsn_doc *vsn_structure_build(struct vsn_validator *v)
{
	const struct vsn_graph *g = v->g;
	struct vsn_doc *doc = kairos_xcalloc(1, sizeof(*doc));
	struct vsn_subject sv;

	doc->iri = term_string(v, v->vsn);
	doc->triple_count = g->triple_count;
	vsn_validator_subject(v, v->vsn, &sv, false);
	int avail = prop_index(v, "availability");
	if (sv.is_valid[avail]) {
		doc->fields |= VSN_F_AVAILABILITY;
		doc->availability = sv.num[avail];
	}
	for (uint32_t k = 0; k < g->subj_count[v->vsn]; k++) {
		uint32_t ti = g->by_subject[g->subj_first[v->vsn] + k];
		const struct vsn_triple *t = &g->triples[ti];
		if (t->p == v->rdfs_label && t->p && g->terms[t->o].kind == VSN_TERM_LITERAL) {
			doc->label = kairos_xstrdup(g->terms[t->o].value);
			doc->fields |= VSN_F_LABEL;
			v->consumed[ti] = 1;
			break;
		}
	}

	doc->node_count = v->node_count;
	doc->nodes = kairos_xcalloc(v->node_count + 1, sizeof(*doc->nodes));
	for (size_t i = 0; i < v->node_count; i++)
		build_node(v, v->nodes[i], &doc->nodes[i]);

	doc->link_count = v->link_count;
	doc->links = kairos_xcalloc(v->link_count + 1, sizeof(*doc->links));
	for (size_t i = 0; i < v->link_count; i++) {
		struct vsn_link *l = &doc->links[i];
		vsn_validator_subject(v, v->links[i], &sv, false);
		l->iri = term_string(v, v->links[i]);
		l->source = term_string(v, sv.obj[prop_index(v, "source")]);
		l->target = term_string(v, sv.obj[prop_index(v, "target")]);
		l->bandwidth_mbps = num_of(v, &sv, "bandwidthMbps");
		l->max_bandwidth_mbps = num_of(v, &sv, "maxBandwidthMbps");
		l->latency_ms = num_of(v, &sv, "latencyMs");
		l->message_bytes = (int64_t)num_of(v, &sv, "messageBytes");
	}

	doc->flow_count = v->flow_count;
	doc->flows = kairos_xcalloc(v->flow_count + 1, sizeof(*doc->flows));
	int path = prop_index(v, "path");
	for (size_t i = 0; i < v->flow_count; i++) {
		struct vsn_flow *f = &doc->flows[i];
		uint32_t *e;
		size_t n;
		vsn_validator_subject(v, v->flows[i], &sv, false);
		f->iri = term_string(v, v->flows[i]);
		f->deadline_ms = num_of(v, &sv, "deadlineMs");
		walk_path(v, v->flows[i], sv.obj[path], 0, &e, &n, false);
		f->path_len = n;
		f->path = kairos_xcalloc(n + 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			f->path[k] = term_string(v, e[k]);
		free(e);
	}

	/* Whatever the model did not use is kept as annotations, in document order. */
	struct kairos_buf b = {0};
	for (size_t i = 0; i < g->triple_count; i++) {
		if (v->consumed[i])
			continue;
		const struct vsn_triple *t = &g->triples[i];
		kairos_buf_reset(&b);
		vsn_term_to_nt(g, t->s, &b);
		kairos_buf_puts(&b, " ");
		vsn_term_to_nt(g, t->p, &b);
		kairos_buf_puts(&b, " ");
		vsn_term_to_nt(g, t->o, &b);
		kairos_buf_puts(&b, " .");
		if ((doc->annotation_count & (doc->annotation_count - 1)) == 0)
			doc->annotations = kairos_xrealloc(
			    doc->annotations,
			    (doc->annotation_count ? 2 * doc->annotation_count : 1) *
				sizeof(char *));
		doc->annotations[doc->annotation_count++] = kairos_xstrdup(kairos_buf_str(&b));
	}
	kairos_buf_destroy(&b);
	return doc;
}
