#!/bin/sh
# Runs the analyzer over every capture in the shared folder: each must exit 0 and
# print a JSON document (a truncated capture too). Skips when the folder is absent.
drv="$1"; dir="$2"
if [ ! -d "$dir" ]; then
    echo "SKIP: $dir not present (shared captures are not part of a fresh clone)"
    exit 0
fi
fail=0; n=0
for f in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap "$dir"/*.gz; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if ! "$drv" "$f" > /tmp/tpa-engine-capture.$$ 2>/tmp/tpa-engine-capture-err.$$; then
        echo "FAIL: $f: $(tail -1 /tmp/tpa-engine-capture-err.$$)"; fail=1; continue
    fi
    if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "flows" in d and "capture" in d' \
            /tmp/tpa-engine-capture.$$ 2>/dev/null; then
        echo "FAIL: $f: output is not a result document"; fail=1
    fi
done
rm -f /tmp/tpa-engine-capture.$$ /tmp/tpa-engine-capture-err.$$
echo "$n captures analysed"
exit $fail
