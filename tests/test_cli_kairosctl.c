/*
 * test_cli_kairosctl.c - kairosctl against the real kairosd: tables by default, JSON with
 * --json, and the exit statuses (0 ok, 1 refused, 2 usage, 3 unreachable).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/kairosd_fixture.h"

static struct kairosd_fixture kd;

static void teardown(void)
{
	kairosd_fixture_destroy(&kd);
}

TestSuite(cli_kairosctl, .fini = teardown, .timeout = 120);

/* Runs kairosctl ARGS with TOKEN; returns the exit status, output (stdout+stderr) in *out. */
static int ctl(const char *token, const char *args, char **out)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd %s/.. && KAIROS_URL=%s KAIROS_TOKEN=%s %s/kairosctl %s 2>&1",
		 getenv("KAIROS_ROOT"), kd.base_url, token ? token : "", getenv("KAIROS_BUILD"),
		 args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	struct kairos_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		kairos_buf_append(&b, chunk, n);
	int st = pclose(p);
	*out = kairos_buf_steal(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli_kairosctl, tenant_host_and_vsn_commands)
{
	kairosd_fixture_init(&kd, true);
	cr_assert(kairosd_fixture_start(&kd), "%s", kairosd_fixture_log(&kd));
	char *out;
	cr_assert_eq(ctl(kd.token, "host list", &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "HOST"), "%s", out);
	cr_assert_not_null(strstr(out, "server3          4"), "%s", out);
	free(out);

	cr_assert_eq(ctl(kd.token, "tenant create acme --json", &out), 0, "%s", out);
	json_t *t = json_loads(out, 0, NULL);
	cr_assert_not_null(t, "%s", out);
	char token[128];
	snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(t, "token")));
	json_decref(t);
	free(out);
	cr_assert_eq(ctl(kd.token, "tenant create acme", &out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "error 409"), "%s", out);
	free(out);

	cr_assert_eq(ctl(token, "vsn submit shared/examples/seed-scenario.ttl --dry-run", &out), 0,
		     "%s", out);
	cr_assert_not_null(strstr(out, "state quote"), "%s", out);
	free(out);
	cr_assert_eq(ctl(token, "vsn submit shared/examples/seed-scenario.ttl", &out), 0, "%s",
		     out);
	cr_assert_not_null(strstr(out, "state admitted"), "%s", out);
	cr_assert_not_null(strstr(out, "https://tenant.example/grid#a2"), "%s", out);
	free(out);
	cr_assert_eq(ctl(token, "vsn submit shared/examples/seed-scenario.ttl", &out), 1, "%s",
		     out);
	cr_assert_not_null(strstr(out, "already have a live VSN"), "%s", out);
	free(out);

	cr_assert_eq(ctl(token, "vsn list --json", &out), 0, "%s", out);
	json_t *l = json_loads(out, 0, NULL);
	cr_assert_not_null(l, "%s", out);
	json_t *vsns = json_object_get(l, "vsns");
	cr_assert_eq(json_array_size(vsns), 1);
	char args[128];
	snprintf(args, sizeof(args), "vsn delete %s",
		 json_string_value(json_object_get(json_array_get(vsns, 0), "id")));
	json_decref(l);
	free(out);
	cr_assert_eq(ctl(token, args, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "deleted"), "%s", out);
	free(out);
	cr_assert_eq(ctl(token, args, &out), 1, "%s", out);
	cr_assert_not_null(strstr(out, "error 404"), "%s", out);
	free(out);
}

Test(cli_kairosctl, usage_token_and_connection_errors)
{
	kairosd_fixture_init(&kd, false);
	char *out;
	cr_assert_eq(ctl(NULL, "host list", &out), 2, "%s", out);
	cr_assert_not_null(strstr(out, "KAIROS_TOKEN"), "%s", out);
	free(out);
	cr_assert_eq(ctl("x", "vsn frobnicate", &out), 2, "%s", out);
	cr_assert_not_null(strstr(out, "usage"), "%s", out);
	free(out);
	cr_assert_eq(ctl("x", "vsn submit /nonexistent.ttl", &out), 2, "%s", out);
	cr_assert_not_null(strstr(out, "cannot read /nonexistent.ttl"), "%s", out);
	free(out);
	/* kairosd is not started: nothing listens on the fixture's port. */
	cr_assert_eq(ctl("x", "host list", &out), 3, "%s", out);
	cr_assert_not_null(strstr(out, "cannot connect"), "%s", out);
	free(out);
}
