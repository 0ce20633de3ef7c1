#!/usr/bin/env bash
# Every check and test suite, as CI runs it. Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

step() { echo "== $*"; "$@"; }
if ! { step npm run --silent typecheck && step npm run --silent lint && step npm run --silent build; }; then
  echo "typecheck, lint or build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

mapfile -t files < <(find test -name '*.test.ts' | sort)
echo "== engine tests: ${#files[@]} files"
node --import tsx --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=.tmp/engine.tap \
  "${files[@]}"
status=$?

passed=$(grep -E '^# pass [0-9]+' .tmp/engine.tap | awk '{s+=$3} END {print s+0}')
failed=$(grep -E '^# fail [0-9]+' .tmp/engine.tap | awk '{s+=$3} END {print s+0}')
cancelled=$(grep -E '^# cancelled [0-9]+' .tmp/engine.tap | awk '{s+=$3} END {print s+0}')
failed=$((failed + cancelled))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
