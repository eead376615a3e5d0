-- 005-history-drift.sql - history that stays fast, and drift that is caught.
--
-- host_changes used to compare every pair of consecutive observations with
-- a window over the whole observations table at every query: 1.4 s at
-- 10,000 hosts x 30 observations, growing with history.  Now each change is
-- recorded once, when the observation that shows it is inserted (triggers,
-- so inside the transaction that stores the report, whatever the
-- transport), and the view only reads it.
--
-- cohort_outliers used to compare a host only with hosts of the same
-- product and BIOS version: a host that got a new BIOS with interrupt
-- remapping off sat alone in its own cohort and was never reported.  Now a
-- host is also compared with every host of its product (a BIOS version that
-- is not the product's usual one is itself a difference), and a cohort
-- with no majority is reported as a tie instead of nothing.

DROP VIEW host_changes;
DROP VIEW content_transitions;

-- Consecutive distinct contents of a host (by collected_at, then id), keyed
-- by the observation that shows the new one.
CREATE TABLE content_transitions (
	obs_id INTEGER PRIMARY KEY REFERENCES observations (id) ON DELETE CASCADE,
	host_id INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
	changed_at TEXT NOT NULL,     -- collected_at of obs_id
	old_id INTEGER NOT NULL,      -- contents.id before (may be pruned since)
	new_id INTEGER NOT NULL       -- contents.id after
);

-- One row per changed field of a transition: what host_changes shows.
-- Values are copied, so pruning old contents keeps the history readable.
CREATE TABLE host_change_rows (
	obs_id INTEGER NOT NULL REFERENCES content_transitions (obs_id) ON DELETE CASCADE,
	field TEXT NOT NULL,
	host_id INTEGER NOT NULL,
	changed_at TEXT NOT NULL,
	old_value TEXT,
	new_value TEXT,
	PRIMARY KEY (obs_id, field)
) WITHOUT ROWID;
CREATE INDEX host_change_rows_time ON host_change_rows (changed_at);
CREATE INDEX host_change_rows_host ON host_change_rows (host_id, changed_at);

-- A transition's fields, computed once.  Group membership is compared per
-- device (its group's members), since group numbers may change from boot
-- to boot.  (No WITH clause: SQLite does not allow one in a trigger.)
CREATE TRIGGER content_transitions_diff AFTER INSERT ON content_transitions
BEGIN
INSERT INTO host_change_rows (obs_id, field, host_id, changed_at, old_value, new_value)
SELECT NEW.obs_id, d.field, NEW.host_id, NEW.changed_at, d.old_value, d.new_value
FROM (
	SELECT 'iommu_vendor' AS field, CAST(a.iommu_vendor AS TEXT) AS old_value,
	       CAST(b.iommu_vendor AS TEXT) AS new_value
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.iommu_vendor IS NOT b.iommu_vendor
	UNION ALL
	SELECT 'iommu_enabled', CAST(a.iommu_enabled AS TEXT), CAST(b.iommu_enabled AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.iommu_enabled IS NOT b.iommu_enabled
	UNION ALL
	SELECT 'default_domain', CAST(a.default_domain AS TEXT), CAST(b.default_domain AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.default_domain IS NOT b.default_domain
	UNION ALL
	SELECT 'interrupt_remapping', CAST(a.interrupt_remapping AS TEXT),
	       CAST(b.interrupt_remapping AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.interrupt_remapping IS NOT b.interrupt_remapping
	UNION ALL
	SELECT 'irq_mode', CAST(a.irq_mode AS TEXT), CAST(b.irq_mode AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.irq_mode IS NOT b.irq_mode
	UNION ALL
	SELECT 'x2apic_optout', CAST(a.x2apic_optout AS TEXT), CAST(b.x2apic_optout AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.x2apic_optout IS NOT b.x2apic_optout
	UNION ALL
	SELECT 'kernel', CAST(a.kernel AS TEXT), CAST(b.kernel AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.kernel IS NOT b.kernel
	UNION ALL
	SELECT 'bios_version', CAST(a.bios_version AS TEXT), CAST(b.bios_version AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.bios_version IS NOT b.bios_version
	UNION ALL
	SELECT 'cmdline', CAST(a.cmdline AS TEXT), CAST(b.cmdline AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.cmdline IS NOT b.cmdline
	UNION ALL
	SELECT 'verdict', CAST(a.verdict AS TEXT), CAST(b.verdict AS TEXT)
	FROM contents a, contents b WHERE a.id = NEW.old_id AND b.id = NEW.new_id
	  AND a.verdict IS NOT b.verdict
	UNION ALL
	SELECT 'group ' || o.address, o.group_members, n.group_members
	FROM devices o
	LEFT JOIN devices n ON n.content_id = NEW.new_id AND n.address = o.address
	WHERE o.content_id = NEW.old_id AND o.group_members IS NOT n.group_members
	UNION ALL
	SELECT 'group ' || n.address, NULL, n.group_members
	FROM devices n
	WHERE n.content_id = NEW.new_id AND n.group_members IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM devices o WHERE o.content_id = NEW.old_id AND o.address = n.address)
	UNION ALL
	SELECT 'driver ' || o.address, o.driver, n.driver
	FROM devices o
	LEFT JOIN devices n ON n.content_id = NEW.new_id AND n.address = o.address
	WHERE o.content_id = NEW.old_id AND o.driver IS NOT n.driver
	UNION ALL
	SELECT 'driver ' || n.address, NULL, n.driver
	FROM devices n
	WHERE n.content_id = NEW.new_id AND n.driver IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM devices o WHERE o.content_id = NEW.old_id AND o.address = n.address)
) d;
END;

-- The history of the databases that exist: the old window, once.
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT id, host_id, collected_at, old_id, content_id
FROM (SELECT id, host_id, collected_at, content_id,
             lag(content_id) OVER (PARTITION BY host_id ORDER BY collected_at, id) AS old_id
      FROM observations)
WHERE old_id IS NOT NULL AND old_id <> content_id;

-- A new observation: a transition from the one before it, and, when it
-- arrived late (a spooled report older than the latest), the transition of
-- the one after it is recomputed against it.  Two index lookups on
-- observations_host; an unchanged report adds nothing.
CREATE TRIGGER observations_transitions AFTER INSERT ON observations
BEGIN
DELETE FROM content_transitions
WHERE obs_id = (SELECT id FROM observations
                WHERE host_id = NEW.host_id AND (collected_at, id) > (NEW.collected_at, NEW.id)
                ORDER BY collected_at, id LIMIT 1);
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT NEW.id, NEW.host_id, NEW.collected_at, p.content_id, NEW.content_id
FROM (SELECT content_id FROM observations
      WHERE host_id = NEW.host_id AND (collected_at, id) < (NEW.collected_at, NEW.id)
      ORDER BY collected_at DESC, id DESC LIMIT 1) p
WHERE p.content_id <> NEW.content_id;
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT n.id, NEW.host_id, n.collected_at, NEW.content_id, n.content_id
FROM (SELECT id, collected_at, content_id FROM observations
      WHERE host_id = NEW.host_id AND (collected_at, id) > (NEW.collected_at, NEW.id)
      ORDER BY collected_at, id LIMIT 1) n
WHERE n.content_id <> NEW.content_id;
END;

-- Same name and columns as before; reads the recorded rows.
CREATE VIEW host_changes AS
SELECT h.hostname, r.changed_at, r.field, r.old_value, r.new_value
FROM host_change_rows r JOIN hosts h ON h.id = r.host_id;

-- Two cohorts per host: its product and BIOS version ("product+bios", as
-- before), and its product across BIOS versions ("product", where
-- bios_version is a compared field too).  A field of a cohort with a
-- majority (more than half) lists the hosts that differ from it; one with
-- no majority lists every host, tie = 1, cohort_value the most common value
-- of the others.  A "product" row is left out when the host's
-- "product+bios" cohort already says the same (one BIOS version in use).
DROP VIEW cohort_outliers;
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
	SELECT hostname, product_name, bios_version, 'interrupt_remapping', coalesce(CAST(interrupt_remapping AS TEXT), 'unknown') FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'irq_mode', coalesce(irq_mode, 'unknown') FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'default_domain', coalesce(default_domain, 'unknown') FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'x2apic_optout', coalesce(CAST(x2apic_optout AS TEXT), 'unknown') FROM latest
	UNION ALL
	SELECT hostname, product_name, bios_version, 'grouping', coalesce(grouping, 'unknown') FROM latest
), k AS MATERIALIZED (
	SELECT 'product+bios' AS cohort, hostname, product_name, bios_version,
	       bios_version AS ckey, field, value FROM f
	UNION ALL
	SELECT 'product', hostname, product_name, bios_version, '', field, value FROM f
	UNION ALL
	SELECT 'product', hostname, product_name, bios_version, '', 'bios_version',
	       bios_version FROM latest
), counts AS MATERIALIZED (
	SELECT cohort, product_name, ckey, field, value, count(*) AS n
	FROM k GROUP BY cohort, product_name, ckey, field, value
), tot AS MATERIALIZED (
	SELECT cohort, product_name, ckey, field, sum(n) AS total, max(n) AS top,
	       count(*) AS nvalues
	FROM counts GROUP BY cohort, product_name, ckey, field
), rows AS (
	SELECT k.cohort, k.hostname, k.product_name, k.bios_version, k.field, k.value,
	       t.total, 2 * t.top <= t.total AS tie,
	       (SELECT c.value FROM counts c
	        WHERE c.cohort = k.cohort AND c.product_name = k.product_name
	          AND c.ckey = k.ckey AND c.field = k.field AND c.value <> k.value
	        ORDER BY c.n DESC, c.value LIMIT 1) AS other
	FROM k JOIN tot t
	  ON t.cohort = k.cohort AND t.product_name = k.product_name AND t.ckey = k.ckey
	 AND t.field = k.field
	WHERE t.nvalues > 1
), out AS (
	SELECT r.*, c.n AS agree
	FROM rows r JOIN counts c
	  ON c.cohort = r.cohort AND c.product_name = r.product_name
	 AND c.ckey = (CASE r.cohort WHEN 'product' THEN '' ELSE r.bios_version END)
	 AND c.field = r.field AND c.value = r.other
	-- with a majority, the majority's own hosts are not outliers
	WHERE r.tie OR 2 * c.n > r.total
)
SELECT o.hostname, o.product_name, o.bios_version, o.field, o.value,
       o.other AS cohort_value, o.agree AS cohort_agree, o.total AS cohort_size,
       o.cohort, o.tie
FROM out o
WHERE o.cohort = 'product+bios' OR NOT EXISTS
	(SELECT 1 FROM out b WHERE b.cohort = 'product+bios' AND b.hostname = o.hostname
	   AND b.field = o.field);
