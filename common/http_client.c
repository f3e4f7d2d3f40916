/*
 * http_client.c - just enough HTTP/1.1 to talk to kairosd: one request per connection
 * ("Connection: close"), answers delimited by Content-Length, chunked encoding or EOF.
 * Used by kairosctl and by the integration tests; no TLS (kairosd listens on loopback).
 */
#include "common/common.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_base(const char *url, char *host, size_t hsize, char *port, size_t psize)
{
	const char *p = url;
	if (strncmp(p, "http://", 7) != 0)
		return -1;
	p += 7;
	const char *end = p + strcspn(p, "/");
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *hend = colon ? colon : end;
	if (hend == p || (size_t)(hend - p) >= hsize)
		return -1;
	memcpy(host, p, (size_t)(hend - p));
	host[hend - p] = '\0';
	if (colon) {
		if ((size_t)(end - colon - 1) >= psize || end == colon + 1)
			return -1;
		memcpy(port, colon + 1, (size_t)(end - colon - 1));
		port[end - colon - 1] = '\0';
	} else {
		snprintf(port, psize, "80");
	}
	return 0;
}

static int connect_to(const char *host, const char *port, int timeout_ms)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			if (poll(&pfd, 1, timeout_ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Decodes a chunked body in place; returns the decoded length or -1 when malformed. */
static long dechunk(char *data, size_t len)
{
	size_t in = 0, out = 0;
	for (;;) {
		char *eol = memmem(data + in, len - in, "\r\n", 2);
		if (!eol)
			return -1;
		char *endp;
		unsigned long n = strtoul(data + in, &endp, 16);
		if (endp == data + in)
			return -1;
		in = (size_t)(eol - data) + 2;
		if (n == 0)
			return (long)out;
		if (n > len - in)
			return -1;
		memmove(data + out, data + in, n);
		out += n;
		in += n + 2;
		if (in > len)
			return -1;
	}
}

int kairos_http_request(const char *base_url, const char *method, const char *path,
			const char *token, const char *content_type, const char *body, size_t len,
			int timeout_ms, struct kairos_http_response *resp, struct kairos_error *err)
{
	char host[256], port[16];
	memset(resp, 0, sizeof(*resp));
	if (parse_base(base_url, host, sizeof(host), port, sizeof(port)) != 0)
		return kairos_error_set(err, KAIROS_EINVAL, "url",
					"bad URL %s (expected http://HOST:PORT)", base_url);
	long long deadline = now_ms() + timeout_ms;
	int fd = connect_to(host, port, timeout_ms);
	if (fd < 0)
		return kairos_error_set(err, KAIROS_EBACKEND, "url", "cannot connect to %s: %s",
					base_url, strerror(errno ? errno : ECONNREFUSED));

	struct kairos_buf req = {0};
	kairos_buf_printf(
	    &req,
	    "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\nAccept: application/json\r\n",
	    method, path, host, port);
	if (token && *token)
		kairos_buf_printf(&req, "Authorization: Bearer %s\r\n", token);
	if (body) {
		kairos_buf_printf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n",
				  content_type ? content_type : "application/json", len);
	}
	kairos_buf_puts(&req, "\r\n");
	if (body)
		kairos_buf_append(&req, body, len);

	int rc = 0;
	struct kairos_buf in = {0};
	size_t off = 0;
	while (off < req.len && rc == 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		long long left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1) {
			rc = kairos_error_set(err, KAIROS_EBACKEND, "url",
					      "timed out sending to %s", base_url);
			break;
		}
		ssize_t n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			/* The server may answer (e.g. 413) and close before reading everything. */
			break;
		}
		if (n > 0)
			off += (size_t)n;
	}
	while (rc == 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1) {
			rc = kairos_error_set(err, KAIROS_EBACKEND, "url",
					      "timed out waiting for %s", base_url);
			break;
		}
		char chunk[16384];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (in.len > 0)
				break; /* reset after a complete answer */
			rc = kairos_error_set(err, KAIROS_EBACKEND, "url", "reading from %s: %s",
					      base_url, strerror(errno));
			break;
		}
		kairos_buf_append(&in, chunk, (size_t)n);
	}
	close(fd);
	kairos_buf_destroy(&req);
	if (rc) {
		kairos_buf_destroy(&in);
		return rc;
	}

	char *hdr_end = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
	if (!hdr_end || sscanf(in.data, "HTTP/1.%*d %d", &resp->status) != 1) {
		kairos_buf_destroy(&in);
		return kairos_error_set(err, KAIROS_EBACKEND, "url", "%s sent no valid HTTP answer",
					base_url);
	}
	*hdr_end = '\0';
	bool is_chunked = false;
	for (char *line = strstr(in.data, "\r\n"); line && line < hdr_end;
	     line = strstr(line + 2, "\r\n")) {
		char *h = line + 2;
		if (strncasecmp(h, "Content-Type:", 13) == 0) {
			h += 13;
			h += strspn(h, " ");
			snprintf(resp->content_type, sizeof(resp->content_type), "%.*s",
				 (int)strcspn(h, "\r;"), h);
		} else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0 &&
			   strcasestr(h, "chunked")) {
			is_chunked = true;
		}
	}
	size_t body_off = (size_t)(hdr_end - in.data) + 4;
	size_t body_len = in.len - body_off;
	char *b = kairos_xmalloc(body_len + 1);
	memcpy(b, in.data + body_off, body_len);
	if (is_chunked) {
		long d = dechunk(b, body_len);
		if (d < 0) {
			free(b);
			kairos_buf_destroy(&in);
			return kairos_error_set(err, KAIROS_EBACKEND, "url",
						"%s sent a malformed chunked body", base_url);
		}
		body_len = (size_t)d;
	}
	b[body_len] = '\0';
	resp->body = b;
	resp->body_len = body_len;
	kairos_buf_destroy(&in);
	return 0;
}

void kairos_http_response_destroy(struct kairos_http_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
