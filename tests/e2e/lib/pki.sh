# SPDX-License-Identifier: MIT
# tests/e2e/lib/pki.sh - throwaway keys made at run time in the run
# directory: no key material is ever committed. Sourced.

# pki_selfsigned NAME - a self-signed EC (P-256) certificate and key,
# $RUN_DIR/pki/NAME.crt and NAME.key, CN=NAME, valid two days. Each peer pins
# the other's fingerprint (or the certificate itself), so no CA is needed.
pki_selfsigned() {
	local name=$1 d=$RUN_DIR/pki
	mkdir -p "$d"
	[[ -s $d/$name.crt ]] && return 0
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/$name.key" -out "$d/$name.crt" -days 2 -subj "/CN=$name" \
		-addext "subjectAltName=DNS:$name" >>"$RUN_DIR/harness.log" 2>&1
}

# pki_fingerprint NAME - SHA-256 fingerprint "AA:BB:..." of NAME's certificate.
pki_fingerprint() {
	openssl x509 -in "$RUN_DIR/pki/$1.crt" -noout -fingerprint -sha256 | sed 's/^.*=//'
}
