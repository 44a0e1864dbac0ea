/* The parser registry: one line per format, in sniffing tie-break order. */
#include "faultline/ingest.h"

extern const struct fl_parser fl_parser_jsonl;

const struct fl_parser *const fl_parsers[] = {
    &fl_parser_jsonl,
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
