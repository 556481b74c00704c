#!/usr/bin/env bash
# The fuzz targets for longer than the test command runs them: SECONDS_EACH (default
# 300) per target, from the corpus the earlier runs left. Prints executions and corpus
# size per target; a crash stops with its input under fuzz/artifacts/.
#
#   bench/fuzz.sh                       # every target, 5 minutes each
#   SECONDS_EACH=3600 bench/fuzz.sh hsds_import
set -euo pipefail
cd "$(dirname "$0")/.."
export SECONDS_EACH="${SECONDS_EACH:-300}"
export RUNS=0
scripts/fuzz "$@"
dir="${FUZZ_TARGET_DIR:-$HOME/.cache/rondom/fuzz-target}"
for t in "${@:-ids forms hsds_import}"; do
  for x in $t; do
    printf '%-12s %s executions, corpus %s inputs\n' "$x" \
      "$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$dir/$x.log" | awk '{print $2}')" \
      "$(ls "$dir/corpus/$x" | wc -l)"
  done
done
