-- 007-host-key.sql - one host, one row, whatever the spelling.
--
-- Hosts were keyed on the exact name a report or token gave: "R640-01."
-- and "r640-01" became two hosts, each with half the history, though every
-- transport's identity check (proto/hostname.c hostname_same) calls them
-- one.  hosts.hostname is now the key proto's hostname_key makes (ASCII
-- lower case, one trailing dot dropped), applied in the store for every
-- way in; it is what every view shows, a name DNS calls the same.  The
-- report's own spelling stays in contents.reported_hostname.
--
-- Rows that collide are merged into the one first seen: merging is safe
-- because the names are one DNS name, so the rows are one machine's (two
-- machines cannot hold one name at once; a name passed from one machine
-- to the next is one host here as it was before under a single spelling).
-- Its observations, contents (a content both had is kept once), attempts
-- and groups move to it; its latest report is recomputed by receipt
-- (schema/006) and its history rebuilt from the observations still
-- stored (a change from a pruned report into the first one kept).  Tokens keep the host name they were made with: the store keys
-- it the same way.  fleet_host_key() is collector/db.c's (proto's
-- hostname_key), so this runs only in the collector.

CREATE TEMP TABLE host_merge AS
SELECT h.id AS old_id,
       (SELECT min(k.id) FROM hosts k
        WHERE fleet_host_key(k.hostname) = fleet_host_key(h.hostname)) AS new_id
FROM hosts h;
DELETE FROM temp.host_merge WHERE old_id = new_id;

-- a content two rows of one host have: its first copy, observations
-- repointed (the copy may be another merged row's, moved below)
CREATE TEMP TABLE content_merge AS
SELECT c.id AS old_cid,
       (SELECT min(k.id) FROM contents k
        WHERE k.sha256 = c.sha256
          AND (k.host_id = m.new_id
               OR k.host_id IN (SELECT old_id FROM temp.host_merge WHERE new_id = m.new_id)))
       AS new_cid
FROM contents c JOIN temp.host_merge m ON m.old_id = c.host_id;
DELETE FROM temp.content_merge WHERE old_cid = new_cid;
UPDATE observations
SET content_id = (SELECT new_cid FROM temp.content_merge WHERE old_cid = observations.content_id)
WHERE content_id IN (SELECT old_cid FROM temp.content_merge);
DELETE FROM contents WHERE id IN (SELECT old_cid FROM temp.content_merge);

UPDATE contents SET host_id = (SELECT new_id FROM temp.host_merge WHERE old_id = contents.host_id)
WHERE host_id IN (SELECT old_id FROM temp.host_merge);
UPDATE observations
SET host_id = (SELECT new_id FROM temp.host_merge WHERE old_id = observations.host_id)
WHERE host_id IN (SELECT old_id FROM temp.host_merge);
UPDATE collection_attempts
SET host_id = (SELECT new_id FROM temp.host_merge WHERE old_id = collection_attempts.host_id)
WHERE host_id IN (SELECT old_id FROM temp.host_merge);
INSERT OR IGNORE INTO host_group_members (host_id, group_name)
SELECT m.new_id, g.group_name
FROM host_group_members g JOIN temp.host_merge m ON m.old_id = g.host_id;

-- the survivors: first seen, last attempt, latest report, history
UPDATE hosts SET
	first_seen = (SELECT min(k.first_seen) FROM hosts k
	              WHERE k.id = hosts.id
	                 OR k.id IN (SELECT old_id FROM temp.host_merge WHERE new_id = hosts.id)),
	last_attempt_id = (SELECT max(a.id) FROM collection_attempts a WHERE a.host_id = hosts.id),
	latest_observation_id = (SELECT o.id FROM observations o WHERE o.host_id = hosts.id
	                         ORDER BY o.received_at DESC, o.id DESC LIMIT 1)
WHERE id IN (SELECT new_id FROM temp.host_merge);
-- history: the merged rows' changes move to the survivor, then its history
-- is rebuilt by receipt from the reports still stored, keeping the change
-- into its first stored report when the content it came from has no stored
-- report left (pruned): 005 copied its values into host_change_rows so
-- that it stays readable, and no stored pair of reports can recompute it.
UPDATE content_transitions
SET host_id = (SELECT new_id FROM temp.host_merge WHERE old_id = content_transitions.host_id)
WHERE host_id IN (SELECT old_id FROM temp.host_merge);
UPDATE host_change_rows
SET host_id = (SELECT new_id FROM temp.host_merge WHERE old_id = host_change_rows.host_id)
WHERE host_id IN (SELECT old_id FROM temp.host_merge);
DELETE FROM content_transitions
WHERE host_id IN (SELECT new_id FROM temp.host_merge)
  AND NOT (obs_id = (SELECT o.id FROM observations o WHERE o.host_id = content_transitions.host_id
                     ORDER BY o.received_at, o.id LIMIT 1)
           AND old_id NOT IN (SELECT o.content_id FROM observations o
                              WHERE o.host_id = content_transitions.host_id));
DELETE FROM hosts WHERE id IN (SELECT old_id FROM temp.host_merge);
INSERT INTO content_transitions (obs_id, host_id, changed_at, old_id, new_id)
SELECT id, host_id, collected_at, old_id, content_id
FROM (SELECT id, host_id, collected_at, content_id,
             lag(content_id) OVER (PARTITION BY host_id ORDER BY received_at, id) AS old_id
      FROM observations WHERE host_id IN (SELECT new_id FROM temp.host_merge))
WHERE old_id IS NOT NULL AND old_id <> content_id;

UPDATE hosts SET hostname = fleet_host_key(hostname) WHERE hostname <> fleet_host_key(hostname);

DROP TABLE temp.content_merge;
DROP TABLE temp.host_merge;
