#!/bin/bash
# test_validator.sh - irrd_rpki_validator on a tiny RPKI repository this test
# builds with the openssl CLI (TA -> CA -> two ROAs and an ASPA-free
# publication point, manifests, CRLs), validated offline from a cache laid
# out as the validator keeps it. Then the faults: a damaged ROA (manifest
# hash), a revoked EE, an unlisted ROA, a missing ROA, a stale manifest
# (evaluation time), an EE outside the CA's resources, a TAL with another
# key; JSON/CSV output and the one-file mode.
. "$(dirname "$0")/../lib/lib.sh"
it_begin

V=$IRRD_BIN/irrd_rpki_validator
W=$IT_TMP/w
C=$IT_TMP/cache
mkdir -p "$W"
cd "$W" || exit 1

NOW=$(date -u +%s)
this_gt=$(date -u -d "@$((NOW - 3600))" +%Y%m%d%H%M%SZ)
next_gt=$(date -u -d "@$((NOW + 2 * 86400))" +%Y%m%d%H%M%SZ)
REPO=rsync://example.test/repo

cat >cnf <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = test-ta
[ ta_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
subjectInfoAccess = caRepository;URI:$REPO/ta/, rpkiManifest;URI:$REPO/ta/ta.mft
certificatePolicies = critical, 1.3.6.1.5.5.7.14.2
sbgp-ipAddrBlock = critical, IPv4:0.0.0.0/0, IPv6:::/0
sbgp-autonomousSysNum = critical, AS:0-4294967295
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$REPO/ta/ta.crl
authorityInfoAccess = caIssuers;URI:rsync://example.test/ta.cer
subjectInfoAccess = caRepository;URI:$REPO/ca/, rpkiManifest;URI:$REPO/ca/ca.mft
certificatePolicies = critical, 1.3.6.1.5.5.7.14.2
sbgp-ipAddrBlock = critical, IPv4:192.0.2.0/24, IPv4:198.51.100.0/24, IPv6:2001:db8::/32
sbgp-autonomousSysNum = critical, AS:64496-64511
[ roa_ext ]
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:\$ENV::CRLDP
authorityInfoAccess = caIssuers;URI:\$ENV::AIA
subjectInfoAccess = signedObject;URI:\$ENV::OBJ
certificatePolicies = critical, 1.3.6.1.5.5.7.14.2
sbgp-ipAddrBlock = critical, \$ENV::IPRES
[ mft_ext ]
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:\$ENV::CRLDP
authorityInfoAccess = caIssuers;URI:\$ENV::AIA
subjectInfoAccess = signedObject;URI:\$ENV::OBJ
certificatePolicies = critical, 1.3.6.1.5.5.7.14.2
sbgp-ipAddrBlock = critical, IPv4:inherit, IPv6:inherit
sbgp-autonomousSysNum = critical, AS:inherit
[ rtr_ext ]
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$REPO/ca/ca.crl
authorityInfoAccess = caIssuers;URI:$REPO/ta/ca.cer
certificatePolicies = critical, 1.3.6.1.5.5.7.14.2
extendedKeyUsage = 1.3.6.1.5.5.7.3.30
sbgp-autonomousSysNum = critical, AS:64500
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ ca_ta ]
database = $W/ta.index
crlnumber = $W/ta.crlnum
certificate = $W/ta.pem
private_key = $W/ta.key
default_md = sha256
default_crl_days = 2
crl_extensions = crl_ext
[ ca_ca ]
database = $W/ca.index
crlnumber = $W/ca.crlnum
certificate = $W/ca.pem
private_key = $W/ca.key
default_md = sha256
default_crl_days = 2
crl_extensions = crl_ext
EOF
export OPENSSL_CONF=$W/cnf
export CRLDP=x AIA=x OBJ=x IPRES=x
: >ta.index
: >ca.index
echo 01 >ta.crlnum
echo 01 >ca.crlnum

ossl() { openssl "$@" 2>>"$W/openssl.log"; }

for k in ta ca tamft camft r0 r1 r2 other; do
	ossl genrsa -out $k.key 2048 || { it_fail "openssl genrsa" "see $W/openssl.log"; it_done; }
done

# a BGPsec router key (RFC 8208: P-256)
ossl ecparam -name prime256v1 -genkey -noout -out rtr.key

# trust anchor, TAL, CA certificate
ossl req -x509 -new -key ta.key -sha256 -days 365 -extensions ta_ext -set_serial 1 -out ta.pem
ossl x509 -in ta.pem -outform DER -out ta.cer
spki=$(openssl pkey -in ta.key -pubout -outform DER | base64 -w 64)
printf 'rsync://example.test/ta.cer\n\n%s\n' "$spki" >test.tal
printf '# a comment\r\nrsync://example.test/ta.cer\r\n\r\n%s\r\n' "$(openssl pkey -in other.key -pubout -outform DER | base64 -w 0)" >wrongkey.tal

ossl req -new -key ca.key -subj /CN=test-ca -out ca.csr
ossl x509 -req -in ca.csr -CA ta.pem -CAkey ta.key -set_serial 2 -days 300 -sha256 -extfile cnf \
	-extensions ca_ext -out ca.pem
ossl x509 -in ca.pem -outform DER -out ca.cer

# ee NAME ISSUER SERIAL EXT CRLDP AIA OBJ [IPRES]: an EE certificate
ee() {
	CRLDP=$5 AIA=$6 OBJ=$7 IPRES=${8:-IPv4:inherit} ossl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
	CRLDP=$5 AIA=$6 OBJ=$7 IPRES=${8:-IPv4:inherit} ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-set_serial "$3" -days 200 -sha256 -extfile cnf -extensions "$4" -out "$1.pem"
}
# sign NAME EE ECONTENT_TYPE: the signed object NAME from NAME.econtent
sign() {
	ossl cms -sign -binary -nodetach -nosmimecap -keyid -md sha256 -econtent_type "$3" \
		-signer "$2.pem" -inkey "$2.key" -in "$1.econtent" -outform DER -out "$1"
}
CT_ROA=1.2.840.113549.1.9.16.1.24
CT_MFT=1.2.840.113549.1.9.16.1.26

# roa_gen ASN FAMILY...: an asn1parse -genconf template of a ROA's eContent
# (RFC 9582) for ASN; each FAMILY is V:HEXBITS[:MAXLEN] (V 4 or 6): one
# address block of IPv<V>, the prefix's bits in hex.
roa_gen() {
	local fam v rest afi
	printf 'asn1 = SEQUENCE:roa\n[roa]\nasid = INTEGER:%s\nblocks = SEQUENCE:blocks\n[blocks]\n' "$1"
	shift
	for fam in "$@"; do
		printf 'f%s = SEQUENCE:fam%s\n' "${fam%%:*}" "${fam%%:*}"
	done
	for fam in "$@"; do
		v=${fam%%:*}
		rest=${fam#*:}
		case $v in 4) afi=0001 ;; *) afi=0002 ;; esac
		printf '[fam%s]\nafi = FORMAT:HEX,OCTETSTRING:%s\naddrs = SEQUENCE:addrs%s\n' "$v" "$afi" "$v"
		printf '[addrs%s]\na1 = SEQUENCE:a%s\n[a%s]\naddr = FORMAT:HEX,BITSTRING:%s\n' "$v" "$v" "$v" "${rest%%:*}"
		[ "$rest" = "${rest#*:}" ] || printf 'max = INTEGER:%s\n' "${rest#*:}"
	done
}
# ROA r0: AS64496 192.0.2.0/24 and 2001:db8::/32-48; r1: AS64497 198.51.100.0/24-25
roa_gen 64496 4:C00002 6:20010DB8:48 >r0.gen
roa_gen 64497 4:C63364:25 >r1.gen
# r2: AS64498 203.0.113.0/24, outside the CA's resources (EE claims it too)
roa_gen 64498 4:CB0071:24 >r2.gen
for r in r0 r1 r2; do
	ossl asn1parse -genconf $r.gen -noout -out $r.roa.econtent
done
ee r0 ca 10 roa_ext $REPO/ca/ca.crl $REPO/ta/ca.cer $REPO/ca/r0.roa "IPv4:192.0.2.0/24, IPv6:2001:db8::/32"
ee r1 ca 11 roa_ext $REPO/ca/ca.crl $REPO/ta/ca.cer $REPO/ca/r1.roa "IPv4:198.51.100.0/24"
ee r2 ca 12 roa_ext $REPO/ca/ca.crl $REPO/ta/ca.cer $REPO/ca/r2.roa "IPv4:203.0.113.0/24"
sign r0.roa r0 $CT_ROA
sign r1.roa r1 $CT_ROA
sign r2.roa r2 $CT_ROA

# crl CA: CA's CRL (DER) from its index
crl() {
	ossl ca -gencrl -name "ca_$1" -out "$1.crl.pem" && ossl crl -in "$1.crl.pem" -outform DER -out "$1.crl"
}
# mft CA SERIAL FILE...: CA's manifest listing the files (in the CA's dir)
mft() {
	local ca=$1 serial=$2 i=0 f
	shift 2
	{
		printf 'asn1 = SEQUENCE:mft\n[mft]\nnum = INTEGER:%s\nthis = GENTIME:%s\nnext = GENTIME:%s\n' \
			"$serial" "$this_gt" "$next_gt"
		printf 'alg = OID:sha256\nfiles = SEQUENCE:files\n[files]\n'
		for f in "$@"; do
			i=$((i + 1))
			printf 'f%d = SEQUENCE:f%d\n' $i $i
		done
		i=0
		for f in "$@"; do
			i=$((i + 1))
			printf '[f%d]\nname = IA5STRING:%s\nhash = FORMAT:HEX,BITSTRING:%s\n' $i "$(basename "$f")" \
				"$(sha256sum <"$f" | cut -c1-64)"
		done
	} >"$ca.mft.gen"
	ossl asn1parse -genconf "$ca.mft.gen" -noout -out "$ca.mft.econtent"
	sign "$ca.mft" "${ca}mft" $CT_MFT
}

# a BGPsec router certificate (RFC 8209) for AS64500
ossl req -new -key rtr.key -subj /CN=router-64500 -out rtr.csr
ossl x509 -req -in rtr.csr -CA ca.pem -CAkey ca.key -set_serial 20 -days 200 -sha256 -extfile cnf \
	-extensions rtr_ext -out rtr.pem
ossl x509 -in rtr.pem -outform DER -out rtr.cer
RTR_SKI=$(openssl x509 -in rtr.pem -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :')

ee tamft ta 3 mft_ext $REPO/ta/ta.crl rsync://example.test/ta.cer $REPO/ta/ta.mft
ee camft ca 13 mft_ext $REPO/ca/ca.crl $REPO/ta/ca.cer $REPO/ca/ca.mft

D=$C/rsync/example.test/repo
# publish [ROA...]: (re)build the cache: TA pub point, CA pub point with the ROAs
publish() {
	rm -rf "$C"
	mkdir -p "$C/ta" "$D/ta" "$D/ca"
	cp ta.cer "$C/ta/test.cer"
	cp ta.cer "$C/ta/wrongkey.cer"
	crl ta
	cp ta.crl ca.cer "$D/ta/"
	mft ta 1 "$D/ta/ca.cer" "$D/ta/ta.crl"
	cp ta.mft "$D/ta/"
	crl ca
	cp ca.crl "$D/ca/"
	local listed=("$D/ca/ca.crl") r
	for r in "$@"; do
		cp "$r" "$D/ca/"
		listed+=("$D/ca/$r")
	done
	mft ca 1 "${listed[@]}"
	cp ca.mft "$D/ca/"
}

run() { "$V" -n -t "$W/test.tal" -d "$C" "$@" 2>"$W/stderr"; }
vrps() { run -c - "$@" | tail -n +2 | sort; }
GOOD=$'AS64496,192.0.2.0/24,24,test\nAS64496,2001:db8::/32,48,test\nAS64497,198.51.100.0/24,25,test'

publish r0.roa r1.roa
it_check "openssl built a repository" test -s "$D/ca/ca.mft" -a -s "$D/ca/r1.roa" -a -s "$D/ta/ta.mft"
it_eq "valid repository: all VRPs" "$(vrps)" "$GOOD"
it_eq "CSV header" "$(run -c - | head -n 1)" "ASN,IP Prefix,Max Length,Trust Anchor"
it_eq "one thread gives the same" "$(vrps --threads 1)" "$GOOD"
json=$(run -j -)
it_contains "JSON roas" "$json" '{ "asn": 64497, "prefix": "198.51.100.0/24", "maxLength": 25, "ta": "test", "expires": '
it_contains "JSON metadata" "$json" '"roas": 2,'
it_contains "JSON aspas" "$json" '"aspas": ['
it_contains "JSON bgpsec_keys" "$json" '"bgpsec_keys": ['
it_check "JSON parses" python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["roas"]) == 3' <<<"$json"
it_contains "summary on stderr" "$(cat "$W/stderr")" "VRPs: 3 (3 unique)"

# a router certificate: its key in the JSON, the VRPs unchanged
publish r0.roa r1.roa rtr.cer
it_eq "router certificate: VRPs unchanged" "$(vrps)" "$GOOD"
json=$(run -j -)
it_contains "router certificate: bgpsec_keys entry" "$json" "{ \"asn\": 64500, \"ski\": \"$RTR_SKI\", \"pubkey\": \""
it_contains "router certificate: counted" "$json" '"bgpsec_pubkeys": 1,'

# the configuration file: rpki.validator.tal_dir and cache_dir
mkdir -p "$W/tals"
cp "$W/test.tal" "$W/tals/"
printf "irrd:\n  database_url: 'postgresql://irrd@127.0.0.1:5432/irrd'\n  rpki:\n    validator: {enabled: true, tal_dir: %s, cache_dir: %s}\n" \
	"$W/tals" "$C" >"$W/irrd.yaml"
it_eq "--config: TALs and cache from rpki.validator" \
	"$("$V" --config "$W/irrd.yaml" -n -c - 2>/dev/null | tail -n +2 | sort)" "$GOOD"

# a ROA outside the CA's resources: that ROA only
publish r0.roa r1.roa r2.roa
it_eq "EE outside the CA's resources: ROA rejected" "$(vrps)" "$GOOD"
it_contains "... reason logged" "$(cat "$W/stderr")" "r2.roa: RFC 6487: uncovered IP: 203.0.113.0--203.0.113.255"

# damaged ROA (hash differs from the manifest's): the publication point goes
publish r0.roa r1.roa
printf '\0' >>"$D/ca/r1.roa"
it_eq "manifest hash mismatch: publication point rejected" "$(vrps)" ""
it_contains "... reason logged" "$(cat "$W/stderr")" "RFC 9286 section 6.5: r1.roa does not match its hash"

# listed but missing
rm "$D/ca/r1.roa"
it_eq "listed file missing: publication point rejected" "$(vrps)" ""
it_contains "... reason logged" "$(cat "$W/stderr")" "r1.roa listed on the manifest is missing"

# unlisted ROA: ignored
publish r0.roa
cp r1.roa "$D/ca/"
it_eq "unlisted ROA ignored" "$(vrps)" "$(head -n 2 <<<"$GOOD")"

# revoked EE
ossl ca -name ca_ca -revoke r1.pem
publish r0.roa r1.roa
it_eq "revoked EE: its ROA rejected" "$(vrps)" "$(head -n 2 <<<"$GOOD")"
it_contains "... reason logged" "$(cat "$W/stderr")" "r1.roa: certificate revoked"

# evaluation time after the manifests' nextUpdate: stale, everything rejected
it_eq "stale manifest (-P): nothing" "$(vrps -P $((NOW + 3 * 86400)))" ""
it_contains "... reason logged" "$(cat "$W/stderr")" "RFC 9286 section 6.4: CRL is stale"

# TAL with another key
out=$("$V" -n -t "$W/wrongkey.tal" -d "$C" -c - 2>&1)
rc=$?
it_eq "TAL key mismatch: exit status 1" "$rc" "1"
it_contains "... reason logged" "$out" "trust anchor public key does not match the TAL's"

# usage errors
it_check_fails "no TAL, no config" "$V" -d "$C"
it_check_fails "unknown option" "$V" --bogus

# one-file mode
it_contains "-f ROA" "$("$V" -f "$D/ca/r0.roa" 2>&1)" "asID:                    64496"
it_contains "-f TAL" "$("$V" -f "$W/wrongkey.tal" 2>&1)" "Trust anchor location:   rsync://example.test/ta.cer"
it_contains "-f manifest" "$("$V" -f "$D/ca/ca.mft" 2>&1)" "Validation:              parsed"
it_contains "-f CRL" "$("$V" -f "$D/ca/ca.crl" 2>&1)" "Revoked certificates:    1"
it_check_fails "-f garbage" "$V" -f "$W/cnf"

it_done
