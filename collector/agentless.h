/*
 * agentless.h - pulling a host that has no agent: the fixed, read-only sh
 * script the collector runs there, the parser of the framed stream it
 * prints (pure, agentless.c), and the tree rebuilt from it in a private
 * temporary directory (I/O, agentless_tree.c) for the agent's own code.
 *
 * The stream, one record a line:
 *   iommu-fleet-agentless 1   header
 *   d PATH                    a directory exists
 *   e PATH                    a file exists (content not sent: empty placeholder)
 *   a PATH VALUE              a one-line attribute: its content is VALUE "\n"
 *   l PATH TARGET             a symlink and its relative text: leading ../ that
 *                             stay below PATH's top directory, then components
 *   f PATH                    a file, then its bytes as `od -An -v -tx1` lines,
 *   .                         then a line holding one dot
 *   end                       the stream is complete
 * PATH is relative, under proc/ sys/ etc/ dev/ or var/log/, made of
 * [A-Za-z0-9._:@+,=-] components; never "..", never absolute.
 */
#ifndef IOMMU_FLEET_AGENTLESS_H
#define IOMMU_FLEET_AGENTLESS_H

#include <stddef.h>

/* The script (agentless.sh), generated into the binary; NUL-terminated. */
extern const char agentless_script[];

#define AGENTLESS_LINE_MAX 8192
#define AGENTLESS_PATH_MAX 512
#define AGENTLESS_DEPTH_MAX 32 /* sysfs paths behind several PCIe switches */
#define AGENTLESS_ENTRIES_MAX 131072
#define AGENTLESS_FILE_MAX (4u * 1024 * 1024)   /* any file but the log */
#define AGENTLESS_LOG_MAX (32u * 1024 * 1024)   /* KLOG_SOURCE_MAX_BYTES */
#define AGENTLESS_TOTAL_MAX (64u * 1024 * 1024) /* decoded bytes in all */

/* Where the records go.  Each callback returns 0, or -1 with errno set (the
 * parser then fails with "PATH: strerror"). */
struct agentless_sink {
	void *arg;
	int (*dir)(void *arg, const char *path);
	int (*placeholder)(void *arg, const char *path);
	int (*link)(void *arg, const char *path, const char *name);
	int (*file_begin)(void *arg, const char *path);
	int (*file_data)(void *arg, const unsigned char *p, size_t n);
	int (*file_end)(void *arg);
};

struct agentless_parser;

/* NULL on allocation failure.  sink is copied. */
struct agentless_parser *agentless_parser_new(const struct agentless_sink *sink);
void agentless_parser_free(struct agentless_parser *p); /* NULL is a no-op */
/* Feed the next bytes of the stream, in pieces of any size: 0, or -1 with
 * agentless_parser_error() set; after -1 every call fails. */
int agentless_parser_feed(struct agentless_parser *p, const char *buf, size_t n);
/* The stream ended: 0 when it was complete ("end" seen), else -1. */
int agentless_parser_finish(struct agentless_parser *p);
const char *agentless_parser_error(const struct agentless_parser *p);
/* Records and decoded bytes accepted so far. */
size_t agentless_parser_entries(const struct agentless_parser *p);
size_t agentless_parser_bytes(const struct agentless_parser *p);

/* 1 when path is a name the stream may carry (see above), else 0. */
int agentless_valid_path(const char *path);
/* 1 when target is a link text the stream may carry for the link at path
 * (a valid path): it cannot name anything above path's top directory. */
int agentless_valid_link(const char *path, const char *target);

/* The tree (agentless_tree.c). */
struct agentless_tree {
	char dir[4096]; /* the temporary root, "" when none */
	int dirfd;      /* -1 when none */
	int fd;         /* the file being written, -1 */
};

/* A new private directory under tmpdir (NULL: $TMPDIR or /tmp): 0 or -1
 * with errno. */
int agentless_tree_create(struct agentless_tree *t, const char *tmpdir);
/* A sink writing into t. */
void agentless_tree_sink(struct agentless_tree *t, struct agentless_sink *sink);
/* Remove the whole directory (never following a link): 0 or -1. */
int agentless_tree_remove(struct agentless_tree *t);

#endif
