/* kairosd_fixture.c - the real kairosd as a child process of a test. */
#include "tests/support/kairosd_fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t l = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	close(fd);
	return ntohs(a.sin_port);
}

void kairosd_fixture_init(struct kairosd_fixture *f, bool with_ovs)
{
	memset(f, 0, sizeof(*f));
	pg_fixture_create(&f->pg);
	f->has_ovs = with_ovs;
	if (with_ovs)
		cr_assert_eq(ovs_fixture_start(&f->ovs, 0), 0, "ovsdb-server did not start");
	snprintf(f->dir, sizeof(f->dir), "/tmp/kairosd-test-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/kairosd.log", f->dir);
	f->port = free_port();
	snprintf(f->base_url, sizeof(f->base_url), "http://127.0.0.1:%d", f->port);
}

static void child_exec(struct kairosd_fixture *f, const char *const *args)
{
	char bin[1024];
	snprintf(bin, sizeof(bin), "%s/kairosd", env_or("KAIROS_BUILD", "build"));
	const char *root = env_or("KAIROS_ROOT", ".");
	char e[16][1100];
	int n = 0;
	snprintf(e[n++], sizeof(e[0]), "KAIROS_PORT=%d", f->port);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_PG_HOST=%s", f->pg.host);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_PG_PORT=%s", f->pg.port);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_PG_USER=%s", f->pg.user);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_PG_DATABASE=%s", f->pg.dbname);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_OVSDB_REMOTE=%s",
		 f->has_ovs ? f->ovs.remote : "unix:/nonexistent/ovsdb.sock");
	snprintf(e[n++], sizeof(e[0]), "KAIROS_INVENTORY=%s/etc/inventory.json", root);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_MIGRATIONS_DIR=%s/migrations", root);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_ADMIN_TOKEN_FILE=%s/admin.token", f->dir);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_STATE_DIR=%s", f->dir);
	snprintf(e[n++], sizeof(e[0]), "KAIROS_BACKEND_TIMEOUT_MS=1000");
	for (int i = 0; i < n; i++)
		putenv(e[i]);
	/* The test's own variables come last, so they override the fixture's. */
	for (const char *const *x = f->extra_env; x && *x; x++)
		putenv((char *)*x);
	int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	dup2(fd, 2);
	dup2(fd, 1);
	const char *argv[16] = {bin};
	int k = 1;
	for (const char *const *a = args; a && *a && k < 15; a++)
		argv[k++] = *a;
	argv[k] = NULL;
	if (chdir(f->dir) != 0)
		_exit(127);
	execv(bin, (char *const *)argv);
	_exit(127);
}

static bool answers(struct kairosd_fixture *f)
{
	struct kairos_http_response r;
	struct kairos_error err;
	if (kairos_http_request(f->base_url, "GET", "/healthz", NULL, NULL, NULL, 0, 2000, &r,
				&err) != 0)
		return false;
	kairos_http_response_destroy(&r);
	return true;
}

bool kairosd_fixture_start(struct kairosd_fixture *f)
{
	f->pid = fork();
	cr_assert_neq(f->pid, -1);
	if (f->pid == 0)
		child_exec(f, NULL);
	for (int i = 0; i < 200; i++) {
		int st;
		if (waitpid(f->pid, &st, WNOHANG) == f->pid) {
			f->pid = 0;
			return false;
		}
		if (answers(f)) {
			char path[200];
			snprintf(path, sizeof(path), "%s/admin.token", f->dir);
			FILE *t = fopen(path, "r");
			if (t) {
				if (fgets(f->token, sizeof(f->token), t))
					f->token[strcspn(f->token, "\n")] = '\0';
				fclose(t);
			}
			return true;
		}
		usleep(50000);
	}
	return false;
}

static int wait_exit(pid_t pid, int timeout_s)
{
	for (int i = 0; i < timeout_s * 20; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int kairosd_fixture_stop(struct kairosd_fixture *f)
{
	if (f->pid <= 0)
		return -1;
	kill(f->pid, SIGTERM);
	int rc = wait_exit(f->pid, 15);
	f->pid = 0;
	return rc;
}

int kairosd_fixture_run_to_exit(struct kairosd_fixture *f, const char *const *args, int timeout_s)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		child_exec(f, args);
	return wait_exit(pid, timeout_s);
}

char *kairosd_fixture_log(const struct kairosd_fixture *f)
{
	char *text = NULL;
	if (kairos_read_file(f->log, &text, NULL) != 0)
		return strdup("");
	return text;
}

void kairosd_fixture_destroy(struct kairosd_fixture *f)
{
	if (f->pid > 0)
		kairosd_fixture_stop(f);
	if (f->has_ovs)
		ovs_fixture_destroy(&f->ovs);
	pg_fixture_drop(&f->pg);
	if (f->dir[0]) {
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", f->dir);
	}
}

struct kairos_http_response kairosd_fixture_request(struct kairosd_fixture *f, const char *method,
						    const char *path, bool is_admin,
						    const char *content_type, const char *body,
						    size_t len)
{
	return kairosd_fixture_request_as(f, is_admin ? f->token : NULL, method, path, content_type,
					  body, len);
}

struct kairos_http_response kairosd_fixture_request_as(struct kairosd_fixture *f, const char *token,
						       const char *method, const char *path,
						       const char *content_type, const char *body,
						       size_t len)
{
	struct kairos_http_response r;
	struct kairos_error err;
	kairos_error_clear(&err);
	int rc = kairos_http_request(f->base_url, method, path, token, content_type, body, len,
				     20000, &r, &err);
	cr_assert_eq(rc, 0, "%s %s: %s", method, path, err.message);
	return r;
}
