/*
 * rtcsim.h - a discrete-event simulator of SPEC §4 analysis models: the
 * independent soundness oracle for the RTC engine (rtc/).
 *
 * It reads the model JSON itself (jansson; no call into rtc/) and plays out
 * what the contract says "can really happen": stream events at
 * phase + k*period + j_k with j_k in [0, jitter] and consecutive events at
 * least min_distance apart; FIFO service per task; task i>1 of a path released
 * by the completion of task i-1 for the same event; jobs demanding e in
 * [bcet, wcet]; preemptive fixed priority, preemptive EDF (ties broken at
 * random or by declaration order) and TDMA (slots back to back in declaration
 * order from offset 0 of every cycle); a resource of rate r serves r units per
 * unit of time, and latency L is played as one blackout of length L (the
 * supply in any window of length D stays >= r*max(0, D-L)).
 *
 * Time is exact: int64 ticks of 1e-6 model units; work is counted in 1e-12
 * service units, so a resource of rate r (r*1e6 = rate_micro) delivers
 * rate_micro work units per tick. A job whose remaining work is not a
 * multiple of rate_micro would finish between two ticks: the simulator then
 * completes it at the next tick (never earlier than the truth) and counts it
 * in rtcsim_stats.inexact, so a caller can tell exact runs from the others.
 */
#ifndef KAIROS_TESTS_RTCSIM_H
#define KAIROS_TESTS_RTCSIM_H

#include <stddef.h>
#include <stdint.h>

/* Ticks per model time unit (and service units per ... the same scale). */
#define RTCSIM_TICKS 1000000LL

enum rtcsim_policy { RTCSIM_FP, RTCSIM_EDF, RTCSIM_TDMA };

struct rtcsim_resource {
	char *name;
	enum rtcsim_policy policy;
	int64_t rate_micro; /* rate * 1e6 (> 0) */
	int64_t latency;    /* ticks */
	int64_t cycle;	    /* ticks (tdma only) */
};

struct rtcsim_task {
	char *name;
	int resource;	     /* index into resources */
	int stream;	     /* index into streams */
	int hop;	     /* position in the stream's path, 0-based */
	int64_t wcet, bcet;  /* service, in 1e-6 units */
	long priority;	     /* fp: smaller = higher */
	int64_t deadline;    /* ticks (edf relative deadline; 0 when absent) */
	int64_t slot;	     /* ticks (tdma) */
	int64_t slot_offset; /* ticks from the cycle start (tdma, derived) */
};

struct rtcsim_stream {
	char *name;
	int64_t period, jitter, min_distance; /* ticks */
	int64_t deadline;		      /* ticks, 0 when absent */
	int first_task, ntasks;		      /* path = tasks[first_task .. +ntasks) */
};

struct rtcsim_model {
	struct rtcsim_resource *resources;
	int nresources;
	struct rtcsim_task *tasks;
	int ntasks;
	struct rtcsim_stream *streams;
	int nstreams;
};

/*
 * Parses SPEC §4 model text into *out (caller frees with rtcsim_model_free).
 * Returns 0, or -1 with a message naming the field in errbuf (errlen bytes).
 */
int rtcsim_model_parse(const char *json, size_t len, struct rtcsim_model **out, char *errbuf,
		       size_t errlen);
void rtcsim_model_free(struct rtcsim_model *m);

/* Index of the task / stream called NAME, or -1. */
int rtcsim_task_find(const struct rtcsim_model *m, const char *name);
int rtcsim_stream_find(const struct rtcsim_model *m, const char *name);

/* When the first event of each stream happens. */
enum rtcsim_phase_mode {
	RTCSIM_PHASE_RANDOM,   /* uniform in [0, period) */
	RTCSIM_PHASE_SYNC,     /* all streams at 0 (synchronous release) */
	RTCSIM_PHASE_CRITICAL, /* jitter bursts of all streams aligned at the same instant */
	RTCSIM_PHASE_DEADLINE, /* bursts offset so that the first jobs' absolute deadlines coincide
				  (the EDF adversary: the shortest deadline is released last) */
};

/* How much work each job demands. */
enum rtcsim_exec_mode {
	RTCSIM_EXEC_RANDOM,   /* uniform in [bcet, wcet] */
	RTCSIM_EXEC_WCET,     /* always wcet */
	RTCSIM_EXEC_EXTREMES, /* bcet or wcet at random */
};

/* How each event's jitter is drawn within what the arrival model allows. */
enum rtcsim_jitter_mode {
	RTCSIM_JITTER_RANDOM,	/* uniform in the allowed interval */
	RTCSIM_JITTER_EXTREMES, /* one end of the allowed interval or the other */
	RTCSIM_JITTER_BURST, /* first event late by the whole jitter, then every event as early as
				allowed */
};

/* Where the one blackout of length `latency` of each resource falls. */
enum rtcsim_blackout_mode {
	RTCSIM_BLACKOUT_RANDOM,	  /* at a random time in the first hyperperiod */
	RTCSIM_BLACKOUT_CRITICAL, /* at the critical instant: 0, or the aligned bursts in
				     PHASE_CRITICAL */
	RTCSIM_BLACKOUT_RELEASE,  /* at the release of a random job of a random task of the resource
				   */
};

struct rtcsim_options {
	uint64_t seed;
	int hyperperiods; /* events arrive during this many hyperperiods (>= 1) ... */
	long min_events;  /* ... but at least this many events of the slowest stream */
	long max_events;  /* cap on the total number of stream events (0 = 1,000,000) */
	enum rtcsim_phase_mode phase;
	enum rtcsim_exec_mode exec;
	enum rtcsim_jitter_mode jitter;
	int edf_random_ties;		    /* 1: EDF ties broken at random; 0: declaration order */
	enum rtcsim_blackout_mode blackout; /* where each resource's latency blackout falls */
};

/* Sensible defaults: seed 1, 3 hyperperiods, 20 events, random everything. */
void rtcsim_options_init(struct rtcsim_options *o);

struct rtcsim_task_stats {
	int64_t max_response; /* ticks; a job still pending at the end counts with end - release */
	int64_t min_response; /* ticks; INT64_MAX when no job completed */
	long max_backlog;     /* most activations released and not yet completed at once */
	long jobs;	      /* completed jobs */
};

struct rtcsim_stream_stats {
	int64_t max_latency; /* ticks, first arrival to last completion (pending: to the end) */
	long events;	     /* events that went through the whole path */
};

struct rtcsim_stats {
	struct rtcsim_task_stats *tasks;     /* ntasks */
	struct rtcsim_stream_stats *streams; /* nstreams */
	int64_t end_time;		     /* ticks at which the simulation stopped */
	long pending;			     /* jobs still pending at the end (0 = drained) */
	long inexact;			     /* completions rounded up to the next tick */
	int64_t horizon;		     /* ticks during which events were generated */
};

/*
 * Simulates M under O and fills *st (caller frees with rtcsim_stats_free).
 * Returns 0, or -1 when the model cannot be simulated (errbuf says why).
 */
int rtcsim_run(const struct rtcsim_model *m, const struct rtcsim_options *o,
	       struct rtcsim_stats *st, char *errbuf, size_t errlen);
void rtcsim_stats_free(struct rtcsim_stats *st);

/*
 * The event times of stream S that rtcsim_run would play under O (same seed,
 * same draws): returns their number and hands *out (sorted, free()) to the
 * caller, or -1 on error.
 */
long rtcsim_arrivals(const struct rtcsim_model *m, const struct rtcsim_options *o, int s,
		     int64_t **out);

/* Folds B into A (maxima, minima, sums); both for the same model. */
void rtcsim_stats_merge(struct rtcsim_stats *a, const struct rtcsim_stats *b,
			const struct rtcsim_model *m);

/*
 * The seedable generator of the simulator and of rtcgen.c (splitmix64):
 * the next 64 random bits of state *S, and a uniform draw in [lo, hi]
 * (lo when hi <= lo).
 */
uint64_t rtcsim_rng_next(uint64_t *s);
int64_t rtcsim_rng_range(uint64_t *s, int64_t lo, int64_t hi);

/* Least common multiple of the stream periods in ticks, or -1 on overflow past LIMIT. */
int64_t rtcsim_hyperperiod(const struct rtcsim_model *m, int64_t limit);

#endif
