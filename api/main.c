/* main.c - kairosd, the Kairos service. */
#include <stdio.h>

int main(void)
{
	fputs("kairosd: not built yet\n", stderr);
	return 2;
}
