-- 001-initial.sql - the first iommu-fleet schema: tables, indexes, views.
-- Applied once by the collector when PRAGMA user_version < 1; never edited
-- after release (add 002-*.sql instead).  Views are the public interface.

CREATE TABLE hosts (
	id INTEGER PRIMARY KEY,
	hostname TEXT NOT NULL UNIQUE,
	first_seen TEXT NOT NULL,
	latest_observation_id INTEGER, -- observation with the greatest collected_at
	last_attempt_id INTEGER        -- most recent collection attempt
);

-- One distinct report content of a host.  Repeated identical reports share
-- it; sha256 is over the report's JSON text with the values of report_id
-- and collected_at cut out (collector/report_key.h).
CREATE TABLE contents (
	id INTEGER PRIMARY KEY,
	host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	sha256 TEXT NOT NULL,
	agent_version TEXT,
	reported_hostname TEXT,
	machine_id TEXT,
	kernel TEXT,
	os TEXT,
	sys_vendor TEXT,
	product_name TEXT,
	bios_version TEXT,
	bios_date TEXT,
	cpu_vendor TEXT,
	cpu_model TEXT,
	cpu_virtualization TEXT,
	cmdline TEXT,
	iommu_vendor TEXT,
	iommu_enabled INTEGER,        -- 1, 0, NULL unknown
	default_domain TEXT,
	interrupt_remapping INTEGER,  -- 1, 0, NULL unknown
	irq_mode TEXT,
	x2apic_optout INTEGER,
	iommu_units INTEGER,
	kernel_log_source TEXT,
	kernel_log_complete INTEGER,
	fault_total INTEGER,
	firmware_bugs INTEGER,
	group_count INTEGER NOT NULL,
	device_count INTEGER NOT NULL,
	grouping TEXT,                -- short hash of the group membership
	verdict TEXT NOT NULL,
	reason TEXT,
	report_json TEXT NOT NULL,    -- the raw report as received (first copy)
	UNIQUE (sha256, host_id)   -- also finds a content by hash alone
);

CREATE TABLE observations (
	id INTEGER PRIMARY KEY,
	host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	report_id TEXT NOT NULL UNIQUE,
	collected_at TEXT NOT NULL,
	received_at TEXT NOT NULL,
	transport TEXT NOT NULL
);
CREATE INDEX observations_host ON observations (host_id, collected_at, id);
CREATE INDEX observations_content ON observations (content_id);

CREATE TABLE iommu_groups (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,         -- position in the report
	group_id INTEGER,             -- NULL when the host did not say
	type TEXT,
	device_count INTEGER NOT NULL,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE reserved_regions (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	group_seq INTEGER NOT NULL,   -- iommu_groups.seq
	seq INTEGER NOT NULL,
	start TEXT NOT NULL,          -- "0x00000000fee00000": 64-bit, kept as text
	"end" TEXT NOT NULL,
	type TEXT,
	PRIMARY KEY (content_id, group_seq, seq)
) WITHOUT ROWID;

CREATE TABLE devices (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	address TEXT NOT NULL,
	group_id INTEGER,             -- NULL: in no IOMMU group (or its number unknown)
	group_size INTEGER,           -- devices in its group, NULL when in none
	group_members TEXT,           -- sorted addresses of its group, space-separated
	vendor_id INTEGER,
	device_id INTEGER,
	subsystem_vendor_id INTEGER,
	subsystem_device_id INTEGER,
	class INTEGER,
	name TEXT,
	driver TEXT,
	reset_methods TEXT,           -- space-separated
	boot_vga INTEGER,
	isolated INTEGER,
	verdict TEXT NOT NULL,
	reasons TEXT,                 -- "; "-separated
	PRIMARY KEY (content_id, address)
) WITHOUT ROWID;

CREATE TABLE cmdline_params (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	key TEXT NOT NULL,
	value TEXT,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE kernel_log_lines (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	time REAL,                    -- seconds since boot, NULL when absent
	level INTEGER,
	text TEXT NOT NULL,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE faults (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	address TEXT NOT NULL,
	kind TEXT,
	reason TEXT,
	count INTEGER NOT NULL,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE checks (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	check_id TEXT NOT NULL,
	status TEXT NOT NULL,
	summary TEXT,
	evidence TEXT,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE report_errors (
	content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	text TEXT NOT NULL,
	PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

-- Every collection attempt of every transport, failed ones included.
CREATE TABLE collection_attempts (
	id INTEGER PRIMARY KEY,
	host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	transport TEXT NOT NULL,      -- "import", "ssh", "http"
	status TEXT NOT NULL,         -- "stored", "unchanged", "rejected", "failed", ...
	error TEXT,
	observation_id INTEGER
);
CREATE INDEX collection_attempts_host ON collection_attempts (host_id, id);

-- Views: the public interface for sqlite3 users (docs/views.md).

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
       a.error AS last_error
FROM hosts h
LEFT JOIN observations o ON o.id = h.latest_observation_id
LEFT JOIN contents c ON c.id = o.content_id
LEFT JOIN collection_attempts a ON a.id = h.last_attempt_id;

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
       d.reasons
FROM hosts h
JOIN observations o ON o.id = h.latest_observation_id
JOIN devices d ON d.content_id = o.content_id;

-- Consecutive distinct reports of each host (by collected_at).
CREATE VIEW content_transitions AS
SELECT host_id, changed_at, old_id, new_id
FROM (SELECT host_id,
             collected_at AS changed_at,
             lag(content_id) OVER (PARTITION BY host_id ORDER BY collected_at, id) AS old_id,
             content_id AS new_id
      FROM observations)
WHERE old_id IS NOT NULL AND old_id <> new_id;

-- What differs between consecutive distinct reports of a host.  Group
-- membership is compared per device (its group's members), since group
-- numbers may change from boot to boot.
CREATE VIEW host_changes AS
WITH t AS (
	SELECT h.hostname, x.changed_at, x.old_id, x.new_id
	FROM content_transitions x JOIN hosts h ON h.id = x.host_id
)
SELECT t.hostname, t.changed_at, 'iommu_vendor' AS field,
       CAST(a.iommu_vendor AS TEXT) AS old_value, CAST(b.iommu_vendor AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.iommu_vendor IS NOT b.iommu_vendor
UNION ALL
SELECT t.hostname, t.changed_at, 'iommu_enabled' AS field,
       CAST(a.iommu_enabled AS TEXT) AS old_value, CAST(b.iommu_enabled AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.iommu_enabled IS NOT b.iommu_enabled
UNION ALL
SELECT t.hostname, t.changed_at, 'default_domain' AS field,
       CAST(a.default_domain AS TEXT) AS old_value, CAST(b.default_domain AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.default_domain IS NOT b.default_domain
UNION ALL
SELECT t.hostname, t.changed_at, 'interrupt_remapping' AS field,
       CAST(a.interrupt_remapping AS TEXT) AS old_value, CAST(b.interrupt_remapping AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.interrupt_remapping IS NOT b.interrupt_remapping
UNION ALL
SELECT t.hostname, t.changed_at, 'irq_mode' AS field,
       CAST(a.irq_mode AS TEXT) AS old_value, CAST(b.irq_mode AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.irq_mode IS NOT b.irq_mode
UNION ALL
SELECT t.hostname, t.changed_at, 'x2apic_optout' AS field,
       CAST(a.x2apic_optout AS TEXT) AS old_value, CAST(b.x2apic_optout AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.x2apic_optout IS NOT b.x2apic_optout
UNION ALL
SELECT t.hostname, t.changed_at, 'kernel' AS field,
       CAST(a.kernel AS TEXT) AS old_value, CAST(b.kernel AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.kernel IS NOT b.kernel
UNION ALL
SELECT t.hostname, t.changed_at, 'bios_version' AS field,
       CAST(a.bios_version AS TEXT) AS old_value, CAST(b.bios_version AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.bios_version IS NOT b.bios_version
UNION ALL
SELECT t.hostname, t.changed_at, 'cmdline' AS field,
       CAST(a.cmdline AS TEXT) AS old_value, CAST(b.cmdline AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.cmdline IS NOT b.cmdline
UNION ALL
SELECT t.hostname, t.changed_at, 'verdict' AS field,
       CAST(a.verdict AS TEXT) AS old_value, CAST(b.verdict AS TEXT) AS new_value
FROM t JOIN contents a ON a.id = t.old_id JOIN contents b ON b.id = t.new_id
WHERE a.verdict IS NOT b.verdict
UNION ALL
SELECT t.hostname, t.changed_at, 'group ' || o.address,
       o.group_members, n.group_members
FROM t JOIN devices o ON o.content_id = t.old_id
LEFT JOIN devices n ON n.content_id = t.new_id AND n.address = o.address
WHERE o.group_members IS NOT n.group_members
UNION ALL
SELECT t.hostname, t.changed_at, 'group ' || n.address,
       NULL, n.group_members
FROM t JOIN devices n ON n.content_id = t.new_id
WHERE n.group_members IS NOT NULL AND NOT EXISTS
	(SELECT 1 FROM devices o WHERE o.content_id = t.old_id AND o.address = n.address)
UNION ALL
SELECT t.hostname, t.changed_at, 'driver ' || o.address,
       o.driver, n.driver
FROM t JOIN devices o ON o.content_id = t.old_id
LEFT JOIN devices n ON n.content_id = t.new_id AND n.address = o.address
WHERE o.driver IS NOT n.driver
UNION ALL
SELECT t.hostname, t.changed_at, 'driver ' || n.address,
       NULL, n.driver
FROM t JOIN devices n ON n.content_id = t.new_id
WHERE n.driver IS NOT NULL AND NOT EXISTS
	(SELECT 1 FROM devices o WHERE o.content_id = t.old_id AND o.address = n.address);

-- Hosts whose IOMMU state or grouping differs from the majority (more than
-- half) of the hosts with the same product_name and BIOS version.
CREATE VIEW cohort_outliers AS
WITH latest AS (
	SELECT h.hostname, c.product_name, coalesce(c.bios_version, '') AS bios_version,
	       c.iommu_enabled, c.interrupt_remapping, c.irq_mode, c.default_domain,
	       c.x2apic_optout, c.grouping
	FROM hosts h
	JOIN observations o ON o.id = h.latest_observation_id
	JOIN contents c ON c.id = o.content_id
	WHERE c.product_name IS NOT NULL
), f AS (
	SELECT hostname, product_name, bios_version, 'iommu_enabled' AS field, coalesce(CAST(iommu_enabled AS TEXT), 'unknown') AS value FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'interrupt_remapping' AS field, coalesce(CAST(interrupt_remapping AS TEXT), 'unknown') AS value FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'irq_mode' AS field, coalesce(irq_mode, 'unknown') AS value FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'default_domain' AS field, coalesce(default_domain, 'unknown') AS value FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'x2apic_optout' AS field, coalesce(CAST(x2apic_optout AS TEXT), 'unknown') AS value FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'grouping' AS field, coalesce(grouping, 'unknown') AS value FROM latest
), counts AS (
	SELECT product_name, bios_version, field, value, count(*) AS n
	FROM f GROUP BY product_name, bios_version, field, value
), cohort AS (
	SELECT product_name, bios_version, field, sum(n) AS total, max(n) AS top
	FROM counts GROUP BY product_name, bios_version, field
), majority AS (
	SELECT c.product_name, c.bios_version, c.field, c.value, c.n, k.total
	FROM counts c JOIN cohort k
	  ON k.product_name = c.product_name AND k.bios_version = c.bios_version
	 AND k.field = c.field
	WHERE c.n = k.top AND 2 * c.n > k.total
)
SELECT f.hostname, f.product_name, f.bios_version, f.field, f.value,
       m.value AS cohort_value, m.n AS cohort_agree, m.total AS cohort_size
FROM f JOIN majority m
  ON m.product_name = f.product_name AND m.bios_version = f.bios_version
 AND m.field = f.field
WHERE f.value <> m.value;

CREATE VIEW attempts AS
SELECT h.hostname, a.started_at, a.transport, a.status, a.error
FROM collection_attempts a JOIN hosts h ON h.id = a.host_id;
