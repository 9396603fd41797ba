/*
 * vigil built-in content: the 3CX supply-chain compromise, macOS
 * (trojanized libffmpeg.dylib). Written by the vigil project from the facts
 * in its reference notes; see ../README.md.
 */

rule VIGIL_3CX_MacOS_Dropper_Paths
{
	meta:
		description = "Mach-O with the format strings of the files the trojanized 3CX libffmpeg.dylib writes in its application-support folder (.main_storage, UpdateAgent)"
		author = "vigil project"
		reference = "https://www.elastic.co/security-labs/elastic-users-protected-from-suddenicon-supply-chain-attack ; signature-base gen_mal_3cx_compromise_mar23.yar (facts only)"
		score = 80
		date = "2026-11-22"
	strings:
		$storage = "%s/.main_storage"
		$agent = "%s/UpdateAgent"
	condition:
		(uint32(0) == 0xFEEDFACE or uint32(0) == 0xFEEDFACF or
		 uint32be(0) == 0xCAFEBABE) and
		all of them
}

rule VIGIL_3CX_MacOS_XOR7A_Strings
{
	meta:
		description = "Mach-O holding a Mozilla user agent and the __tutma cookie XORed with 0x7A, as the trojanized 3CX libffmpeg.dylib stores them"
		author = "vigil project"
		reference = "volexity/threat-intel: 2023/2023-03-30 3CX (iocs.csv, rules.yar, decrypt_ico.py) ; signature-base gen_mal_3cx_compromise_mar23.yar (facts only)"
		score = 80
		date = "2026-11-22"
	strings:
		$ua = "Mozilla/5.0" xor(0x7A)
		$cookie = ";__tutma=" xor(0x7A)
	condition:
		(uint32(0) == 0xFEEDFACE or uint32(0) == 0xFEEDFACF or
		 uint32be(0) == 0xCAFEBABE) and
		all of them
}
