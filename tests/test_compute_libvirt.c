/* test_compute_libvirt.c - the libvirt compute backend on the test:/// driver with the demo node
 * files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/compute.h"

static char uri_buf[1024];

static const char *node_uri(const char *host)
{
	const char *root = getenv("KAIROS_ROOT");
	snprintf(uri_buf, sizeof(uri_buf), "test://%s/etc/hosts/%s.xml", root ? root : ".", host);
	return uri_buf;
}

Test(compute_libvirt, reads_cores_and_memory_from_the_node_file)
{
	struct compute *c = NULL;
	struct kairos_error err;
	cr_assert_eq(compute_libvirt_new(&c, &err), 0, "%s", err.message);
	cr_assert_eq(compute_host_add(c, "server3", node_uri("server3"), &err), 0, "%s",
		     err.message);
	cr_assert_eq(compute_host_add(c, "server4", node_uri("server4"), &err), 0, "%s",
		     err.message);
	struct compute_host_info info;
	cr_assert_eq(compute_host_info(c, "server3", &info, &err), 0, "%s", err.message);
	cr_assert_eq(info.cores, 4);
	cr_assert_eq(info.memory_mib, 8192);
	cr_assert_eq(compute_host_info(c, "server4", &info, &err), 0, "%s", err.message);
	cr_assert_eq(info.cores, 16);
	cr_assert_eq(info.memory_mib, 32768);
	cr_assert_eq(compute_host_ping(c, "server3", &err), 0, "%s", err.message);
	compute_destroy(c);
}

Test(compute_libvirt, unknown_and_duplicate_hosts_are_clear_errors)
{
	struct compute *c = NULL;
	struct kairos_error err;
	cr_assert_eq(compute_libvirt_new(&c, &err), 0);
	cr_assert_eq(compute_host_ping(c, "nohost", &err), -KAIROS_ENOTFOUND);
	cr_assert_str_eq(err.field, "nohost");
	cr_assert_eq(compute_host_add(c, "server1", node_uri("server1"), &err), 0, "%s",
		     err.message);
	cr_assert_eq(compute_host_add(c, "server1", node_uri("server1"), &err), -KAIROS_ECONFLICT);
	cr_assert_not_null(strstr(err.message, "already registered"));
	compute_destroy(c);
}

Test(compute_libvirt, unreachable_uri_names_host_and_reason)
{
	struct compute *c = NULL;
	struct kairos_error err;
	cr_assert_eq(compute_libvirt_new(&c, &err), 0);
	cr_assert_eq(compute_host_add(c, "ghost", "test:///nonexistent/node.xml", &err),
		     -KAIROS_EBACKEND);
	cr_assert_not_null(strstr(err.message, "ghost"), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "/nonexistent/node.xml"), "%s", err.message);
	cr_assert_eq(compute_host_ping(c, "ghost", &err), -KAIROS_ENOTFOUND,
		     "a failed add registers nothing");
	compute_destroy(c);
}

Test(compute_libvirt, removed_host_is_gone_and_can_be_added_again)
{
	struct compute *c = NULL;
	struct kairos_error err;
	cr_assert_eq(compute_libvirt_new(&c, &err), 0);
	cr_assert_eq(compute_host_add(c, "server1", node_uri("server1"), &err), 0, "%s",
		     err.message);
	compute_host_remove(c, "server1");
	cr_assert_eq(compute_host_ping(c, "server1", &err), -KAIROS_ENOTFOUND);
	compute_host_remove(c, "server1"); /* twice is harmless */
	cr_assert_eq(compute_host_add(c, "server1", node_uri("server1"), &err), 0, "%s",
		     err.message);
	cr_assert_eq(compute_host_ping(c, "server1", &err), 0, "%s", err.message);
	compute_destroy(c);
}
