#!/usr/bin/env bash
# The `miroir verify` figure of docs/design/anti-entropy.md: a local cluster of 3 real nodes,
# 64 shards, RF 2, 100,000 documents (~300 bytes each) loaded through the router, then
# `miroir verify` timed three times for each page size / shard parallelism given.
#
#   benchmarks/verify/verify-figure.sh [WORKDIR] [DOCS]      (default /tmp/miroir-verify-figure, 100000)
#
# Needs Java 17 and python3. Builds the CLI jar with the Maven wrapper (package, never install).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-/tmp/miroir-verify-figure}"
docs="${2:-100000}"
mkdir -p "$work"
(cd "$root" && ./mvnw -B -q -pl cli -am package -DskipTests)
cp "$root/cli/target/miroir-cli.jar" "$work/miroir-cli.jar"
cli() { java -jar "$work/miroir-cli.jar" "$@"; }
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
data="$work/data"
up() { cli local up --data-dir "$data" --nodes 3 --rf 2 --shards 64 --port "$port" --detach >/dev/null; }
down() { cli local down --data-dir "$data" >/dev/null 2>&1 || true; }
trap down EXIT
if [ ! -f "$work/loaded-$docs" ]; then
  rm -rf "$data"
  up
  router=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["router"])' "$data/cluster.json")
  python3 "$root/benchmarks/verify/load.py" "$router" "$data/master-key" "$docs"
  touch "$work/loaded-$docs"
  down
fi
for combo in ${COMBOS:-"5000 4" "1000 4" "10000 4" "5000 1" "5000 8"}; do
  set -- $combo
  MIROIR_CONSISTENCY_PAGE_SIZE=$1 MIROIR_CONSISTENCY_PARALLEL_SHARDS=$2 up
  for run in 1 2 3; do
    start=$(date +%s.%N)
    line=$(cli verify --data-dir "$data")
    end=$(date +%s.%N)
    echo "page=$1 parallel=$2 run=$run wall=$(python3 -c "print(round($end - $start, 1))")s :: $line :: load $(cut -d' ' -f1 /proc/loadavg)"
  done
  down
done
