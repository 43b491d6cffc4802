// Package chtest starts a real clickhouse-server for tests: an ordinary
// process on the loopback with a small configuration in a temporary
// folder, free ports, and a passwordless default user allowed from
// 127.0.0.1 only. Debian's clickhouse-server package (18.16) is what the
// tests run against; a machine without it skips them, saying so.
package chtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ErrNotInstalled is returned by Start on a machine without the server.
var ErrNotInstalled = errors.New("clickhouse-server is not installed (Debian package clickhouse-server)")

// Server is a running clickhouse-server.
type Server struct {
	Dir      string
	HTTPPort int
	TCPPort  int
	cmd      *exec.Cmd
	argv     []string
	exited   chan struct{}
}

// program finds the server: Debian's clickhouse-server (in /usr/sbin,
// which a user's PATH may lack) or the single clickhouse binary of
// newer releases.
func program() ([]string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return []string{p}, nil
	}
	if _, err := os.Stat("/usr/sbin/clickhouse-server"); err == nil {
		return []string{"/usr/sbin/clickhouse-server"}, nil
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return []string{p, "server"}, nil
	}
	return nil, ErrNotInstalled
}

// Start writes a configuration into dir and starts a server there.
func Start(dir string) (*Server, error) {
	argv, err := program()
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir}
	if s.HTTPPort, err = freePort(); err != nil {
		return nil, err
	}
	if s.TCPPort, err = freePort(); err != nil {
		return nil, err
	}
	for _, d := range []string{"data", "tmp", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	cfg := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>%[1]s/log/server.log</log>
    <errorlog>%[1]s/log/error.log</errorlog>
    <console>0</console>
  </logger>
  <http_port>%[2]d</http_port>
  <tcp_port>%[3]d</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/tmp/</tmp_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
</yandex>
`, dir, s.HTTPPort, s.TCPPort)
	users := `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(users), 0o644); err != nil {
		return nil, err
	}
	s.argv = append(argv, "--config-file="+filepath.Join(dir, "config.xml"))
	return s, s.Start()
}

// Start starts the server again after Stop, on the same ports and data.
func (s *Server) Start() error {
	s.cmd = exec.Command(s.argv[0], s.argv[1:]...)
	s.cmd.Dir = s.Dir
	out, err := os.OpenFile(filepath.Join(s.Dir, "log", "stdout"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start clickhouse-server: %w", err)
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("clickhouse-server exited at start: %s", s.logTail())
		default:
		}
		if v, err := s.Query("SELECT version()"); err == nil && v != "" {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("clickhouse-server did not answer within a minute: %s", s.logTail())
}

// Stop ends the server with SIGTERM (SIGKILL after 30 s) and waits.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	return nil
}

// Kill ends the server at once, as a crash would.
func (s *Server) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// URL is the server's HTTP interface.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d/", s.HTTPPort) }

// Query runs a statement over HTTP and returns the answer, trimmed.
func (s *Server) Query(sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL(), strings.NewReader(sql))
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		line, _, _ := bytes.Cut(body, []byte("\n"))
		return "", fmt.Errorf("%s: %s", sqlHead(sql), bytes.TrimSpace(line))
	}
	return strings.TrimSpace(string(body)), nil
}

// Client runs clickhouse-client against the server with args and returns
// its output; the program comes with Debian's clickhouse-client package.
func (s *Server) Client(args ...string) (string, error) {
	p, err := exec.LookPath("clickhouse-client")
	if err != nil {
		return "", errors.New("clickhouse-client is not installed (Debian package clickhouse-client)")
	}
	out, err := exec.Command(p, append([]string{"--host=127.0.0.1", fmt.Sprintf("--port=%d", s.TCPPort)}, args...)...).CombinedOutput()
	return string(out), err
}

func sqlHead(sql string) string {
	sql = strings.Join(strings.Fields(sql), " ")
	if len(sql) > 60 {
		return sql[:60] + "…"
	}
	return sql
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "log", "error.log"))
	if len(b) == 0 {
		b, _ = os.ReadFile(filepath.Join(s.Dir, "log", "stdout"))
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Shared is the server a package's tests share, started once by Main.
type Shared struct {
	*Server
	err error
}

// Main runs a package's tests with one server for all of them (starting
// one costs a second or two), in a temporary folder removed afterwards.
// Use it from TestMain: os.Exit(chtest.Main(m, &srv)).
func Main(m *testing.M, sh *Shared) int {
	dir, err := os.MkdirTemp("", "gflow-clickhouse-")
	if err != nil {
		sh.err = err
		return m.Run()
	}
	defer os.RemoveAll(dir)
	sh.Server, sh.err = Start(dir)
	if sh.Server != nil {
		defer sh.Server.Stop()
	}
	return m.Run()
}

// Need returns the shared server, or skips the test (no server installed)
// or fails it (the server would not start).
func (sh *Shared) Need(t testing.TB) *Server {
	t.Helper()
	if errors.Is(sh.err, ErrNotInstalled) {
		t.Skip(sh.err)
	}
	if sh.err != nil {
		t.Fatal(sh.err)
	}
	return sh.Server
}
