/*
 * test_http.c - unit tests of the push endpoint's pure parts (bearer,
 * content type, content length, listen address, JSON escaping) and of
 * tokens: format, hash compare, and the tokens table on an in-memory
 * database (add, check, revoke); the writer's durable commits and the
 * database's private mode (a file in a temporary directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/db.h"
#include "collector/http_parse.h"
#include "collector/token.h"
#include "proto/hostname.h"

static void
test_bearer(void **state)
{
	const char *t;
	size_t n;

	(void)state;
	assert_int_equal(http_parse_bearer("Bearer abc", &t, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(t, "abc", 3);
	assert_int_equal(http_parse_bearer("  bearer\t ift_x1  ", &t, &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(t, "ift_x1", 6);
	assert_int_equal(http_parse_bearer(NULL, &t, &n), -1);
	assert_int_equal(http_parse_bearer("", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Bearer", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Bearer   ", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Basic dXNlcjpwYXNz", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Bearerabc", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Bearer a b", &t, &n), -1);
	assert_int_equal(http_parse_bearer("Bearer a\x01", &t, &n), -1);
}

static void
test_content_type(void **state)
{
	(void)state;
	assert_int_equal(http_parse_is_json("application/json"), 1);
	assert_int_equal(http_parse_is_json("Application/JSON; charset=utf-8"), 1);
	assert_int_equal(http_parse_is_json(" application/json ;charset=utf-8"), 1);
	assert_int_equal(http_parse_is_json(NULL), 0);
	assert_int_equal(http_parse_is_json(""), 0);
	assert_int_equal(http_parse_is_json("text/plain"), 0);
	assert_int_equal(http_parse_is_json("application/jsonx"), 0);
	assert_int_equal(http_parse_is_json("application/x-www-form-urlencoded"), 0);
}

static void
test_content_length(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(http_parse_content_length("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(http_parse_content_length("8388608", &v), 0);
	assert_int_equal(v, 8388608ull);
	assert_int_equal(http_parse_content_length("18446744073709551615", &v), 0);
	assert_int_equal(http_parse_content_length("18446744073709551616", &v), -1);
	assert_int_equal(http_parse_content_length("99999999999999999999999", &v), -1);
	assert_int_equal(http_parse_content_length("-1", &v), -1);
	assert_int_equal(http_parse_content_length("+1", &v), -1);
	assert_int_equal(http_parse_content_length("1 ", &v), -1);
	assert_int_equal(http_parse_content_length("", &v), -1);
	assert_int_equal(http_parse_content_length(NULL, &v), -1);
}

static void
test_listen(void **state)
{
	char host[64], err[128];
	unsigned port = 0;

	(void)state;
	assert_int_equal(
	        http_parse_listen("127.0.0.1:8470", host, sizeof(host), &port, err, sizeof(err)),
	        0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8470);
	assert_int_equal(http_parse_listen("[::1]:0", host, sizeof(host), &port, err, sizeof(err)),
	                 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(http_parse_listen("::1:80", host, sizeof(host), &port, err, sizeof(err)),
	                 -1);
	assert_int_equal(
	        http_parse_listen("127.0.0.1", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(
	        http_parse_listen("127.0.0.1:", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(
	        http_parse_listen("127.0.0.1:65536", host, sizeof(host), &port, err, sizeof(err)),
	        -1);
	assert_int_equal(http_parse_listen(":80", host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_int_equal(
	        http_parse_listen("1.2.3.4:8x", host, sizeof(host), &port, err, sizeof(err)), -1);
}

static void
test_json_escape(void **state)
{
	char out[32], small[6];

	(void)state;
	assert_string_equal(http_parse_json_escape("a\"b\\c\n\x01", out, sizeof(out)),
	                    "a\\\"b\\\\c\\u000a\\u0001");
	assert_string_equal(http_parse_json_escape("caf\xc3\xa9", out, sizeof(out)), "caf??");
	/* truncated on a whole escape, never half of one */
	assert_string_equal(http_parse_json_escape("ab\"cd", small, sizeof(small)), "ab\\\"c");
	assert_string_equal(http_parse_json_escape("abcd\n", small, sizeof(small)), "abcd");
	assert_string_equal(http_parse_json_escape(NULL, out, sizeof(out)), "");
}

static void
test_token_format(void **state)
{
	unsigned char rnd[TOKEN_RANDOM_BYTES];
	char tok[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1], err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)(i * 17 + 1);
	token_format(rnd, tok, sizeof(tok));
	assert_int_equal(strlen(tok), 68);
	assert_memory_equal(tok, "ift_01122334", 12);
	assert_int_equal(token_parse(tok, strlen(tok), id, sizeof(id), err, sizeof(err)), 0);
	assert_string_equal(id, "011223344556");
	assert_int_equal(token_parse(tok, strlen(tok) - 1, id, sizeof(id), err, sizeof(err)), -1);
	tok[10] = 'A'; /* uppercase hex is not ours */
	assert_int_equal(token_parse(tok, strlen(tok), id, sizeof(id), err, sizeof(err)), -1);
	tok[10] = '3';
	tok[0] = 'x';
	assert_int_equal(token_parse(tok, strlen(tok), id, sizeof(id), err, sizeof(err)), -1);
	assert_true(hostname_invalid("web1.example.com", strlen("web1.example.com"),
	                             HOSTNAME_GIVEN) == NULL);
	assert_true(hostname_invalid("", strlen(""), HOSTNAME_GIVEN) != NULL);
	assert_true(hostname_invalid("web 1", strlen("web 1"), HOSTNAME_GIVEN) != NULL);
	assert_true(hostname_invalid("web\n1", strlen("web\n1"), HOSTNAME_GIVEN) != NULL);
}

static void
test_token_hash_equal(void **state)
{
	char a[SHA256_HEX_LEN], b[SHA256_HEX_LEN];

	(void)state;
	token_hash("abc", 3, a);
	assert_string_equal(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	memcpy(b, a, sizeof(b));
	assert_int_equal(token_hash_equal(a, b), 1);
	b[63] = b[63] == '0' ? '1' : '0';
	assert_int_equal(token_hash_equal(a, b), 0);
	b[63] = a[63];
	b[0] = b[0] == '0' ? '1' : '0';
	assert_int_equal(token_hash_equal(a, b), 0);
	assert_int_equal(token_hash_equal(a, "ba78"), 0);
	assert_int_equal(token_hash_equal("", ""), 0);
}

static void
test_token_db(void **state)
{
	char tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], host[TOKEN_HOST_MAX], err[256];
	struct db_rows rows;
	struct db *db;

	(void)state;
	assert_int_equal(db_open(":memory:", &db, err, sizeof(err)), 0);
	assert_int_equal(token_db_add(db, "web1", tok, sizeof(tok), err, sizeof(err)), 0);
	assert_int_equal(token_db_add(db, "web2", tok2, sizeof(tok2), err, sizeof(err)), 0);
	assert_string_not_equal(tok, tok2);
	assert_int_equal(token_db_add(db, "bad host", tok2, sizeof(tok2), err, sizeof(err)), -1);

	/* only the hash is stored */
	assert_int_equal(db_query(db, "SELECT token_hash, token_id FROM tokens WHERE host = 'web1'",
	                          NULL, 0, &rows),
	                 0);
	assert_int_equal(rows.nrows, 1);
	assert_null(strstr(tok, rows.cells[0].text));
	assert_memory_equal(rows.cells[1].text, tok + 4, TOKEN_ID_LEN);
	db_rows_free(&rows);

	assert_int_equal(token_db_check(db, tok, strlen(tok), host, sizeof(host)), TOKEN_VALID);
	assert_string_equal(host, "web1");
	assert_int_equal(token_db_check(db, tok2, strlen(tok2), host, sizeof(host)), TOKEN_VALID);
	assert_string_equal(host, "web2");
	/* right id, wrong secret */
	tok[40] = tok[40] == 'a' ? 'b' : 'a';
	assert_int_equal(token_db_check(db, tok, strlen(tok), host, sizeof(host)), TOKEN_UNKNOWN);
	assert_string_equal(host, "");
	tok[4] = tok[4] == 'a' ? 'b' : 'a';
	assert_int_equal(token_db_check(db, tok, strlen(tok), host, sizeof(host)), TOKEN_UNKNOWN);
	assert_int_equal(token_db_check(db, "secret", 6, host, sizeof(host)), TOKEN_MALFORMED);

	assert_int_equal(token_db_revoke(db, "web2"), 1);
	assert_int_equal(token_db_revoke(db, "web2"), 0);
	assert_int_equal(token_db_revoke(db, "nobody"), 0);
	assert_int_equal(token_db_check(db, tok2, strlen(tok2), host, sizeof(host)), TOKEN_REVOKED);
	assert_string_equal(host, "web2");
	db_close(db);
}

static void
expect_pragma(struct db *db, const char *sql, const char *want)
{
	struct db_rows rows;

	assert_int_equal(db_query(db, sql, NULL, 0, &rows), 0);
	assert_int_equal(rows.nrows, 1);
	assert_string_equal(rows.cells[0].text, want);
	db_rows_free(&rows);
}

/* 1. serve's writer commits with synchronous=FULL (2), others keep NORMAL
 * (1); 2. the file, its -wal and -shm are 0600 under umask 022. */
static void
test_db_durable_private(void **state)
{
	char dir[] = "/tmp/test_http.XXXXXX", path[64], wal[80], shm[80], err[256];
	struct db_rows rows;
	struct db *w, *r;
	struct stat st;
	mode_t old;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fleet.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	old = umask(022);
	assert_int_equal(db_open(path, &w, err, sizeof(err)), 0);
	assert_int_equal(db_open(path, &r, err, sizeof(err)), 0);
	umask(old);
	expect_pragma(w, "PRAGMA synchronous", "1");
	assert_int_equal(db_set_durable(w), 0);
	expect_pragma(w, "PRAGMA synchronous", "2");
	expect_pragma(r, "PRAGMA synchronous", "1");
	/* a write makes the -wal and the -shm */
	assert_int_equal(db_query(w, "CREATE TABLE t (x)", NULL, 0, &rows), 0);
	db_rows_free(&rows);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(shm, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	db_close(r);
	db_close(w);
	unlink(wal);
	unlink(shm);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bearer),
	        cmocka_unit_test(test_content_type),
	        cmocka_unit_test(test_content_length),
	        cmocka_unit_test(test_listen),
	        cmocka_unit_test(test_json_escape),
	        cmocka_unit_test(test_token_format),
	        cmocka_unit_test(test_token_hash_equal),
	        cmocka_unit_test(test_token_db),
	        cmocka_unit_test(test_db_durable_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
