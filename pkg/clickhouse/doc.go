// Package clickhouse sends flows to ClickHouse: the flow table's columns
// (docs/clickhouse.sql is generated from them), a small client of
// ClickHouse's HTTP interface that inserts RowBinary, and the collector's
// Sink, which batches records, retries with back-off, keeps the batches
// the server cannot take in a spool of flow files, and sends them when it
// is back, checking first that an earlier attempt did not land, so that
// none arrives twice.
//
// Two layouts of the table exist. The portable one works on every server
// from 18.x on (Debian's clickhouse-server is 18.16): DateTime seconds plus
// a milliseconds column, addresses as FixedString(16). Servers from 21.8
// on get DateTime64(3) and the IPv6/IPv4 types, which hold the same bytes
// with a better face. The Sink follows the table as it finds it (DESCRIBE
// TABLE), so a table made on an old server keeps working after an upgrade.
//
// The client speaks plain HTTP rather than through the official
// clickhouse-go driver: the driver's HTTP transport sends a setting that
// servers before 21.x reject, and RowBinary over HTTP works the same on
// every version.
package clickhouse
