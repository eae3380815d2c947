#!/usr/bin/env bash
# The whole test suite: build the filter and the test modules, type-check the Node code, run
# the AssemblyScript unit tests (as-pect), then the Node tests (host, filter, integration,
# browser, hardening), and print the hardening summary (which fails when anything was let
# through wrongly or the VM trapped).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
npm run --silent build:tests
npm run --silent typecheck
npm run --silent test:as
rm -rf build/hardening
npm run --silent test:node
npx tsx tests/node/support/hostile-tally.ts
