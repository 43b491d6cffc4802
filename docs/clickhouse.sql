-- gflow's flow table in ClickHouse.
--
-- gflowcap --clickhouse=http://HOST:8123/ creates this table (named by
-- --clickhouse-table, default "flows") when it does not exist, in the
-- layout the server's version allows; create it yourself to choose the
-- name, the engine (ReplicatedMergeTree, a Distributed table over shards:
-- docs/clickhouse.md) or a TTL. gflowcap writes the columns it finds, in
-- either layout, and refuses a column of another type, naming it.
--
--   clickhouse-client --database=netflow --multiquery < docs/clickhouse.sql
--
-- Column names are gflow's field names (gcut, gstats) in lower case, so
--   gfilter ... | gstats --fields=dcc --values=bytes
-- reads as
--   SELECT dcc, sum(bytes) FROM flows WHERE ... GROUP BY dcc
-- Parquet files of gfilter --output-format=parquet use the same names.
--
-- Times are UTC. Addresses are 16 bytes, IPv4 as ::ffff:a.b.c.d (what
-- ClickHouse's IPv6 type and toIPv6() hold), so one column serves both
-- families: IPv6NumToString(sip) prints it. sip4 and dip4 repeat IPv4
-- addresses as numbers (0 for IPv6 flows), so that IPv4 ranges are plain
-- comparisons: sip4 BETWEEN IPv4StringToNum('10.0.0.0') AND
-- IPv4StringToNum('10.255.255.255'). Countries are lower case, "--" for
-- private and unknown addresses, as gcut prints them.
--
-- Days are partitions: a day is dropped at once
--   ALTER TABLE flows DROP PARTITION 20240501
-- and a query on a time range reads only its days. The order key serves
-- the map and the drill-downs: a time range, a type, a country.
--
-- batch_id is not a flow field: gflowcap gives each insert an id, so that
-- a batch sent again after a failure (the server took it but its answer
-- was lost) is recognised and not stored twice.


-- On servers from 21.8 on, gflowcap creates the modern layout: the same
-- columns, DateTime64(3) times (the *_ms columns are computed) and the
-- IPv6/IPv4 types, which hold the same bytes and print as addresses.
--
-- CREATE TABLE IF NOT EXISTS flows
-- (
--     stime          DateTime64(3, 'UTC'), -- flow start (UTC)
--     stime_ms       UInt16 ALIAS toUInt16(toUnixTimestamp64Milli(stime) % 1000), -- milliseconds of the start
--     etime          DateTime64(3, 'UTC'), -- flow end (UTC)
--     etime_ms       UInt16 ALIAS toUInt16(toUnixTimestamp64Milli(etime) % 1000), -- milliseconds of the end
--     duration       UInt32 ALIAS toUnixTimestamp64Milli(etime) - toUnixTimestamp64Milli(stime), -- milliseconds
--     sensor         LowCardinality(String), -- sensor name (site configuration)
--     sensor_id      UInt16, -- sensor id
--     type           Enum8('in' = 0, 'out' = 1, 'inweb' = 2, 'outweb' = 3, 'innull' = 4, 'outnull' = 5, 'int2int' = 6, 'ext2ext' = 7, 'inicmp' = 8, 'outicmp' = 9, 'other' = 10), -- SiLK flow type
--     sip            IPv6, -- source address; IPv4 as ::ffff:a.b.c.d
--     dip            IPv6, -- destination address
--     nhip           IPv6, -- next hop (zero: none)
--     sip4           IPv4, -- IPv4 source, 0 for IPv6 flows
--     dip4           IPv4, -- IPv4 destination, 0 for IPv6 flows
--     sport          UInt16,
--     dport          UInt16, -- for ICMP: type*256+code
--     protocol       UInt8,
--     packets        UInt64,
--     bytes          UInt64,
--     flags          UInt8, -- TCP flags of all packets
--     initial_flags  UInt8,
--     session_flags  UInt8,
--     attributes     UInt8, -- SiLK attributes (S T C F)
--     tos            UInt8,
--     application    UInt16,
--     input          UInt32, -- input interface (SNMP index)
--     output         UInt32, -- output interface
--     sas            UInt32, -- source AS
--     das            UInt32, -- destination AS
--     sampling_rate  UInt32, -- exporter's sampling interval (0 or 1: none)
--     scc            LowCardinality(FixedString(2)), -- source country, lower case ("--": none)
--     dcc            LowCardinality(FixedString(2)), -- destination country
--     batch_id       UInt64 -- insert batch, so that a batch sent again is recognised
-- )
-- ENGINE = MergeTree
-- PARTITION BY toYYYYMMDD(stime)
-- ORDER BY (toStartOfHour(stime), type, dcc, scc);

-- The portable layout, for every server from 18.x on (Debian's 18.16 too):
CREATE TABLE IF NOT EXISTS flows
(
    stime          DateTime('UTC'), -- flow start (UTC)
    stime_ms       UInt16, -- milliseconds of the start
    etime          DateTime('UTC'), -- flow end (UTC)
    etime_ms       UInt16, -- milliseconds of the end
    duration       UInt32 ALIAS (toUInt32(etime) - toUInt32(stime)) * 1000 + etime_ms - stime_ms, -- milliseconds
    sensor         String, -- sensor name (site configuration)
    sensor_id      UInt16, -- sensor id
    type           Enum8('in' = 0, 'out' = 1, 'inweb' = 2, 'outweb' = 3, 'innull' = 4, 'outnull' = 5, 'int2int' = 6, 'ext2ext' = 7, 'inicmp' = 8, 'outicmp' = 9, 'other' = 10), -- SiLK flow type
    sip            FixedString(16), -- source address; IPv4 as ::ffff:a.b.c.d
    dip            FixedString(16), -- destination address
    nhip           FixedString(16), -- next hop (zero: none)
    sip4           UInt32, -- IPv4 source, 0 for IPv6 flows
    dip4           UInt32, -- IPv4 destination, 0 for IPv6 flows
    sport          UInt16,
    dport          UInt16, -- for ICMP: type*256+code
    protocol       UInt8,
    packets        UInt64,
    bytes          UInt64,
    flags          UInt8, -- TCP flags of all packets
    initial_flags  UInt8,
    session_flags  UInt8,
    attributes     UInt8, -- SiLK attributes (S T C F)
    tos            UInt8,
    application    UInt16,
    input          UInt32, -- input interface (SNMP index)
    output         UInt32, -- output interface
    sas            UInt32, -- source AS
    das            UInt32, -- destination AS
    sampling_rate  UInt32, -- exporter's sampling interval (0 or 1: none)
    scc            FixedString(2), -- source country, lower case ("--": none)
    dcc            FixedString(2), -- destination country
    batch_id       UInt64 -- insert batch, so that a batch sent again is recognised
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(stime)
ORDER BY (toStartOfHour(stime), type, dcc, scc);
