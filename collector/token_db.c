/*
 * token_db.c - the tokens table: add (random token, hash stored), revoke,
 * and check a presented token.  I/O: the database (db.h), getrandom(2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "collector/db.h"
#include "collector/store.h"
#include "collector/token.h"
#include "proto/hostname.h"

static const char SQL_ADD[] =
        "INSERT INTO tokens (host, token_id, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_REVOKE[] =
        "UPDATE tokens SET revoked_at = ?2 WHERE host = ?1 AND revoked_at IS NULL";
static const char SQL_FIND[] =
        "SELECT host, token_hash, revoked_at FROM tokens WHERE token_id = ?1";

static int
random_fill(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
token_db_add(struct db *db, const char *host, char *out, size_t outlen, char *err, size_t errlen)
{
	unsigned char rnd[TOKEN_RANDOM_BYTES];
	char tok[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1], hash[SHA256_HEX_LEN], now[32];
	struct db_stmt *st;
	const char *why;
	int tries;

	if ((why = hostname_invalid(host, strlen(host), HOSTNAME_GIVEN)) != NULL) {
		snprintf(err, errlen, "\"%.255s\": %s", host, why);
		return -1;
	}
	if (outlen < sizeof(tok)) {
		snprintf(err, errlen, "token buffer too small");
		return -1;
	}
	/* a clash of 48-bit ids is unlikely but possible: draw again */
	for (tries = 0; tries < 4; tries++) {
		if (random_fill(rnd, sizeof(rnd)) == -1) {
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return -1;
		}
		token_format(rnd, tok, sizeof(tok));
		memcpy(id, tok + sizeof(TOKEN_PREFIX) - 1, TOKEN_ID_LEN);
		id[TOKEN_ID_LEN] = '\0';
		token_hash(tok, strlen(tok), hash);
		store_now(now, sizeof(now));
		if ((st = db_prepare(db, SQL_ADD)) == NULL)
			break;
		db_bind_text(st, 1, host);
		db_bind_text(st, 2, id);
		db_bind_text(st, 3, hash);
		db_bind_text(st, 4, now);
		if (db_step(st) == DB_DONE) {
			memcpy(out, tok, sizeof(tok));
			memset(tok, 0, sizeof(tok));
			memset(rnd, 0, sizeof(rnd));
			return 0;
		}
		if (strstr(db_error(db), "UNIQUE") == NULL)
			break;
	}
	memset(tok, 0, sizeof(tok));
	memset(rnd, 0, sizeof(rnd));
	snprintf(err, errlen, "%s", db_error(db));
	return -1;
}

int
token_db_revoke(struct db *db, const char *host)
{
	struct db_stmt *st;
	char now[32];

	store_now(now, sizeof(now));
	if ((st = db_prepare(db, SQL_REVOKE)) == NULL)
		return -1;
	db_bind_text(st, 1, host);
	db_bind_text(st, 2, now);
	if (db_step(st) != DB_DONE)
		return -1;
	return db_changes(db);
}

enum token_verdict
token_db_check(struct db *db, const char *s, size_t len, char *host, size_t hostlen)
{
	char id[TOKEN_ID_LEN + 1], hash[SHA256_HEX_LEN], stored[SHA256_HEX_LEN];
	char err[128];
	struct db_stmt *st;
	const char *h, *sh;
	int rc, revoked;

	if (hostlen > 0)
		host[0] = '\0';
	if (token_parse(s, len, id, sizeof(id), err, sizeof(err)) == -1)
		return TOKEN_MALFORMED;
	token_hash(s, len, hash);
	if ((st = db_prepare(db, SQL_FIND)) == NULL)
		return TOKEN_ERROR;
	db_bind_text(st, 1, id);
	rc = db_step(st);
	if (rc == -1)
		return TOKEN_ERROR;
	if (rc == DB_DONE)
		return TOKEN_UNKNOWN;
	h = db_column_text(st, 0);
	sh = db_column_text(st, 1);
	revoked = !db_column_is_null(st, 2);
	snprintf(stored, sizeof(stored), "%s", sh != NULL ? sh : "");
	if (!token_hash_equal(hash, stored) || h == NULL) {
		db_step(st);
		return TOKEN_UNKNOWN;
	}
	snprintf(host, hostlen, "%s", h);
	db_step(st); /* to DB_DONE: releases the read snapshot */
	return revoked ? TOKEN_REVOKED : TOKEN_VALID;
}
