/*
 * http_parse.h - the request header values the push endpoint acts on
 * (Authorization, Content-Type, Content-Length), the listen address, and
 * JSON string escaping for error bodies.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_HTTP_PARSE_H
#define IOMMU_FLEET_HTTP_PARSE_H

#include <stddef.h>

/* "Bearer TOKEN" (scheme case-insensitive, spaces around): *tok points
 * into hdr, *len its length.  0, or -1 (missing, other scheme, empty). */
int http_parse_bearer(const char *hdr, const char **tok, size_t *len);

/* 1 when the media type is application/json (parameters such as
 * "; charset=utf-8" allowed), 0 otherwise (NULL included). */
int http_parse_is_json(const char *content_type);

/* A Content-Length value: decimal digits only, no sign, no overflow.
 * 0 and *out, or -1. */
int http_parse_content_length(const char *s, unsigned long long *out);

/* "HOST:PORT", "[V6]:PORT": host and port copied out.  0, or -1 with err. */
int http_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, char *err,
                      size_t errlen);

/* s as the inside of a JSON string (quotes, backslashes and control bytes
 * escaped, bytes over 0x7f as '?'), truncated to fit out.  Returns out. */
char *http_parse_json_escape(const char *s, char *out, size_t outlen);

#endif
