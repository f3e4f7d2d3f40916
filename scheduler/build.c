/*
 * build.c - the mapping of a placed VSN to RTC tasks and streams
 * (docs/SLA-MAPPING.md states it for tenants; this file is its only code).
 *
 * - A compute node is one task on the fp resource of its core ("HOST/coreN",
 *   rate = host speed), with its WCET/BCET (reference-core units: the rate
 *   does the speed scaling) and its deadline.
 * - A link between nodes on different hosts is two tasks: on the source
 *   host's uplink ("HOST.uplink": the NIC's egress, messageBytes*8 / uplink
 *   capacity) and on the LAN switch's output port towards the target host
 *   ("LAN/HOST": a store-and-forward, output-queued switch; messageBytes*8 /
 *   min(LAN capacity, target uplink capacity)). Both are fp, rate 1; each
 *   hop's deadline is the link's latencyMs, and the search checks their sum
 *   for every admitted link (sched_links_ok), not only the new ones.
 *   The guaranteed bandwidth is reserved on the source uplink, the LAN and
 *   the target uplink. A link between co-located nodes costs no network
 *   time: no task.
 * - A flow is one stream, activated by the period and jitter of the first
 *   compute node of its path, whose tasks follow the path; its deadline is the
 *   flow's. An element that already has its task in an earlier flow gets an
 *   extra task ("ELEMENT@FLOW") in the later one: its demand is counted twice,
 *   which is conservative.
 * - A compute node on no flow is a one-task stream with its own period,
 *   jitter and deadline; a remote link on no flow is a stream of its hops,
 *   activated by its source node (deadline: latencyMs).
 * - Storage nodes have no task: they reserve pool capacity only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/internal.h"

int64_t sched_ms_to_ticks(double ms)
{
	return llround(ms * (double)RTC_TICKS_PER_UNIT);
}

double sched_ticks_to_ms(int64_t ticks)
{
	return (double)ticks / (double)RTC_TICKS_PER_UNIT;
}

int64_t sched_transfer_ticks(int64_t bytes, double mbps)
{
	/* bits / (mbps * 1000 bits per ms) in ms, times 1e6 ticks per ms */
	if (mbps <= 0)
		return INT64_MAX / 4;
	return (int64_t)ceil((double)bytes * 8.0 * 1000.0 / mbps - 1e-9);
}

void sched_builder_init(struct sched_builder *b, const struct sched_cloud *c, const struct sched_problem *prob,
			const struct sched_placement *pl, const char *suffix)
{
	memset(b, 0, sizeof(*b));
	b->cloud = c;
	b->prob = prob;
	b->pl = pl;
	b->suffix = suffix ? suffix : "";
	int nn = prob->nnodes, nl = prob->nlinks, nf = prob->nflows;
	b->node_host = kairos_xcalloc((size_t)nn + 1, sizeof(int));
	b->node_core = kairos_xcalloc((size_t)nn + 1, sizeof(int));
	b->node_home = kairos_xcalloc((size_t)nn + 1, sizeof(int));
	b->node_task = kairos_xcalloc((size_t)nn + 1, sizeof(int));
	b->node_stream = kairos_xcalloc((size_t)nn + 1, sizeof(int));
	b->node_is_done = kairos_xcalloc((size_t)nn + 1, sizeof(bool));
	b->link_home = kairos_xcalloc((size_t)nl + 1, sizeof(int));
	b->link_hop = kairos_xcalloc((size_t)nl + 1, sizeof(*b->link_hop));
	b->link_stream = kairos_xcalloc((size_t)nl + 1, sizeof(int));
	b->link_is_done = kairos_xcalloc((size_t)nl + 1, sizeof(bool));
	b->link_granted = kairos_xcalloc((size_t)nl + 1, sizeof(double));
	b->flow_stream = kairos_xcalloc((size_t)nf + 1, sizeof(int));
	b->flow_prefix = kairos_xcalloc((size_t)nf + 1, sizeof(int));
	b->flow_activator = kairos_xcalloc((size_t)nf + 1, sizeof(int));
	for (int i = 0; i < nn; i++) {
		b->node_host[i] = b->node_core[i] = -1;
		b->node_home[i] = b->node_task[i] = b->node_stream[i] = -1;
		if (pl && i < pl->nnodes) {
			b->node_host[i] = pl->nodes[i].host;
			b->node_core[i] = pl->nodes[i].core;
		}
	}
	for (int l = 0; l < nl; l++) {
		b->link_home[l] = b->link_stream[l] = -1;
		for (int h = 0; h < SCHED_HOPS; h++)
			b->link_hop[l][h] = -1;
		b->link_granted[l] = pl && l < pl->nlinks ? pl->links[l].granted_mbps : prob->links[l].bandwidth_mbps;
	}
	for (int f = nf - 1; f >= 0; f--) {
		const struct sched_flow *fl = &prob->flows[f];
		b->flow_stream[f] = -1;
		b->flow_activator[f] = -1;
		for (int k = fl->path_len - 1; k >= 0; k--) {
			const struct sched_elem *e = &fl->path[k];
			if (e->is_link) {
				b->link_home[e->index] = f;
			} else {
				b->node_home[e->index] = f;
				if (!prob->nodes[e->index].is_storage)
					b->flow_activator[f] = e->index;
			}
		}
	}
}

void sched_builder_destroy(struct sched_builder *b)
{
	free(b->node_host);
	free(b->node_core);
	free(b->node_home);
	free(b->node_task);
	free(b->node_stream);
	free(b->node_is_done);
	free(b->link_home);
	free(b->link_hop);
	free(b->link_stream);
	free(b->link_is_done);
	free(b->link_granted);
	free(b->flow_stream);
	free(b->flow_prefix);
	free(b->flow_activator);
	for (int i = 0; i < b->nemit; i++)
		free(b->emit[i].key);
	free(b->emit);
	memset(b, 0, sizeof(*b));
}

long sched_priority_lowest(const struct rtc_model *m, int r)
{
	long lo = 0;
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && m->tasks[t].resource == r && m->tasks[t].priority > lo)
			lo = m->tasks[t].priority;
	return lo;
}

long sched_priority_highest(const struct rtc_model *m, int r)
{
	bool any = false;
	long hi = 0;
	for (int t = 0; t < m->ntasks; t++)
		if (m->tasks[t].stream >= 0 && m->tasks[t].resource == r && (!any || m->tasks[t].priority < hi)) {
			hi = m->tasks[t].priority;
			any = true;
		}
	return hi;
}

/* The stream prototype of flow F / standalone node / standalone link. */
static void stream_proto(struct rtc_stream *s, const struct sched_node *act, bool has_dl, double dl_ms)
{
	memset(s, 0, sizeof(*s));
	s->period = sched_ms_to_ticks(act->period_ms);
	s->jitter = sched_ms_to_ticks(act->jitter_ms);
	s->has_deadline = has_dl;
	s->deadline = has_dl ? sched_ms_to_ticks(dl_ms) : 0;
}

/*
 * Appends a task to the stream in *STREAM (created from SPROTO/SNAME when -1,
 * re-filled when emptied by an undo). Returns the task index or negative.
 */
static int emit(struct sched_builder *b, struct rtc_analysis *a, int *stream, const struct rtc_stream *sproto,
		const char *sname, const char *key, int resource, int64_t wcet, int64_t bcet, bool has_dl,
		int64_t dl, struct kairos_error *err)
{
	const struct rtc_model *m = rtc_analysis_model(a);
	struct kairos_buf name = {0};
	kairos_buf_printf(&name, "%s%s", key, b->suffix);
	struct rtc_task t;
	memset(&t, 0, sizeof(t));
	t.name = (char *)kairos_buf_str(&name);
	t.resource = resource;
	t.wcet = wcet;
	t.bcet = bcet;
	t.has_deadline = has_dl;
	t.deadline = dl;
	t.replica_of = -1;
	t.has_priority = true;
	long prio;
	if (b->pl && sched_placement_prio_get(b->pl, key, &prio))
		t.priority = prio;
	else if (b->is_prio_top)
		t.priority = sched_priority_highest(m, resource) - SCHED_PRIO_GAP;
	else
		t.priority = sched_priority_lowest(m, resource) + SCHED_PRIO_GAP;
	int rc;
	if (*stream < 0) {
		struct kairos_buf sn = {0};
		kairos_buf_printf(&sn, "%s%s", sname, b->suffix);
		struct rtc_stream sp = *sproto;
		sp.name = (char *)kairos_buf_str(&sn);
		rc = rtc_analysis_stream_add(a, &sp, &t, err);
		kairos_buf_destroy(&sn);
		if (rc >= 0) {
			*stream = rc;
			rc = rtc_analysis_model(a)->streams[rc].path[0];
		}
	} else {
		rc = rtc_analysis_task_add(a, *stream, &t, err);
	}
	kairos_buf_destroy(&name);
	if (rc < 0)
		return rc;
	if (b->nemit == b->cap_emit) {
		b->cap_emit = b->cap_emit ? 2 * b->cap_emit : 16;
		b->emit = kairos_xrealloc(b->emit, (size_t)b->cap_emit * sizeof(*b->emit));
	}
	b->emit[b->nemit].key = kairos_xstrdup(key);
	b->emit[b->nemit].task = rc;
	b->nemit++;
	return rc;
}

static bool node_placed(const struct sched_builder *b, int i)
{
	return b->node_host[i] >= 0;
}

/* The task of node I in a stream; IN_FLOW is the flow (or -1 standalone). */
static int emit_node(struct sched_builder *b, struct rtc_analysis *a, int *stream, const struct rtc_stream *sp,
		     const char *sname, int i, int in_flow, struct kairos_error *err)
{
	const struct sched_node *n = &b->prob->nodes[i];
	const struct sched_cloud *c = b->cloud;
	int r = sched_core_resource(c, b->node_host[i], b->node_core[i]);
	bool is_home = b->node_home[i] == in_flow && b->node_task[i] < 0;
	struct kairos_buf key = {0};
	if (is_home)
		kairos_buf_puts(&key, n->name);
	else
		kairos_buf_printf(&key, "%s@%s", n->name, b->prob->flows[in_flow].name);
	bool has_dl = n->has_deadline && !b->is_relaxed;
	int t = emit(b, a, stream, sp, sname, kairos_buf_str(&key), r, sched_ms_to_ticks(n->wcet_ms),
		     sched_ms_to_ticks(n->bcet_ms), has_dl, has_dl ? sched_ms_to_ticks(n->deadline_ms) : 0, err);
	kairos_buf_destroy(&key);
	if (t >= 0 && is_home)
		b->node_task[i] = t;
	return t < 0 ? t : 0;
}

/* The hop tasks of remote link L; IN_FLOW as above. */
static int emit_link(struct sched_builder *b, struct rtc_analysis *a, int *stream, const struct rtc_stream *sp,
		     const char *sname, int l, int in_flow, struct kairos_error *err)
{
	const struct sched_link *lk = &b->prob->links[l];
	const struct sched_cloud *c = b->cloud;
	int hs = b->node_host[lk->source], ht = b->node_host[lk->target];
	if (hs == ht)
		return 0;
	bool is_home = b->link_home[l] == in_flow && b->link_hop[l][0] < 0;
	int res[SCHED_HOPS] = {sched_uplink_resource(c, hs), sched_port_resource(c, ht)};
	double port = c->lan.capacity_mbps < c->hosts[ht].uplink_mbps ? c->lan.capacity_mbps : c->hosts[ht].uplink_mbps;
	double cap[SCHED_HOPS] = {c->hosts[hs].uplink_mbps, port};
	bool has_dl = !b->is_relaxed && lk->latency_ms > 0;
	for (int h = 0; h < SCHED_HOPS; h++) {
		const struct rtc_model *m = rtc_analysis_model(a);
		struct kairos_buf key = {0};
		kairos_buf_printf(&key, "%s@%s", lk->name, m->resources[res[h]].name);
		if (!is_home)
			kairos_buf_printf(&key, "@%s", b->prob->flows[in_flow].name);
		int64_t w = sched_transfer_ticks(lk->message_bytes, cap[h]);
		int t = emit(b, a, stream, sp, sname, kairos_buf_str(&key), res[h], w, w, has_dl,
			     has_dl ? sched_ms_to_ticks(lk->latency_ms) : 0, err);
		kairos_buf_destroy(&key);
		if (t < 0)
			return t;
		if (is_home)
			b->link_hop[l][h] = t;
	}
	return 0;
}

int sched_builder_extend(struct sched_builder *b, struct rtc_analysis *a, struct kairos_error *err)
{
	const struct sched_problem *p = b->prob;
	int rc = 0;
	for (int f = 0; f < p->nflows && rc == 0; f++) {
		const struct sched_flow *fl = &p->flows[f];
		if (b->flow_activator[f] < 0) {
			b->flow_prefix[f] = fl->path_len; /* no compute node: no timing */
			continue;
		}
		struct rtc_stream sp;
		stream_proto(&sp, &p->nodes[b->flow_activator[f]], !b->is_relaxed, fl->deadline_ms);
		while (b->flow_prefix[f] < fl->path_len && rc == 0) {
			const struct sched_elem *e = &fl->path[b->flow_prefix[f]];
			if (e->is_link) {
				const struct sched_link *lk = &p->links[e->index];
				if (!node_placed(b, lk->source) || !node_placed(b, lk->target))
					break;
				rc = emit_link(b, a, &b->flow_stream[f], &sp, fl->name, e->index, f, err);
			} else {
				if (!node_placed(b, e->index))
					break;
				if (!p->nodes[e->index].is_storage)
					rc = emit_node(b, a, &b->flow_stream[f], &sp, fl->name, e->index, f, err);
			}
			if (rc == 0)
				b->flow_prefix[f]++;
		}
	}
	for (int i = 0; i < p->nnodes && rc == 0; i++) {
		const struct sched_node *n = &p->nodes[i];
		if (b->node_home[i] >= 0 || b->node_is_done[i] || !node_placed(b, i))
			continue;
		b->node_is_done[i] = true;
		if (n->is_storage)
			continue;
		struct rtc_stream sp;
		stream_proto(&sp, n, n->has_deadline && !b->is_relaxed, n->deadline_ms);
		rc = emit_node(b, a, &b->node_stream[i], &sp, n->name, i, -1, err);
	}
	for (int l = 0; l < p->nlinks && rc == 0; l++) {
		const struct sched_link *lk = &p->links[l];
		if (b->link_home[l] >= 0 || b->link_is_done[l] || !node_placed(b, lk->source) ||
		    !node_placed(b, lk->target))
			continue;
		b->link_is_done[l] = true;
		const struct sched_node *act = &p->nodes[lk->source];
		if (act->is_storage)
			act = &p->nodes[lk->target];
		if (act->is_storage)
			continue;
		struct rtc_stream sp;
		stream_proto(&sp, act, !b->is_relaxed && lk->latency_ms > 0, lk->latency_ms);
		rc = emit_link(b, a, &b->link_stream[l], &sp, lk->name, l, -1, err);
	}
	return rc;
}

void sched_builder_mark(const struct sched_builder *b, struct sched_builder_mark *mk)
{
	const struct sched_problem *p = b->prob;
	mk->nemit = b->nemit;
	mk->flow_prefix = kairos_xmalloc(((size_t)p->nflows + 1) * sizeof(int));
	memcpy(mk->flow_prefix, b->flow_prefix, (size_t)p->nflows * sizeof(int));
	mk->node_task = kairos_xmalloc(((size_t)p->nnodes + 1) * sizeof(int));
	memcpy(mk->node_task, b->node_task, (size_t)p->nnodes * sizeof(int));
	mk->link_hop = kairos_xmalloc(((size_t)p->nlinks + 1) * sizeof(int) * SCHED_HOPS);
	memcpy(mk->link_hop, b->link_hop, (size_t)p->nlinks * sizeof(int) * SCHED_HOPS);
	mk->node_is_done = kairos_xmalloc((size_t)p->nnodes + 1);
	memcpy(mk->node_is_done, b->node_is_done, (size_t)p->nnodes);
	mk->link_is_done = kairos_xmalloc((size_t)p->nlinks + 1);
	memcpy(mk->link_is_done, b->link_is_done, (size_t)p->nlinks);
}

void sched_builder_mark_free(struct sched_builder_mark *mk)
{
	free(mk->flow_prefix);
	free(mk->node_task);
	free(mk->link_hop);
	free(mk->node_is_done);
	free(mk->link_is_done);
	memset(mk, 0, sizeof(*mk));
}

void sched_builder_undo(struct sched_builder *b, struct rtc_analysis *a, struct sched_builder_mark *mk)
{
	const struct sched_problem *p = b->prob;
	/* Tasks were appended to the ends of their streams: remove newest first. */
	while (b->nemit > mk->nemit) {
		b->nemit--;
		rtc_analysis_task_remove(a, b->emit[b->nemit].task, NULL);
		free(b->emit[b->nemit].key);
	}
	memcpy(b->flow_prefix, mk->flow_prefix, (size_t)p->nflows * sizeof(int));
	memcpy(b->node_task, mk->node_task, (size_t)p->nnodes * sizeof(int));
	memcpy(b->link_hop, mk->link_hop, (size_t)p->nlinks * sizeof(int) * SCHED_HOPS);
	memcpy(b->node_is_done, mk->node_is_done, (size_t)p->nnodes);
	memcpy(b->link_is_done, mk->link_is_done, (size_t)p->nlinks);
	sched_builder_mark_free(mk);
}
