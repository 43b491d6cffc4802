# gflow — build, test, install.
# `make demo` runs the whole pipeline on built-in defaults; `make test` runs every test (what CI runs).

GO        ?= go
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/gflow
# systemd reads units from PREFIX/lib/systemd/system for /usr and /usr/local.
UNITDIR   ?= $(PREFIX)/lib/systemd/system
GOBIN     := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2
TOOLS     := $(notdir $(wildcard cmd/*))

.PHONY: all build install test check lint race fuzz bench demo man clean

all: build

build:
	@mkdir -p bin
	$(GO) build -trimpath -o bin/ ./cmd/...

# The tools, their manual pages (section 1, and gflow.toml in section 5),
# the commented site configuration as an example (not as a configuration:
# without one the tools use their defaults), and the collector's systemd
# unit and the map's crontab with the installed paths of the tools.
install: build man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR)
	install -m 0755 $(addprefix bin/,$(TOOLS)) $(DESTDIR)$(BINDIR)/
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 pkg/site/testdata/gflow.example.toml $(DESTDIR)$(DOCDIR)/examples/gflow.toml
	sed 's|/usr/local/bin/|$(BINDIR)/|g' contrib/gflowcap.service > $(DESTDIR)$(UNITDIR)/gflowcap.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/gflowcap.service
	sed -e 's|/usr/local/bin/|$(BINDIR)/|g' -e 's|/usr/local/share/doc/gflow/|$(DOCDIR)/|g' \
	  contrib/gflow-map.cron > $(DESTDIR)$(DOCDIR)/examples/gflow-map.cron
	chmod 0644 $(DESTDIR)$(DOCDIR)/examples/gflow-map.cron

man: build
	@mkdir -p man
	@rm -f man/*.1 man/*.5
	$(GO) run ./internal/genman -dir man

# The one test command: formatting, vet, staticcheck, then every test with the race detector
# (and the allocation tests without it), and which tests skipped.
test: lint race

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck ./...

# Every test with the race detector; then, without it, the tests that skip under it
# (allocation counts). The summary says how many tests skipped and why.
race:
	$(GO) test -race -timeout 20m -json ./... | $(GO) run ./internal/testsummary -rerun

# Short fuzzing of every decoder of outside bytes (on demand, not in CI).
# Minimising each new interesting input (60 s by default) would take most
# of a short run on the flow-stream seeds, which are tens of kilobytes.
FUZZTIME ?= 30s
FUZZMINTIME ?= 0
fuzz:
	@for p in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) $$p || exit 1; \
	  done; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

demo: build
	./scripts/demo.sh

clean:
	rm -rf bin man
