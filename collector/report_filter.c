/*
 * report_filter.c - the report filters' values: durations and RFC 3339
 * times for --since, device class names for --class, failed attempts.
 * Pure: no I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/report_filter.h"
#include "proto/stamp.h"

static const char *const classes[] = {"gpu", "nic", "storage", "usb", "other", NULL};

int
report_filter_class_ok(const char *name)
{
	size_t i;

	for (i = 0; classes[i] != NULL; i++)
		if (strcmp(name, classes[i]) == 0)
			return 1;
	return 0;
}

const char *
report_filter_class_of(long class_code)
{
	if (class_code < 0)
		return "other";
	switch ((class_code >> 16) & 0xff) {
	case 0x01:
		return "storage";
	case 0x02:
		return "nic";
	case 0x03:
		return "gpu";
	case 0x06:
		return "bridge";
	case 0x0c:
		if (((class_code >> 8) & 0xff) == 0x03)
			return "usb";
		break;
	default:
		break;
	}
	return "other";
}

int
report_filter_failed(const char *status)
{
	return strcmp(status, "stored") != 0 && strcmp(status, "unchanged") != 0 &&
	       strcmp(status, "duplicate") != 0;
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian), timegm without
 * the environment */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static unsigned
digits(const char *s, size_t n)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* An RFC 3339 time (checked by stamp_time_ok) as seconds since the epoch. */
static long long
rfc3339_seconds(const char *s)
{
	long long t;
	const char *z;
	int sign;

	t = days_from_civil(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2)) * 86400 +
	    digits(s + 11, 2) * 3600 + digits(s + 14, 2) * 60 + digits(s + 17, 2);
	z = s + 19;
	while (*z == '.' || isdigit((unsigned char)*z))
		z++;
	if (*z == '+' || *z == '-') {
		sign = *z == '+' ? 1 : -1;
		t -= sign * ((long long)digits(z + 1, 2) * 3600 + digits(z + 4, 2) * 60);
	}
	return t;
}

/* "7d" and the like: seconds, or -1. */
static long long
duration_seconds(const char *s)
{
	static const struct {
		char unit;
		long long secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	unsigned long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0' || v > 100ULL * 366 * 86400)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].unit && v <= 100ULL * 366 * 86400 / (unsigned)units[i].secs)
			return (long long)v * units[i].secs;
	return -1;
}

static void
format_utc(long long t, char out[REPORT_FILTER_TIME_LEN])
{
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	long long secs = t - days * 86400, z, era, yoe, doy, mp, y, m, d;
	char wide[96];

	/* civil_from_days */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	y = yoe + era * 400;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999) {
		snprintf(out, REPORT_FILTER_TIME_LEN, "%s",
		         y < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
		return;
	}
	/* every field is in range here; the wide buffer is for the compiler */
	snprintf(wide, sizeof(wide), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, m, d,
	         secs / 3600, secs / 60 % 60, secs % 60);
	memcpy(out, wide, REPORT_FILTER_TIME_LEN - 1);
	out[REPORT_FILTER_TIME_LEN - 1] = '\0';
}

int
report_filter_since(const char *arg, time_t now, char out[REPORT_FILTER_TIME_LEN], char *err,
                    size_t errlen)
{
	long long secs;

	if ((secs = duration_seconds(arg)) >= 0) {
		format_utc((long long)now - secs, out);
		return 0;
	}
	if (stamp_time_ok(arg, strlen(arg))) {
		format_utc(rfc3339_seconds(arg), out);
		return 0;
	}
	snprintf(err, errlen,
	         "not a duration (7d, 24h, 30m, 2w, 90s) or an RFC 3339 time "
	         "(2026-11-23T10:00:00Z)");
	return -1;
}
