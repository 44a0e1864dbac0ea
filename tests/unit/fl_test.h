/* fl_test.h - Criterion glue shared by every unit test.
 *
 * FL_TEST(suite, name, ...) is Criterion's Test() plus a leak check after the test body:
 * in sanitizer builds it asks LeakSanitizer for a report and aborts the test worker when
 * anything leaked, which Criterion counts as a crash and turns into a non-zero exit (a plain
 * LeakSanitizer report at worker exit does not fail a Criterion test). */
#ifndef FL_TEST_H
#define FL_TEST_H

#include <criterion/criterion.h>
#include <stdlib.h>

#ifdef FL_SANITIZE_BUILD
#include <sanitizer/lsan_interface.h>
static inline void fl_test_leak_check(void)
{
    if (__lsan_do_recoverable_leak_check())
        abort();
}
#else
static inline void fl_test_leak_check(void) {}
#endif

#define FL_TEST(suite, name, ...) Test(suite, name, .fini = fl_test_leak_check, ##__VA_ARGS__)

#endif
