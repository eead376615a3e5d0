/*
 * token.h - push tokens: their text format, their hash, a constant-time
 * compare (pure), and the tokens table (token_db_*, I/O through db.h).
 *
 * A token is "ift_" and 64 lowercase hex digits (32 random bytes).  Its
 * first TOKEN_ID_LEN digits are its public id, which finds the row; the
 * database keeps only the SHA-256 of the whole token.
 */
#ifndef IOMMU_FLEET_TOKEN_H
#define IOMMU_FLEET_TOKEN_H

#include <stddef.h>

#include "common/sha256.h"

#define TOKEN_PREFIX "ift_"
#define TOKEN_RANDOM_BYTES 32
#define TOKEN_LEN (sizeof(TOKEN_PREFIX) - 1 + 2 * TOKEN_RANDOM_BYTES) /* 68 */
#define TOKEN_ID_LEN 12
#define TOKEN_HOST_MAX 256

struct db;

/* The token text for these random bytes; out holds TOKEN_LEN + 1. */
void token_format(const unsigned char rnd[TOKEN_RANDOM_BYTES], char *out, size_t outlen);

/* Check the format of s (len bytes, not NUL-terminated) and copy its public
 * id into id (TOKEN_ID_LEN + 1).  0, or -1 with a reason in err. */
int token_parse(const char *s, size_t len, char *id, size_t idlen, char *err, size_t errlen);

/* Lowercase hex SHA-256 of the token text. */
void token_hash(const char *s, size_t len, char out[SHA256_HEX_LEN]);

/* 1 when the two hex hashes are equal; time independent of where they
 * differ. */
int token_hash_equal(const char *a, const char *b);

/* Create a token for host, store its hash, and write the token (shown
 * once) to out (TOKEN_LEN + 1).  0, or -1 with err set. */
int token_db_add(struct db *db, const char *host, char *out, size_t outlen, char *err,
                 size_t errlen);

/* Revoke every valid token of host: the number revoked, or -1. */
int token_db_revoke(struct db *db, const char *host);

enum token_verdict {
	TOKEN_VALID = 0,
	TOKEN_MALFORMED, /* not a token at all */
	TOKEN_UNKNOWN,   /* well formed, but no such token (or wrong secret) */
	TOKEN_REVOKED,   /* known and revoked: host is filled */
	TOKEN_ERROR,     /* database error: db_error() */
};

/* Find the token (len bytes) and fill host (its identity) when known. */
enum token_verdict token_db_check(struct db *db, const char *s, size_t len, char *host,
                                  size_t hostlen);

struct collector;

#endif
