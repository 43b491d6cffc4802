package clickhouse

// Srv is the package's shared server, for the tests of package
// clickhouse_test.
var Srv = &srv
