#!/usr/bin/env bash
# Engine benchmark: prints figures, passes or fails nothing.
#
#   tests/bench/bench_engine.sh [--bin DIR] [--packets N] [--signalling] [--tshark-packets N]
#
# Generates (once, cached under $TMPDIR/tpa-bench) a realistic mobile-core capture with
# tpa-benchgen, then from one run prints: packets/s and MB/s of a bare libpcap read loop
# (best of 3), of `tpa analyze` (best of 3), their ratio, tshark's speed on a prefix of
# the file (when tshark is installed) and our speed-up over it, and tpa's peak RSS.
# Times are CPU seconds (user + system) of one process on one core, so figures hold
# on a machine that is busy with other work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../../build/bin"
packets=2000000
tshark_packets=200000
mix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --packets) packets=$2; shift 2 ;;
    --tshark-packets) tshark_packets=$2; shift 2 ;;
    --signalling) mix="--signalling"; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_engine: unknown argument $1" >&2; exit 2 ;;
  esac
done
for b in tpa tpa-benchgen tpa-readloop; do
  [ -x "$bin/$b" ] || { echo "bench_engine: $bin/$b not built (make build)" >&2; exit 1; }
done
dir="${TMPDIR:-/tmp}/tpa-bench"; mkdir -p "$dir"
cap="$dir/bench-${packets}${mix:+-sig}.pcap"
if [ ! -s "$cap" ]; then
  echo "generating $cap ..." >&2
  "$bin/tpa-benchgen" --packets "$packets" $mix -o "$cap" >/dev/null
fi
size=$(stat -c %s "$cap")

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
best() { # best (lowest) CPU seconds (user + system) of 3 runs: robust on a shared machine
  local b="" s
  for _ in 1 2 3; do
    /usr/bin/time -o "$dir/time.out" -f '%U %S' "$@" >/dev/null 2>&1
    s=$(awk '{ print $1 + $2 }' "$dir/time.out")
    if [ -z "$b" ] || [ "$(calc "($s < $b) ? 1 : 0")" = 1 ]; then b=$s; fi
  done
  echo "$b"
}
cat "$cap" >/dev/null # warm the page cache for every contender alike

n=$("$bin/tpa-readloop" "$cap" | sed 's/.*"packets":\([0-9]*\).*/\1/')
t_loop=$(best "$bin/tpa-readloop" "$cap")
t_tpa=$(best "$bin/tpa" analyze --compact -o /dev/null "$cap")
/usr/bin/time -o "$dir/time.out" -f '%M' "$bin/tpa" analyze --compact -o /dev/null "$cap" >/dev/null 2>&1
rss_kb=$(cat "$dir/time.out")

mb=$(calc "$size / 1048576")
printf 'capture           %s: %d packets, %.1f MB\n' "$cap" "$n" "$mb"
printf 'bare libpcap loop %8.3f s cpu  %10.0f packets/s  %7.1f MB/s\n' "$t_loop" \
  "$(calc "$n / $t_loop")" "$(calc "$mb / $t_loop")"
printf 'tpa analyze       %8.3f s cpu  %10.0f packets/s  %7.1f MB/s\n' "$t_tpa" \
  "$(calc "$n / $t_tpa")" "$(calc "$mb / $t_tpa")"
printf 'tpa / bare loop   %8.2f of the read loop speed\n' "$(calc "$t_loop / $t_tpa")"
printf 'tpa peak RSS      %8.1f MB\n' "$(calc "$rss_kb / 1024")"
if command -v tshark >/dev/null; then
  /usr/bin/time -o "$dir/time.out" -f '%U %S' tshark -n -r "$cap" -c "$tshark_packets" >/dev/null 2>&1 || true
  t_ts=$(awk '{ print $1 + $2 }' "$dir/time.out")
  ts_rate=$(calc "$tshark_packets / $t_ts")
  printf 'tshark (first %d packets) %8.3f s cpu  %10.0f packets/s\n' "$tshark_packets" "$t_ts" "$ts_rate"
  printf 'tpa speed-up over tshark  %8.1fx\n' "$(calc "($n / $t_tpa) / $ts_rate")"
else
  echo "tshark            not installed: no comparison"
fi
