/*
 * cloud.c - the in-memory admitted cloud, rebuilt from PostgreSQL: at start, and when
 * the inventory changes. The database is the truth; the cloud is its analysed form.
 */
#include "api/internal.h"

#include <stdlib.h>
#include <string.h>

int api_cloud_rebuild(struct api_service *svc, struct kairos_error *err)
{
	struct db_host *hosts = NULL;
	size_t n = 0;
	int rc = db_host_list(svc->db, &hosts, &n, err);
	if (rc)
		return rc;
	struct sched_host *sh = kairos_xcalloc(n ? n : 1, sizeof(*sh));
	for (size_t i = 0; i < n; i++)
		sh[i] =
		    (struct sched_host){.name = hosts[i].name,
					.cores = hosts[i].cores,
					.memory_mib = hosts[i].memory_mib,
					.speed = hosts[i].speed,
					.uplink_mbps = hosts[i].uplink_mbps,
					.storage_gib = (int64_t)hosts[i].storage_gib,
					.storage_iops = hosts[i].storage_iops,
					.storage_mbps = hosts[i].storage_mbps,
					.availability_host = hosts[i].availability_host,
					.availability_hypervisor = hosts[i].availability_hypervisor,
					.failure_domain = hosts[i].failure_domain,
					.is_up = strcmp(hosts[i].state, "up") == 0};
	struct sched_lan lan = {.name = svc->lan_name, .capacity_mbps = svc->lan_mbps};
	struct sla_cloud *cloud = NULL;
	rc = sla_cloud_new(sh, (int)n, &lan, &cloud, err);
	json_t *list = NULL;
	if (rc == 0)
		rc = db_vsn_restore_list(svc->db, &list, err);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (rc)
			break;
		const char *id = json_string_value(json_object_get(v, "id"));
		char *model = json_dumps(json_object_get(v, "model"), JSON_COMPACT);
		struct vsn_problems pr;
		vsn_problems_init(&pr);
		struct vsn_doc *doc = NULL;
		struct sched_placement pl;
		memset(&pl, 0, sizeof(pl));
		if (!model ||
		    vsn_parse(model, strlen(model), VSN_SYNTAX_JSON, NULL, NULL, &doc, &pr) != 0)
			rc = kairos_error_set(err, KAIROS_EINTERNAL, id,
					      "stored VSN %s no longer parses", id);
		else if ((rc = sla_placement_from_json(cloud, json_object_get(v, "placement"), &pl,
						       err)) == 0)
			rc = sla_cloud_restore(cloud, id, doc, &pl, err);
		if (rc)
			kairos_log(KAIROS_LOG_ERROR, "cannot restore VSN", "vsn=%s error=\"%s\"",
				   id, err->message);
		sched_placement_destroy(&pl);
		vsn_doc_free(doc);
		vsn_problems_destroy(&pr);
		free(model);
	}
	if (rc == 0) {
		sla_cloud_free(svc->cloud);
		svc->cloud = cloud;
		kairos_log(KAIROS_LOG_INFO, "cloud rebuilt", "hosts=%zu vsns=%zu", n,
			   json_array_size(list));
	} else {
		sla_cloud_free(cloud);
	}
	json_decref(list);
	free(sh);
	free(hosts);
	return rc;
}
