/*
 * main.c - kairosd: reads the configuration, starts the service and waits for SIGINT or
 * SIGTERM, then stops it gracefully (in-flight requests finish). Exit status: 0 after a
 * clean stop, 1 when the service cannot start, 2 for a bad command line or configuration.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"

extern char **environ;

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			api_config_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config_path = argv[i] + 9;
		} else {
			fprintf(
			    stderr,
			    "kairosd: unknown argument \"%s\" (kairosd --help lists the options)\n",
			    argv[i]);
			return 2;
		}
	}

	struct api_config cfg;
	struct kairos_error err;
	kairos_error_clear(&err);
	api_config_defaults(&cfg);
	if (!config_path && access("etc/kairos.conf", F_OK) == 0)
		config_path = "etc/kairos.conf";
	if (config_path && api_config_load_file(&cfg, config_path, &err) != 0) {
		fprintf(stderr, "kairosd: %s\n", err.message);
		return 2;
	}
	char *unknown = NULL;
	if (api_config_load_env(&cfg, environ, &unknown, &err) != 0) {
		fprintf(stderr, "kairosd: %s\n", err.message);
		free(unknown);
		return 2;
	}
	enum kairos_log_level level = KAIROS_LOG_INFO;
	kairos_log_level_parse(cfg.log_level, &level);
	kairos_log_set_level(level);
	if (unknown)
		kairos_log(KAIROS_LOG_WARN,
			   "ignoring environment variables that are no kairosd option", "names=%s",
			   unknown);
	free(unknown);

	/* Every thread inherits this mask, so the signals reach only sigwait() below. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct api_service *svc = NULL;
	if (api_service_start(&cfg, &svc, &err) != 0) {
		kairos_log(KAIROS_LOG_ERROR, "cannot start", "field=\"%s\" error=\"%s\"", err.field,
			   err.message);
		fprintf(stderr, "kairosd: %s\n", err.message);
		return 1;
	}
	int sig = 0;
	sigwait(&sigs, &sig);
	kairos_log(KAIROS_LOG_INFO, "stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	api_service_stop(svc);
	kairos_log(KAIROS_LOG_INFO, "stopped", NULL);
	return 0;
}
