# Shared by the PE tests (sourced): build_signed_pe DIR builds, in DIR, a
# tiny DLL with mingw-w64 (one export, a version resource), a throwaway CA and code-signing certificate with
# openssl, and signs the DLL with osslsigncode:
#   DIR/ca.pem               the test root
#   DIR/signed.dll           signed (SHA-256) by a leaf of that root
#   DIR/signed-sha1.dll      the same DLL signed with SHA-1
#   DIR/nested.dll           signed.dll plus a nested SHA-1 signature
# Exits 77 when a tool is missing, 1 when a step fails.
build_signed_pe() {
	d=$1
	for t in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres osslsigncode openssl; do
		command -v "$t" >/dev/null 2>&1 || { echo "skip: '$t' not installed"; exit 77; }
	done
	mkdir -p "$d"
	cat >"$d/tiny.c" <<-'EOF'
	/* a benign one-function DLL for the signature tests */
	__declspec(dllexport) int vigil_test_add(int a, int b) { return a + b; }
	EOF
	cat >"$d/tiny.rc" <<-'EOF'
	1 VERSIONINFO
	FILEVERSION 1,2,3,4
	BEGIN
	  BLOCK "StringFileInfo"
	  BEGIN
	    BLOCK "040904b0"
	    BEGIN
	      VALUE "CompanyName", "Vigil Test Co"
	      VALUE "FileVersion", "1.2.3.4"
	      VALUE "OriginalFilename", "tiny.dll"
	      VALUE "ProductName", "vigil fixtures"
	    END
	  END
	  BLOCK "VarFileInfo"
	  BEGIN
	    VALUE "Translation", 0x409, 1200
	  END
	END
	EOF
	x86_64-w64-mingw32-windres "$d/tiny.rc" -O coff -o "$d/tiny.res.o" &&
	x86_64-w64-mingw32-gcc -shared -s -O2 -o "$d/tiny.dll" "$d/tiny.c" "$d/tiny.res.o" ||
		{ echo "cannot build the test DLL"; exit 1; }
	cat >"$d/ca.cnf" <<-'EOF'
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	CN = vigil test root
	[ca_ext]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	[leaf_ext]
	basicConstraints = CA:FALSE
	keyUsage = critical, digitalSignature
	extendedKeyUsage = codeSigning
	authorityKeyIdentifier = keyid
	EOF
	(
		cd "$d" &&
		openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
			-days 30 -config ca.cnf -extensions ca_ext 2>/dev/null &&
		openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr \
			-subj "/CN=vigil test code signing" 2>/dev/null &&
		openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 30 -extfile ca.cnf -extensions leaf_ext -out leaf.pem 2>/dev/null &&
		osslsigncode sign -certs leaf.pem -key leaf.key -h sha256 \
			-in tiny.dll -out signed.dll >/dev/null &&
		osslsigncode sign -certs leaf.pem -key leaf.key -h sha1 \
			-in tiny.dll -out signed-sha1.dll >/dev/null &&
		osslsigncode sign -nest -certs leaf.pem -key leaf.key -h sha1 \
			-in signed.dll -out nested.dll >/dev/null
	) || { echo "cannot create the test certificates or sign the DLL"; exit 1; }
}
