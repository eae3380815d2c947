#!/usr/bin/env bash
# Runs every Node test file (tests/node/**/*.test.ts) with Node's own test runner.
# Pass file paths to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find tests/node -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
