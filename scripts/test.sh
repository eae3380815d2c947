#!/usr/bin/env bash
# The whole test suite: build the filter and the test modules, type-check the Node code, run
# the AssemblyScript unit tests (as-pect), then the Node tests (host, filter, integration).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
npm run --silent build:tests
npm run --silent typecheck
npm run --silent test:as
npm run --silent test:node
