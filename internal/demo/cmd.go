package demo

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/geo"
)

func init() { cli.Register("gflowsend", NewCommand) }

// NewCommand builds gflowsend: it makes an hour of demo traffic and exports
// it to a collector as NetFlow v9 (IPv4 flows) and IPFIX (IPv6 flows).
func NewCommand(io cli.IO) *cobra.Command {
	var (
		to            string
		hourFlag      string
		conversations int
		seed          uint64
		ipv6Share     float64
		pps           int
		totalsPath    string
	)
	cmd := &cobra.Command{
		Use:   "gflowsend [switches]",
		Short: "send an hour of demo traffic to a collector as NetFlow v9 and IPFIX",
		Long: `gflowsend makes an hour of realistic traffic of a small site behind a NAT
router (a private IPv4 /24 behind one outside address, an IPv6 /48 from a
tunnel broker, hosts talking to servers in many countries with a realistic
skew) and exports it to a collector over UDP as that router would, from two
export processes: NetFlow v9 without post-NAT fields (IPv4, as RouterOS 6
sends it) and IPFIX with them (IPv6, and the IPv4 flows of hosts with an
odd address, as RouterOS 7 sends it). It is what the quick-start demo feeds
gflowcap with, and a way to check a collector without a router.
It only sends to loopback or private addresses.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, err := netip.ParseAddrPort(to)
			if err != nil {
				return cli.Usagef("invalid --to %q: want ADDRESS:PORT, e.g. 127.0.0.1:2055", to)
			}
			hour := time.Now().UTC().Truncate(time.Hour)
			if hourFlag != "" {
				hour, err = time.Parse("2006/01/02:15", hourFlag)
				if err != nil {
					return cli.Usagef("invalid --hour %q: want YYYY/MM/DD:HH", hourFlag)
				}
			}
			db, err := geo.Builtin()
			if err != nil {
				return err
			}
			addrs, err := NewAddresses(db.Lookup, seed)
			if err != nil {
				return err
			}
			recs := Generate(addrs, DefaultSite, Options{Seed: seed, Hour: hour, Conversations: conversations, IPv6Share: ipv6Share, NAT: DefaultNAT})
			// Export as a router would at the end of the hour (or now, for the current hour).
			now := hour.Add(time.Hour)
			if now.After(time.Now()) {
				now = time.Now().UTC()
			}
			tot, err := SendNAT(addr, recs, DefaultNAT, pps, now)
			if err != nil {
				return err
			}
			fmt.Fprintf(io.Err, "gflowsend: sent %d flows (%d packets, %d bytes) in %d export packets to %s\n",
				tot.Flows, tot.Packets, tot.Bytes, tot.Exports, addr)
			if totalsPath != "" {
				b, _ := json.MarshalIndent(tot, "", "  ")
				if err := os.WriteFile(totalsPath, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("write totals: %w", err)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&to, "to", "127.0.0.1:2055", "collector `ADDRESS:PORT` (loopback or private only)")
	f.StringVar(&hourFlag, "hour", "", "the hour the flows fall in, `YYYY/MM/DD:HH` UTC (default: the current hour)")
	f.IntVar(&conversations, "conversations", 10000, "number of conversations; each gives two flows")
	f.Uint64Var(&seed, "seed", 1, "seed of the traffic model: the same seed gives the same flows")
	f.Float64Var(&ipv6Share, "ipv6-share", 0.3, "share of conversations over IPv6")
	f.IntVar(&pps, "packets-per-second", 2000, "export packets per second (0 = as fast as possible)")
	f.StringVar(&totalsPath, "totals", "", "write the totals sent (flows, packets, bytes) as JSON to `FILE`")
	cli.Examples(cmd, `
		gflowsend                                  # to gflowcap on 127.0.0.1:2055
		gflowsend --to=127.0.0.1:9995 --hour=2026/11/26:09 --conversations=50000
	`)
	return cmd
}
