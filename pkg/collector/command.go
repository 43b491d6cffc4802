package collector

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/spf13/cobra"
)

func init() { cli.Register("gflowcap", NewCommand) }

// DefaultMetricsAddr is the address the documentation, the examples and
// the systemd unit give --metrics-listen, one port everywhere. Port 9101 is in the range Prometheus keeps for
// exporters (9100-9999), next to the node exporter's 9100; the exporter it
// was first given to (haproxy_exporter) is retired, as HAProxy serves its
// own metrics. The NetFlow ports 2055, 9995 and 9996, which routers send
// to, are avoided: a metrics listener there confuses firewall rules and
// anyone reading ss -lnp.
const DefaultMetricsAddr = "127.0.0.1:9101"

// NewCommand builds the gflowcap command around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	var (
		cfg                     Config
		rcvbuf, retainSize      string
		allow                   []string
		retainDays              float64
		natView                 string
		flushEvery, statsEvery  time.Duration
		rejectPast, rejectAhead int
		printLearned            bool
	)
	cmd := &cobra.Command{
		Use:   "gflowcap [switches]",
		Short: "Collect NetFlow v5/v9 and IPFIX exports into the hourly flow repository",
		Long: `gflowcap receives NetFlow v5, v9 and IPFIX exports from routers over UDP
(or reads them from pcap captures), gives every flow its sensor and its
SiLK twoway type from the site configuration, adds source and destination
country codes and AS numbers, and appends it to the hourly file of its
start hour: ROOT/TYPE/YYYY/MM/DD/FLOWTYPE-SENSOR_YYYYMMDD.HH (UTC).

AS numbers come from the exporter when it sends them (BGP routers); a
zero is filled from the AS database (--asn-db, the site configuration's
asn-db, GFLOW_ASN_DB, else the built-in one), except for internal and
special-purpose addresses, which keep AS 0. Organisations' names are not
stored: gcut and gstats look them up when they print sASName, dASName.

It logs one line when it starts (what it listens on, where it writes, the
site configuration, the metrics address), one for the first packet of each
exporter (its address, NetFlow version and observation domain), one when a
template first arrives, and the exporters it refuses (by address, at most
one line per exporter every 10 minutes); --stats-interval adds a summary.
Lines carry a UTC time and go to standard error, or to --log-file. No kind
of line floods the log: of first packets, new templates and flows outside
the time window, 32 are logged at once and then one a minute; of each kind
of error (a read-only repository, a full disk), one a minute; each says
how many like it were held back, and at exit a line counts the rest.

Files are flushed every --flush-interval, so a crash loses at most that
much. A power cut can cost more: a flush hands the blocks to the kernel,
which writes them to disk within about 30 s (vm.dirty_expire_centisecs);
files are synced to disk when they are closed. SIGINT and SIGTERM flush
and close everything and exit 0, and a restart appends to the current
hour's files. SIGHUP (systemctl reload) flushes every file, reopens
--log-file (for logrotate) and reads the site configuration again:
changed sensors, exporters and networks apply to the flows received from
then on, and a configuration with an error is reported and the one in
use kept. A file where an hourly file belongs that is not one (not
flows, a damaged header, another sensor's) is renamed to
NAME.bad-YYYYMMDDTHHMMSSZ, kept, and a new file started.

A flow that starts more than --reject-hours-past hours before the export
time of the datagram that carried it, or more than --reject-hours-future
hours after it, is dropped: its times are broken (an exporter's clock,
a hostile sender) and would scatter files over centuries. Such flows are
counted per exporter (gflowcap_flows_outside_window_total, the summary
line) and the log names the first of each exporter.

The decoder's templates are
saved in ROOT/.gflowcap/templates (or --state-dir), so a restarted
collector decodes at once instead of waiting for the exporters to send
their templates again.

With --clickhouse=URL every flow also goes to a ClickHouse table over its
HTTP interface (--clickhouse-only: instead of the files), in batches of
--clickhouse-batch flows and at least every --flush-interval. The table
is created when missing (docs/clickhouse.sql). While the server does not
answer, batches wait as flow files in STATE/clickhouse-spool and are sent
once it does, before a restart too; a batch whose answer was lost is
checked for before it is sent again, so none arrives twice.

--read-pcap records what it read of each capture (its SHA-256) in
ROOT/.gflowcap/pcaps, and refuses to read a capture again, or one that
begins with a capture read before (tcpdump went on writing), since its
flows would be stored twice; --force reads it anyway. There is no undo
of a capture stored twice short of deleting the hourly files of its hours
and reading it again.

Without a site configuration gflowcap says so once and uses one sensor,
S0, for every exporter, with the private ranges (RFC 1918, CGNAT
100.64/10, IPv6 fc00::/7) as the internal networks.

gflowcap learns each sensor's site from its traffic, from replies to the
connections that inside hosts opened: the router's outside addresses behind
NAT (following the ISP's changes), which interfaces face the LAN and which
the outside (then flows are typed by interface), and the site's IPv6
prefixes (a tunnel broker's or an ISP's). Flows are typed with it and the
site's addresses get country "--"; a reply to a NATed connection is recorded
for its inside host (--nat-view=inside) with the outside address in nhIP.
One line is logged per learned or changed fact; the state is kept in
ROOT/.gflowcap/learned.json and --print-learned writes it as a site
configuration. What the site configuration says wins, item by item, and
"learn = false" turns learning off.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if printLearned {
				cfg.Stderr = std.Err
				return PrintLearned(cfg, std.Out)
			}
			var err error
			if cfg.RcvBuf, err = parseSizeFlag("--rcvbuf", rcvbuf); err != nil {
				return err
			}
			if retainSize != "" {
				n, err := parseSizeFlag("--retain-size", retainSize)
				if err != nil {
					return err
				}
				cfg.RetainSize = int64(n)
			}
			if retainDays < 0 {
				return cli.Usagef("--retain-days must not be negative")
			}
			cfg.RetainAge = time.Duration(retainDays * float64(24*time.Hour))
			if cfg.Allow, err = ParseAllow(allow); err != nil {
				return cli.UsageError(err)
			}
			switch natView {
			case "inside":
			case "outside":
				cfg.NATOutside = true
			default:
				return cli.Usagef("--nat-view must be inside or outside, not %q", natView)
			}
			if flushEvery <= 0 {
				return cli.Usagef("--flush-interval must be positive")
			}
			cfg.FlushInterval, cfg.StatsInterval = flushEvery, statsEvery
			if rejectPast < 0 || rejectAhead < 0 {
				return cli.Usagef("--reject-hours-past and --reject-hours-future must not be negative")
			}
			cfg.Window = TimeWindow{Past: time.Duration(rejectPast) * time.Hour, Future: time.Duration(rejectAhead) * time.Hour}
			if len(cfg.Listen) == 0 {
				return cli.Usagef("--listen needs at least one address")
			}
			if err := checkClickHouseFlags(cmd, &cfg); err != nil {
				return err
			}
			cfg.Stderr = std.Err
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			cfg.Reload = hup
			return Run(ctx, cfg)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&cfg.Listen, "listen", []string{"127.0.0.1:2055"},
		"receive exports on these UDP `ADDR:PORT`s (repeat or separate by commas; [::]:2055 takes IPv4 and IPv6)")
	f.IntVar(&cfg.Sockets, "sockets", 1, "sockets per --listen address, sharing it with SO_REUSEPORT when more than one")
	f.StringVar(&rcvbuf, "rcvbuf", "16M", "socket receive `SIZE` (the kernel caps it at net.core.rmem_max)")
	f.IntVar(&cfg.ReadBatch, "read-batch", 64, "datagrams read per system call")
	f.StringArrayVar(&cfg.Pcaps, "read-pcap", nil, "decode the NetFlow/IPFIX packets of this capture `FILE` (pcap or pcapng) instead of listening, then exit (repeatable); a capture read into the repository before is refused")
	f.BoolVar(&cfg.Force, "force", false, "read --read-pcap captures even if the repository holds their flows already (they are stored twice)")
	f.StringSliceVar(&allow, "allow", nil, "accept exports only from these exporter `CIDR`s (others are counted and dropped)")
	f.StringVar(&cfg.SiteConfig, "site-config-file", "", "site configuration `FILE` (default GFLOW_SITE_CONFIG, then ROOT/gflow.toml)")
	f.StringVar(&cfg.GeoIPDB, "geoip-db", "", "country database `FILE` (MaxMind mmdb; default GFLOW_GEOIP_DB, then the built-in one)")
	f.StringVar(&cfg.ASNDB, "asn-db", "", "AS database `FILE` for the AS numbers exporters do not send (GeoLite2-ASN, DB-IP ASN mmdb; default the site configuration's, GFLOW_ASN_DB, then the built-in one)")
	f.StringVar(&cfg.DataRoot, "data-rootdir", "", "repository root `DIR` (default GFLOW_DATA_ROOTDIR, then the site configuration's, then "+"/var/lib/gflow"+")")
	f.StringVar(&cfg.StateDir, "state-dir", "", "where templates and the learned state are saved (default ROOT/.gflowcap)")
	f.StringVar(&natView, "nat-view", "inside", "for NATed flows, record the inside host (the outside address goes to nhIP) or the outside address: inside|outside")
	f.DurationVar(&flushEvery, "flush-interval", 5*time.Second, "flush every file at least this often (what a crash can lose)")
	f.IntVar(&rejectPast, "reject-hours-past", int(DefaultTimeWindow.Past/time.Hour),
		"drop (and count) flows that start more than `N` hours before their export time (0: no limit)")
	f.IntVar(&rejectAhead, "reject-hours-future", int(DefaultTimeWindow.Future/time.Hour),
		"drop (and count) flows that start more than `N` hours after their export time (0: no limit)")
	f.DurationVar(&statsEvery, "stats-interval", time.Minute, "print a one-line summary on stderr this often (0: never)")
	f.StringVar(&cfg.MetricsListen, "metrics-listen", "", "serve Prometheus metrics on http://`ADDR:PORT`/metrics (the usual port is 9101: "+DefaultMetricsAddr+")")
	f.StringVar(&cfg.LogFile, "log-file", "", "append the log to `FILE` instead of standard error; SIGHUP reopens it")
	f.Float64Var(&retainDays, "retain-days", 0, "delete hourly files older than this many days (0: keep)")
	f.StringVar(&retainSize, "retain-size", "", "delete the oldest hourly files while the repository is bigger than `SIZE` (e.g. 10G)")
	f.BoolVar(&cfg.RetainDryRun, "retain-dry-run", false, "only log what retention would delete")
	f.DurationVar(&cfg.RetainInterval, "retain-interval", 10*time.Minute, "how often retention runs")
	addClickHouseFlags(f, &cfg)
	f.BoolVar(&printLearned, "print-learned", false, "print what was learned about the site (ROOT/.gflowcap/learned.json) as a site configuration for gflow.toml, and exit")
	cli.Examples(cmd, `
		# Try it: collect on the loopback (the default 127.0.0.1:2055) into ./flows
		gflowcap --data-rootdir=./flows

		# A router on the LAN: listen on every address, accept only the router
		gflowcap --listen=0.0.0.0:2055 --allow=192.168.88.1/32 --data-rootdir=/var/lib/gflow

		# MikroTik RouterOS: send NetFlow v9 (or IPFIX) to this host
		#   /ip traffic-flow set enabled=yes
		#   /ip traffic-flow target add dst-address=192.168.88.10 port=2055 version=9

		# Cisco IOS (Flexible NetFlow): export v9 to this host
		#   flow exporter GFLOW
		#    destination 192.168.1.10
		#    transport udp 2055
		#    export-protocol netflow-v9

		# softflowd on a Linux box: watch eth0, send IPFIX to this host
		softflowd -i eth0 -v 10 -n 192.168.1.10:2055

		# Keep 90 days, at most 50 GiB, with metrics for Prometheus
		gflowcap --listen=[::]:2055 --retain-days=90 --retain-size=50G --metrics-listen=`+DefaultMetricsAddr+`

		# Ingest a capture of exports (tcpdump -w exports.pcap udp port 2055)
		gflowcap --read-pcap=exports.pcap --data-rootdir=./flows

		# Also insert every flow into ClickHouse (table flows, created if missing)
		gflowcap --listen=[::]:2055 --clickhouse=http://127.0.0.1:8123/

		# What was learned about the site, as lines for gflow.toml
		gflowcap --print-learned --data-rootdir=/var/lib/gflow

		# Log to a file that logrotate rotates (its postrotate: systemctl reload gflowcap)
		gflowcap --listen=0.0.0.0:2055 --log-file=/var/log/gflow/gflowcap.log`)
	cli.ManSection(cmd, cli.ManExitStatus,
		cli.ManItem{Term: "0", Text: "Stopped by SIGTERM or SIGINT after flushing and closing every file, or every --read-pcap capture read."},
	)
	cli.ManSection(cmd, cli.ManFiles,
		cli.ManItem{Term: "ROOT/.gflowcap/templates", Text: "The exporters' templates, saved after every flush, so that a restarted collector decodes at once (--state-dir moves it)."},
		cli.ManItem{Term: "ROOT/.gflowcap/pcaps", Text: "What --read-pcap read of each capture (SHA-256, size, packets, when), one JSON object per line; a capture found there is refused without --force."},
		cli.ManItem{Term: "PREFIX/lib/systemd/system/gflowcap.service", Text: "The systemd unit make install puts in place; systemctl reload gflowcap sends SIGHUP."},
	)
	return cmd
}

func parseSizeFlag(name, v string) (int, error) {
	n, err := ParseSize(v)
	if err != nil {
		return 0, cli.Usagef("%s: %v", name, err)
	}
	return int(n), nil
}

// ParseAllow reads --allow values: CIDRs or single addresses.
func ParseAllow(vals []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("--allow: %q is not an address or CIDR", v)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
