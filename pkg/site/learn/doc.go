// Package learn learns each sensor's site from its own traffic, so that a
// home router behind NAT needs no site configuration: which interfaces face
// the inside and which the outside, the router's outside addresses (which
// the ISP changes), and the site's own IPv6 prefixes (a tunnel broker's or
// an ISP's /48 or /56). The collector (gflowcap) types flows and decides
// which addresses get country "--" with what was learned; a site
// configuration that says otherwise wins, sensor by sensor and item by item
// (site.Sensor.InternalConfigured, site.Sensor.AppliesInterfaces), and
// "learn = false" turns it off for a sensor or the whole site.
//
// # Evidence: two-way conversations
//
// Everything starts from conversations: a connection that an inside host
// (an address in the internal networks: the private and CGNAT ranges by
// default) opened to the outside, and its reply — from the same remote
// address and port, to the same local port (ICMP echo: request and
// reply), within two minutes. The reply shows what a NAT router's export
// otherwise hides: the address it arrived at (the outside address, when it
// is not the inside host), the interface it arrived on (external) and the
// one the connection left from (internal). A spoofer who cannot see a
// connection cannot answer it, so one-way floods add no evidence at all.
//
// # Outside addresses
//
// An address that receives replies to inside hosts' connections, or that
// the exporter's post-NAT fields name in both directions of a conversation
// (kept in nhIP, see package netflow), is an outside address of the sensor
// once 3 replies from at least 2 remote addresses showed it. While current,
// flows to and from it are in/out (never ext2ext) and it gets "--". It ends
// when another outside address has replaced it and it has not been seen for
// 10 minutes, or after a day unseen; the time line keeps each period. In
// the inside view, a matched reply's destination is rewritten to the inside
// host that opened the connection, and the outside address it arrived at is
// kept in nhIP (gcut --fields=dip,nhip shows both).
//
// # Interface roles
//
// Each conversation votes: the connection's input interface is internal,
// the reply's is external. A role is established after 8 votes with at most
// one in 20 against. Once an internal and an external role are established,
// and 8 conversations showed output interfaces in both directions (so the
// exporter reports them), the sensor types flows by interface as a file
// with external-interfaces (the learned ones) and null-interfaces = [0]
// would: every other interface is internal, output interface 0 (dropped, or
// for the router itself) is null, and direction no longer depends on any
// address. Exporters that send interface index 0 (softflowd, many v5
// exporters) vote for nothing, and their sensors keep typing by address
// with the learned outside addresses and prefixes added.
//
// Established roles are judged again every 24 hours (of flow time): a role
// flips only when the whole window brought not one conversation supporting
// it and at least 8 against it. Spoofed traffic can add votes but never
// remove the real ones, so no burst can flip an interface.
//
// # Internal IPv6 prefixes
//
// An IPv6 /64 is inside when 4 flows showed it through an internal
// interface (sent from one to an external interface, or delivered from an
// external interface to one) — rule 1, on sensors typing by interface — or,
// on a NAT router without interface indexes, when it held two-way
// conversations with 12 different /48s — rule 2: a site's own /64 talks
// with the whole world, a remote server's only with this site. Inside /64s
// are grouped by /48 and each group gives one prefix: the /64 alone, the
// /56 holding all of them when they fit in one, else the /48. Learning never
// gives a prefix shorter than /48 (MinPrefixBits): a tunnel broker's or an
// ISP's shorter blocks hold other customers. A prefix gets "--" and, on
// sensors typing by address, counts as internal, unless the file lists the
// internal networks. A /64 unseen for 30 days is forgotten.
//
// # Cost
//
// A sensor that has shown no outside address in its first 10,000
// connections looks at one IPv4 flow in 8 until one appears (a NAT router
// shows it in its first conversations; a site without NAT needs a few
// conversations to learn its interfaces, not all of them), and replies to
// private addresses are looked up one in 16 (for double NAT); a NAT
// router's sensor remembers every connection, so that every reply is
// recorded for its inside host.
//
// # Bounds
//
// Memory is fixed whatever the traffic: the connection table has 64 Ki
// slots (4.5 MiB) and a new connection overwrites its slot; per sensor at
// most 8 candidate outside addresses, 64 interfaces, 1024 /64s being
// counted (weak evidence is dropped first) and 64 inside /64s, and a time
// line of 32 periods. The learner's clock is the flows' end time, never
// more than an hour ahead of the wall clock.
package learn
