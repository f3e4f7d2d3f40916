/*
 * cli.h - the kairosctl commands main.c dispatches to. Each takes the arguments after
 * the command group (argv[0] is the subcommand) and returns the process exit status.
 */
#ifndef KAIROS_CLI_H
#define KAIROS_CLI_H

/*
 * kairosctl vsn validate FILE [--json] [--format F] [--base IRI]: reads and validates a
 * VSN document locally (SPEC section 1). The syntax comes from the file extension
 * (.ttl/.rdf/.nt/.json) or --format (turtle, rdfxml, ntriples, json). Exit 0 and a
 * summary (with --json, the model in the JSON form of SPEC section 2) when valid; 1 and
 * every problem (with --json, a JSON array) when not; 2 on bad usage or an unreadable
 * file. argv[0] is "validate".
 */
int kairosctl_vsn_validate(int argc, char **argv);

/*
 * The commands that talk to the API (cli/cmd_api.c); argv[0] is the subcommand. URL and
 * token from --url/--token or KAIROS_URL/KAIROS_TOKEN; --json prints the API's JSON.
 * Exit 0 success, 1 the API refused or failed, 2 bad usage, 3 the API is unreachable.
 *   vsn submit FILE [--dry-run] [--format F] [--counter-offer OUT] | list | show ID |
 *       renegotiate ID FILE | delete ID
 *   host list
 *   tenant create NAME
 */
int kairosctl_vsn_api(int argc, char **argv);
int kairosctl_host(int argc, char **argv);
int kairosctl_tenant(int argc, char **argv);

#endif
