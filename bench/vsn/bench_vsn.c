/*
 * bench_vsn.c - reads and validates a generated VSN of 10,000 nodes and 20,000 links
 * in every syntax and prints: syntax, triples, wall ms, peak RSS MiB. Each syntax runs
 * in its own child process so that its peak RSS (ru_maxrss, which includes the
 * document text itself) is its own. Goal: under 1 s and under 200 MiB each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/vsn/gen.h"
#include "vsn/vsn.h"

#define NODES 10000
#define LINKS 20000
#define FLOWS 2000

static double clock_ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct result {
	int rc;
	size_t triples, bytes, nodes, links;
	double ms;     /* wall */
	double cpu_ms; /* CPU time of the parse: robust to a loaded machine */
};

static void run_child(enum vsn_syntax syntax, int fd)
{
	struct result r = {0};
	char *text = vsn_gen_document(NODES, LINKS, FLOWS, syntax);
	struct vsn_problems problems;
	struct vsn_doc *doc = NULL;
	r.bytes = strlen(text);
	struct vsn_limits limits;
	vsn_limits_default(&limits);
	limits.max_document_bytes = 64u << 20; /* the default 8 MiB is for the API */
	vsn_problems_init(&problems);
	double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	r.rc = vsn_parse(text, r.bytes, syntax, VSN_GEN_BASE, &limits, &doc, &problems);
	r.ms = clock_ms(CLOCK_MONOTONIC) - t0;
	r.cpu_ms = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (doc) {
		r.triples = doc->triple_count;
		r.nodes = doc->node_count;
		r.links = doc->link_count;
	} else if (problems.count) {
		fprintf(stderr, "bench_vsn: %s: %s (%s)\n", vsn_syntax_name(syntax),
			problems.items[0].message, problems.items[0].rule);
	}
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(3);
	vsn_doc_free(doc);
	vsn_problems_destroy(&problems);
	free(text);
	_exit(0);
}

int main(void)
{
	const enum vsn_syntax syntaxes[] = {VSN_SYNTAX_TURTLE, VSN_SYNTAX_RDFXML,
					    VSN_SYNTAX_NTRIPLES, VSN_SYNTAX_JSON};
	int failed = 0;
	printf("VSN read+validate: %d nodes, %d links, %d flows\n", NODES, LINKS, FLOWS);
	printf("%-10s %10s %10s %10s %10s %14s\n", "syntax", "triples", "MiB in", "wall ms",
	       "cpu ms", "peak RSS MiB");
	fflush(stdout);
	for (size_t i = 0; i < sizeof(syntaxes) / sizeof(syntaxes[0]); i++) {
		int fds[2];
		struct result r = {0};
		struct rusage ru;
		int status;
		if (pipe(fds))
			return 2;
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			run_child(syntaxes[i], fds[1]);
		}
		close(fds[1]);
		ssize_t n = read(fds[0], &r, sizeof(r));
		close(fds[0]);
		if (wait4(pid, &status, 0, &ru) < 0 || n != (ssize_t)sizeof(r) || r.rc != 0 ||
		    r.nodes != NODES || r.links != LINKS) {
			printf("%-10s FAILED (rc %d)\n", vsn_syntax_name(syntaxes[i]), r.rc);
			failed = 1;
			fflush(stdout);
			continue;
		}
		printf("%-10s %10zu %10.1f %10.1f %10.1f %14.1f\n", vsn_syntax_name(syntaxes[i]),
		       r.triples, r.bytes / 1048576.0, r.ms, r.cpu_ms, ru.ru_maxrss / 1024.0);
		fflush(stdout);
	}
	return failed;
}
