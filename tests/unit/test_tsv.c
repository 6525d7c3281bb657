/* Unit tests for base/tsv: splitting tab-separated text (comments, empty lines, CRLF, empty
 * fields, line numbers, many rows) and the data files carried in the binary. */
#include "base/tsv.h"

#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static int setup(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* Fails unless row has exactly the n fields given, at line. */
static void assert_row(const struct tsv_row *row, int line, size_t n, const char *const *fields)
{
    assert_int_equal(row->line, line);
    assert_int_equal(row->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(row->fields[i], fields[i]);
}

static void test_fields_are_split_at_tabs(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "a\tb\tc\nd e\tf\n", &rows), 2);
    assert_row(&rows[0], 1, 3, (const char *[]){"a", "b", "c"});
    assert_row(&rows[1], 2, 2, (const char *[]){"d e", "f"});
}

static void test_comments_and_empty_lines_are_skipped_but_counted(void **state)
{
    struct tsv_row *rows;
    const char *text = "# a comment\tthat has a tab\n"
                       "\n"
                       "first\t1\n"
                       "\n"
                       "#second\t2\n"
                       "third\t3\n"
                       "\n";
    assert_int_equal(tsv_parse(*state, text, &rows), 2);
    assert_row(&rows[0], 3, 2, (const char *[]){"first", "1"});
    assert_row(&rows[1], 6, 2, (const char *[]){"third", "3"});
}

/* Only a '#' that starts the line makes a comment. */
static void test_a_hash_inside_a_line_is_data(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "a#b\t#c\n #d\n", &rows), 2);
    assert_row(&rows[0], 1, 2, (const char *[]){"a#b", "#c"});
    assert_row(&rows[1], 2, 1, (const char *[]){" #d"});
}

static void test_crlf_line_ends_are_stripped(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "# c\r\n\r\na\tb\r\nc\td\r\n", &rows), 2);
    assert_row(&rows[0], 3, 2, (const char *[]){"a", "b"});
    assert_row(&rows[1], 4, 2, (const char *[]){"c", "d"});
}

static void test_empty_fields_are_kept(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "\t\nx\t\n\ty\na\t\tb\n", &rows), 4);
    assert_row(&rows[0], 1, 2, (const char *[]){"", ""});
    assert_row(&rows[1], 2, 2, (const char *[]){"x", ""});
    assert_row(&rows[2], 3, 2, (const char *[]){"", "y"});
    assert_row(&rows[3], 4, 3, (const char *[]){"a", "", "b"});
}

static void test_last_line_without_a_newline_is_read(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "a\nb\tc", &rows), 2);
    assert_row(&rows[1], 2, 2, (const char *[]){"b", "c"});
    assert_int_equal(tsv_parse(*state, "only\r", &rows), 1);
    assert_row(&rows[0], 1, 1, (const char *[]){"only"});
}

static void test_text_without_rows_gives_none(void **state)
{
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, "", &rows), 0);
    assert_int_equal(tsv_parse(*state, "\n\n\r\n", &rows), 0);
    assert_int_equal(tsv_parse(*state, "# only\n#comments", &rows), 0);
}

static void test_many_rows_keep_their_fields_and_line_numbers(void **state)
{
    char text[20000], *p = text;
    for (int i = 0; i < 500; i++)
        p += sprintf(p, i % 5 == 0 ? "# comment %d\n" : "row%d\t%d\n", i, i * 2);
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, text, &rows), 400);
    size_t n = 0;
    for (int i = 0; i < 500; i++) {
        if (i % 5 == 0)
            continue;
        char a[16], b[16];
        snprintf(a, sizeof a, "row%d", i);
        snprintf(b, sizeof b, "%d", i * 2);
        assert_row(&rows[n++], i + 1, 2, (const char *[]){a, b});
    }
}

static void test_parsing_leaves_the_text_alone(void **state)
{
    const char text[] = "a\tb\r\nc\n";
    char copy[sizeof text];
    memcpy(copy, text, sizeof text);
    struct tsv_row *rows;
    assert_int_equal(tsv_parse(*state, copy, &rows), 2);
    assert_memory_equal(copy, text, sizeof text);
}

static void test_embedded_data_files_are_found_by_base_name(void **state)
{
    const char *vn = resource_get("deadlines-vn.tsv");
    assert_non_null(vn);
    assert_true(vn[0] == '#');
    assert_non_null(strstr(vn, "complaint\tsettle\tcalendar\t30\t45\t45\t60"));
    assert_non_null(resource_get("deadlines-id.tsv"));
    assert_non_null(resource_get("holidays-vn.tsv"));
    assert_non_null(resource_get("holidays-id.tsv"));
    struct tsv_row *rows;
    size_t n = tsv_parse(*state, vn, &rows);
    assert_true(n >= 10);
    /* Seven lines of comments come first. */
    assert_row(&rows[0], 8, 10,
               (const char *[]){"complaint", "accept", "calendar", "10", "10", "10", "10", "-", "-",
                                "Law on Complaints 2011, art. 27"});
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rows[i].n, 10);
}

static void test_missing_resources_are_null(void **state)
{
    (void)state;
    assert_null(resource_get("deadlines-xx.tsv"));
    assert_null(resource_get("data/policy/deadlines-vn.tsv"));
    assert_null(resource_get("deadlines-vn"));
    assert_null(resource_get(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fields_are_split_at_tabs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments_and_empty_lines_are_skipped_but_counted,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_hash_inside_a_line_is_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf_line_ends_are_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_fields_are_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_line_without_a_newline_is_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_without_rows_gives_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_rows_keep_their_fields_and_line_numbers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parsing_leaves_the_text_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embedded_data_files_are_found_by_base_name, setup,
                                        teardown),
        cmocka_unit_test(test_missing_resources_are_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
