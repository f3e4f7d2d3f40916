/*
 * ovsdb.c - the OVSDB (RFC 7047) JSON-RPC client: framing, one connection with
 * request ids, echo answers, deadlines and reconnection, and `transact` error
 * decoding. See ovsdb.h for the contract.
 *
 * The socket is non-blocking and every wait is a poll(2) bounded by the
 * deadline of the current call, so no call outlives its timeout, whether the
 * server is gone (connect fails at once), stopped (SIGSTOP: the poll times
 * out) or slow.
 */
#include "network/ovsdb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- message framing ----------------------------------------------------- */

static void reader_rescan(struct ovsdb_reader *r)
{
	r->scan = r->pos;
	r->depth = 0;
	r->in_string = 0;
	r->escaped = 0;
}

void ovsdb_reader_init(struct ovsdb_reader *r)
{
	kairos_buf_init(&r->buf);
	r->pos = 0;
	reader_rescan(r);
}

void ovsdb_reader_destroy(struct ovsdb_reader *r)
{
	kairos_buf_destroy(&r->buf);
	r->pos = 0;
	reader_rescan(r);
}

void ovsdb_reader_reset(struct ovsdb_reader *r)
{
	kairos_buf_reset(&r->buf);
	r->pos = 0;
	reader_rescan(r);
}

void ovsdb_reader_feed(struct ovsdb_reader *r, const char *data, size_t n)
{
	/* Compact first so that the buffer does not grow with the stream. */
	if (r->pos > 0 && r->pos == r->buf.len) {
		kairos_buf_reset(&r->buf);
		r->pos = r->scan = 0;
	} else if (r->pos > 4096 && r->pos > r->buf.len / 2) {
		memmove(r->buf.data, r->buf.data + r->pos, r->buf.len - r->pos);
		r->buf.len -= r->pos;
		r->buf.data[r->buf.len] = '\0';
		r->scan -= r->pos;
		r->pos = 0;
	}
	kairos_buf_append(&r->buf, data, n);
}

size_t ovsdb_reader_pending(const struct ovsdb_reader *r)
{
	return r->buf.len - r->pos;
}

static int is_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * Scans from r->scan for the end of the object starting at r->pos. Returns the
 * offset just past it, or 0 when it is not complete yet. Only brackets outside
 * strings count, so a truncated literal ("nu") or escape ("\\u00") is never
 * mistaken for an error or for a whole message.
 */
static size_t reader_scan(struct ovsdb_reader *r)
{
	const char *d = r->buf.data;
	for (size_t i = r->scan; i < r->buf.len; i++) {
		char ch = d[i];
		if (r->in_string) {
			if (r->escaped)
				r->escaped = 0;
			else if (ch == '\\')
				r->escaped = 1;
			else if (ch == '"')
				r->in_string = 0;
		} else if (ch == '"') {
			r->in_string = 1;
		} else if (ch == '{' || ch == '[') {
			r->depth++;
		} else if (ch == '}' || ch == ']') {
			if (--r->depth == 0) {
				r->scan = i + 1;
				return i + 1;
			}
		}
	}
	r->scan = r->buf.len;
	return 0;
}

int ovsdb_reader_next(struct ovsdb_reader *r, json_t **msg, struct kairos_error *err)
{
	*msg = NULL;
	if (r->scan == r->pos) {
		while (r->pos < r->buf.len && is_json_space(r->buf.data[r->pos]))
			r->pos++;
		r->scan = r->pos;
		if (r->pos == r->buf.len)
			return 0;
		/*
		 * JSON-RPC messages are objects. Checking the first byte matters:
		 * a bare number split across two reads ("12" then "3") would
		 * otherwise parse as a complete value too early.
		 */
		if (r->buf.data[r->pos] != '{')
			return kairos_error_set(
			    err, KAIROS_ESYNTAX, NULL,
			    "ovsdb: expected a JSON object at stream offset %zu, got '%c'", r->pos,
			    r->buf.data[r->pos]);
	}
	size_t end = reader_scan(r);
	if (end == 0) {
		if (r->buf.len - r->pos > OVSDB_MESSAGE_MAX)
			return kairos_error_set(err, KAIROS_ESYNTAX, NULL,
						"ovsdb: message longer than %u bytes",
						OVSDB_MESSAGE_MAX);
		return 0;
	}

	/*
	 * The message is complete. JSON_DISABLE_EOF_CHECK lets jansson stop at
	 * the end of the value; err.position is then the number of bytes it used.
	 */
	json_error_t jerr;
	json_t *v =
	    json_loadb(r->buf.data + r->pos, r->buf.len - r->pos, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!v || (size_t)jerr.position != end - r->pos) {
		json_decref(v);
		return kairos_error_set(err, KAIROS_ESYNTAX, NULL,
					"ovsdb: malformed JSON from server: %s",
					v ? "value ends where its brackets do not" : jerr.text);
	}
	r->pos = end;
	reader_rescan(r);
	*msg = v;
	return 1;
}

/* ---- connection ---------------------------------------------------------- */

struct ovsdb_conn {
	pthread_mutex_t mutex; /* serialises every call; guards everything below */
	char *remote;
	int timeout_ms;
	int is_unix;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd; /* -1 when disconnected */
	long long next_id;
	struct ovsdb_reader reader;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline)
{
	long long left = deadline - now_ms();
	return left < 0 ? 0 : (int)left;
}

int ovsdb_conn_new(const char *remote, int timeout_ms, struct ovsdb_conn **out,
		   struct kairos_error *err)
{
	*out = NULL;
	if (!remote || !*remote)
		return kairos_error_set(err, KAIROS_EINVAL, "remote",
					"ovsdb remote is empty; expected unix:PATH or tcp:IP:PORT");
	if (timeout_ms <= 0)
		return kairos_error_set(err, KAIROS_EINVAL, "timeout_ms",
					"ovsdb timeout must be > 0 ms, got %d", timeout_ms);

	struct ovsdb_conn *c = kairos_xcalloc(1, sizeof(*c));
	if (strncmp(remote, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&c->addr;
		const char *path = remote + 5;
		if (!*path || strlen(path) >= sizeof(sun->sun_path)) {
			free(c);
			return kairos_error_set(
			    err, KAIROS_EINVAL, "remote",
			    "ovsdb remote %s: socket path is empty or longer than %zu bytes",
			    remote, sizeof(sun->sun_path) - 1);
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, path, strlen(path) + 1);
		c->addrlen = sizeof(*sun);
		c->is_unix = 1;
	} else if (strncmp(remote, "tcp:", 4) == 0) {
		char host[64];
		const char *colon = strrchr(remote + 4, ':');
		size_t hlen = colon ? (size_t)(colon - (remote + 4)) : 0;
		char *end = NULL;
		long port = colon ? strtol(colon + 1, &end, 10) : 0;
		struct sockaddr_in *sin = (struct sockaddr_in *)&c->addr;
		if (!colon || hlen == 0 || hlen >= sizeof(host) || !end || *end || port <= 0 ||
		    port > 65535) {
			free(c);
			return kairos_error_set(
			    err, KAIROS_EINVAL, "remote",
			    "ovsdb remote %s: expected tcp:IP:PORT (numeric IPv4, port 1-65535)",
			    remote);
		}
		memcpy(host, remote + 4, hlen);
		host[hlen] = '\0';
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			free(c);
			return kairos_error_set(
			    err, KAIROS_EINVAL, "remote",
			    "ovsdb remote %s: '%s' is not a numeric IPv4 address", remote, host);
		}
		c->addrlen = sizeof(*sin);
	} else {
		free(c);
		return kairos_error_set(
		    err, KAIROS_EINVAL, "remote",
		    "ovsdb remote '%s' not understood; expected unix:PATH or tcp:IP:PORT", remote);
	}
	pthread_mutex_init(&c->mutex, NULL);
	c->remote = kairos_xstrdup(remote);
	c->timeout_ms = timeout_ms;
	c->fd = -1;
	c->next_id = 1;
	ovsdb_reader_init(&c->reader);
	*out = c;
	return 0;
}

static void conn_drop(struct ovsdb_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ovsdb_reader_reset(&c->reader);
}

void ovsdb_conn_free(struct ovsdb_conn *c)
{
	if (!c)
		return;
	conn_drop(c);
	ovsdb_reader_destroy(&c->reader);
	pthread_mutex_destroy(&c->mutex);
	free(c->remote);
	free(c);
}

const char *ovsdb_conn_remote(const struct ovsdb_conn *c)
{
	return c->remote;
}

int ovsdb_conn_is_connected(struct ovsdb_conn *c)
{
	pthread_mutex_lock(&c->mutex);
	int yes = c->fd >= 0;
	pthread_mutex_unlock(&c->mutex);
	return yes;
}

/* Connects c->fd before DEADLINE. The caller holds the mutex. */
static int conn_connect(struct ovsdb_conn *c, long long deadline, struct kairos_error *err)
{
	int fd =
	    socket(c->is_unix ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb", "ovsdb %s: socket: %s",
					c->remote, strerror(errno));
	if (connect(fd, (struct sockaddr *)&c->addr, c->addrlen) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			int e = errno;
			close(fd);
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
						"ovsdb %s: connect: %s", c->remote, strerror(e));
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n;
		do
			n = poll(&p, 1, remaining_ms(deadline));
		while (n < 0 && errno == EINTR);
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		if (n == 0) {
			close(fd);
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
						"ovsdb %s: connect: no answer within %d ms",
						c->remote, c->timeout_ms);
		}
		if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr) {
			int e = soerr ? soerr : errno;
			close(fd);
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
						"ovsdb %s: connect: %s", c->remote, strerror(e));
		}
	}
	if (!c->is_unix) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c->fd = fd;
	ovsdb_reader_reset(&c->reader);
	return 0;
}

/* Writes all of DATA before DEADLINE. The caller holds the mutex. */
static int conn_send_bytes(struct ovsdb_conn *c, const char *data, size_t len, long long deadline,
			   struct kairos_error *err)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(c->fd, data + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {.fd = c->fd, .events = POLLOUT};
			int left = remaining_ms(deadline);
			if (left == 0 || poll(&p, 1, left) == 0)
				return kairos_error_set(
				    err, KAIROS_EBACKEND, "ovsdb",
				    "ovsdb %s: send: server did not read within %d ms", c->remote,
				    c->timeout_ms);
			continue;
		}
		return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb", "ovsdb %s: send: %s",
					c->remote, strerror(errno));
	}
	return 0;
}

static int conn_send_json(struct ovsdb_conn *c, json_t *msg, long long deadline,
			  struct kairos_error *err)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return kairos_error_set(err, KAIROS_EINTERNAL, "ovsdb",
					"ovsdb: could not encode a request");
	int rc = conn_send_bytes(c, text, strlen(text), deadline, err);
	free(text);
	return rc;
}

/*
 * Reads whatever is available (waiting at most until DEADLINE for something).
 * Returns 0 when bytes were read, or an error (EOF, timeout, I/O error).
 * The caller holds the mutex.
 */
static int conn_recv_some(struct ovsdb_conn *c, long long deadline, const char *what,
			  struct kairos_error *err)
{
	char chunk[16384];
	for (;;) {
		ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
		if (n > 0) {
			ovsdb_reader_feed(&c->reader, chunk, (size_t)n);
			return 0;
		}
		if (n == 0)
			return kairos_error_set(
			    err, KAIROS_EBACKEND, "ovsdb",
			    "ovsdb %s: connection closed by the server while waiting for %s",
			    c->remote, what);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb", "ovsdb %s: recv: %s",
						c->remote, strerror(errno));
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int left = remaining_ms(deadline);
		int pn = left > 0 ? poll(&p, 1, left) : 0;
		if (pn == 0)
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
						"ovsdb %s: no answer to %s within %d ms", c->remote,
						what, c->timeout_ms);
		if (pn < 0 && errno != EINTR)
			return kairos_error_set(err, KAIROS_EBACKEND, "ovsdb", "ovsdb %s: poll: %s",
						c->remote, strerror(errno));
	}
}

/*
 * Handles a message that is not the answer we wait for: answers an `echo`
 * request (RFC 7047 section 4.1.11: the reply repeats the params), ignores
 * notifications and stale answers. The caller holds the mutex.
 */
static int conn_handle_other(struct ovsdb_conn *c, json_t *msg, long long deadline,
			     struct kairos_error *err)
{
	json_t *method = json_object_get(msg, "method");
	json_t *id = json_object_get(msg, "id");
	if (!json_is_string(method) || !id || json_is_null(id))
		return 0;
	json_t *reply;
	if (strcmp(json_string_value(method), "echo") == 0) {
		json_t *params = json_object_get(msg, "params");
		reply = json_pack("{s:O, s:n, s:O}", "result", params ? params : json_null(),
				  "error", "id", id);
	} else {
		reply = json_pack("{s:n, s:s, s:O}", "result", "error", "unknown method", "id", id);
	}
	int rc = conn_send_json(c, reply, deadline, err);
	json_decref(reply);
	return rc;
}

/*
 * Makes sure the connection is open and not known dead: a server that
 * restarted has closed our old socket, which shows as EOF before we send
 * anything, so reconnecting here is safe for every request. Messages already
 * received (an echo request) are kept for the read loop. The caller holds the mutex.
 */
static int conn_ensure(struct ovsdb_conn *c, long long deadline, struct kairos_error *err)
{
	if (c->fd >= 0) {
		char chunk[4096];
		for (;;) {
			ssize_t n = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
			if (n > 0) {
				ovsdb_reader_feed(&c->reader, chunk, (size_t)n);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			break; /* EOF or error: reconnect below */
		}
		conn_drop(c);
	}
	return conn_connect(c, deadline, err);
}

int ovsdb_conn_call(struct ovsdb_conn *c, const char *method, json_t *params, json_t **result,
		    struct kairos_error *err)
{
	if (result)
		*result = NULL;
	/*
	 * The deadline starts now, not when the mutex is ours: with a frozen
	 * server, callers queued behind each other must not wait N x timeout.
	 */
	long long deadline = now_ms() + c->timeout_ms;
	struct timespec until = {.tv_sec = deadline / 1000,
				 .tv_nsec = (deadline % 1000) * 1000000L};
	int lrc = pthread_mutex_clocklock(&c->mutex, CLOCK_MONOTONIC, &until);
	if (lrc != 0)
		return kairos_error_set(
		    err, KAIROS_EBACKEND, "ovsdb",
		    "ovsdb %s: no answer to %s within %d ms (connection busy with another call)",
		    c->remote, method, c->timeout_ms);
	long long id = c->next_id++;
	json_t *req = NULL, *msg = NULL;
	int rc = conn_ensure(c, deadline, err);
	if (rc < 0)
		goto out;

	req =
	    json_pack("{s:s, s:O, s:I}", "method", method, "params", params, "id", (json_int_t)id);
	rc = conn_send_json(c, req, deadline, err);
	if (rc < 0)
		goto fail;
	for (;;) {
		rc = ovsdb_reader_next(&c->reader, &msg, err);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			rc = conn_recv_some(c, deadline, method, err);
			if (rc < 0)
				goto fail;
			continue;
		}
		json_t *mid = json_object_get(msg, "id");
		if (!json_object_get(msg, "method") && json_is_integer(mid) &&
		    json_integer_value(mid) == id)
			break;
		rc = conn_handle_other(c, msg, deadline, err);
		json_decref(msg);
		msg = NULL;
		if (rc < 0)
			goto fail;
	}

	json_t *error = json_object_get(msg, "error");
	if (error && !json_is_null(error)) {
		/* A JSON-RPC error is an answer: the connection stays usable. */
		const char *kind = json_is_string(error)
				       ? json_string_value(error)
				       : json_string_value(json_object_get(error, "error"));
		const char *details = json_string_value(json_object_get(error, "details"));
		rc = kairos_error_set(err, KAIROS_EBACKEND, "ovsdb", "ovsdb %s: %s failed: %s%s%s",
				      c->remote, method, kind ? kind : "error", details ? ": " : "",
				      details ? details : "");
		goto out;
	}
	if (result) {
		json_t *res = json_object_get(msg, "result");
		*result = json_incref(res ? res : json_null());
	}
	rc = 0;
	goto out;
fail:
	conn_drop(c);
out:
	json_decref(msg);
	json_decref(req);
	pthread_mutex_unlock(&c->mutex);
	return rc;
}

int ovsdb_conn_transact(struct ovsdb_conn *c, const char *db, json_t *ops, json_t **results,
			int *failed_op, struct kairos_error *err)
{
	if (results)
		*results = NULL;
	if (failed_op)
		*failed_op = -1;
	json_t *params = json_array();
	json_array_append_new(params, json_string(db));
	json_array_extend(params, ops);
	json_t *res = NULL;
	int rc = ovsdb_conn_call(c, "transact", params, &res, err);
	json_decref(params);
	if (rc < 0)
		return rc;

	size_t nops = json_array_size(ops);
	if (!json_is_array(res) || json_array_size(res) < nops) {
		json_decref(res);
		return kairos_error_set(
		    err, KAIROS_EBACKEND, "ovsdb",
		    "ovsdb %s: transact answered %zu results for %zu operations", c->remote,
		    json_array_size(res), nops);
	}
	/*
	 * RFC 7047 section 4.1.3: the first failing operation carries an "error"
	 * and the ones after it are null; an error found when committing comes as
	 * one extra element after the last operation.
	 */
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *r = json_array_get(res, i);
		const char *e = json_string_value(json_object_get(r, "error"));
		if (!e)
			continue;
		const char *details = json_string_value(json_object_get(r, "details"));
		if (failed_op)
			*failed_op = (int)i;
		if (i >= nops) {
			rc = kairos_error_set(err, KAIROS_EBACKEND, "ovsdb",
					      "ovsdb transact: commit failed: %s%s%s", e,
					      details ? ": " : "", details ? details : "");
		} else {
			json_t *op = json_array_get(ops, i);
			const char *opname = json_string_value(json_object_get(op, "op"));
			const char *table = json_string_value(json_object_get(op, "table"));
			rc = kairos_error_set(
			    err, strcmp(e, "timed out") == 0 ? KAIROS_ECONFLICT : KAIROS_EBACKEND,
			    "ovsdb", "ovsdb transact: operation %zu of %zu (%s%s%s) failed: %s%s%s",
			    i + 1, nops, opname ? opname : "?", table ? " " : "",
			    table ? table : "", e, details ? ": " : "", details ? details : "");
		}
		break;
	}
	if (results)
		*results = res;
	else
		json_decref(res);
	return rc;
}

/* ---- OVSDB JSON encodings ------------------------------------------------ */

static int is_tagged(json_t *v, const char *tag)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       json_is_string(json_array_get(v, 0)) &&
	       strcmp(json_string_value(json_array_get(v, 0)), tag) == 0;
}

size_t ovsdb_set_size(json_t *set)
{
	if (!set)
		return 0;
	if (is_tagged(set, "set"))
		return json_array_size(json_array_get(set, 1));
	return 1;
}

json_t *ovsdb_set_at(json_t *set, size_t i)
{
	if (is_tagged(set, "set"))
		return json_array_get(json_array_get(set, 1), i);
	return i == 0 ? set : NULL;
}

const char *ovsdb_map_get(json_t *map, const char *key)
{
	if (!is_tagged(map, "map"))
		return NULL;
	json_t *pairs = json_array_get(map, 1);
	for (size_t i = 0; i < json_array_size(pairs); i++) {
		json_t *pair = json_array_get(pairs, i);
		const char *k = json_string_value(json_array_get(pair, 0));
		if (k && strcmp(k, key) == 0)
			return json_string_value(json_array_get(pair, 1));
	}
	return NULL;
}

const char *ovsdb_uuid_str(json_t *v)
{
	return is_tagged(v, "uuid") ? json_string_value(json_array_get(v, 1)) : NULL;
}

json_t *ovsdb_uuid_new(const char *s)
{
	return json_pack("[s, s]", "uuid", s);
}

json_t *ovsdb_named_uuid_new(const char *s)
{
	return json_pack("[s, s]", "named-uuid", s);
}
