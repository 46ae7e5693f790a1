# cachekit-go developer targets. `make test` is the command CI runs.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 10s
BENCHTIME   ?= 1s

.PHONY: test check bench fuzz vectors demo workers

## test: install the servers the integration tests start, then run every test with -race
test:
	./scripts/ensure-test-deps.sh
	$(GO) test -race -count=1 ./...
	cd bench && $(GO) test -count=1 ./...
	./scripts/fuzz.sh 20000x

## check: formatting, vet and staticcheck
check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: every benchmark with allocation counts
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m)
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

## vectors: refresh testdata/vectors from ../shared/vectors (checksums verified)
vectors:
	./scripts/sync-vectors.sh

## demo: the README's first command
demo:
	$(GO) run ./cmd/cachekit demo

## workers: build the Cloudflare Worker into workers/dist
workers:
	./workers/build.sh
