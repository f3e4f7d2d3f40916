/*
 * bench_admission.c - the admission benchmark (issue 5): admissions per second and
 * p50/p99 latency of POST /v1/vsns for a 5-node VSN from 1, 8 and 32 concurrent
 * clients, against a real kairosd, PostgreSQL and ovsdb-server.
 *
 * Run without arguments (what `make bench` does) it hands over to its driver,
 * bench/admission/driver.sh, which starts a private PostgreSQL, ovsdb-server and
 * kairosd per inventory, calls this program back for every measured point, runs
 * pgbench for the database ceiling and prints the table. The subcommands are the
 * pieces the driver needs:
 *
 *   bench_admission free-port            prints a free TCP port on 127.0.0.1
 *   bench_admission doc                  prints the benchmark's VSN document (JSON)
 *   bench_admission load URL TOKEN_FILE INVENTORY CLIENTS COUNT
 *       creates CLIENTS tenants, submits COUNT VSNs (unique IRIs) split over CLIENTS
 *       threads, prints one "point" line (see print_point), then deletes every
 *       admitted VSN and checks that GET /v1/model is empty again, so that the next
 *       point starts from the same cloud. Answers other than 201/409 (or none) are
 *       counted and reported; exit 1 when the cloud could not be emptied again.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"

#define TIMEOUT_MS 600000 /* long enough that "lost" is kairosd's doing, not ours */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The benchmark's VSN under BASE (an IRI prefix without '#'): four compute nodes of 5 %
 * of a reference core each (1 ms every 20 ms, 256 MiB), one small storage node, two
 * links and one flow over the first link. The demo inventory (80 GiB of memory) holds
 * about 80 of them, a 1,000-host inventory all 200 of a point. Caller frees.
 */
static char *vsn_document(const char *base)
{
	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_printf(&b, "{\"id\": \"%s#vsn\", \"label\": \"bench\", \"nodes\": [", base);
	for (int i = 1; i <= 4; i++)
		kairos_buf_printf(
		    &b,
		    "{\"id\": \"%s#c%d\", \"type\": \"compute\", \"vcpus\": 1, \"memoryMiB\": 256,"
		    " \"periodMs\": 20, \"jitterMs\": 0, \"wcetMs\": 1, \"bcetMs\": 0.5, "
		    "\"deadlineMs\": 20},",
		    base, i);
	kairos_buf_printf(
	    &b,
	    "{\"id\": \"%s#s1\", \"type\": \"storage\", \"diskGiB\": 1, \"iops\": 10,"
	    " \"throughputMBps\": 1}],"
	    " \"links\": [{\"id\": \"%s#l1\", \"source\": \"%s#c1\", \"target\": \"%s#c2\","
	    " \"bandwidthMbps\": 1, \"maxBandwidthMbps\": 10, \"latencyMs\": 5, \"messageBytes\": "
	    "1000},"
	    " {\"id\": \"%s#l2\", \"source\": \"%s#c3\", \"target\": \"%s#c4\","
	    " \"bandwidthMbps\": 1, \"maxBandwidthMbps\": 10, \"latencyMs\": 5, \"messageBytes\": "
	    "1000}],"
	    " \"flows\": [{\"id\": \"%s#f1\", \"deadlineMs\": 60, \"path\": [\"%s#c1\", \"%s#l1\", "
	    "\"%s#c2\"]}]}",
	    base, base, base, base, base, base, base, base, base, base, base);
	return kairos_buf_steal(&b);
}

static int cmd_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) != 0) {
		perror("bench_admission: free-port");
		return 1;
	}
	close(fd);
	printf("%d\n", ntohs(a.sin_port));
	return 0;
}

/* One client thread of a point: its tenant, its share of submissions and what it saw. */
struct client {
	const char *url;
	const char *inventory;
	char token[128];
	int index, clients, count;
	double *ms;	 /* latency of each submission */
	int *status;	 /* HTTP status of each (0: no answer) */
	char (*ids)[40]; /* ids of the admitted ones */
	int n_ids;
	char error[1024]; /* the first failure of this client */
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	for (int k = 0; k < c->count; k++) {
		char base[200];
		snprintf(base, sizeof(base), "https://bench.example/%s/n%d/t%d/v%d", c->inventory,
			 c->clients, c->index, k);
		char *doc = vsn_document(base);
		struct kairos_http_response r;
		struct kairos_error err;
		kairos_error_clear(&err);
		double t0 = now_ms();
		int rc =
		    kairos_http_request(c->url, "POST", "/v1/vsns", c->token, "application/json",
					doc, strlen(doc), TIMEOUT_MS, &r, &err);
		c->ms[k] = now_ms() - t0;
		free(doc);
		if (rc != 0) {
			c->status[k] = 0;
			if (!c->error[0])
				snprintf(c->error, sizeof(c->error), "%s", err.message);
			continue;
		}
		c->status[k] = r.status;
		if (r.status == 201) {
			json_t *j = json_loads(r.body, 0, NULL);
			const char *id = json_string_value(json_object_get(j, "id"));
			if (id)
				snprintf(c->ids[c->n_ids++], sizeof(c->ids[0]), "%s", id);
			json_decref(j);
		} else if (r.status != 409 && !c->error[0]) {
			snprintf(c->error, sizeof(c->error), "HTTP %d: %.200s", r.status, r.body);
		}
		kairos_http_response_destroy(&r);
	}
	return NULL;
}

/* Deletes this client's admitted VSNs (not timed). */
static void *client_cleanup(void *arg)
{
	struct client *c = arg;
	for (int i = 0; i < c->n_ids; i++) {
		char path[80];
		snprintf(path, sizeof(path), "/v1/vsns/%s", c->ids[i]);
		struct kairos_http_response r;
		struct kairos_error err;
		if (kairos_http_request(c->url, "DELETE", path, c->token, NULL, NULL, 0, TIMEOUT_MS,
					&r, &err) != 0) {
			snprintf(c->error, sizeof(c->error), "DELETE %s: %s", path, err.message);
			continue;
		}
		if (r.status != 204 && !c->error[0])
			snprintf(c->error, sizeof(c->error), "DELETE %s: HTTP %d %.200s", path,
				 r.status, r.body);
		kairos_http_response_destroy(&r);
	}
	return NULL;
}

/* CPU time (user + system, ms) the process PID has used so far; -1 if unknown. */
static double process_cpu_ms(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15 (utime, stime) follow the command name, which ends at the last ')'. */
	char *p = strrchr(buf, ')');
	unsigned long utime, stime;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return -1;
	return (double)(utime + stime) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile Q (0..1) of the N sorted values V; 0 when N is 0. */
static double percentile(const double *v, int n, double q)
{
	if (n == 0)
		return 0;
	int k = (int)(q * n + 0.999999999) - 1;
	return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* An admin request that must answer STATUS; returns the parsed body (or NULL). */
static json_t *admin_json(const char *url, const char *token, const char *method, const char *path,
			  const char *body, int status)
{
	struct kairos_http_response r;
	struct kairos_error err;
	kairos_error_clear(&err);
	if (kairos_http_request(url, method, path, token, body ? "application/json" : NULL, body,
				body ? strlen(body) : 0, TIMEOUT_MS, &r, &err) != 0) {
		fprintf(stderr, "bench_admission: %s %s: %s\n", method, path, err.message);
		return NULL;
	}
	json_t *j = NULL;
	if (r.status != status)
		fprintf(stderr, "bench_admission: %s %s: HTTP %d %.300s\n", method, path, r.status,
			r.body);
	else
		j = json_loads(r.body, 0, NULL);
	kairos_http_response_destroy(&r);
	return j;
}

static int read_token(const char *file, char *out, size_t size)
{
	FILE *f = fopen(file, "r");
	if (!f || !fgets(out, (int)size, f)) {
		fprintf(stderr, "bench_admission: cannot read the admin token from %s\n", file);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/*
 * Prints: point INVENTORY CLIENTS COUNT WALL_S N201 N409 NOTHER REQ_PER_S ADM_PER_S
 * P50_201 P99_201 P50_ALL P99_ALL (milliseconds) KAIROSD_CPU_MS_PER_SUBMISSION (-1 when
 * unknown). NOTHER counts the submissions that got no answer or one that is neither 201
 * nor 409; "all" latencies include them.
 */
static void print_point(const char *inventory, int clients, int count, double wall_ms,
			double *lat_201, int n201, double *lat_all, int n409, double cpu_ms)
{
	qsort(lat_201, (size_t)n201, sizeof(double), cmp_double);
	qsort(lat_all, (size_t)count, sizeof(double), cmp_double);
	printf("point %s %d %d %.3f %d %d %d %.1f %.1f %.2f %.2f %.2f %.2f %.2f\n", inventory,
	       clients, count, wall_ms / 1e3, n201, n409, count - n201 - n409,
	       count / (wall_ms / 1e3), n201 / (wall_ms / 1e3), percentile(lat_201, n201, 0.50),
	       percentile(lat_201, n201, 0.99), percentile(lat_all, count, 0.50),
	       percentile(lat_all, count, 0.99), cpu_ms < 0 ? -1 : cpu_ms / count);
	fflush(stdout);
}

static int cmd_load(const char *url, const char *token_file, const char *inventory, int clients,
		    int count)
{
	char admin[128];
	if (read_token(token_file, admin, sizeof(admin)))
		return 1;
	struct client *cl = kairos_xcalloc((size_t)clients, sizeof(*cl));
	pthread_t *th = kairos_xcalloc((size_t)clients, sizeof(*th));
	int rc = 0;
	for (int i = 0; i < clients; i++) {
		struct client *c = &cl[i];
		c->url = url;
		c->inventory = inventory;
		c->index = i;
		c->clients = clients;
		c->count = count / clients + (i < count % clients);
		c->ms = kairos_xcalloc((size_t)c->count + 1, sizeof(double));
		c->status = kairos_xcalloc((size_t)c->count + 1, sizeof(int));
		c->ids = kairos_xcalloc((size_t)c->count + 1, sizeof(*c->ids));
		char body[160];
		snprintf(body, sizeof(body), "{\"name\": \"bench-%d-%s-n%d-t%d\"}", (int)getpid(),
			 inventory, clients, i);
		json_t *t = admin_json(url, admin, "POST", "/v1/tenants", body, 201);
		const char *tok = json_string_value(json_object_get(t, "token"));
		if (!tok) {
			json_decref(t);
			rc = 1;
			goto out;
		}
		snprintf(c->token, sizeof(c->token), "%s", tok);
		json_decref(t);
	}

	/* KAIROSD_PID (set by the driver): kairosd's CPU time per submission is printed too. */
	long kd_pid = getenv("KAIROSD_PID") ? atol(getenv("KAIROSD_PID")) : 0;
	double cpu0 = kd_pid > 0 ? process_cpu_ms(kd_pid) : -1;
	double t0 = now_ms();
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, client_main, &cl[i]);
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	double wall = now_ms() - t0;
	double cpu1 = kd_pid > 0 ? process_cpu_ms(kd_pid) : -1;

	double *lat_201 = kairos_xcalloc((size_t)count + 1, sizeof(double));
	double *lat_all = kairos_xcalloc((size_t)count + 1, sizeof(double));
	int n201 = 0, n409 = 0, nall = 0;
	for (int i = 0; i < clients; i++) {
		for (int k = 0; k < cl[i].count; k++) {
			lat_all[nall++] = cl[i].ms[k];
			if (cl[i].status[k] == 201)
				lat_201[n201++] = cl[i].ms[k];
			else if (cl[i].status[k] == 409)
				n409++;
		}
		if (cl[i].error[0]) {
			/* Reported, not fatal: a lost answer is a finding of the benchmark. */
			fprintf(stderr, "bench_admission: %s, %d clients, client %d: %s\n",
				inventory, clients, i, cl[i].error);
			cl[i].error[0] = '\0';
		}
	}
	print_point(inventory, clients, nall, wall, lat_201, n201, lat_all, n409,
		    cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1);
	free(lat_201);
	free(lat_all);

	/* Back to the empty cloud, so every point starts from the same state. */
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, client_cleanup, &cl[i]);
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < clients; i++)
		if (cl[i].error[0]) {
			fprintf(stderr, "bench_admission: client %d: %s\n", i, cl[i].error);
			rc = 1;
		}
	json_t *model = admin_json(url, admin, "GET", "/v1/model", NULL, 200);
	size_t left = json_array_size(json_object_get(model, "streams"));
	if (!model || left != 0) {
		fprintf(stderr,
			"bench_admission: %zu streams left in the model after deleting every "
			"admitted VSN\n",
			left);
		rc = 1;
	}
	json_decref(model);
out:
	for (int i = 0; i < clients; i++) {
		free(cl[i].ms);
		free(cl[i].status);
		free(cl[i].ids);
	}
	free(cl);
	free(th);
	return rc;
}

/* The driver: bench/admission/driver.sh next to the sources, found from the working
 * directory (scripts/bench.sh runs from the repository root) or above the executable. */
static int exec_driver(const char *self)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	const char *rel = "bench/admission/driver.sh";
	if (access(rel, R_OK) == 0) {
		snprintf(path, sizeof(path), "%s", rel);
	} else {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			n = 0;
		exe[n] = '\0';
		path[0] = '\0';
		for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", exe, rel);
			if (access(path, R_OK) == 0)
				break;
			path[0] = '\0';
		}
		if (!path[0]) {
			fprintf(stderr,
				"bench_admission: cannot find %s (run from the repository root)\n",
				rel);
			return 1;
		}
	}
	char me[PATH_MAX];
	if (!realpath(self, me) && !realpath("/proc/self/exe", me))
		snprintf(me, sizeof(me), "%s", self);
	execlp("bash", "bash", path, me, (char *)NULL);
	fprintf(stderr, "bench_admission: cannot run bash %s: %s\n", path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return exec_driver(argv[0]);
	if (strcmp(argv[1], "free-port") == 0)
		return cmd_free_port();
	if (strcmp(argv[1], "doc") == 0) {
		char *doc = vsn_document("https://bench.example/sample");
		puts(doc);
		free(doc);
		return 0;
	}
	if (strcmp(argv[1], "load") == 0 && argc == 7) {
		int clients = atoi(argv[5]), count = atoi(argv[6]);
		if (clients < 1 || count < clients) {
			fprintf(stderr, "bench_admission: need 1 <= CLIENTS <= COUNT\n");
			return 2;
		}
		return cmd_load(argv[2], argv[3], argv[4], clients, count);
	}
	fprintf(stderr, "usage: bench_admission [free-port | doc | load URL TOKEN_FILE INVENTORY "
			"CLIENTS COUNT]\n");
	return 2;
}
