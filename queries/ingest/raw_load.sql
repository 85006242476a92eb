-- name: raw_load
-- purpose: Insert a whole raw table from the registered frame `frame` (demo and fixture builds), cast to the contract's types.
-- grain: one row per frame row; identifiers: table (from the contract)
-- params: none
insert into raw.{table} by name select * from frame
