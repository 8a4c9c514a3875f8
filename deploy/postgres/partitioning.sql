-- Partitioning `tasks` by month of created_at: an example for an operator at 100× (see docs/scaling.md).
--
-- NOT SUPPORTED BY THE APP TODAY. The schema test, the entities and some statements assume the plain table:
--   * the primary key is (id); on a partitioned table it must include created_at: (id, created_at);
--   * task_attempts and task_checkpoint_parts reference tasks(id) with ON DELETE CASCADE; a foreign key to a
--     partitioned table must name all of its key, so they need a task_created_at column (or no foreign key,
--     with the retention job deleting their rows);
--   * the idempotency index (created_by, idempotency_key) would have to include created_at, and then no longer
--     stops a duplicate in another month: the keys need a table of their own;
--   * reads by id (GET /tasks/:id, the worker) carry no created_at, so they probe every partition's index:
--     cost grows with the number of months kept (time-ordered ids, UUIDv7, would let the app derive the month).
-- The statements below are the plan for when those are done; run them on a copy first. They keep the table
-- writable throughout: the only exclusive lock is the rename in step 4, which is instant.
-- Months here: the old table keeps everything before 2027-01-01; new months start there.

-- 1. The new parent, the same columns and defaults, partitioned by created_at.
CREATE TABLE tasks_partitioned (LIKE tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)
  PARTITION BY RANGE (created_at);
ALTER TABLE tasks_partitioned ADD CONSTRAINT tasks_partitioned_pk PRIMARY KEY (id, created_at);
CREATE INDEX tasks_p_status_created_idx ON tasks_partitioned (status, created_at);
CREATE INDEX tasks_p_agent_created_idx ON tasks_partitioned (agent_id, created_at);
CREATE INDEX tasks_p_creator_created_idx ON tasks_partitioned (created_by, created_at);
CREATE INDEX tasks_p_created_idx ON tasks_partitioned (created_at, id);
CREATE INDEX tasks_p_finished_idx ON tasks_partitioned (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX tasks_p_run_idx ON tasks_partitioned (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX tasks_p_tags_idx ON tasks_partitioned USING gin (tags);
CREATE INDEX tasks_p_metadata_idx ON tasks_partitioned USING gin (metadata jsonb_path_ops);

-- 2. The months ahead (a monthly job, or pg_partman, keeps three months ready).
CREATE TABLE tasks_2027_01 PARTITION OF tasks_partitioned FOR VALUES FROM ('2027-01-01') TO ('2027-02-01');
CREATE TABLE tasks_2027_02 PARTITION OF tasks_partitioned FOR VALUES FROM ('2027-02-01') TO ('2027-03-01');
CREATE TABLE tasks_2027_03 PARTITION OF tasks_partitioned FOR VALUES FROM ('2027-03-01') TO ('2027-04-01');

-- 3. Prepare the old table to become the partition of everything before 2027-01-01, without blocking writes:
--    a unique index matching the new key, built concurrently, and a range check validated under a weak lock.
--    (Run before 2027-01-01: a row created after the bound would fail the check.)
CREATE UNIQUE INDEX CONCURRENTLY tasks_id_created_unique ON tasks (id, created_at);
ALTER TABLE tasks ADD CONSTRAINT tasks_before_2027 CHECK (created_at < '2027-01-01') NOT VALID;
ALTER TABLE tasks VALIDATE CONSTRAINT tasks_before_2027;

-- 4. The swap, in one short transaction: the old table becomes a partition, the new parent takes its name.
--    ATTACH PARTITION skips the scan because the validated check proves the range. Stop the purge job first.
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE tasks RENAME TO tasks_before_2027;
ALTER TABLE tasks_partitioned RENAME TO tasks;
ALTER TABLE tasks ATTACH PARTITION tasks_before_2027 FOR VALUES FROM (MINVALUE) TO ('2027-01-01');
COMMIT;

-- 5. Retention becomes detaching and dropping a month instead of deleting rows in batches (no vacuum debt):
ALTER TABLE tasks DETACH PARTITION tasks_2027_01 CONCURRENTLY;
DROP TABLE tasks_2027_01;
-- The old partition, being large, is still purged by the batched DELETE until it is empty, then dropped.

-- Check what a list reads: the plan must show only the months in the filter's range
-- ("Subplans Removed" or only those partitions), e.g.:
EXPLAIN SELECT id FROM tasks WHERE created_at >= now() - interval '7 days' ORDER BY created_at DESC LIMIT 50;
