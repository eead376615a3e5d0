/*
 * http_server.h - the push endpoint: POST /v1/reports, GET /healthz and
 * GET /metrics (the fleet's gauges and serve's own counters, metrics.h) over
 * HTTP or HTTPS (libmicrohttpd), tokens checked on a read connection,
 * reports handed to the single writer (http_writer.h).  I/O: sockets, the
 * database, stderr (one access log line per request).
 */
#ifndef IOMMU_FLEET_HTTP_SERVER_H
#define IOMMU_FLEET_HTTP_SERVER_H

#include <stddef.h>

struct db;
struct http_writer;
struct http_server;
struct collector;

struct http_server_opts {
	char host[256]; /* numeric address to listen on */
	unsigned port;
	const char *tls_cert; /* PEM text, NULL for plain HTTP */
	const char *tls_key;
	size_t max_body;          /* bytes; over it: 413 */
	unsigned idle_timeout;    /* seconds without a byte: connection closed */
	unsigned request_timeout; /* seconds for one whole request */
	unsigned max_connections;
	unsigned per_ip_connections;
	unsigned retry_after;           /* seconds, in 503 answers */
	unsigned max_decoding;          /* report bodies decoded (and held decoded) at once */
	unsigned rate_per_min;          /* reports per token and minute, 0: no limit */
	unsigned rate_burst;            /* reports a token may send at once */
	unsigned auth_failures;         /* failed auths from one address before the delay */
	unsigned long long host_budget; /* bytes of new content per host and day, 0: none */
	const char *tls_priorities;     /* GnuTLS priority string, NULL: HTTP_SERVER_TLS */
};

/* TLS 1.2 and 1.3 only, forward-secret key exchange (ECDHE, DHE) and AEAD
 * ciphers only: no RSA key exchange, no CBC, no SHA-1 MACs. */
#define HTTP_SERVER_TLS                                                                            \
	"NONE:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA:+AES-256-GCM:"            \
	"+CHACHA20-POLY1305:+AES-128-GCM:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:+CTYPE-X509:"       \
	"%SERVER_PRECEDENCE"

/* Start listening.  authdb is used (under a lock) for token checks only; w
 * gets every write.  Both must outlive the server.  NULL with err set. */
struct http_server *http_server_start(const struct http_server_opts *o, struct http_writer *w,
                                      struct db *authdb, char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
unsigned http_server_port(struct http_server *s);

/* Stop accepting connections; requests already started are finished,
 * new requests on open connections get 503 and "Connection: close". */
void http_server_quiesce(struct http_server *s);

/* Wait up to timeout_ms for the requests in flight to finish: how many
 * are still running. */
unsigned http_server_drain(struct http_server *s, unsigned timeout_ms);

/* Close every connection and free.  NULL is a no-op. */
void http_server_free(struct http_server *s);

#endif
