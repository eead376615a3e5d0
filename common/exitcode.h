/*
 * exitcode.h - exit codes shared by iommu-agent and iommu-collector.
 */
#ifndef IOMMU_FLEET_EXITCODE_H
#define IOMMU_FLEET_EXITCODE_H

enum {
	EXIT_OK = 0,       /* done; for push: delivered */
	EXIT_FAILURE_ = 1, /* nothing useful done */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_PARTIAL = 3,  /* some reports rejected / some hosts failed */
	EXIT_SPOOLED = 4,  /* push: not delivered, kept in the spool */
	EXIT_REJECTED = 5, /* push: the collector refused the report */
};

#endif
