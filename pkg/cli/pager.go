package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// DefaultPager is used when neither --pager, GFLOW_PAGER nor PAGER is set:
// less quits at once on output that fits the screen (-F), keeps colours
// (-R) and does not clear the screen on exit (-X).
const DefaultPager = "less -FRX"

// PagerCommand returns the pager to use: flagValue if not empty, else
// GFLOW_PAGER if set, else PAGER if set, else DefaultPager. A variable set to
// the empty string turns paging off (the result is ""), as with SiLK.
func PagerCommand(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v, ok := os.LookupEnv(EnvPager); ok {
		return v
	}
	if v, ok := os.LookupEnv(EnvPagerFallback); ok {
		return v
	}
	return DefaultPager
}

// Pager returns where a tool writes its text output. When io.Out is a
// terminal and a pager is configured (see PagerCommand), the text goes
// through the pager, started with "sh -c"; otherwise it goes to io.Out
// unchanged, so pipes and files never see a pager. Close waits for the
// pager to exit. When the user quits the pager early, writes fail with
// EPIPE, which Run turns into a quiet exit.
func Pager(io IO, pagerFlag string) (io.WriteCloser, error) {
	return pagerFor(io, pagerFlag, IsTerminal(io.Out))
}

func pagerFor(std IO, pagerFlag string, terminal bool) (io.WriteCloser, error) {
	command := PagerCommand(pagerFlag)
	if !terminal || command == "" {
		return nopCloser{std.Out}, nil
	}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdout = std.Out
	cmd.Stderr = std.Err
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("pager %q: %w", command, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start pager %q: %w", command, err)
	}
	return &pager{cmd: cmd, w: w}, nil
}

type pager struct {
	cmd *exec.Cmd
	w   io.WriteCloser
}

func (p *pager) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *pager) Close() error {
	cerr := p.w.Close()
	werr := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(werr, &exit) {
		// The pager's own status (less quit by the user, say) is not the
		// tool's failure.
		werr = nil
	}
	if cerr != nil && !IsClosedPipe(cerr) && !errors.Is(cerr, os.ErrClosed) {
		return fmt.Errorf("pager: %w", cerr)
	}
	if werr != nil {
		return fmt.Errorf("pager: %w", werr)
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
