# Concurrency Lab. `make run` sets up and starts the server; `make test`
# sets up and runs every test. Set-up installs only what is missing.

ADDR ?= :8080
DATA ?= ./data
GO   ?= go

.PHONY: run test setup build generate check-generated fmt-check vet test-race test-norace test-matprofile clean

run: setup build
	@echo "make: starting the lab; open http://$(if $(filter :%,$(ADDR)),localhost$(ADDR),$(ADDR)) (Ctrl-C stops it)"
	./bin/web -addr $(ADDR) -data $(DATA)

test: setup fmt-check vet check-generated test-race test-norace test-matprofile
	@echo "make: every check passed"

setup:
	@./scripts/setup.sh

build:
	@echo "make: building the lab; the first build compiles the OpenCV bindings and takes a minute or two with no output"
	$(GO) build -trimpath -o bin/web ./cmd/web
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/runner ./cmd/runner
	$(GO) build -race -trimpath -o bin/racecounter ./cmd/racecounter
	CGO_ENABLED=0 $(GO) build -o bin/asleep ./cmd/asleep

generate:
	$(GO) tool templ generate

# check-generated regenerates the templ output and fails if that changed
# anything: the committed *_templ.go files must match their .templ sources.
check-generated:
	@before=$$(find . -name '*_templ.go' -not -path './bin/*' | sort | xargs sha256sum); \
	$(GO) tool templ generate >/dev/null 2>&1 || { $(GO) tool templ generate; exit 1; }; \
	after=$$(find . -name '*_templ.go' -not -path './bin/*' | sort | xargs sha256sum); \
	if [ "$$before" != "$$after" ]; then \
		echo "make: templ output was stale; it is regenerated now: commit the *_templ.go files"; exit 1; \
	fi; echo "make: templ output is up to date"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "make: not gofmt'ed:"; echo "$$out"; exit 1; fi; echo "make: gofmt clean"

vet:
	$(GO) vet ./...

# Everything under the race detector. The deliberately racy counter steps
# aside under -race (a build tag), so it is tested again below without it.
test-race:
	$(GO) test -race -count=1 ./...

# The racy counter, the experiments whose tests start more goroutines than
# the race detector allows (life, waits), the end-to-end tests and the
# browser tests, which run
# the racy counter in a real server, without the race detector; one package
# at a time (-p 1), since lost updates need two cores free at once.
test-norace:
	$(GO) test -p 1 -count=1 ./experiments/race/... ./experiments/locked/... ./experiments/life/... ./experiments/waits/... ./cmd/web/...

# gocv counts every Mat it makes when built with -tags matprofile: the
# pixels tests check the count returns to where it started.
test-matprofile:
	$(GO) test -tags matprofile -count=1 ./experiments/pixels/...

clean:
	rm -rf bin
