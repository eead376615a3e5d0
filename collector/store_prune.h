/*
 * store_prune.h - drop a fleet's old history in bounded transactions (I/O
 * through db.h): observations older than a time, but never a host's
 * latest, then the contents no observation uses any more (their rows go
 * with them).  Attempts older than the time go too, but never a host's
 * last one.
 */
#ifndef IOMMU_FLEET_STORE_PRUNE_H
#define IOMMU_FLEET_STORE_PRUNE_H

struct db;

#define STORE_PRUNE_BATCH 500 /* rows a transaction: writers wait no longer */

struct store_prune_counts {
	long long observations;
	long long contents;
	long long attempts;
};

/* Prune what is older than before ("YYYY-MM-DDThh:mm:ssZ", UTC): 0 with
 * the counts, or -1 with db_error() set (what was pruned stays pruned). */
int store_prune(struct db *db, const char *before, struct store_prune_counts *n);

#endif
