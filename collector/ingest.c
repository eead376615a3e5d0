/*
 * ingest.c - decide what a received report text is and store it, or record
 * why not.  I/O: the database through store.h (one read in prepare, the
 * writes in commit); the deciding is pure and proto's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/db.h"
#include "collector/ingest.h"
#include "collector/store_index.h"
#include "proto/hostname.h"
#include "proto/report.h"
#include "proto/report_claim.h"
#include "proto/report_json.h"
#include "proto/report_key.h"
#include "proto/report_validate.h"
#include "proto/stamp.h"

struct ingest {
	const char *json; /* borrowed */
	size_t len;
	const char *transport;
	char identity[HOSTNAME_MAX + 1];
	int has_identity;
	int compare;       /* the identity is a name a report's name is compared to */
	int claim_checked; /* the report's name was compared without decoding */
	struct report_key key;
	enum store_status refused; /* STORE_REJECTED or STORE_WRONG_HOST, else 0 */
	char error[512];
	char note[512]; /* for the attempt, "" for none */
	int decoded;    /* r and ix are filled, valid */
	struct report r;
	struct store_index ix;
};

struct ingest *
ingest_new(const char *json, size_t len, const char *transport, const char *identity)
{
	struct ingest *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->json = json != NULL ? json : "";
	in->len = len;
	in->transport = transport;
	report_init(&in->r);
	if (identity != NULL) {
		in->has_identity = 1;
		snprintf(in->identity, sizeof(in->identity), "%s", identity);
		/* an address says nothing a report's host name could match */
		in->compare = !hostname_is_address(identity);
	}
	return in;
}

void
ingest_set_note(struct ingest *in, const char *note)
{
	snprintf(in->note, sizeof(in->note), "%s", note != NULL ? note : "");
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	store_index_free(&in->ix);
	report_free(&in->r);
	free(in);
}

static void
refuse(struct ingest *in, enum store_status why, const char *fmt, const char *arg)
{
	in->refused = why;
	snprintf(in->error, sizeof(in->error), fmt, arg);
}

static void
wrong_host(struct ingest *in, const char *claimed)
{
	in->refused = STORE_WRONG_HOST;
	snprintf(in->error, sizeof(in->error),
	         "report claims to be host \"%.200s\", not \"%.200s\"", claimed, in->identity);
}

/*
 * A report stamped more than INGEST_FUTURE_SKEW seconds ahead of the
 * collector's clock is refused: it would stay its host's latest report for
 * as long as the clock is behind it.  0, or -1 (refused).
 */
static int
not_future(struct ingest *in, const char *collected_at)
{
	long long t, now = (long long)time(NULL);
	char why[160];

	if (stamp_time_epoch(collected_at, strlen(collected_at), &t) == -1 ||
	    t - now <= INGEST_FUTURE_SKEW)
		return 0;
	snprintf(why, sizeof(why),
	         "collected_at: %.40s is %lld s ahead of the collector's clock"
	         " (at most %d; check the host's clock)",
	         collected_at, t - now, INGEST_FUTURE_SKEW);
	refuse(in, STORE_REJECTED, "%s", why);
	return -1;
}

/*
 * The decoder's message without jansson's quote of the input ("... near
 * 'root'"): a file that is not JSON may be anything the reader could read
 * (a symbolic link to /etc/shadow, a key), and its first bytes must not
 * reach a terminal, a log or an attempt row.  The line and column stay;
 * every other message names a path in the report, never a value.
 */
static void
decode_error(struct ingest *in, const char *msg)
{
	const char *near;
	int n;

	near = strncmp(msg, "not JSON: ", 10) == 0 ? strstr(msg, " near '") : NULL;
	n = near != NULL ? (int)(near - msg) : (int)strlen(msg);
	in->refused = STORE_REJECTED;
	snprintf(in->error, sizeof(in->error), "%.*s", n, msg);
}

/* Decode, validate and index: the costly part.  Sets refused on a bad
 * report; 0, or -1 when refused or out of memory (error says which). */
static int
decode(struct ingest *in)
{
	struct report_error rerr;

	if (in->decoded || in->refused)
		return in->refused ? -1 : 0;
	if (report_json_decode(in->json, in->len, &in->r, &rerr) == -1 ||
	    report_validate(&in->r, &rerr) == -1) {
		decode_error(in, rerr.msg);
		return -1;
	}
	if (not_future(in, in->r.collected_at) == -1)
		return -1;
	if (in->compare && !in->claim_checked &&
	    !hostname_same(in->r.host.hostname, in->identity)) {
		wrong_host(in, in->r.host.hostname);
		return -1;
	}
	if (store_index_build(&in->ix, &in->r) == -1) {
		snprintf(in->error, sizeof(in->error), "out of memory");
		return -1;
	}
	in->decoded = 1;
	return 0;
}

static int
content_known(const struct ingest *in, const struct ingest_reader *rd)
{
	int known;

	if (rd == NULL || rd->db == NULL || !in->key.ok)
		return 0;
	if (rd->lock != NULL)
		pthread_mutex_lock(rd->lock);
	known = store_content_known(rd->db, in->key.sha256);
	if (rd->lock != NULL)
		pthread_mutex_unlock(rd->lock);
	return known == 1;
}

void
ingest_prepare(struct ingest *in, const struct ingest_reader *rd)
{
	char claim[HOSTNAME_MAX + 1];

	if (in->len > REPORT_MAX_BYTES) {
		in->refused = STORE_REJECTED;
		snprintf(in->error, sizeof(in->error),
		         "over the size limit (%zu bytes, at most %u)", in->len, REPORT_MAX_BYTES);
		return;
	}
	/* whose report: the common case without decoding */
	if (in->compare && report_claim_hostname(in->json, in->len, claim, sizeof(claim)) == 1) {
		in->claim_checked = 1;
		if (!hostname_same(claim, in->identity)) {
			wrong_host(in, claim);
			return;
		}
	}
	report_key_compute(in->json, in->len, &in->key);
	/* a known content is stored by the writer without decoding; a name the
	 * scan could not read needs the decoder anyway */
	if (in->key.ok && not_future(in, in->key.collected_at) == -1)
		return;
	if ((!in->compare || in->claim_checked) && content_known(in, rd))
		return;
	(void)decode(in); /* a refusal is kept for the commit */
}

static enum store_status
finish(struct store_result *res, enum store_status s)
{
	res->status = s;
	return s;
}

/* Record the outcome of a report of a known host that stored nothing. */
static enum store_status
record(struct db *db, struct ingest *in, enum store_status s, struct store_result *res)
{
	if (in->has_identity && store_attempt(db, in->identity, in->transport, NULL,
	                                      store_status_name(s), res->error) == -1) {
		snprintf(res->error, sizeof(res->error), "recording the attempt: %s", db_error(db));
		return finish(res, STORE_FAILED);
	}
	return finish(res, s);
}

static enum store_status
refused(struct db *db, struct ingest *in, struct store_result *res)
{
	memset(res, 0, sizeof(*res));
	snprintf(res->hostname, sizeof(res->hostname), "%s", in->identity);
	snprintf(res->error, sizeof(res->error), "%s", in->error);
	if (!in->refused) /* out of memory: the collector's failure, not the host's */
		return finish(res, STORE_FAILED);
	return record(db, in, in->refused, res);
}

enum store_status
ingest_commit(struct db *db, struct ingest *in, struct store_result *res)
{
	struct store_item it;
	enum store_status s;

	memset(&it, 0, sizeof(it));
	it.json = in->json;
	it.len = in->len;
	it.key = &in->key;
	it.identity = in->has_identity ? in->identity : NULL;
	it.transport = in->transport;
	it.note = in->note[0] != '\0' ? in->note : NULL;
	if (in->refused)
		return refused(db, in, res);
	s = STORE_NOT_KNOWN;
	if (!in->decoded)
		s = store_commit_known(db, &it, res);
	if (s == STORE_NOT_KNOWN) {
		if (decode(in) == -1)
			return refused(db, in, res);
		it.r = &in->r;
		it.ix = &in->ix;
		s = store_commit(db, &it, res);
	}
	if (s == STORE_DUPLICATE) {
		snprintf(res->error, sizeof(res->error), "report_id already stored");
		return record(db, in, s, res);
	}
	return s;
}

enum store_status
ingest_text(struct db *db, const char *json, size_t len, const char *transport,
            const char *identity, struct store_result *res)
{
	struct ingest_reader rd = {db, NULL};
	struct ingest *in;
	enum store_status s;

	if ((in = ingest_new(json, len, transport, identity)) == NULL) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "out of memory");
		return finish(res, STORE_FAILED);
	}
	ingest_prepare(in, &rd);
	s = ingest_commit(db, in, res);
	ingest_free(in);
	return s;
}

int
ingest_record(struct db *db, const char *host, const char *transport, const char *started_at,
              const char *status, const char *error)
{
	return store_attempt(db, host, transport, started_at, status, error);
}
