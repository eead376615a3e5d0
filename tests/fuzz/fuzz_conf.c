/*
 * fuzz_conf.c - libFuzzer harness for the configuration file parser
 * (conf_parse).  Pure: no I/O.  Whatever the bytes: no crash, leak or
 * overrun; what parses sets only known keys, each once, on a line of the
 * text, with a value of no newline; conf_get and conf_where agree with it;
 * a failure says "PATH:LINE: why".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* collector.conf's keys (collector_main.c) and agent.conf's (agent_main.c) */
static const char *const known[] = {
        "db",          "listen",   "tls_cert",        "tls_key", "inventory", "jobs",
        "known_hosts", "identity", "connect_timeout", "timeout", "push_url",  "token_file",
        "cacert",      "spool",    "hostname",        NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct conf c;
	char err[400], want[400];
	size_t i, j, lines = 1;
	int known_one;

	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	err[0] = '\0';
	if (conf_parse(text, size, "fuzz.conf", known, &c, err, sizeof(err)) == -1) {
		if (strncmp(err, "fuzz.conf:", 10) != 0 || c.n != 0)
			abort();
		conf_free(&c);
		return 0;
	}
	for (i = 0; i < c.n; i++) {
		known_one = 0;
		for (j = 0; known[j] != NULL; j++)
			known_one |= strcmp(known[j], c.v[i].key) == 0;
		if (!known_one || c.v[i].line < 1 || (size_t)c.v[i].line > lines ||
		    strchr(c.v[i].value, '\n') != NULL)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(c.v[j].key, c.v[i].key) == 0 || c.v[j].line >= c.v[i].line)
				abort();
		if (conf_get(&c, c.v[i].key) != c.v[i].value)
			abort();
		snprintf(want, sizeof(want), "fuzz.conf:%d: %s", c.v[i].line, c.v[i].key);
		if (strcmp(conf_where(&c, c.v[i].key), want) != 0)
			abort();
	}
	conf_free(&c);
	return 0;
}
