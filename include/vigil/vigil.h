/*
 * vigil — supply-chain compromise scanner: the public API in one include.
 * Each header below stands alone; the conventions are in common.h.
 */
#ifndef VIGIL_VIGIL_H
#define VIGIL_VIGIL_H

#include "common.h"
#include "escape.h"
#include "finding.h"
#include "report.h"
#include "iocs.h"
#include "netmatch.h"
#include "intel.h"
#include "rules.h"
#include "checks.h"
#include "content.h"
#include "scan.h"
#include "logs.h"
#include "inspect.h"
#include "pkg.h"
#include "filestate.h"
#include "store.h"
#include "baseline.h"
#include "policy.h"
#include "diff.h"
#include "fleet.h"

#endif
