#!/bin/sh
# test_cli.sh - exit codes and error lines of the tpa CLI (no services needed).
# Usage: test_cli.sh PATH/TO/tpa SCRATCH_DIR
tpa=$1
dir=$2
fails=0
mkdir -p "$dir" || exit 1

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect CODE NLINES_STDERR ARGS... : runs tpa, checks exit code and stderr line count
# (NLINES_STDERR "-" = don't care).
expect() {
    want=$1; lines=$2; shift 2
    "$tpa" "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    [ "$got" = "$want" ] || fail "tpa $*: exit $got, want $want (stderr: $(cat "$dir/err"))"
    if [ "$lines" != "-" ]; then
        n=$(wc -l <"$dir/err")
        [ "$n" = "$lines" ] || fail "tpa $*: $n stderr lines, want $lines: $(cat "$dir/err")"
    fi
}

printf 'this is not a capture\n' >"$dir/notcap.txt"
: >"$dir/empty.pcap"

expect 1 1 analyze "$dir/notcap.txt"
grep -q "^tpa: $dir/notcap.txt: not a pcap or pcapng file\$" "$dir/err" || fail "non-capture message: $(cat "$dir/err")"
[ -s "$dir/out" ] && fail "non-capture printed something on stdout"
expect 1 1 analyze "$dir/empty.pcap"
expect 1 1 analyze "$dir/missing.pcap"
grep -q "^tpa: $dir/missing.pcap: No such file or directory\$" "$dir/err" || fail "missing file message: $(cat "$dir/err")"
expect 1 1 analyze "$dir"

# Usage errors: exit 2.
expect 2 - analyze
expect 2 - analyze --bogus "$dir/notcap.txt"
expect 2 - analyze -o
expect 2 - analyze a.pcap b.pcap
expect 2 - no-such-command
expect 2 -
expect 2 - --bogus version
expect 2 - version extra

# Help and version: exit 0, text on stdout.
expect 0 0 --help
grep -q '^Usage: tpa' "$dir/out" || fail "tpa --help has no Usage line"
expect 0 0 analyze --help
grep -q '^Usage: tpa analyze' "$dir/out" || fail "tpa analyze --help has no Usage line"
expect 0 0 help analyze
grep -q '^Usage: tpa analyze' "$dir/out" || fail "tpa help analyze has no Usage line"
expect 0 0 version
grep -q '^tpa [0-9]' "$dir/out" || fail "tpa version: $(cat "$dir/out")"

# A minimal valid pcap (header only, no packets) analyses to a document.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' >"$dir/empty-ok.pcap"
expect 0 0 analyze --compact "$dir/empty-ok.pcap"
grep -q '"capture"' "$dir/out" || fail "analyze output has no capture object: $(head -c 300 "$dir/out")"
[ "$(wc -l <"$dir/out")" = 1 ] || fail "--compact output is not one line"
expect 0 0 analyze -o "$dir/doc.json" "$dir/empty-ok.pcap"
[ -s "$dir/out" ] && fail "-o still wrote to stdout"
grep -q '"capture"' "$dir/doc.json" || fail "-o file has no document"

# One Ethernet frame at 1700000000.123456: timestamps keep their microseconds.
{ cat "$dir/empty-ok.pcap"
  printf '\000\361\123\145\100\342\001\000\016\000\000\000\016\000\000\000'
  printf '\377\377\377\377\377\377\002\000\000\000\000\001\210\265'; } >"$dir/one.pcap"
expect 0 0 analyze "$dir/one.pcap"
grep -q '"first_ts": 1700000000.123456,' "$dir/out" || fail "first_ts lost precision: $(grep first_ts "$dir/out")"
gzip -c "$dir/one.pcap" >"$dir/one.pcap.gz" 2>/dev/null &&
    { expect 0 0 analyze --compact "$dir/one.pcap.gz"
      grep -q '"compressed":true' "$dir/out" || fail "gzip'ed capture not analysed as compressed"; }

# REST commands without a gateway: one line, exit 1.
expect 1 1 --api http://127.0.0.1:1 jobs
grep -q '^tpa: cannot reach the gateway at http://127.0.0.1:1 ' "$dir/err" || fail "unreachable gateway line: $(cat "$dir/err")"
expect 1 1 --api http://127.0.0.1:1 submit "$dir/notcap.txt"
grep -q 'not a pcap or pcapng file (not submitted)' "$dir/err" || fail "submit of a non-capture: $(cat "$dir/err")"
expect 2 - status 'bad/id'
expect 2 - submit
expect 2 - jobs --state nonsense
expect 2 - capture
for c in submit status result jobs delete watch capture; do
    expect 0 0 "$c" --help
    grep -q "^Usage: tpa $c" "$dir/out" || fail "tpa $c --help has no Usage line"
done

if [ "$fails" -gt 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
echo "cli: all checks passed"
