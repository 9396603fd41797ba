/*
 * vigil built-in content: Gopuram and TAXHAUL host artifacts of the 3CX
 * campaign, for sweeps of mounted Windows disks. Written by the vigil
 * project; see ../README.md. Uses the Loki external 'filename' (the base
 * name), which the scanner defines for every file.
 */

rule VIGIL_Gopuram_TxR_Regtrans_Without_Registry_Marker
{
	meta:
		description = "Small .TxR.0.regtrans-ms file without the UTF-16 REGISTRY marker of Windows' own transaction logs: Gopuram and TAXHAUL kept their encrypted shellcode in such a file under System32\\config\\TxR"
		author = "vigil project"
		reference = "https://securelist.com/gopuram-backdoor-deployed-through-3cx-supply-chain-attack/109344/ ; signature-base gen_mal_3cx_compromise_mar23.yar (heuristic, facts only)"
		score = 70
		date = "2026-11-22"
	strings:
		$marker = "REGISTRY" wide
	condition:
		filename matches /\.txr\.0\.regtrans-ms$/i and
		filesize > 0 and filesize < 100KB and
		not $marker
}
