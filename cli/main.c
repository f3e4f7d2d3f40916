/* main.c - kairosctl, the command-line client of the Kairos API. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("usage: kairosctl COMMAND [ARGS]\n"
	      "\n"
	      "No command is available in this build yet; see README.md.\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
