/*
 * pull_progress.h - what "iommu-collector pull" shows of the whole run: a
 * progress line on stderr, redrawn in place, and the summary line on
 * stderr at the end (stdout holds the results).  I/O: stderr.
 */
#ifndef IOMMU_FLEET_PULL_PROGRESS_H
#define IOMMU_FLEET_PULL_PROGRESS_H

#include "collector/pull.h"

struct pull_progress {
	int on;       /* draw the progress line */
	int dirty;    /* a progress line is on the terminal */
	long long t0; /* the run's start, ssh_session_now_ms() */
};

/* The run starts now: rates and the summary's time count from here. */
void pull_progress_start(struct pull_progress *pg);

/* Redraw the progress line, when on. */
void pull_progress_show(struct pull_progress *pg, const struct pull_tally *t);

/* Erase the progress line, if any, before another line is printed. */
void pull_progress_clear(struct pull_progress *pg);

/* "pull: N hosts in S s: N ok, N failed (word N, ...)" on stdout. */
void pull_progress_summary(const struct pull_progress *pg, const struct pull_tally *t);

#endif
