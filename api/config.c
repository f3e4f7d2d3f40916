/*
 * config.c - option table, file and environment readers. The table is the single list
 * of options: parsing, --help and the environment names all come from it.
 */
#include "api/api.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STR, OPT_INT, OPT_LONG };

struct opt {
	const char *key;
	enum opt_type type;
	size_t offset;
	size_t size; /* for strings: the buffer size */
	long min, max;
	const char *def;
	const char *help;
};

#define STR(field, def, help)                                                                      \
	{                                                                                          \
#field, OPT_STR, offsetof(struct api_config, field),                               \
		    sizeof(((struct api_config *)0)->field), 0, 0, def, help                       \
	}
#define INT(field, lo, hi, def, help)                                                              \
	{                                                                                          \
#field, OPT_INT, offsetof(struct api_config, field), 0, lo, hi, def, help          \
	}
#define LONG(field, lo, hi, def, help)                                                             \
	{                                                                                          \
#field, OPT_LONG, offsetof(struct api_config, field), 0, lo, hi, def, help         \
	}

static const struct opt opts[] = {
    STR(listen_address, "127.0.0.1", "IPv4 address the HTTP API listens on"),
    INT(port, 1, 65535, "8080", "TCP port of the HTTP API"),
    INT(threads, 1, 256, "4", "HTTP worker threads"),
    STR(state_dir, "var", "directory of runtime state"),
    STR(log_level, "info", "debug, info, warn or error"),
    STR(pg_host, "var/pg", "PostgreSQL unix socket directory or host"),
    STR(pg_port, "5433", "PostgreSQL port"),
    STR(pg_user, "kairos", "PostgreSQL user"),
    STR(pg_database, "kairos", "PostgreSQL database"),
    INT(pg_pool_size, 1, 512, "8", "PostgreSQL connections kept open"),
    STR(ovsdb_remote, "unix:var/ovs/db.sock", "ovsdb-server to talk to: unix:PATH or tcp:IP:PORT"),
    STR(inventory, "etc/inventory.json", "host inventory registered on first start"),
    STR(migrations_dir, "migrations", "directory of NNNN_name.sql schema migrations"),
    STR(admin_token_file, "var/admin.token", "file holding the admin token (created if missing)"),
    INT(backend_timeout_ms, 50, 600000, "2000", "time limit of one backend call (health checks)"),
    LONG(max_body_bytes, 1024, 1L << 30, "1048576", "largest request body accepted (413 beyond)"),
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static const struct opt *find_opt(const char *key)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

static int set_opt(struct api_config *c, const struct opt *o, const char *value, const char *where,
		   struct kairos_error *err)
{
	char *base = (char *)c + o->offset;
	if (o->type == OPT_STR) {
		if (strlen(value) >= o->size)
			return kairos_error_set(err, KAIROS_EINVAL, o->key,
						"%s: %s is too long (at most %zu characters)",
						where, o->key, o->size - 1);
		memcpy(base, value, strlen(value) + 1);
		return 0;
	}
	errno = 0;
	char *end;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < o->min || v > o->max)
		return kairos_error_set(err, KAIROS_EINVAL, o->key,
					"%s: %s must be an integer from %ld to %ld, not \"%s\"",
					where, o->key, o->min, o->max, value);
	if (o->type == OPT_INT)
		*(int *)base = (int)v;
	else
		*(long *)base = v;
	return 0;
}

int api_config_set(struct api_config *c, const char *key, const char *value,
		   struct kairos_error *err)
{
	const struct opt *o = find_opt(key);
	if (!o)
		return kairos_error_set(err, KAIROS_EINVAL, key,
					"unknown option %s (kairosd --help lists them)", key);
	return set_opt(c, o, value, "option", err);
}

void api_config_defaults(struct api_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_OPTS; i++) {
		int rc = set_opt(c, &opts[i], opts[i].def, "default", NULL);
		(void)rc; /* the table's defaults are valid by construction */
	}
	enum kairos_log_level lvl;
	(void)kairos_log_level_parse(c->log_level, &lvl);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int check_values(const struct api_config *c, const char *where, struct kairos_error *err)
{
	enum kairos_log_level lvl;
	if (kairos_log_level_parse(c->log_level, &lvl) != 0)
		return kairos_error_set(
		    err, KAIROS_EINVAL, "log_level",
		    "%s: log_level must be debug, info, warn or error, not \"%s\"", where,
		    c->log_level);
	return 0;
}

int api_config_load_file(struct api_config *c, const char *path, struct kairos_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return kairos_error_set(err, KAIROS_EINVAL, path, "cannot read config file %s: %s",
					path, strerror(errno));
	char line[2048];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		lineno++;
		char where[600];
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			rc = kairos_error_set(err, KAIROS_EINVAL, path, "%s: line too long", where);
			break;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = kairos_error_set(err, KAIROS_EINVAL, path,
					      "%s: expected `key = value`, got \"%s\"", where, s);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		const struct opt *o = find_opt(key);
		if (!o) {
			rc = kairos_error_set(
			    err, KAIROS_EINVAL, key,
			    "%s: unknown option \"%s\" (kairosd --help lists them)", where, key);
			break;
		}
		rc = set_opt(c, o, value, where, err);
	}
	if (rc == 0 && ferror(f))
		rc = kairos_error_set(err, KAIROS_EINVAL, path, "error reading %s", path);
	fclose(f);
	if (rc == 0)
		rc = check_values(c, path, err);
	return rc;
}

int api_config_load_env(struct api_config *c, char **envp, char **unknown, struct kairos_error *err)
{
	struct kairos_buf unk = {0};
	int rc = 0;
	for (char **e = envp; rc == 0 && e && *e; e++) {
		if (strncmp(*e, "KAIROS_", 7) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char key[128];
		size_t n = (size_t)(eq - (*e + 7));
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		for (size_t i = 0; i < n; i++)
			key[i] = (char)tolower((unsigned char)(*e)[7 + i]);
		key[n] = '\0';
		const struct opt *o = find_opt(key);
		if (!o) {
			kairos_buf_printf(&unk, "%s%.*s", unk.len ? "," : "", (int)(eq - *e), *e);
			continue;
		}
		char where[160];
		snprintf(where, sizeof(where), "environment KAIROS_%.*s", (int)(eq - (*e + 7)),
			 *e + 7);
		rc = set_opt(c, o, eq + 1, where, err);
	}
	if (rc == 0)
		rc = check_values(c, "environment", err);
	if (unknown)
		*unknown = unk.len ? kairos_buf_steal(&unk) : NULL;
	kairos_buf_destroy(&unk);
	return rc;
}

void api_config_usage(FILE *out)
{
	fputs("usage: kairosd [--config FILE] [--help]\n"
	      "\n"
	      "Kairos, the real-time cloud orchestration service: the HTTP API on "
	      "LISTEN_ADDRESS:PORT.\n"
	      "Configuration: built-in defaults, then FILE (default etc/kairos.conf when it "
	      "exists),\n"
	      "then environment variables; the last word wins.\n\n"
	      "option               environment                  default               meaning\n",
	      out);
	for (size_t i = 0; i < N_OPTS; i++) {
		char env[64];
		size_t k = 0;
		k += (size_t)snprintf(env, sizeof(env), "KAIROS_");
		for (const char *p = opts[i].key; *p && k + 1 < sizeof(env); p++)
			env[k++] = (char)toupper((unsigned char)*p);
		env[k] = '\0';
		fprintf(out, "%-20s %-28s %-21s %s\n", opts[i].key, env, opts[i].def, opts[i].help);
	}
}
