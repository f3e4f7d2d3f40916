-- 0002_vsn_placement_state.sql - what the SLA engine needs to rebuild the admitted cloud
-- after a restart with exactly the same bounds: every VSN's scheduler placement (hosts,
-- cores and the fixed priorities of all its tasks, which later admissions may renumber)
-- and the order in which VSNs were admitted. Storage nodes have no core.

ALTER TABLE vsns ADD COLUMN placement jsonb;
ALTER TABLE vsns ADD COLUMN admission_seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX vsns_admission_order ON vsns (admission_seq) WHERE state = 'admitted';

ALTER TABLE placements ALTER COLUMN core DROP NOT NULL;
ALTER TABLE placements DROP CONSTRAINT placements_core_check;
ALTER TABLE placements ADD CONSTRAINT placements_core_check CHECK (core IS NULL OR core >= 0);
