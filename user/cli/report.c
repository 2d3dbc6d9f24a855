// SPDX-License-Identifier: GPL-2.0
/*
 * The report: every command describes what it found once, as sections,
 * lists and named values, and the report prints that either for a person
 * (aligned "label  value" lines under headings) or as one JSON document
 * (--json).  Prose from report_text() is for the person only.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_DEPTH 64

static struct {
	bool json;
	int depth;
	bool first[MAX_DEPTH];	/* nothing written yet at this depth */
	bool is_list[MAX_DEPTH];
	bool titled[MAX_DEPTH];	/* text: the container printed a title */
	int indent;		/* text: titled containers we are in */
} rep;

void report_begin(const struct cli *cli)
{
	memset(&rep, 0, sizeof(rep));
	rep.json = cli->json;
	rep.first[0] = true;
	if (rep.json)
		fputs("{", stdout);
}

bool report_json(void)
{
	return rep.json;
}

int report_end(void)
{
	while (rep.depth > 0)
		report_close();
	if (rep.json)
		fputs("\n}\n", stdout);
	return fflush(stdout) || ferror(stdout) ? EXIT_FAILED : EXIT_OK;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Start a member of the current container: comma, newline, indent, key. */
static void json_member(const char *key)
{
	if (!rep.first[rep.depth])
		putchar(',');
	rep.first[rep.depth] = false;
	printf("\n%*s", 2 * (rep.depth + 1), "");
	if (!rep.is_list[rep.depth] && key) {
		json_string(key);
		fputs(": ", stdout);
	}
}

/* Text indents under a title only: untitled items run on at one level. */
static void push(bool list, bool titled)
{
	if (rep.depth < MAX_DEPTH - 1)
		rep.depth++;
	rep.first[rep.depth] = true;
	rep.is_list[rep.depth] = list;
	rep.titled[rep.depth] = titled && !rep.json;
	if (rep.titled[rep.depth])
		rep.indent++;
}

static void text_indent(void)
{
	printf("%*s", 2 * rep.indent, "");
}

void report_section(const char *key, const char *title)
{
	if (rep.json) {
		json_member(key);
		putchar('{');
	} else {
		if (rep.indent == 0)
			putchar('\n');
		text_indent();
		printf("%s\n", title);
	}
	push(false, true);
}

void report_list(const char *key, const char *title)
{
	if (rep.json) {
		json_member(key);
		putchar('[');
	} else if (title) {
		if (rep.indent == 0)
			putchar('\n');
		text_indent();
		printf("%s\n", title);
	}
	push(true, title);
}

void report_item(const char *title)
{
	if (rep.json) {
		json_member(NULL);
		putchar('{');
	} else if (title) {
		text_indent();
		printf("%s\n", title);
	}
	push(false, title);
}

void report_close(void)
{
	if (rep.depth == 0)
		return;
	if (rep.json) {
		bool list = rep.is_list[rep.depth], empty = rep.first[rep.depth];

		if (!empty)
			printf("\n%*s", 2 * rep.depth, "");
		putchar(list ? ']' : '}');
	}
	if (rep.titled[rep.depth])
		rep.indent--;
	rep.depth--;
}

/* A text line "label   value"; labels align in a column. */
static void text_value(const char *key, const char *label, const char *value)
{
	text_indent();
	printf("%-24s %s\n", label ? label : key, value);
}

void report_u64(const char *key, const char *label, uint64_t v)
{
	char buf[32];

	if (rep.json) {
		json_member(key);
		printf("%" PRIu64, v);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	text_value(key, label, buf);
}

void report_i64(const char *key, const char *label, int64_t v)
{
	char buf[32];

	if (rep.json) {
		json_member(key);
		printf("%" PRId64, v);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	text_value(key, label, buf);
}

/* Hex values are strings in JSON: they are often above 2^53. */
void report_hex(const char *key, const char *label, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	if (rep.json) {
		json_member(key);
		json_string(buf);
		return;
	}
	text_value(key, label, buf);
}

void report_bool(const char *key, const char *label, bool v)
{
	if (rep.json) {
		json_member(key);
		fputs(v ? "true" : "false", stdout);
		return;
	}
	text_value(key, label, v ? "yes" : "no");
}

void report_str(const char *key, const char *label, const char *s)
{
	if (rep.json) {
		json_member(key);
		json_string(s ? s : "");
		return;
	}
	text_value(key, label, s ? s : "");
}

void report_double(const char *key, const char *label, double v,
		   const char *unit)
{
	char buf[64];

	if (rep.json) {
		json_member(key);
		printf("%.6g", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.3g%s%s", v, unit ? " " : "",
		 unit ? unit : "");
	text_value(key, label, buf);
}

void report_text(const char *fmt, ...)
{
	va_list ap;

	if (rep.json)
		return;
	text_indent();
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}
