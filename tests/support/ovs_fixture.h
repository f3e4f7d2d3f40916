/*
 * ovs_fixture.h - test helper: a private Open vSwitch (ovsdb-server, optionally
 * ovs-vswitchd) in a fresh temporary directory, through scripts/ovs.sh.
 *
 * The repository root comes from $KAIROS_ROOT (set by scripts/test.sh), else the
 * current directory. Every function returns 0 or -1 (and prints why on stderr).
 */
#ifndef KAIROS_TESTS_OVS_FIXTURE_H
#define KAIROS_TESTS_OVS_FIXTURE_H

struct ovs_fixture {
	char dir[128];    /* private state directory (mkdtemp) */
	char sock[160];   /* DIR/db.sock */
	char remote[170]; /* "unix:DIR/db.sock", for network_backend_ovsdb_new */
	int has_vswitchd;
	int is_paused;
};

/* Creates the directory and starts ovsdb-server (and ovs-vswitchd if WITH_VSWITCHD). */
int ovs_fixture_start(struct ovs_fixture *f, int with_vswitchd);
/* Stops every daemon (the directory and database stay, for a restart). */
int ovs_fixture_stop(struct ovs_fixture *f);
/* Starts the daemons again on the same directory, database and socket. */
int ovs_fixture_restart(struct ovs_fixture *f);
/* SIGSTOP / SIGCONT ovsdb-server: a server that accepts nothing and answers nothing. */
int ovs_fixture_pause(struct ovs_fixture *f);
int ovs_fixture_resume(struct ovs_fixture *f);
/* Runs `ovs-vsctl --db=unix:SOCK --no-wait --timeout=5 ARGS` and returns its trimmed
 * stdout in a malloc'd string (NULL on failure). ARGS is passed to the shell as is. */
char *ovs_fixture_vsctl(struct ovs_fixture *f, const char *args);
/* Stops everything and removes the directory. Safe to call twice. */
void ovs_fixture_destroy(struct ovs_fixture *f);

#endif
