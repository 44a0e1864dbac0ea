/* gpu_ident.h - one GPU as the GPU-health detectors join it (hbm_ecc, thermal_throttle).
 *
 * Records name a GPU by PCI address (kernel log, DCGM's pci_bus_id), by UUID or by index
 * (nvidia-smi, DCGM without pci_bus_id). The join key is (node, pci) when the address is known
 * or can be learned from another record of the same node that pairs the UUID or index with an
 * address, else (node, uuid), else (node, index). Not installed. */
#ifndef FAULTLINE_DETECT_GPU_IDENT_H
#define FAULTLINE_DETECT_GPU_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"
#include "faultline/event.h"
#include "faultline/window.h"


/* A GPU as the join sees it: (node, pci) when the address is known, else (node, uuid), else
 * (node, index). */
struct fl_gkey {
    uint32_t node, pci, uuid;
    int32_t index;
};

/* (node, key, pci) rows pairing a UUID or an index with a PCI address. */
struct fl_idrow {
    uint32_t node, key, pci;
};
struct fl_idmap {
    struct fl_idrow *uuid, *index;
    size_t nuuid, nindex;
};

/* The UUID->PCI and index->PCI pairs of the window's events of the given kinds, in arena a.
 * 0 or FL_ENOMEM. */
int fl_idmap_build(struct fl_idmap *m, struct fl_arena *a, const struct fl_window *w,
                   const enum fl_event_kind *kinds, size_t nkinds);

/* ev's GPU key: its PCI address, else one the map pairs (unambiguously) with its UUID or
 * index, else its UUID, else its index. */
struct fl_gkey fl_gkey_of(const struct fl_idmap *m, const struct fl_event *ev);

/* Total order on keys: node, pci, uuid, index. */
int fl_gkey_cmp(const struct fl_gkey *x, const struct fl_gkey *y);

#endif
