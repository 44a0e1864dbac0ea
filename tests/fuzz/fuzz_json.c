/* libFuzzer target: the strict JSON validator + jsmn tokenizer + navigation and decoding.
 * Any input: never crash, never read past the end; the validator and jsmn must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_json_parser p;
    fl_json_parser_init(&p, 1u << 16);
    struct fl_json j;
    const char *why = NULL;
    int rc = fl_json_parse(&p, (const char *)data, size, &j, NULL, &why);
    if (rc == 0) {
        struct fl_arena a;
        fl_arena_init(&a, 4096, 1u << 24);
        for (int i = 0; i < j.ntok; i++) {
            struct fl_str s;
            int64_t v;
            double d;
            bool b;
            (void)fl_json_str(&j, i, &a, &s, NULL);
            (void)fl_json_i64(&j, i, true, &v);
            (void)fl_json_double(&j, i, true, &d);
            (void)fl_json_bool(&j, i, &b);
            (void)fl_json_get(&j, i, "kind");
            if (fl_json_skip(&j, i) > j.ntok)
                abort();
        }
        fl_arena_release(&a);
    } else if (why && strcmp(why, "JSON tokenizer disagrees with the validator") == 0) {
        abort(); /* the validator let through something jsmn rejects */
    }
    fl_json_parser_release(&p);
    return 0;
}
