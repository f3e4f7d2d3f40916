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
	char dir[128];	  /* private state directory (mkdtemp) */
	char sock[160];	  /* DIR/db.sock */
	char remote[170]; /* "unix:DIR/db.sock", for network_backend_ovsdb_new */
	char netns[64];	  /* network namespace of ovs-vswitchd ("" without vswitchd) */
	int has_vswitchd;
	int is_paused;
};

/*
 * Creates the directory and starts ovsdb-server, and with WITH_VSWITCHD an
 * ovs-vswitchd in a private network namespace f->netns (one userspace datapath
 * per namespace: a shared one would collide with `make run`'s).
 */
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
/* Runs shell command CMD inside f->netns (`ip netns exec`) and returns its
 * trimmed stdout (malloc'd; NULL if it failed). */
char *ovs_fixture_netns_exec(struct ovs_fixture *f, const char *cmd);
/* Stops everything (the namespace too) and removes the directory. Safe to call twice. */
void ovs_fixture_destroy(struct ovs_fixture *f);

#endif
