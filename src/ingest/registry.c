/* The parser registry: one line per format, in sniffing tie-break order. */
#include "faultline/ingest.h"

extern const struct fl_parser fl_parser_jsonl;
extern const struct fl_parser fl_parser_pyspy;
extern const struct fl_parser fl_parser_k8s;
extern const struct fl_parser fl_parser_prom_text;
extern const struct fl_parser fl_parser_prom_api;
extern const struct fl_parser fl_parser_nvsmi;
extern const struct fl_parser fl_parser_nvsmi_xml;
extern const struct fl_parser fl_parser_nccl_fr;
extern const struct fl_parser fl_parser_ranks_map;
extern const struct fl_parser fl_parser_kernel_log;
extern const struct fl_parser fl_parser_journal_json;
extern const struct fl_parser fl_parser_journal;
extern const struct fl_parser fl_parser_gzip;

const struct fl_parser *const fl_parsers[] = {
    &fl_parser_jsonl,
    &fl_parser_pyspy,
    &fl_parser_k8s,
    &fl_parser_prom_text,
    &fl_parser_prom_api,
    &fl_parser_nvsmi,
    &fl_parser_nvsmi_xml,
    &fl_parser_nccl_fr,
    &fl_parser_ranks_map,
    &fl_parser_kernel_log,
    &fl_parser_journal_json,
    &fl_parser_journal,
    &fl_parser_gzip,
};
const size_t fl_parsers_count = sizeof fl_parsers / sizeof fl_parsers[0];

const struct fl_parser *fl_parser_find(struct fl_str name)
{
    for (size_t i = 0; i < fl_parsers_count; i++)
        if (fl_str_eq_cstr(name, fl_parsers[i]->name))
            return fl_parsers[i];
    return NULL;
}

const struct fl_parser *fl_parser_sniff(const char *buf, size_t len, struct fl_str path)
{
    const struct fl_parser *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < fl_parsers_count; i++) {
        int s = fl_parsers[i]->sniff(buf, len, path);
        if (s > best_score) {
            best_score = s;
            best = fl_parsers[i];
        }
    }
    return best;
}
