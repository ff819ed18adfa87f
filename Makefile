# minibase: the two commands are `make run` and `make test`; `make build`
# makes bin/minibase.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The same flags as the Dockerfile: a static, CGO-free binary.
BUILD_FLAGS = -trimpath -ldflags "-s -w -X main.version=$(VERSION)"

.PHONY: run build test vet unit sdk admin e2e fuzz bench bench-files bench-fn clean

# make run ARGS="--http 127.0.0.1:9000" passes serve's flags on. The binary
# runs under make itself (not go run, which answers Ctrl-C with exit status
# 1, and make with "Error 1"): Ctrl-C shuts the server down and make ends
# quietly.
ARGS ?=
run: build
	./bin/minibase serve $(ARGS)

build:
	CGO_ENABLED=0 go build $(BUILD_FLAGS) -o bin/minibase .

vet:
	go vet ./...

# Every suite: the static build, unit/conformance/API/durability tests with
# the race detector and every vet check (go test -vet=all: the same checks
# as make vet, on the packages the race build compiles anyway, so a fresh
# machine compiles the module's dependencies, modernc.org/sqlite's 10 MB of
# generated Go among them, in three configurations and not five), the JS
# SDK's suite, the browser suite, and a short run of every fuzz target.
test: build unit sdk admin e2e fuzz

# The storage suites run against a real MinIO server, the HTTPS tests
# against Let's Encrypt's ACME test server pebble: scripts/minio.sh and
# scripts/pebble.sh install the pinned builds into ~/.cache/minibase the
# first time. The PostgreSQL driver's tests start a throwaway cluster with
# Debian's postgresql server binaries, which scripts/postgres.sh installs
# when missing.
unit: build
	MINIBASE_MINIO_BIN=$$(scripts/minio.sh) MINIBASE_PEBBLE_BIN=$$(scripts/pebble.sh) MINIBASE_PG_BIN=$$(scripts/postgres.sh) \
		MINIBASE_BIN=$(CURDIR)/bin/minibase \
		go test -race -vet=all -count=1 -timeout 30m ./...

# The JS SDK: type check, dist/ up to date, and its tests against the
# binary just built. Dev dependencies are installed (npm ci) only when
# node_modules lacks them or package-lock.json changed since: the stamp is a
# copy of the lock file inside node_modules/.
SDK_STAMP = sdk/node_modules/.minibase-package-lock.json

sdk: build
	@cmp -s sdk/package-lock.json $(SDK_STAMP) || \
		{ cd sdk && npm ci --no-audit --no-fund && cp package-lock.json ../$(SDK_STAMP); }
	cd sdk && npm run --silent check && npm run --silent check:dist
	cd sdk && MINIBASE_BIN=$(CURDIR)/bin/minibase npm test --silent

# The admin console (admin/, served at /_/): type check, unit tests (both
# languages have every text; no page writes text outside t()), dist/ up to
# date, and a build without it (the noadmin tag) still compiles. Its
# browser tests are e2e's console.test.mjs. Installed like the SDK's.
ADMIN_STAMP = admin/node_modules/.minibase-package-lock.json

admin:
	@cmp -s admin/package-lock.json $(ADMIN_STAMP) || \
		{ cd admin && npm ci --no-audit --no-fund && cp package-lock.json ../$(ADMIN_STAMP); }
	cd admin && npm run --silent check && npm test --silent && npm run --silent check:dist
	CGO_ENABLED=0 go build $(BUILD_FLAGS) -tags noadmin -o /dev/null .

# The browser suite: pages on other origins use the SDK against the binary
# just built, in headless Chromium (Debian's, installed by
# scripts/chromium.sh when missing) driven by playwright-core, pinned in
# e2e/package-lock.json and installed like the SDK's dev dependencies.
E2E_STAMP = e2e/node_modules/.minibase-package-lock.json

e2e: build
	@cmp -s e2e/package-lock.json $(E2E_STAMP) || \
		{ cd e2e && npm ci --no-audit --no-fund && cp package-lock.json ../$(E2E_STAMP); }
	scripts/chromium.sh >/dev/null
	cd e2e && CHROMIUM=$$(../scripts/chromium.sh) MINIBASE_BIN=$(CURDIR)/bin/minibase npm test --silent

# Every fuzz target, found by scripts/fuzz.sh, for FUZZEXECS executions
# each. 10,000 in make test: a target in a package whose fuzzing binary
# links the whole server runs only ~1,300 executions a second, because
# coverage guidance scans the counters of every instrumented package
# (modernc.org/sqlite's among them) after each one; fuzz.sh leaves the test
# files that need SQLite out of the other packages' binaries (the
# minibase_fuzz tag). `make fuzz FUZZEXECS=1000000x` fuzzes longer.
FUZZEXECS ?= 10000x
fuzz:
	FUZZEXECS=$(FUZZEXECS) scripts/fuzz.sh

# The README's performance table: 100k documents, every scenario.
bench: build
	go run ./bench -bin bin/minibase -docs 100000

# Cloud functions against PocketBase's JavaScript routes, side by side
# (PocketBase is built once into the user cache: see bench/pocketbase.go).
bench-fn: build
	go run ./bench -bin bin/minibase -peer pocketbase -docs 10000 -runs 5 -d 4s

# The README's file numbers: local disk, then MinIO (upload through minibase
# and a bare minio-go PUT, alternating) and the 1 GiB upload's memory.
bench-files: build
	go run ./bench -bin bin/minibase -docs 1 -scenarios file-get-4k,file-get-1m,file-put-1m,file-put-1g,file-thumb
	go run ./bench -bin bin/minibase -docs 1 -storage s3 -c 8 -scenarios file-put-1m,s3-raw-put-1m,file-put-1m,s3-raw-put-1m

clean:
	rm -rf bin
