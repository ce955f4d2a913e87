#!/usr/bin/env bash
# Sums the counters of every TRX file under $1 and prints "N passed, N failed[, N skipped]".
set -euo pipefail
dir=${1:-artifacts/TestResults}
passed=0 failed=0 skipped=0
shopt -s nullglob globstar
files=("$dir"/**/*.trx)
if [ ${#files[@]} -eq 0 ]; then
  echo "no test results found under $dir" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
for f in "${files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  p=$(get passed); fl=$(get failed); ne=$(get notExecuted); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${fl:-0} + ${to:-0} + ${ab:-0}))
  skipped=$((skipped + ${ne:-0}))
done
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
