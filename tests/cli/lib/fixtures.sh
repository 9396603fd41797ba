# Fixtures the golden cases share (sourced by a case, in its empty working
# directory). Every one is small text written here; nothing is stored.

# content/: a Loki hash IOC file (the MD5 of tree/hit.bin), a file-name
# IOC file and a YARA rule; tree/: a hash hit, a file-name hit, a rule hit
# and a clean file.
mk_tree() {
	mkdir -p content tree/sub
	printf 'a stand-in for a trojanized library\n' >tree/hit.bin
	printf 'benign bytes named like a dropped tool\n' >tree/sub/dropper_tool.exe
	printf 'VIGIL_GOLDEN_MARKER\n' >tree/marker.txt
	printf 'nothing to see\n' >tree/clean.txt
	printf '# golden\n%s;golden test hash\n' \
		"$(md5sum <tree/hit.bin | cut -d' ' -f1)" >content/golden-hash-iocs.txt
	printf '# golden\n\\\\dropper_tool\\.exe$;70\n' >content/golden-filename-iocs.txt
	cat >content/golden.yar <<'EOT'
rule golden_marker {
  meta:
    score = 60
    description = "the golden marker string"
  strings:
    $m = "VIGIL_GOLDEN_MARKER"
  condition:
    $m
}
EOT
}

# iocs/golden-c2-iocs.txt and logs/: a Zeek-style DNS log with a hit on a
# subdomain and a miss, and a plain log with an address in a CIDR.
mk_logs() {
	mkdir -p iocs logs
	printf '# golden C2\nakamaicontainer.com\n203.0.113.0/24;80\n' >iocs/golden-c2-iocs.txt
	{
		printf '#separator \\x09\n#path\tdns\n'
		printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n'
		printf '1680000000.000000\tC1\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\tcdn.akamaicontainer.com\n'
		printf '1680000060.000000\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\tnotakamaicontainer.com\n'
	} >logs/dns.log
	printf 'connect from 10.0.0.7 to 203.0.113.9 port 443\nnothing here\n' >logs/plain.txt
}

# root/: a dpkg database of one package, "golden", with two files: one
# intact, one changed since it was installed.
mk_root() {
	mkdir -p root/var/lib/dpkg/info root/usr/bin root/usr/share/golden
	printf 'intact\n' >root/usr/share/golden/intact.txt
	printf 'original\n' >root/usr/share/golden/changed.txt
	{
		printf 'Package: golden\nStatus: install ok installed\nPriority: optional\n'
		printf 'Architecture: all\nVersion: 1.0\nDescription: golden test\n\n'
	} >root/var/lib/dpkg/status
	printf '/usr\n/usr/share\n/usr/share/golden\n/usr/share/golden/intact.txt\n/usr/share/golden/changed.txt\n' \
		>root/var/lib/dpkg/info/golden.list
	(cd root && md5sum usr/share/golden/intact.txt usr/share/golden/changed.txt) \
		>root/var/lib/dpkg/info/golden.md5sums
	printf 'tampered\n' >root/usr/share/golden/changed.txt
}
