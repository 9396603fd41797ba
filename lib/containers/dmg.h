/*
 * The UDIF (".dmg") reader, vg_reader_dmg (format "dmg"), and its limits.
 * dmg.c says how members are made of partitions and HFS+ volumes.
 */
#ifndef VIGIL_CONTAINERS_DMG_H
#define VIGIL_CONTAINERS_DMG_H

#include "containers/container.h"

#define DMG_XML_MAX (64u << 20)     /* the property list */
#define DMG_MAX_PARTS 4096u         /* blkx entries */
#define DMG_NAME_MAX 1024           /* bytes of a partition Name kept */
#define DMG_CHUNK_MAX (16u << 20)   /* one compressed chunk, decompressed */
#define DMG_CACHE 4                 /* decompressed chunks kept */
/* the chunk cache decompresses at most FACTOR times the compressed chunks'
 * bytes plus SLACK in one image */
#define DMG_WORK_FACTOR 8u
#define DMG_WORK_SLACK (256ull << 20)
#define DMG_MAX_SECTORS (1ull << 44) /* 8 PiB: sector arithmetic cannot overflow */

extern const vg_container_ops vg_reader_dmg;

#endif
