/* test_common_buf.c - the string builder and the error record. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

Test(common_buf, grows_and_formats)
{
	struct kairos_buf b;
	kairos_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		kairos_buf_printf(&b, "%d,", i % 10);
	cr_assert_eq(b.len, 2000);
	cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	char *s = kairos_buf_steal(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_null(b.data);
	free(s);
}

Test(common_buf, quotes_log_values)
{
	struct kairos_buf b = {0};
	kairos_buf_put_quoted(&b, "say \"hi\"\\\n");
	cr_assert_str_eq(kairos_buf_str(&b), "\"say \\\"hi\\\"\\\\\\n\"");
	kairos_buf_destroy(&b);
}

Test(common_error, set_returns_negative_code_and_names_field)
{
	struct kairos_error e;
	kairos_error_clear(&e);
	int rc = kairos_error_set(&e, KAIROS_EINVAL, "wcetMs", "must be >= %d", 0);
	cr_assert_eq(rc, -KAIROS_EINVAL);
	cr_assert_str_eq(e.field, "wcetMs");
	cr_assert_str_eq(e.message, "must be >= 0");
	cr_assert_str_eq(kairos_errcode_name(e.code), "invalid");
}
