/*
 * log.h - diagnostics on stderr for the binaries (I/O).  Pure modules never
 * log: they return errors for their caller to report.
 */
#ifndef IOMMU_FLEET_LOG_H
#define IOMMU_FLEET_LOG_H

void log_init(const char *progname, int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* + strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* only when verbose */
void log_debug(const char *fmt, ...)
        __attribute__((format(printf, 1, 2))); /* only when verbose > 1 */
/* log_warn / log_warnx, then exit 1: for a one-shot command that cannot go
 * on, never from a thread that others wait on */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
