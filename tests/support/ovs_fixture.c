/*
 * ovs_fixture.c - a private Open vSwitch per test, started and stopped with
 * scripts/ovs.sh so that tests exercise the same script the service uses.
 */
#include "tests/support/ovs_fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static const char *repo_root(void)
{
	const char *r = getenv("KAIROS_ROOT");
	return r && *r ? r : ".";
}

static int run_ovs_sh(struct ovs_fixture *f, const char *cmd, int with_vswitchd)
{
	char line[512];
	snprintf(line, sizeof(line), "OVS_NETNS='%s' bash '%s/scripts/ovs.sh' %s '%s'%s", f->netns,
		 repo_root(), cmd, f->dir, with_vswitchd ? " --vswitchd" : "");
	int rc = system(line);
	if (rc != 0) {
		fprintf(stderr, "ovs_fixture: `%s` failed (status %d)\n", line, rc);
		return -1;
	}
	return 0;
}

int ovs_fixture_start(struct ovs_fixture *f, int with_vswitchd)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/kairos-ovs-XXXXXX");
	if (!mkdtemp(f->dir)) {
		perror("ovs_fixture: mkdtemp");
		f->dir[0] = '\0';
		return -1;
	}
	snprintf(f->sock, sizeof(f->sock), "%s/db.sock", f->dir);
	snprintf(f->remote, sizeof(f->remote), "unix:%s", f->sock);
	f->has_vswitchd = with_vswitchd;
	if (with_vswitchd)
		snprintf(f->netns, sizeof(f->netns), "kairos-%s", strrchr(f->dir, '-') + 1);
	return run_ovs_sh(f, "start", with_vswitchd);
}

int ovs_fixture_stop(struct ovs_fixture *f)
{
	return f->dir[0] ? run_ovs_sh(f, "stop", 0) : 0;
}

int ovs_fixture_restart(struct ovs_fixture *f)
{
	return run_ovs_sh(f, "start", f->has_vswitchd);
}

static int signal_server(struct ovs_fixture *f, int sig)
{
	char path[200];
	snprintf(path, sizeof(path), "%s/ovsdb-server.pid", f->dir);
	FILE *fp = fopen(path, "r");
	long pid = 0;
	if (!fp || fscanf(fp, "%ld", &pid) != 1 || pid <= 1) {
		if (fp)
			fclose(fp);
		fprintf(stderr, "ovs_fixture: no pid in %s\n", path);
		return -1;
	}
	fclose(fp);
	return kill((pid_t)pid, sig) == 0 ? 0 : -1;
}

int ovs_fixture_pause(struct ovs_fixture *f)
{
	int rc = signal_server(f, SIGSTOP);
	if (rc == 0)
		f->is_paused = 1;
	return rc;
}

int ovs_fixture_resume(struct ovs_fixture *f)
{
	int rc = signal_server(f, SIGCONT);
	if (rc == 0)
		f->is_paused = 0;
	return rc;
}

/* Runs LINE with the shell and returns its trimmed stdout (NULL on failure). */
static char *capture(const char *line)
{
	FILE *p = popen(line, "r");
	if (!p)
		return NULL;
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	size_t n;
	while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *bigger = realloc(out, cap * 2);
			if (!bigger) {
				free(out);
				out = NULL;
				break;
			}
			out = bigger;
			cap *= 2;
		}
	}
	int rc = pclose(p);
	if (!out)
		return NULL;
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	if (rc != 0) {
		fprintf(stderr, "ovs_fixture: `%s` failed (status %d): %s\n", line, rc, out);
		free(out);
		return NULL;
	}
	return out;
}

char *ovs_fixture_vsctl(struct ovs_fixture *f, const char *args)
{
	char line[1024];
	snprintf(line, sizeof(line),
		 "OVS_RUNDIR='%s' ovs-vsctl --db=unix:'%s' --no-wait --timeout=5 %s", f->dir,
		 f->sock, args);
	return capture(line);
}

char *ovs_fixture_netns_exec(struct ovs_fixture *f, const char *cmd)
{
	if (!f->netns[0])
		return NULL;
	char line[1024];
	snprintf(line, sizeof(line), "ip netns exec '%s' sh -c '%s'", f->netns, cmd);
	return capture(line);
}

void ovs_fixture_destroy(struct ovs_fixture *f)
{
	if (!f->dir[0])
		return;
	if (f->is_paused)
		ovs_fixture_resume(f); /* a stopped process would not act on SIGTERM */
	ovs_fixture_stop(f);
	char line[256];
	snprintf(line, sizeof(line), "rm -rf '%s'", f->dir);
	if (system(line) != 0)
		fprintf(stderr, "ovs_fixture: could not remove %s\n", f->dir);
	f->dir[0] = '\0';
}
