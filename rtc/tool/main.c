/* main.c - kairos-rtc, the analysis engine on the command line (SPEC §1, §4). */
#include <stdio.h>

int main(void)
{
	fputs("kairos-rtc: not built yet\n", stderr);
	return 2;
}
