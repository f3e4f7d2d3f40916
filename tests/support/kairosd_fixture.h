/*
 * kairosd_fixture.h - runs the real build/kairosd as a child process for integration
 * tests: a fresh database in the test PostgreSQL cluster, a free loopback port, its own
 * state directory, optionally a private ovsdb-server; stderr goes to DIR/kairosd.log.
 */
#ifndef KAIROS_TESTS_KAIROSD_FIXTURE_H
#define KAIROS_TESTS_KAIROSD_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/common.h"
#include "tests/support/ovs_fixture.h"
#include "tests/support/pg_fixture.h"

struct kairosd_fixture {
	struct pg_fixture pg;
	struct ovs_fixture ovs;
	bool has_ovs;
	char dir[128];	   /* state directory (mkdtemp) */
	char log[200];	   /* DIR/kairosd.log */
	char base_url[64]; /* http://127.0.0.1:PORT */
	char token[128];   /* the admin token, once started */
	int port;
	pid_t pid;
	/* Extra environment for the child, "KEY=VALUE" strings (NULL-terminated). */
	const char *const *extra_env;
};

/* Prepares database, ovsdb-server (if WITH_OVS), port and directory; does not start kairosd. */
void kairosd_fixture_init(struct kairosd_fixture *f, bool with_ovs);
/* Starts kairosd and waits until it answers HTTP (true) or exits / times out (false). */
bool kairosd_fixture_start(struct kairosd_fixture *f);
/* Sends SIGTERM and returns kairosd's exit status (-1 if killed by a signal or hung). */
int kairosd_fixture_stop(struct kairosd_fixture *f);
/* Runs kairosd with ARGS to completion (for start-up failures); returns its exit status. */
int kairosd_fixture_run_to_exit(struct kairosd_fixture *f, const char *const *args, int timeout_s);
/* The child's stderr so far (malloc'd). */
char *kairosd_fixture_log(const struct kairosd_fixture *f);
/* Stops what is left and removes everything it made. */
void kairosd_fixture_destroy(struct kairosd_fixture *f);

/* An HTTP request to the fixture (admin token if IS_ADMIN). Asserts it got an answer. */
struct kairos_http_response kairosd_fixture_request(struct kairosd_fixture *f, const char *method,
						    const char *path, bool is_admin,
						    const char *content_type, const char *body,
						    size_t len);

/* The same with an explicit bearer TOKEN (NULL: none). */
struct kairos_http_response kairosd_fixture_request_as(struct kairosd_fixture *f, const char *token,
						       const char *method, const char *path,
						       const char *content_type, const char *body,
						       size_t len);

#endif
