/* main.c - kairosctl, the command-line client of the Kairos API. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
	fputs("usage: kairosctl COMMAND [ARGS]\n"
	      "\n"
	      "  vsn validate FILE [--json] [--format F]   validate a VSN document locally\n",
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
	usage(stderr);
	return 2;
}
