#!/bin/sh
# Signer trust with --ca-file (lib/trust/authenticode.c): a throwaway PKI
# made here with `openssl ca` (a root, a second root for the timestamp
# authority, an intermediate whose EKU allows TLS only) and a mingw DLL
# signed with osslsigncode, its RFC 3161 timestamps made by osslsigncode's
# built-in TSA (-TSA-certs/-TSA-key/-TSA-time) with a test TSA certificate:
#  a. a code-signing leaf: trusted, verified now;
#  b. a TLS-server leaf (serverAuth EKU only): not trusted, VGL-SIG-NOT-CODE-SIGNING;
#  c. an expired lifetime-signing leaf with a valid timestamp: not trusted,
#     VGL-SIG-LIFETIME-EXPIRED (verified now);
#  d. an expired leaf with a valid timestamp from the test TSA: trusted at
#     the timestamp's time, which inspect shows with the TSA (JSON and text);
#     without the TSA's root in the CA file the timestamp is not valid and
#     the signer is verified now (not trusted);
#  e. an expired leaf with a signingTime inside its validity (the signer
#     picks that attribute) and no timestamp: verified now, not trusted;
#  f. a code-signing leaf under an intermediate whose EKU says serverAuth
#     only: not trusted, VGL-SIG-CA-EKU;
#  g. an expired leaf with a legacy PKCS#9 countersignature by the test TSA
#     (tests/tools/mkcountersig.c): trusted at its time; one whose digest
#     covers other bytes, or without the TSA's root: not valid, verified now.
. "$(dirname "$0")/lib/common.sh"
need jq
for t in x86_64-w64-mingw32-gcc osslsigncode openssl; do need "$t"; done

P=$T/pki
mkdir -p "$P/new"
cd "$P" || exit 1
cat >ca.cnf <<'EOT'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
default_ca = c
[c]
dir = .
database = ./index.txt
new_certs_dir = ./new
serial = ./serial
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
[pol]
commonName = supplied
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tlsca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[cs_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
authorityKeyIdentifier = keyid
[tls_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
[life_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning, 1.3.6.1.4.1.311.10.3.13
authorityKeyIdentifier = keyid
[tsa_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
EOT
: >index.txt
echo 01 >serial
# key NAME CN: a key and a request
key() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-config ca.cnf -subj "/CN=$2" 2>/dev/null
}
# issue NAME CN EXT START END ISSUER: a certificate of ISSUER (self for a root)
issue() {
	key "$1" "$2" || return 1
	if [ "$6" = self ]; then
		set -- "$@" -selfsign -keyfile "$1.key"
	else
		set -- "$@" -cert "$6.pem" -keyfile "$6.key"
	fi
	n=$1 e=$3 s=$4 f=$5
	shift 6
	openssl ca -batch -notext -config ca.cnf -in "$n.csr" -out "$n.pem" -startdate "$s" \
		-enddate "$f" -extensions "$e" "$@" 2>/dev/null
}
long="20190101000000Z 20491231000000Z"
issue ca "vigil trust test root" root_ext $long self &&
	issue tsaroot "vigil trust test TSA root" root_ext $long self &&
	issue tsa "vigil test TSA" tsa_ext $long tsaroot &&
	issue tlsca "vigil TLS-only CA" tlsca_ext $long ca &&
	issue cs "vigil code signing" cs_ext 20250101000000Z 20491231000000Z ca &&
	issue tls "www.vigil.example" tls_ext 20250101000000Z 20491231000000Z ca &&
	issue old "vigil expired code signing" cs_ext 20200101000000Z 20210101000000Z ca &&
	issue life "vigil lifetime signing" life_ext 20200101000000Z 20210101000000Z ca &&
	issue under "vigil code signing under TLS CA" cs_ext 20250101000000Z 20491231000000Z tlsca ||
	{ echo "cannot create the test PKI"; exit 1; }
cat ca.pem tsaroot.pem >both.pem
cat under.pem tlsca.pem >under-chain.pem

echo '__declspec(dllexport) int vigil_trust_test(int a) { return a + 1; }' >t.c
x86_64-w64-mingw32-gcc -shared -s -O2 -o t.dll t.c || { echo "cannot build the test DLL"; exit 1; }
ts=$(date -u -d 2020-06-01T12:00:00Z +%s 2>/dev/null) || ts=1591012800
# sign OUT CERT KEY [osslsigncode options]
sign() {
	o=$1 c=$2 k=$3
	shift 3
	osslsigncode sign -certs "$c" -key "$k" -h sha256 "$@" -in t.dll -out "$o" >/dev/null
}
sign a.dll cs.pem cs.key &&
	sign b.dll tls.pem tls.key &&
	sign c.dll life.pem life.key -time "$ts" -TSA-certs tsa.pem -TSA-key tsa.key -TSA-time "$ts" &&
	sign d.dll old.pem old.key -time "$ts" -TSA-certs tsa.pem -TSA-key tsa.key -TSA-time "$ts" &&
	sign e.dll old.pem old.key -time "$ts" &&
	sign f.dll under-chain.pem under.key ||
	{ echo "cannot sign the test DLLs"; exit 1; }

# sig FILE CA FIELDS: jq of the first signature's fields, space-separated
sig() {
	"$VIGIL" inspect --no-builtin --json --ca-file "$2" "$1" >"$T/j" 2>"$T/err" || :
	jq -r ".pe.signatures[0] | [$3] | map(tostring) | join(\" \")" "$T/j"
}
F='.trusted, .trust_reason, .trust_time_source'

check "a. code-signing leaf: trusted, verified now" "true null now" "$(sig a.dll both.pem "$F")"
check "a. its EKU allows code signing" "true false" \
	"$(sig a.dll both.pem '.code_signing_eku, .lifetime_signing')"
check "b. TLS-server leaf: not trusted" "false VGL-SIG-NOT-CODE-SIGNING now" \
	"$(sig b.dll both.pem "$F")"
check "b. the reason says why" \
	"signer certificate not valid for code signing (its extended key usage lacks codeSigning)" \
	"$(sig b.dll both.pem .trust_error)"
check "c. expired lifetime-signing leaf, timestamped: not trusted" \
	"false VGL-SIG-LIFETIME-EXPIRED now true true" \
	"$(sig c.dll both.pem "$F, .timestamp_valid, .lifetime_signing")"
check "d. expired leaf, valid timestamp: trusted at the timestamp's time" \
	"true null timestamp 2020-06-01T12:00:00Z" \
	"$(sig d.dll both.pem "$F, .trust_time")"
check "d. the timestamp shown: kind, time, TSA, valid" \
	"RFC 3161 2020-06-01T12:00:00Z CN=vigil test TSA true" \
	"$(sig d.dll both.pem '.timestamp, .timestamp_time, .timestamp_authority, .timestamp_valid')"
"$VIGIL" inspect --no-builtin --ca-file both.pem d.dll >"$T/text" 2>&1 || :
check "d. text: the timestamp's time and validity" 1 \
	"$(grep -c '^      timestamp   RFC 3161 at 2020-06-01T12:00:00Z, valid$' "$T/text")"
check "d. text: the TSA" 1 "$(grep -c '^      TSA         CN=vigil test TSA$' "$T/text")"
check "d. text: verified at the timestamp's time" 1 \
	"$(grep -c "^      verified at 2020-06-01T12:00:00Z (the timestamp's time)$" "$T/text")"
check "d. without the TSA's root: timestamp not valid, verified now, not trusted" \
	"false VGL-SIG-CHAIN now false VGL-SIG-TIMESTAMP-INVALID" \
	"$(sig d.dll ca.pem "$F, .timestamp_valid, .timestamp_reason")"
"$VIGIL" inspect --no-builtin --json d.dll >"$T/j" 2>"$T/err" || :
check "d. without --ca-file: time and TSA shown, validity not checked" \
	"2020-06-01T12:00:00Z CN=vigil test TSA null null" \
	"$(jq -r '.pe.signatures[0] | [.timestamp_time, .timestamp_authority, .timestamp_valid, .trusted] | map(tostring) | join(" ")' "$T/j")"
check "e. forged signingTime, no timestamp: verified now, not trusted" \
	"false VGL-SIG-CHAIN now 2020-06-01T12:00:00Z certificate has expired" \
	"$(sig e.dll both.pem "$F, .signing_time, .trust_error")"
MKCS="$VIGIL_TEST_BIN/mkcountersig"
if [ -x "$MKCS" ]; then
	sign g-in.dll old.pem old.key -time "$ts" &&
		"$MKCS" g-in.dll g.dll tsa.pem tsa.key "$ts" &&
		"$MKCS" g-in.dll g-bad.dll tsa.pem tsa.key "$ts" bad ||
		{ echo "cannot make the countersigned DLLs"; exit 1; }
	check "g. expired leaf, valid PKCS#9 countersignature: trusted at its time" \
		"true null timestamp 2020-06-01T12:00:00Z true true" \
		"$(sig g.dll both.pem "$F, .trust_time, .digest_match, .intact")"
	check "g. the countersignature shown" \
		"Authenticode countersignature 2020-06-01T12:00:00Z CN=vigil test TSA true" \
		"$(sig g.dll both.pem '.timestamp, .timestamp_time, .timestamp_authority, .timestamp_valid')"
	check "g. a countersignature over other bytes: not valid, verified now" \
		"false VGL-SIG-CHAIN now false VGL-SIG-TIMESTAMP-INVALID" \
		"$(sig g-bad.dll both.pem "$F, .timestamp_valid, .timestamp_reason")"
	check "g. without the TSA's root: not valid" "false false" \
		"$(sig g.dll ca.pem '.trusted, .timestamp_valid')"
else
	not_ok "mkcountersig not built"
fi
check "f. code-signing leaf under a TLS-only CA: not trusted" "false VGL-SIG-CA-EKU now" \
	"$(sig f.dll both.pem "$F")"
check "f. the reason names the CA" 1 \
	"$(sig f.dll both.pem .trust_error | grep -c '^CA certificate CN=vigil TLS-only CA not valid for code signing')"
finish
