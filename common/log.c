/*
 * log.c - structured log lines: `ts=... level=... msg="..." key=value ...`, one
 * write(2) per line so that lines from concurrent threads never interleave.
 */
#include "common/common.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written once by main before any thread starts; read-only afterwards. */
static enum kairos_log_level threshold = KAIROS_LOG_INFO;

void kairos_log_set_level(enum kairos_log_level level)
{
	threshold = level;
}

int kairos_log_level_parse(const char *s, enum kairos_log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum kairos_log_level)i;
			return 0;
		}
	}
	return -KAIROS_EINVAL;
}

void kairos_log(enum kairos_log_level level, const char *msg, const char *kv_fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (level < threshold)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

	struct kairos_buf b;
	kairos_buf_init(&b);
	kairos_buf_printf(&b, "ts=%s.%03ldZ level=%s msg=", when, ts.tv_nsec / 1000000L,
			  names[level]);
	kairos_buf_put_quoted(&b, msg);
	if (kv_fmt && *kv_fmt) {
		va_list ap;
		kairos_buf_puts(&b, " ");
		va_start(ap, kv_fmt);
		kairos_buf_vprintf(&b, kv_fmt, ap);
		va_end(ap);
	}
	kairos_buf_puts(&b, "\n");
	ssize_t w = write(STDERR_FILENO, b.data, b.len);
	(void)w;
	kairos_buf_destroy(&b);
}
