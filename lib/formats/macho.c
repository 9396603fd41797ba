/*
 * Mach-O anatomy (formats/macho.h): fat header, per-slice header, a capped
 * walk of the load commands, linked dylibs, and the code-signature
 * SuperBlob down to the CodeDirectory's identifier and Team ID.
 * Layouts from Apple's <mach-o/loader.h>, <mach-o/fat.h> and xnu's
 * cs_blobs.h.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/byteread.h"
#include "formats/macho.h"
#include "base/util.h"

#define MH32_SIZE 28
#define MH64_SIZE 32
#define FAT_ARCH_SIZE 20
#define FAT_ARCH64_SIZE 32
#define DYLIB_CMD_SIZE 24      /* cmd, cmdsize, name offset, timestamp, 2 versions */
#define LINKEDIT_CMD_SIZE 16   /* cmd, cmdsize, dataoff, datasize */
#define CD_TEAM_FIELD 48       /* teamOffset in a CodeDirectory >= 0x20200 */

/* Which thin header is this? 0 none, else 32 or 64; *big the byte order. */
static int thin_kind(const uint8_t *b, size_t len, int *big)
{
	uint32_t le, be;
	if (!vg_le32(b, len, 0, &le) || !vg_be32(b, len, 0, &be))
		return 0;
	*big = be == VG_MH_MAGIC || be == VG_MH_MAGIC_64;
	uint32_t m = *big ? be : le;
	return m == VG_MH_MAGIC ? 32 : m == VG_MH_MAGIC_64 ? 64 : 0;
}

int vg_macho_sniff(const uint8_t *buf, size_t len)
{
	int big;
	uint32_t magic, n;
	if (thin_kind(buf, len, &big))
		return 1;
	return vg_be32(buf, len, 0, &magic) && vg_be32(buf, len, 4, &n) &&
	       (magic == VG_FAT_MAGIC || magic == VG_FAT_MAGIC_64) && n > 0 &&
	       n <= VG_MACHO_MAX_ARCHS;
}

const char *vg_macho_dylib_cmd_name(uint32_t cmd)
{
	switch (cmd) {
	case VG_LC_LOAD_DYLIB:
		return "LC_LOAD_DYLIB";
	case VG_LC_LOAD_WEAK_DYLIB:
		return "LC_LOAD_WEAK_DYLIB";
	case VG_LC_REEXPORT_DYLIB:
		return "LC_REEXPORT_DYLIB";
	case VG_LC_LAZY_LOAD_DYLIB:
		return "LC_LAZY_LOAD_DYLIB";
	case VG_LC_LOAD_UPWARD_DYLIB:
		return "LC_LOAD_UPWARD_DYLIB";
	default:
		return NULL;
	}
}

const char *vg_macho_cmd_name(uint32_t cmd)
{
	static const struct {
		uint32_t cmd;
		const char *name;
	} names[] = {
		{0x1, "LC_SEGMENT"},
		{0x2, "LC_SYMTAB"},
		{0x5, "LC_UNIXTHREAD"},
		{0xb, "LC_DYSYMTAB"},
		{VG_LC_ID_DYLIB, "LC_ID_DYLIB"},
		{0xe, "LC_LOAD_DYLINKER"},
		{0x19, "LC_SEGMENT_64"},
		{0x1b, "LC_UUID"},
		{0x1c | VG_LC_REQ_DYLD, "LC_RPATH"},
		{VG_LC_CODE_SIGNATURE, "LC_CODE_SIGNATURE"},
		{0x1e, "LC_SEGMENT_SPLIT_INFO"},
		{0x21, "LC_ENCRYPTION_INFO"},
		{0x22 | VG_LC_REQ_DYLD, "LC_DYLD_INFO_ONLY"},
		{0x24, "LC_VERSION_MIN_MACOSX"},
		{0x26, "LC_FUNCTION_STARTS"},
		{0x28 | VG_LC_REQ_DYLD, "LC_MAIN"},
		{0x29, "LC_DATA_IN_CODE"},
		{0x2a, "LC_SOURCE_VERSION"},
		{0x2c, "LC_ENCRYPTION_INFO_64"},
		{0x32, "LC_BUILD_VERSION"},
		{0x33 | VG_LC_REQ_DYLD, "LC_DYLD_EXPORTS_TRIE"},
		{0x34 | VG_LC_REQ_DYLD, "LC_DYLD_CHAINED_FIXUPS"},
	};
	const char *d = vg_macho_dylib_cmd_name(cmd);
	if (d)
		return d;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].cmd == cmd)
			return names[i].name;
	return NULL;
}

/*
 * A copy of the NUL-terminated string at b[off], which must end before
 * `end`. *bad when it does not (what lies before end is kept), *oom on
 * allocation failure.
 */
static char *string_in(const uint8_t *b, uint64_t off, uint64_t end, int *bad, int *oom)
{
	if (off >= end) {
		*bad = 1;
		return NULL;
	}
	size_t room = (size_t)(end - off);
	const uint8_t *nul = memchr(b + off, 0, room);
	size_t n = nul ? (size_t)(nul - (b + off)) : room;
	if (!nul)
		*bad = 1;
	if (n > VG_MACHO_MAX_NAME)
		n = VG_MACHO_MAX_NAME;
	char *s = vg_strndup((const char *)b + off, n);
	if (!s)
		*oom = 1;
	return s;
}

/* ---- code signature (always big-endian) ---- */

/* The CodeDirectory at sb[off] (inside a SuperBlob of sblen bytes). */
static int parse_cd(vg_macho_codesig *cs, const uint8_t *sb, size_t sblen, uint32_t off)
{
	uint32_t magic, cdlen, version, flags, ident, team = 0;
	if (!vg_be32(sb, sblen, off, &magic) || magic != VG_CSMAGIC_CODEDIRECTORY ||
	    !vg_be32(sb, sblen, (uint64_t)off + 4, &cdlen) ||
	    !vg_be32(sb, sblen, (uint64_t)off + 8, &version) ||
	    !vg_be32(sb, sblen, (uint64_t)off + 12, &flags) ||
	    !vg_be32(sb, sblen, (uint64_t)off + 20, &ident) ||
	    !vg_fits(sblen, off, 40))
		return 0; /* not a CodeDirectory, or its fixed part is cut off */
	/* the CodeDirectory's own length bounds its strings */
	uint64_t end = (uint64_t)off + cdlen;
	if (cdlen < 40 || end > sblen)
		return 0;
	if (version >= VG_CS_SUPPORTSTEAMID &&
	    (cdlen < CD_TEAM_FIELD + 4 || !vg_be32(sb, sblen, (uint64_t)off + CD_TEAM_FIELD, &team)))
		return 0;
	int bad = 0, oom = 0;
	char *id = string_in(sb, (uint64_t)off + ident, end, &bad, &oom);
	char *tid = NULL;
	if (team && !oom)
		tid = string_in(sb, (uint64_t)off + team, end, &bad, &oom);
	if (oom) {
		free(id);
		free(tid);
		return -1;
	}
	free(cs->identifier);
	free(cs->team_id);
	cs->identifier = id;
	cs->team_id = tid;
	cs->has_cd = 1;
	cs->cd_version = version;
	cs->cd_flags = flags;
	cs->cd_hash_type = sb[off + 37];
	return bad ? 0 : 1;
}

/* The SuperBlob at slice[dataoff, dataoff + datasize). */
static int parse_codesig(vg_macho_slice *s, const uint8_t *b, size_t len)
{
	vg_macho_codesig *cs = &s->cs;
	if (!vg_fits(len, cs->dataoff, cs->datasize)) {
		s->anomalies |= VG_MACHO_ANOM_CS_PAST_END;
		return 0;
	}
	const uint8_t *sb = b + cs->dataoff;
	size_t sblen = cs->datasize;
	uint32_t magic, length, count;
	if (!vg_be32(sb, sblen, 0, &magic) || magic != VG_CSMAGIC_EMBEDDED_SIGNATURE ||
	    !vg_be32(sb, sblen, 4, &length) || !vg_be32(sb, sblen, 8, &count) ||
	    length < 12 || length > sblen) {
		s->anomalies |= VG_MACHO_ANOM_CS_BAD;
		return 0;
	}
	sblen = length;
	cs->nblobs = count;
	if (count > VG_MACHO_MAX_BLOBS) {
		s->anomalies |= VG_MACHO_ANOM_CS_BAD;
		count = VG_MACHO_MAX_BLOBS;
	}
	if (!vg_fits(sblen, 12, (uint64_t)count * 8)) {
		s->anomalies |= VG_MACHO_ANOM_CS_BAD;
		return 0;
	}
	cs->superblob_ok = 1;
	/* pass 0: the primary CodeDirectory slot; pass 1: an alternate one */
	for (int pass = 0; pass < 2 && !cs->has_cd; pass++) {
		for (uint32_t i = 0; i < count && !cs->has_cd; i++) {
			uint32_t type, off;
			/* the index was checked to fit above; the tests keep it so */
			if (!vg_be32(sb, sblen, 12 + (uint64_t)i * 8, &type) ||
			    !vg_be32(sb, sblen, 16 + (uint64_t)i * 8, &off))
				break;
			int want = pass == 0 ? type == VG_CSSLOT_CODEDIRECTORY
					     : type >= VG_CSSLOT_ALTERNATE_FIRST &&
						       type <= VG_CSSLOT_ALTERNATE_LAST;
			if (!want)
				continue;
			int r = parse_cd(cs, sb, sblen, off);
			if (r < 0)
				return -1;
			if (r == 0)
				s->anomalies |= VG_MACHO_ANOM_CS_BAD;
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t type, off, bmagic, blen;
		if (!vg_be32(sb, sblen, 12 + (uint64_t)i * 8, &type) ||
		    !vg_be32(sb, sblen, 16 + (uint64_t)i * 8, &off))
			break;
		if (type != VG_CSSLOT_SIGNATURESLOT)
			continue;
		/* an ad-hoc signature may carry an empty wrapper (8 bytes) */
		if (vg_be32(sb, sblen, off, &bmagic) && bmagic == VG_CSMAGIC_BLOBWRAPPER &&
		    vg_be32(sb, sblen, (uint64_t)off + 4, &blen) && blen > 8)
			cs->has_cms = 1;
	}
	if (!cs->has_cd)
		s->anomalies |= VG_MACHO_ANOM_CS_BAD;
	return 0;
}

/* ---- load commands ---- */

static int add_dylib(vg_macho_slice *s, const vg_bytes *r, uint64_t off,
		     uint32_t cmd, uint32_t cmdsize, size_t *cap)
{
	uint32_t name, cur, compat;
	if (cmdsize < DYLIB_CMD_SIZE || !vg_rd32(r, off + 8, &name) ||
	    !vg_rd32(r, off + 16, &cur) || !vg_rd32(r, off + 20, &compat)) {
		s->anomalies |= VG_MACHO_ANOM_DYLIB_BAD;
		return 0;
	}
	int bad = 0, oom = 0;
	char *str = string_in(r->b, off + name, off + cmdsize, &bad, &oom);
	if (bad)
		s->anomalies |= VG_MACHO_ANOM_DYLIB_BAD;
	if (oom)
		return -1;
	if (!str)
		return 0;
	if (cmd == VG_LC_ID_DYLIB) {
		free(s->id_dylib);
		s->id_dylib = str;
		return 0;
	}
	if (s->ndylibs >= VG_MACHO_MAX_DYLIBS) {
		s->anomalies |= VG_MACHO_ANOM_DYLIBS_CAPPED;
		free(str);
		return 0;
	}
	if (!vg_grow(&s->dylibs, cap, s->ndylibs + 1, sizeof *s->dylibs)) {
		free(str);
		return -1;
	}
	s->dylibs[s->ndylibs++] = (vg_macho_dylib){cmd, str, cur, compat};
	return 0;
}

/* Parse the thin Mach-O in b[0, len) into s (offset/size already set). */
static int parse_thin(vg_macho_slice *s, const uint8_t *b, size_t len)
{
	int big, kind = thin_kind(b, len, &big);
	if (!kind) {
		s->anomalies |= VG_MACHO_ANOM_SLICE_NESTED;
		return 0;
	}
	vg_bytes r = {b, len, big};
	s->is64 = kind == 64;
	s->big_endian = big;
	uint64_t hdr = s->is64 ? MH64_SIZE : MH32_SIZE;
	if (!vg_rd32(&r, 4, &s->cputype) || !vg_rd32(&r, 8, &s->cpusubtype) ||
	    !vg_rd32(&r, 12, &s->filetype) || !vg_rd32(&r, 16, &s->ncmds) ||
	    !vg_rd32(&r, 20, &s->sizeofcmds) || !vg_rd32(&r, 24, &s->flags) || len < hdr) {
		s->anomalies |= VG_MACHO_ANOM_CMDS_PAST_END;
		return 0;
	}
	uint64_t limit = hdr + s->sizeofcmds;
	if (limit > len) {
		s->anomalies |= VG_MACHO_ANOM_CMDS_PAST_END;
		limit = len;
	}
	uint32_t n = s->ncmds;
	if (n > VG_MACHO_MAX_CMDS) {
		s->anomalies |= VG_MACHO_ANOM_CMDS_CAPPED;
		n = VG_MACHO_MAX_CMDS;
	}
	uint32_t align = s->is64 ? 8 : 4;
	size_t cap = 0;
	uint64_t off = hdr;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t cmd, cmdsize;
		if (off + 8 > limit || !vg_rd32(&r, off, &cmd) || !vg_rd32(&r, off + 4, &cmdsize)) {
			s->anomalies |= VG_MACHO_ANOM_CMDS_PAST_END;
			break;
		}
		/* cmdsize 0 would loop forever; past the end would read garbage */
		if (cmdsize < 8 || cmdsize > limit - off) {
			s->anomalies |= VG_MACHO_ANOM_CMDSIZE_BAD;
			break;
		}
		if (cmdsize % align)
			s->anomalies |= VG_MACHO_ANOM_CMDSIZE_BAD;
		if (!s->cmds && !(s->cmds = calloc(n, sizeof *s->cmds)))
			return -1;
		s->cmds[s->ncmds_walked++] = (vg_macho_cmd){cmd, cmdsize, off};
		if (vg_macho_dylib_cmd_name(cmd) || cmd == VG_LC_ID_DYLIB) {
			if (add_dylib(s, &r, off, cmd, cmdsize, &cap) < 0)
				return -1;
		} else if (cmd == VG_LC_CODE_SIGNATURE) {
			if (s->cs.present) {
				s->anomalies |= VG_MACHO_ANOM_CS_DUP;
			} else if (cmdsize >= LINKEDIT_CMD_SIZE) {
				s->cs.present = 1;
				vg_rd32(&r, off + 8, &s->cs.dataoff);
				vg_rd32(&r, off + 12, &s->cs.datasize);
				if (parse_codesig(s, b, len) < 0)
					return -1;
			} else {
				s->anomalies |= VG_MACHO_ANOM_CMDSIZE_BAD;
			}
		}
		off += cmdsize;
	}
	return 0;
}

static int parse_fat(vg_macho *m, const uint8_t *buf, size_t len)
{
	uint32_t magic, n;
	vg_be32(buf, len, 0, &magic);
	if (!vg_be32(buf, len, 4, &n) || n == 0) {
		m->error = "empty or truncated fat header";
		return VIGIL_FAILED;
	}
	m->fat = 1;
	m->fat64 = magic == VG_FAT_MAGIC_64;
	m->nfat_arch = n;
	if (n > VG_MACHO_MAX_ARCHS) {
		m->error = "too many architectures for a fat Mach-O (a Java class file?)";
		return VIGIL_FAILED;
	}
	uint64_t esize = m->fat64 ? FAT_ARCH64_SIZE : FAT_ARCH_SIZE;
	if (!vg_fits(len, 8, n * esize)) {
		m->error = "truncated fat header";
		return VIGIL_FAILED;
	}
	m->slices = calloc(n, sizeof *m->slices);
	if (!m->slices)
		return VIGIL_FATAL;
	for (uint32_t i = 0; i < n; i++) {
		vg_macho_slice *s = &m->slices[m->nslices++];
		uint64_t e = 8 + i * esize, off = 0, size = 0;
		uint32_t off32 = 0, size32 = 0;
		/* the whole fat table was checked to fit above */
		vg_be32(buf, len, e, &s->cputype);
		vg_be32(buf, len, e + 4, &s->cpusubtype);
		if (m->fat64) {
			vg_be64(buf, len, e + 8, &off);
			vg_be64(buf, len, e + 16, &size);
		} else {
			vg_be32(buf, len, e + 8, &off32);
			vg_be32(buf, len, e + 12, &size32);
			off = off32;
			size = size32;
		}
		s->offset = off;
		s->size = size;
		if (!vg_fits(len, off, size) || off < 8 + n * esize) {
			s->anomalies |= VG_MACHO_ANOM_SLICE_PAST_EOF;
			continue;
		}
		if (parse_thin(s, buf + off, (size_t)size) < 0)
			return VIGIL_FATAL;
	}
	return VIGIL_OK;
}

int vg_macho_parse(const uint8_t *buf, size_t len, vg_macho **out)
{
	vg_macho *m = calloc(1, sizeof *m);
	*out = m;
	if (!m)
		return VIGIL_FATAL;
	int big, st = VIGIL_OK;
	uint32_t magic;
	if (thin_kind(buf, len, &big)) {
		m->slices = calloc(1, sizeof *m->slices);
		if (!m->slices)
			st = VIGIL_FATAL;
		else {
			m->nslices = 1;
			m->slices[0].size = len;
			if (parse_thin(&m->slices[0], buf, len) < 0)
				st = VIGIL_FATAL;
		}
	} else if (vg_be32(buf, len, 0, &magic) &&
		   (magic == VG_FAT_MAGIC || magic == VG_FAT_MAGIC_64)) {
		st = parse_fat(m, buf, len);
	} else {
		m->error = "not a Mach-O file";
		st = VIGIL_FAILED;
	}
	if (st == VIGIL_FATAL) {
		vg_macho_free(m);
		*out = NULL;
		return st;
	}
	if (st != VIGIL_OK)
		return st;
	uint32_t any = m->anomalies;
	for (size_t i = 0; i < m->nslices; i++)
		any |= m->slices[i].anomalies;
	return any ? VIGIL_WARN : VIGIL_OK;
}

void vg_macho_free(vg_macho *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslices; i++) {
		vg_macho_slice *s = &m->slices[i];
		for (size_t j = 0; j < s->ndylibs; j++)
			free(s->dylibs[j].name);
		free(s->dylibs);
		free(s->id_dylib);
		free(s->cmds);
		free(s->cs.identifier);
		free(s->cs.team_id);
	}
	free(m->slices);
	free(m);
}
