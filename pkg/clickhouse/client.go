package clickhouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to one ClickHouse server (or a load balancer in front of a
// cluster) over its HTTP interface.
type Client struct {
	base     url.URL // scheme, host, path and the settings of the URL's query
	user     string
	password string
	hasAuth  bool
	http     *http.Client
}

// NewClient parses an HTTP URL such as http://127.0.0.1:8123/ or
// https://user:secret@ch.example.net:8443/?database=netflow. The URL's
// query parameters are ClickHouse's own (database, settings such as
// insert_distributed_sync=1) and go with every request.
func NewClient(rawURL string) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%q is not an HTTP URL of ClickHouse such as http://127.0.0.1:8123/", rawURL)
	}
	c := &Client{base: *u, http: &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4,
			// below the server's keep-alive timeout (3 s and up), so that a
			// request never goes out on a connection the server is closing
			IdleConnTimeout: 2 * time.Second,
		},
	}}
	if u.User != nil {
		c.user = u.User.Username()
		c.password, _ = u.User.Password()
		c.hasAuth = true
		c.base.User = nil
	}
	return c, nil
}

// String is the URL without its password, for messages.
func (c *Client) String() string {
	u := c.base
	if c.hasAuth {
		u.User = url.User(c.user)
	}
	return u.String()
}

// ServerError is an error the server answered with.
type ServerError struct {
	Status  int    // HTTP status
	Message string // the server's first line, without its stack trace
}

func (e *ServerError) Error() string { return e.Message }

// UnavailableError is a request that did not reach the server or got no
// answer: it is down, restarting, or the network is.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable reports whether err means the server could not be reached,
// as opposed to an answer refusing the request.
func Unavailable(err error) bool {
	var ue *UnavailableError
	return errors.As(err, &ue)
}

// Query runs a statement that reads (SELECT, EXISTS, DESCRIBE) and
// returns the server's answer in the format the statement names. It is a
// GET, which the server runs read-only and which is sent again by itself
// when a kept-alive connection turns out closed.
func (c *Client) Query(ctx context.Context, sql string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, url.Values{"query": {sql}}, nil)
}

// Exec runs a statement that changes something (CREATE TABLE).
func (c *Client) Exec(ctx context.Context, sql string) error {
	_, err := c.do(ctx, http.MethodPost, nil, strings.NewReader(sql))
	return err
}

// Insert runs an INSERT … FORMAT … statement with data as its rows.
func (c *Client) Insert(ctx context.Context, insert string, data []byte) error {
	_, err := c.do(ctx, http.MethodPost, url.Values{"query": {insert}}, bytes.NewReader(data))
	return err
}

func (c *Client) do(ctx context.Context, method string, params url.Values, body io.Reader) ([]byte, error) {
	u := c.base
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if c.hasAuth {
		req.SetBasicAuth(c.user, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the caller's message already
		}
		return nil, &UnavailableError{Err: err}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &UnavailableError{Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &ServerError{Status: resp.StatusCode, Message: serverMessage(out, resp.Status)}
	}
	return out, nil
}

// serverMessage turns an error body ("Code: 60, e.displayText() =
// DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception"
// on old servers, "Code: 60. DB::Exception: … (UNKNOWN_TABLE) (version …)"
// on new ones) into one printable line.
func serverMessage(body []byte, status string) string {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	s := strings.TrimSpace(string(line))
	if i := strings.Index(s, ", e.what() ="); i >= 0 {
		s = s[:i]
	}
	s = strings.Replace(s, "e.displayText() = ", "", 1)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1 // never binary bytes in a message
		}
		return r
	}, s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		return "server answered " + status
	}
	return s
}
