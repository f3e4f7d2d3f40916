/*
 * api.h - kairosd: the HTTP API service (SPEC §3) and its configuration.
 *
 * Configuration comes from built-in defaults, then the config file, then KAIROS_*
 * environment variables (the last word wins). api_service_start() connects the
 * backends (PostgreSQL, OVSDB, libvirt hosts), applies the schema migrations, makes
 * sure the admin token exists, registers the inventory on first start and serves HTTP
 * on its own threads until api_service_stop().
 */
#ifndef KAIROS_API_H
#define KAIROS_API_H

#include <stdio.h>

#include "common/common.h"

struct api_config {
	char listen_address[64];
	int port;
	int threads;
	char state_dir[512];
	char log_level[16];
	char pg_host[512];
	char pg_port[16];
	char pg_user[64];
	char pg_database[64];
	int pg_pool_size;
	char ovsdb_remote[600];
	char inventory[512];
	char migrations_dir[512];
	char admin_token_file[512];
	int backend_timeout_ms;
	long max_body_bytes;
};

/* Fills C with the built-in defaults. */
void api_config_defaults(struct api_config *c);

/*
 * Reads `key = value` lines from PATH (# comments, blank lines). An unknown key, a
 * malformed line or a bad value is an error naming the file, the line and the key;
 * an unreadable file is an error naming the file and the reason.
 */
int api_config_load_file(struct api_config *c, const char *path, struct kairos_error *err);

/*
 * Applies KAIROS_<KEY> variables from ENVP. Bad values are errors naming the
 * variable. Unknown KAIROS_* names are reported through *unknown (a malloc'd
 * comma-separated list, NULL when none) so that the caller can warn: other Kairos
 * tools share the prefix (KAIROS_TOKEN, KAIROS_URL).
 */
int api_config_load_env(struct api_config *c, char **envp, char **unknown,
			struct kairos_error *err);

/* Sets one option by name (the file's and the environment's common path). */
int api_config_set(struct api_config *c, const char *key, const char *value,
		   struct kairos_error *err);

/* Prints the options, their environment variables, defaults and meaning. */
void api_config_usage(FILE *out);

/* ---- the service ---------------------------------------------------------- */

struct api_service;

/*
 * Starts everything CFG describes. Fails (and leaves nothing running) when the database
 * cannot be reached, a migration fails, the inventory is invalid or the port is taken;
 * err says which and why. OVSDB and libvirt hosts that are down at start do not stop it:
 * /healthz reports them until they come back.
 */
int api_service_start(const struct api_config *cfg, struct api_service **out,
		      struct kairos_error *err);

/* Stops serving (in-flight requests finish), joins its threads and closes the backends. */
void api_service_stop(struct api_service *svc);

#endif
