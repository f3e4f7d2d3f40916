/*
 * decimal.c - xsd:decimal / xsd:integer lexical forms. VSN quantities are decimals
 * (times in ms); Kairos stores them as doubles, which is exact enough only because
 * validation bounds the digits after the point (vsn:fractionDigits) and the magnitude,
 * and because writers print the shortest decimal that reads back as the same double.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsn/internal.h"

bool vsn_decimal_parse(const char *text, double *value, int *fraction_digits, bool integer_only)
{
	const char *p = text;
	if (*p == '+' || *p == '-')
		p++;
	size_t int_digits = 0, frac_digits = 0, frac_significant = 0;
	while (*p >= '0' && *p <= '9') {
		p++;
		int_digits++;
	}
	if (*p == '.') {
		if (integer_only)
			return false;
		p++;
		while (*p >= '0' && *p <= '9') {
			frac_digits++;
			if (*p != '0')
				frac_significant = frac_digits;
			p++;
		}
	}
	if (*p != '\0' || int_digits + frac_digits == 0)
		return false;
	*value = strtod(text, NULL);
	*fraction_digits = (int)frac_significant;
	return true;
}

void vsn_decimal_format(double v, char *buf, size_t size)
{
	/* Fixed-point with as few fraction digits as read back exactly; values that need
	 * more than 20 are out of any VSN range and printed in full %.17g form. */
	for (int k = 0; k <= 20; k++) {
		snprintf(buf, size, "%.*f", k, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, size, "%.17g", v);
}
