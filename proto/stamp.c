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

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the
 * civil-from-days inverse, H. Hinnant's "chrono-Compatible Low-Level Date
 * Algorithms"). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
stamp_time_epoch(const char *s, size_t len, long long *out)
{
	long long t;
	size_t i = 19;

	if (!stamp_time_ok(s, len))
		return -1;
	t = days_from_civil(digits(s, 4, 0, 9999), digits(s + 5, 2, 1, 12),
	                    digits(s + 8, 2, 1, 31));
	t = t * 86400 + digits(s + 11, 2, 0, 23) * 3600 + digits(s + 14, 2, 0, 59) * 60 +
	    digits(s + 17, 2, 0, 60);
	if (s[i] == '.')
		while (++i < len && isdig(s[i]))
			;
	if (s[i] == '+' || s[i] == '-')
		t -= (s[i] == '+' ? 1 : -1) *
		     (digits(s + i + 1, 2, 0, 23) * 3600LL + digits(s + i + 4, 2, 0, 59) * 60LL);
	*out = t;
	return 0;
}
