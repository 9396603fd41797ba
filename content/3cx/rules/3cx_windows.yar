/*
 * vigil built-in content: the 3CX supply-chain compromise (March 2023),
 * Windows techniques. Written by the vigil project from the facts in its
 * reference notes; see ../README.md for sources and scores.
 *
 * Strings that name the attack are written with one \x escape so that this
 * file, and any copy of it, never matches its own rules.
 */
import "pe"

rule VIGIL_3CX_SigFlip_Tag_In_Certificate_Table
{
	meta:
		description = "PE whose Authenticode certificate table holds the SigFlip tag FEEDFACE FEEDFACE, the container of the 3CX d3dcompiler_47.dll payload (data hidden where the signature hash does not cover it)"
		author = "vigil project"
		reference = "https://www.elastic.co/security-labs/elastic-users-protected-from-suddenicon-supply-chain-attack ; https://github.com/med0x2e/SigFlip (format) ; https://www.reversinglabs.com/blog/red-flags-fly-over-supply-chain-compromised-3cx-update"
		score = 90
		date = "2026-11-22"
	strings:
		$tag = { FE ED FA CE FE ED FA CE }
	condition:
		uint16(0) == 0x5A4D and
		pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].size > 8 and
		/* the directory's VirtualAddress is a file offset; the tag must
		   lie inside it, after the 8-byte WIN_CERTIFICATE header */
		for any i in (1..#tag) : (
			@tag[i] >= pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].virtual_address + 8 and
			@tag[i] + 8 <= pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].virtual_address +
				pe.data_directories[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].size
		)
}

rule VIGIL_3CX_Loader_RC4_Key
{
	meta:
		description = "RC4 key of the 3CX ffmpeg.dll loader, in a PE or next to the loader's UTF-16 event name AVMonitorRefreshEvent"
		author = "vigil project"
		reference = "https://www.elastic.co/security-labs/elastic-users-protected-from-suddenicon-supply-chain-attack ; signature-base gen_mal_3cx_compromise_mar23.yar (facts only)"
		score = 85
		date = "2026-11-22"
	strings:
		$key = "3jB(2bsG#\x40c7" ascii
		$event = "AVMonitorRefresh\x45vent" wide
	condition:
		filesize < 50MB and $key and ($event or uint16(0) == 0x5A4D)
}

rule VIGIL_3CX_IconStorages_URL_Template
{
	meta:
		description = "URL template the 3CX loader used to fetch icons carrying its C2 address from GitHub: UTF-16 anywhere, ASCII only inside an executable (text reports quoting it stay quiet)"
		author = "vigil project"
		reference = "https://www.elastic.co/security-labs/elastic-users-protected-from-suddenicon-supply-chain-attack ; volexity/threat-intel: 2023/2023-03-30 3CX (iocs.csv, rules.yar, decrypt_ico.py)"
		score = 85
		date = "2026-11-22"
	strings:
		$wide = "https://raw.githubusercontent.com/IconStorages/images/main/icon%d\x2eico" wide
		$ascii = "https://raw.githubusercontent.com/IconStorages/images/main/icon%d\x2eico" ascii
	condition:
		$wide or
		($ascii and (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or
			     uint32(0) == 0xFEEDFACE or uint32(0) == 0xFEEDFACF or
			     uint32be(0) == 0xCAFEBABE))
}

rule VIGIL_3CX_ICO_PNG_Base64_Tail
{
	meta:
		description = "Small ICO whose PNG image ends (IEND) and is followed by '$' and base64 text near the end of the file: the way the 3CX icons stashed their encrypted C2 address"
		author = "vigil project"
		reference = "volexity/threat-intel: 2023/2023-03-30 3CX (iocs.csv, rules.yar, decrypt_ico.py) ; https://www.elastic.co/security-labs/elastic-users-protected-from-suddenicon-supply-chain-attack"
		score = 80
		date = "2026-11-22"
	strings:
		/* IEND chunk type and its CRC, '$', then 16 base64 characters */
		$tail = /\x49\x45\x4E\x44\xAE\x42\x60\x82\x24[A-Za-z0-9+\/]{16}/
	condition:
		filesize < 120KB and
		uint16(0) == 0 and uint16(2) == 1 and         /* ICONDIR: reserved, type icon */
		uint16(4) > 0 and uint16(4) < 256 and         /* image count */
		for any i in (1..#tail) : (@tail[i] + 500 >= filesize)
}
