/*
 * pull_progress.c - the progress line (stderr, redrawn in place) and the
 * summary line (stderr: stdout holds the results, one line a host) of
 * "iommu-collector pull".  I/O: stderr.
 */
#include <stdio.h>
#include <string.h>

#include "collector/pull_progress.h"
#include "collector/ssh_session.h"

void
pull_progress_start(struct pull_progress *pg)
{
	pg->t0 = ssh_session_now_ms();
}

void
pull_progress_show(struct pull_progress *pg, const struct pull_tally *t)
{
	double secs = (double)(ssh_session_now_ms() - pg->t0) / 1000.0;

	if (!pg->on)
		return;
	fprintf(stderr, "\r\033[Kpull: %zu/%zu done, %zu failed, %.1f hosts/s", t->done, t->total,
	        t->failed, secs > 0 ? (double)t->done / secs : 0.0);
	pg->dirty = 1;
}

void
pull_progress_clear(struct pull_progress *pg)
{
	if (pg->dirty) {
		fputs("\r\033[K", stderr);
		pg->dirty = 0;
	}
}

void
pull_progress_summary(const struct pull_progress *pg, const struct pull_tally *t)
{
	double secs = (double)(ssh_session_now_ms() - pg->t0) / 1000.0;
	size_t i;
	int first = 1;

	fprintf(stderr, "pull: %zu hosts in %.1f s: %zu ok, %zu failed", t->total, secs, t->ok,
	        t->failed);
	for (i = 0; i < t->ncounts; i++) {
		if (strcmp(t->counts[i].word, "ok") == 0)
			continue;
		fprintf(stderr, "%s%s %zu", first ? " (" : ", ", t->counts[i].word, t->counts[i].n);
		first = 0;
	}
	fprintf(stderr, "%s\n", first ? "" : ")");
}
