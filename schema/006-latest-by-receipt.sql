-- 006-latest-by-receipt.sql - a host's latest report is the one the
-- collector received last, not the one that claims the latest time.
--
-- hosts.latest_observation_id pointed at the greatest collected_at: the
-- host's own claim.  One report stamped ahead (a clock set wrong, or a
-- report stored before collectors refused times ahead of their clock)
-- stayed the latest, and host_status showed it, until the host's clock
-- caught up; a fixed host looked broken the while.  Now latest is the
-- greatest (received_at, id): the collector's clock and the order reports
-- arrive in.  The agent's spool sends its backlog oldest first
-- (agent/spool.c), so a drained spool still ends on the newest report.
-- The host's claim stays visible: host_status.collected_at is the latest
-- report's collected_at, and received_at is added as its last column.
--
-- History follows the same order, so that a host's last change always
-- ends at what host_status shows (with history by claimed time, a report
-- stamped ahead would stay the end of the history while host_status had
-- moved on).  changed_at stays the claimed time of the report that shows
-- the change, received_at is added to host_changes.  A host whose reports
-- arrived in another order than they claim has its history rebuilt once
-- from the observations still stored (and the change from a pruned report
-- into the first one kept); every other host keeps its history as
-- recorded, since both orders give the same one.

CREATE INDEX observations_received ON observations (host_id, received_at, id);

UPDATE hosts SET latest_observation_id =
	(SELECT o.id FROM observations o WHERE o.host_id = hosts.id
	 ORDER BY o.received_at DESC, o.id DESC LIMIT 1);

-- The new observation: its transition from the one received before it,
-- and, when the collector's clock went back (one received later sorts
-- before it), the transition of the one after it recomputed.
DROP TRIGGER observations_transitions;
CREATE TRIGGER observations_transitions AFTER INSERT ON observations
BEGIN
DELETE FROM content_transitions
WHERE obs_id = (SELECT id FROM observations
                WHERE host_id = NEW.host_id AND (received_at, id) > (NEW.received_at, NEW.id)
                ORDER BY received_at, id LIMIT 1);
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT NEW.id, NEW.host_id, NEW.collected_at, p.content_id, NEW.content_id
FROM (SELECT content_id FROM observations
      WHERE host_id = NEW.host_id AND (received_at, id) < (NEW.received_at, NEW.id)
      ORDER BY received_at DESC, id DESC LIMIT 1) p
WHERE p.content_id <> NEW.content_id;
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT n.id, NEW.host_id, n.collected_at, NEW.content_id, n.content_id
FROM (SELECT id, collected_at, content_id FROM observations
      WHERE host_id = NEW.host_id AND (received_at, id) > (NEW.received_at, NEW.id)
      ORDER BY received_at, id LIMIT 1) n
WHERE n.content_id <> NEW.content_id;
END;

-- The hosts whose two orders differ: their history again, by receipt.
CREATE TEMP TABLE reordered_hosts AS
SELECT DISTINCT host_id FROM
	(SELECT host_id,
	        row_number() OVER (PARTITION BY host_id ORDER BY collected_at, id) AS by_claim,
	        row_number() OVER (PARTITION BY host_id ORDER BY received_at, id) AS by_receipt
	 FROM observations)
WHERE by_claim <> by_receipt;
-- A rebuilt history keeps the change into a host's first stored report
-- when the content it came from has no stored report left (pruned): 005
-- copied its values into host_change_rows so that it stays readable, and
-- no stored pair of reports can recompute it.
DELETE FROM content_transitions
WHERE host_id IN (SELECT host_id FROM temp.reordered_hosts)
  AND NOT (obs_id = (SELECT o.id FROM observations o WHERE o.host_id = content_transitions.host_id
                     ORDER BY o.received_at, o.id LIMIT 1)
           AND old_id NOT IN (SELECT o.content_id FROM observations o
                              WHERE o.host_id = content_transitions.host_id));
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT id, host_id, collected_at, old_id, content_id
FROM (SELECT id, host_id, collected_at, content_id,
             lag(content_id) OVER (PARTITION BY host_id ORDER BY received_at, id) AS old_id
      FROM observations WHERE host_id IN (SELECT host_id FROM temp.reordered_hosts))
WHERE old_id IS NOT NULL AND old_id <> content_id;
DROP TABLE temp.reordered_hosts;

-- Same columns as before, and the time the latest report was received.
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
              WHERE host_id = h.id ORDER BY group_name)) AS groups,
       o.received_at
FROM hosts h
LEFT JOIN observations o ON o.id = h.latest_observation_id
LEFT JOIN contents c ON c.id = o.content_id
LEFT JOIN collection_attempts a ON a.id = h.last_attempt_id;

DROP VIEW host_changes;
CREATE VIEW host_changes AS
SELECT h.hostname, r.changed_at, r.field, r.old_value, r.new_value, o.received_at
FROM host_change_rows r JOIN hosts h ON h.id = r.host_id
JOIN observations o ON o.id = r.obs_id;
