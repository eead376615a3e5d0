/*
 * stamp.c - UUID and RFC 3339 time syntax (pure, no I/O).
 */
#include "proto/pci_addr.h"
#include "proto/stamp.h"

int
stamp_uuid_ok(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (pci_hexval((unsigned char)s[i]) < 0)
			return 0;
	}
	return 1;
}

/* n decimal digits at s as a number within [lo, hi], else -1. */
static int
digits(const char *s, int n, int lo, int hi)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Days in month m (1-12) of year y. */
static int
month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int
stamp_time_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 20 || len > STAMP_TIME_MAX)
		return 0;
	if (digits(s, 4, 0, 9999) >= 0 && digits(s + 5, 2, 1, 12) >= 0 &&
	    digits(s + 8, 2, 1, 31) > month_days(digits(s, 4, 0, 9999), digits(s + 5, 2, 1, 12)))
		return 0; /* RFC 3339 5.7: a day of that month */
	if (digits(s, 4, 0, 9999) < 0 || s[4] != '-' || digits(s + 5, 2, 1, 12) < 0 ||
	    s[7] != '-' || digits(s + 8, 2, 1, 31) < 0 || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, 0, 23) < 0 || s[13] != ':' || digits(s + 14, 2, 0, 59) < 0 ||
	    s[16] != ':' || digits(s + 17, 2, 0, 60) < 0) /* 60: a leap second */
		return 0;
	i = 19;
	if (s[i] == '.') {
		if (++i >= len || !isdig(s[i]))
			return 0;
		while (i < len && isdig(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z'))
		return i + 1 == len;
	if (i + 6 != len || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
		return 0;
	return digits(s + i + 1, 2, 0, 23) >= 0 && digits(s + i + 4, 2, 0, 59) >= 0;
}
