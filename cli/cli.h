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

#endif
