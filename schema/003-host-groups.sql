-- 003-host-groups.sql - the groups a host belongs to in the inventory that
-- pulls it: Ansible groups (with their children's hosts) and the tags= of
-- hosts.txt alike.  The inventory is the source: each pull of a host
-- replaces its set.

CREATE TABLE host_group_members (
	host_id INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	group_name TEXT NOT NULL,
	PRIMARY KEY (host_id, group_name)
) WITHOUT ROWID;
CREATE INDEX host_group_members_group ON host_group_members (group_name, host_id);

-- One row per host and group: which hosts are in "gpu"?
CREATE VIEW host_groups AS
SELECT h.hostname, m.group_name
FROM host_group_members m
JOIN hosts h ON h.id = m.host_id;

-- host_status gains its last column: the host's groups, sorted,
-- comma-separated (NULL: none known).
DROP VIEW host_status;
CREATE VIEW host_status AS
SELECT h.hostname,
       o.collected_at,
       c.kernel,
       c.product_name,
       c.bios_version,
       c.cpu_vendor,
       c.iommu_vendor,
       c.iommu_enabled,
       c.interrupt_remapping,
       c.irq_mode,
       c.default_domain,
       c.fault_total AS dma_faults,
       c.firmware_bugs,
       c.group_count,
       c.device_count,
       c.verdict,
       c.reason,
       a.status AS last_attempt_status,
       a.error AS last_error,
       (SELECT group_concat(group_name, ',')
        FROM (SELECT group_name FROM host_group_members
              WHERE host_id = h.id ORDER BY group_name)) AS groups
FROM hosts h
LEFT JOIN observations o ON o.id = h.latest_observation_id
LEFT JOIN contents c ON c.id = o.content_id
LEFT JOIN collection_attempts a ON a.id = h.last_attempt_id;
