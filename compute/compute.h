/*
 * compute.h - the hypervisor backend: one connection per host, behind a table of
 * operations so that the rest of Kairos never calls libvirt directly.
 *
 * The product runs the libvirt implementation (compute_libvirt_new): the `test:///`
 * driver for the embedded default and the unit tests, the QEMU driver for real guests.
 * Every operation is thread-safe.
 */
#ifndef KAIROS_COMPUTE_H
#define KAIROS_COMPUTE_H

#include "common/common.h"

/* What a host offers, as its hypervisor reports it. */
struct compute_host_info {
	int cores;
	long long memory_mib;
	unsigned int mhz;
	char model[32];
};

struct compute_ops {
	/* Registers host NAME reachable at URI and connects to it. Fails when the URI
	 * cannot be opened (the message carries libvirt's reason) or NAME is taken. */
	int (*host_add)(void *impl, const char *name, const char *uri, struct kairos_error *err);
	/* Health of one host: the connection is alive and answers a node query; a dead
	 * connection is reopened once before giving up. */
	/* Forgets host NAME and closes its connection (no-op when unknown). */
	void (*host_remove)(void *impl, const char *name);
	int (*host_ping)(void *impl, const char *name, struct kairos_error *err);
	int (*host_info)(void *impl, const char *name, struct compute_host_info *out,
			 struct kairos_error *err);
	void (*destroy)(void *impl);
};

struct compute {
	const struct compute_ops *ops;
	void *impl;
};

/* A libvirt-backed compute backend with no host yet; free with compute_destroy(). */
int compute_libvirt_new(struct compute **out, struct kairos_error *err);

static inline int compute_host_add(struct compute *c, const char *name, const char *uri,
				   struct kairos_error *err)
{
	return c->ops->host_add(c->impl, name, uri, err);
}

static inline void compute_host_remove(struct compute *c, const char *name)
{
	c->ops->host_remove(c->impl, name);
}

static inline int compute_host_ping(struct compute *c, const char *name, struct kairos_error *err)
{
	return c->ops->host_ping(c->impl, name, err);
}

static inline int compute_host_info(struct compute *c, const char *name,
				    struct compute_host_info *out, struct kairos_error *err)
{
	return c->ops->host_info(c->impl, name, out, err);
}

void compute_destroy(struct compute *c);

#endif
