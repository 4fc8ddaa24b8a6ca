#!/bin/sh
# ys_peer.sh - run irrd_rpki_validator as a yardstick.py --extra-peer:
#   ys_peer.sh BIN MODE TAL CACHE CA_FILE OUTDIR [EXTRA...]
# MODE is yardstick's {mode}: rrdp, rsync (-R) or offline (-n). Leaves
# OUTDIR/vrps.csv (what yardstick reads) and OUTDIR/validator.json.
bin=$1 mode=$2 tal=$3 cache=$4 ca=$5 out=$6
shift 6
case $mode in
rrdp) flags= ;;
rsync) flags=-R ;;
offline) flags=-n ;;
*) echo "ys_peer.sh: unknown mode $mode" >&2; exit 2 ;;
esac
exec "$bin/irrd_rpki_validator" $flags -t "$tal" -d "$cache" --ca-file "$ca" \
	-c "$out/vrps.csv" -j "$out/validator.json" "$@"
