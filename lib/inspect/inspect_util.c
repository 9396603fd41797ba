/* inspect's own JSON helpers (report/json_write.h has the shared ones) and
 * architecture names for `vigil inspect`. */
#include "inspect/inspect_internal.h"

json_t *vg_ij_entropy(double h)
{
	if (h < 0)
		return json_null();
	return json_real((double)(long)(h * 1000 + 0.5) / 1000);
}

json_t *vg_ij_flags(uint32_t bits, const char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n && i < 32; i++)
		if ((bits & (1u << i)) && names[i] && names[i][0])
			json_array_append_new(a, json_string(names[i]));
	return a;
}

void vg_ij_set(json_t *obj, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(obj, key, v);
}

struct name16 {
	uint16_t v;
	const char *name;
};

static const char *lookup16(const struct name16 *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, v) lookup16(t, sizeof t / sizeof *t, v)

const char *vg_pe_machine_name(uint16_t machine)
{
	static const struct name16 t[] = {
		{0x014c, "i386"},  {0x8664, "AMD64"}, {0xaa64, "ARM64"},
		{0x01c0, "ARM"},   {0x01c4, "ARMv7 Thumb-2"}, {0x0200, "IA-64"},
		{0x0ebc, "EFI byte code"}, {0x5064, "RISC-V 64"},
		{0x5032, "RISC-V 32"}, {0xa641, "ARM64EC"},
		{0x6264, "LoongArch 64"}, {0x0000, "unknown (0)"},
	};
	return LOOKUP(t, machine);
}

const char *vg_pe_subsystem_name(uint16_t subsystem)
{
	static const struct name16 t[] = {
		{1, "native"},  {2, "Windows GUI"}, {3, "Windows console"},
		{7, "POSIX console"}, {9, "Windows CE"}, {10, "EFI application"},
		{11, "EFI boot service driver"}, {12, "EFI runtime driver"},
		{13, "EFI ROM"}, {14, "Xbox"}, {16, "Windows boot application"},
	};
	return LOOKUP(t, subsystem);
}

const char *vg_elf_machine_name(uint16_t machine)
{
	static const struct name16 t[] = {
		{2, "SPARC"},   {3, "i386"},    {8, "MIPS"},     {20, "PowerPC"},
		{21, "PowerPC64"}, {22, "S/390"}, {40, "ARM"},   {43, "SPARC V9"},
		{50, "IA-64"},  {62, "x86-64"}, {183, "AArch64"}, {243, "RISC-V"},
		{247, "BPF"},   {258, "LoongArch"},
	};
	return LOOKUP(t, machine);
}

const char *vg_macho_cpu_name(uint32_t cputype)
{
	switch (cputype) {
	case 7: return "i386";
	case 0x01000007: return "x86_64";
	case 12: return "arm";
	case 0x0100000c: return "arm64";
	case 0x0200000c: return "arm64_32";
	case 18: return "ppc";
	case 0x01000012: return "ppc64";
	default: return NULL;
	}
}

const char *vg_macho_filetype_name(uint32_t filetype)
{
	static const struct name16 t[] = {
		{1, "object"}, {2, "executable"}, {3, "fixed VM library"},
		{4, "core"},   {5, "preloaded executable"}, {6, "dylib"},
		{7, "dylinker"}, {8, "bundle"}, {9, "dylib stub"}, {10, "dSYM"},
		{11, "kext bundle"}, {12, "fileset"},
	};
	return filetype > 0xffff ? NULL : LOOKUP(t, (uint16_t)filetype);
}
