/*
 * test_known_hosts.c - unit tests of the known_hosts reader and writer:
 * HMAC-SHA1 (RFC 2202), patterns and hashed names (an entry made by
 * OpenSSH's ssh-keygen -H), markers, file:line, the entry format, and
 * HashKnownHosts in ssh_config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "collector/known_hosts.h"
#include "collector/known_hosts_hash.h"

#define KEY "AAAAC3NzaC1lZDI1NTE5AAAAIEsxurK4Sun0EVwBmqfnpdF8DKwL0cCBFACyUBp1zQN0"
#define KEY2 "AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOtherOth"

static void
test_hmac(void **state)
{
	unsigned char key[20], mac[20];
	char hex[41];
	int i;

	(void)state;
	/* RFC 2202, test cases 1 and 2 */
	memset(key, 0x0b, sizeof(key));
	known_hosts_hmac_sha1(key, 20, "Hi There", 8, mac);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	assert_string_equal(hex, "b617318655057264e28bc0b6fb378c8ef146be00");
	known_hosts_hmac_sha1((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28,
	                      mac);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

static void
test_match(void **state)
{
	/* ssh-keygen -H of "[127.0.0.2]:2222" (OpenSSH 9.2) */
	static const char hashed[] = "|1|DqiJMGw2IV/nJBpHW1drWm+PYWg=|C6c1aZ/0ViwBv72f4PP1lU4J+wY=";
	unsigned char salt[KNOWN_HOSTS_SALT_LEN];
	char line[512], *sp;

	(void)state;
	assert_true(known_hosts_match("db1,db2", 7, "db2"));
	assert_true(known_hosts_match("*.example.org", 13, "DB1.example.org"));
	assert_false(known_hosts_match("*.example.org,!db1.example.org", 30, "db1.example.org"));
	assert_true(known_hosts_match("[10.0.0.?]:2222", 15, "[10.0.0.7]:2222"));
	assert_false(known_hosts_match("10.0.0.7", 8, "[10.0.0.7]:2222"));
	assert_true(known_hosts_match(hashed, strlen(hashed), "[127.0.0.2]:2222"));
	assert_false(known_hosts_match(hashed, strlen(hashed), "[127.0.0.2]:2223"));
	assert_false(known_hosts_match("|1|@@@@|C6c1", 12, "[127.0.0.2]:2222"));
	/* the glob: stars at either end, runs of them, ? never empty */
	assert_true(known_hosts_match("*", 1, "x"));
	assert_true(known_hosts_match("db*", 3, "db"));
	assert_true(known_hosts_match("*db**", 5, "db"));
	assert_true(known_hosts_match("a*b*c", 5, "aXXbYYbc"));
	assert_false(known_hosts_match("a*b*c", 5, "aXXbYYbcd"));
	assert_false(known_hosts_match("db?", 3, "db"));
	assert_true(known_hosts_match("?b*", 3, "db1"));
	/* many stars that cannot match: answered, not backtracked for ever
	 * (found by fuzz_known_hosts: the recursive glob was exponential) */
	assert_false(known_hosts_match(
	        "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", 50,
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	/* what we write, we find; another name does not match */
	memset(salt, 7, sizeof(salt));
	assert_true(known_hosts_format("[127.0.0.2]:2222", "ssh-ed25519", KEY, salt, line,
	                               sizeof(line)) > 0);
	assert_true(strncmp(line, "|1|", 3) == 0);
	sp = strchr(line, ' ');
	assert_non_null(sp);
	assert_true(known_hosts_match(line, (size_t)(sp - line), "[127.0.0.2]:2222"));
	assert_false(known_hosts_match(line, (size_t)(sp - line), "[127.0.0.3]:2222"));
	assert_int_equal(known_hosts_format("h", "ssh-ed25519", KEY, NULL, line, sizeof(line)),
	                 (int)strlen("h ssh-ed25519 " KEY "\n"));
	assert_int_equal(known_hosts_format("h", "ssh-ed25519", KEY, NULL, line, 10), -1);
}

static void
test_lookup(void **state)
{
	static const char text[] = "# comment\n"
	                           "other ssh-ed25519 " KEY "\n"
	                           "@cert-authority web1 ssh-ed25519 " KEY "\n"
	                           "web1,web2 ssh-rsa AAAAB3\n"
	                           "web1 ssh-ed25519 " KEY2 "\n"
	                           "web2 ssh-ed25519 " KEY "\n"
	                           "@revoked * ssh-ed25519 " KEY2 "\n";
	struct known_hosts_result r;

	(void)state;
	known_hosts_lookup(text, strlen(text), "web2", "ssh-ed25519", KEY, &r);
	assert_int_equal(r.state, KNOWN_HOSTS_KNOWN);
	assert_int_equal(r.line, 6);
	/* the @cert-authority line with this very key does not make it known */
	known_hosts_lookup(text, strlen(text), "web1", "ssh-ed25519", KEY, &r);
	assert_int_equal(r.state, KNOWN_HOSTS_CHANGED);
	assert_int_equal(r.line, 5);
	known_hosts_lookup(text, strlen(text), "web1", "ecdsa-sha2-nistp256", "AAAA", &r);
	assert_int_equal(r.state, KNOWN_HOSTS_OTHER);
	assert_int_equal(r.line, 4);
	assert_string_equal(r.type, "ssh-rsa");
	known_hosts_lookup(text, strlen(text), "web3", "ssh-ed25519", KEY, &r);
	assert_int_equal(r.state, KNOWN_HOSTS_NONE);
	assert_int_equal(r.line, 0);
	/* revoked wins over an entry that lists the key */
	known_hosts_lookup(text, strlen(text), "web1", "ssh-ed25519", KEY2, &r);
	assert_int_equal(r.state, KNOWN_HOSTS_REVOKED);
	assert_int_equal(r.line, 7);
	assert_false(known_hosts_has_hashed(text, strlen(text)));
	assert_true(known_hosts_has_hashed("x y z\n@revoked |1|a|b t k\n", 26));
}

static void
test_config_hash(void **state)
{
	static const char cfg[] = "# global\n"
	                          "Host bastion !db*\n"
	                          "  HashKnownHosts=yes\n"
	                          "Match host x exec true\n"
	                          "  HashKnownHosts yes\n"
	                          "Host *\n"
	                          "  hashknownhosts no\n";

	(void)state;
	assert_int_equal(known_hosts_config_hash(cfg, strlen(cfg), "bastion"), 1);
	assert_int_equal(known_hosts_config_hash(cfg, strlen(cfg), "web1"), 0);
	assert_int_equal(known_hosts_config_hash("Host a\n HashKnownHosts yes\n", 27, "b"), -1);
	assert_int_equal(known_hosts_config_hash("HashKnownHosts yes\n", 19, "b"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hmac),
	        cmocka_unit_test(test_match),
	        cmocka_unit_test(test_lookup),
	        cmocka_unit_test(test_config_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
