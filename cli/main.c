/* main.c - kairosctl, the command-line client of the Kairos API. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
	fputs(
	    "usage: kairosctl COMMAND [ARGS] [--json] [--url URL] [--token TOKEN]\n"
	    "\n"
	    "  vsn validate FILE [--json] [--format F]      validate a VSN document locally\n"
	    "  vsn submit FILE [--dry-run] [--counter-offer OUT]\n"
	    "                                               submit a VSN (a quote with --dry-run)\n"
	    "  vsn list | vsn show ID                       your VSNs, with SLA, placement and "
	    "bounds\n"
	    "  vsn renegotiate ID FILE                      new terms for an admitted VSN\n"
	    "  vsn delete ID                                release a VSN and its reservations\n"
	    "  host list                                    the inventory (admin)\n"
	    "  tenant create NAME                           a new tenant and its token (admin)\n"
	    "\n"
	    "The API is KAIROS_URL (default http://127.0.0.1:8080), the token KAIROS_TOKEN.\n"
	    "Tables by default, the API's JSON with --json. Exit 0 ok, 1 refused or failed,\n"
	    "2 bad usage, 3 API unreachable.\n",
	    out);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "vsn") == 0 && strcmp(argv[2], "validate") == 0)
		return kairosctl_vsn_validate(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "vsn") == 0)
		return kairosctl_vsn_api(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "host") == 0)
		return kairosctl_host(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "tenant") == 0)
		return kairosctl_tenant(argc - 2, argv + 2);
	usage(stderr);
	return 2;
}
