/* The detector registry (one line per detector) and configuration value parsing. */
#include "faultline/detector.h"

#include <math.h>

#include "faultline/err.h"
#include "faultline/time.h"

extern const struct fl_detector fl_detector_xid_correlation;
extern const struct fl_detector fl_detector_pod_evicted;
extern const struct fl_detector fl_detector_hbm_ecc;
extern const struct fl_detector fl_detector_thermal_throttle;
extern const struct fl_detector fl_detector_pcie_aer;
extern const struct fl_detector fl_detector_nccl_hang;

const struct fl_detector *const fl_detectors[] = {
    &fl_detector_xid_correlation,
    &fl_detector_pod_evicted,
    &fl_detector_hbm_ecc,
    &fl_detector_thermal_throttle,
    &fl_detector_pcie_aer,
    &fl_detector_nccl_hang,
};
const size_t fl_detectors_count = sizeof fl_detectors / sizeof fl_detectors[0];

const struct fl_detector *fl_detector_find(struct fl_str name)
{
    for (size_t i = 0; i < fl_detectors_count; i++)
        if (fl_str_eq_cstr(name, fl_detectors[i]->name))
            return fl_detectors[i];
    return NULL;
}

static int parse_raw(enum fl_cfg_type type, struct fl_str t, union fl_cfg_value *out)
{
    t = fl_str_trim(t);
    switch (type) {
    case FL_CFG_DURATION:
        return fl_duration_parse(t.ptr, t.ptr + t.len, &out->i) ? FL_EPARSE : 0;
    case FL_CFG_INT:
        return fl_str_to_i64(t, &out->i) ? 0 : FL_EPARSE;
    case FL_CFG_FLOAT:
        if (!fl_str_to_double(t, &out->f) || !isfinite(out->f))
            return FL_EPARSE;
        return 0;
    case FL_CFG_BOOL:
        if (fl_str_eq_cstr(t, "true") || fl_str_eq_cstr(t, "yes") || fl_str_eq_cstr(t, "on")) {
            out->b = true;
            return 0;
        }
        if (fl_str_eq_cstr(t, "false") || fl_str_eq_cstr(t, "no") || fl_str_eq_cstr(t, "off")) {
            out->b = false;
            return 0;
        }
        return FL_EPARSE;
    }
    return FL_EPARSE;
}

static int cmp_value(enum fl_cfg_type type, union fl_cfg_value a, union fl_cfg_value b)
{
    if (type == FL_CFG_FLOAT)
        return (a.f > b.f) - (a.f < b.f);
    return (a.i > b.i) - (a.i < b.i);
}

int fl_cfg_parse_value(const struct fl_cfg_param *param, struct fl_str text,
                       union fl_cfg_value *out)
{
    union fl_cfg_value v = {0};
    int rc = parse_raw(param->type, text, &v);
    if (rc)
        return rc;
    if (param->type != FL_CFG_BOOL) {
        union fl_cfg_value bound;
        if (param->min) {
            if (parse_raw(param->type, fl_str_from_cstr(param->min), &bound))
                return FL_EINVAL;
            if (cmp_value(param->type, v, bound) < 0)
                return FL_ERANGE;
        }
        if (param->max) {
            if (parse_raw(param->type, fl_str_from_cstr(param->max), &bound))
                return FL_EINVAL;
            if (cmp_value(param->type, v, bound) > 0)
                return FL_ERANGE;
        }
    }
    *out = v;
    return 0;
}
