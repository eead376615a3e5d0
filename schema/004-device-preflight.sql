-- 004-device-preflight.sql - the whole-group preflight of each device:
-- what binding its IOMMU group to vfio-pci would do, and the
-- evidence behind it.  Reports of older agents leave these NULL.

ALTER TABLE devices ADD COLUMN role TEXT;              -- endpoint, bridge
ALTER TABLE devices ADD COLUMN critical TEXT;          -- root-disk, default-route, boot-display
ALTER TABLE devices ADD COLUMN driver_override TEXT;
ALTER TABLE devices ADD COLUMN sriov_totalvfs INTEGER; -- NULL: not SR-IOV (or unknown)
ALTER TABLE devices ADD COLUMN sriov_numvfs INTEGER;
ALTER TABLE devices ADD COLUMN physfn TEXT;            -- a VF's physical function
ALTER TABLE devices ADD COLUMN acs INTEGER;            -- 1, 0, NULL unknown
ALTER TABLE devices ADD COLUMN preflight TEXT;         -- ready, not-ready, unknown
ALTER TABLE devices ADD COLUMN blockers TEXT;          -- "; "-separated
ALTER TABLE devices ADD COLUMN preflight_warnings TEXT; -- "; "-separated

-- device_status keeps its columns and their order; the preflight's at the end.
DROP VIEW device_status;
CREATE VIEW device_status AS
SELECT h.hostname,
       d.address,
       printf('%04x', d.vendor_id) AS vendor_id,
       printf('%04x', d.device_id) AS device_id,
       printf('%06x', d.class) AS class,
       d.name,
       d.driver,
       d.group_id AS iommu_group,
       d.group_size,
       d.isolated,
       d.reset_methods,
       d.verdict,
       d.reasons,
       d.role,
       d.critical,
       d.driver_override,
       d.sriov_totalvfs,
       d.sriov_numvfs,
       d.physfn,
       d.acs,
       d.preflight,
       d.blockers,
       d.preflight_warnings
FROM hosts h
JOIN observations o ON o.id = h.latest_observation_id
JOIN devices d ON d.content_id = o.content_id;
