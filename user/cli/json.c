// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON reader, for the documents this tool itself writes with
 * --json (report.c) and that make paths recorded from it: objects, arrays,
 * strings (with the escapes report.c writes, and \uXXXX below 0x80),
 * numbers, true, false and null.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct json_parser {
	const char *p;
	unsigned int depth;
};

static void skip_space(struct json_parser *jp)
{
	while (isspace((unsigned char)*jp->p))
		jp->p++;
}

static char *parse_string(struct json_parser *jp)
{
	size_t len = 0, size = 32;
	char *s = malloc(size), *t;

	if (!s || *jp->p != '"')
		goto fail;
	jp->p++;
	for (; *jp->p != '"'; jp->p++) {
		char c = *jp->p;

		if (!c)
			goto fail;
		if (c == '\\') {
			jp->p++;
			switch (*jp->p) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				if (!isxdigit((unsigned char)jp->p[1]) ||
				    strspn(jp->p + 1, "0123456789abcdefABCDEF") < 4)
					goto fail;
				c = (char)strtol((char[]){ jp->p[1], jp->p[2],
							  jp->p[3], jp->p[4], 0 },
						 NULL, 16);
				jp->p += 4;
				break;
			case '\0':
				goto fail;
			default:
				c = *jp->p;	/* \" \\ \/ */
			}
		}
		if (len + 2 > size) {
			size *= 2;
			t = realloc(s, size);
			if (!t)
				goto fail;
			s = t;
		}
		s[len++] = c;
	}
	jp->p++;
	s[len] = '\0';
	return s;
fail:
	free(s);
	return NULL;
}

static struct json *parse_value(struct json_parser *jp);

/* The members of an object or the items of an array, up to @close. */
static int parse_members(struct json_parser *jp, struct json *v, char close,
			 bool keys)
{
	struct json **tail = &v->child;

	jp->p++;
	skip_space(jp);
	if (*jp->p == close) {
		jp->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json *m;

		skip_space(jp);
		if (keys) {
			key = parse_string(jp);
			skip_space(jp);
			if (!key || *jp->p != ':') {
				free(key);
				return -1;
			}
			jp->p++;
		}
		m = parse_value(jp);
		if (!m) {
			free(key);
			return -1;
		}
		m->key = key;
		*tail = m;
		tail = &m->next;
		skip_space(jp);
		if (*jp->p == close) {
			jp->p++;
			return 0;
		}
		if (*jp->p != ',')
			return -1;
		jp->p++;
	}
}

static struct json *parse_value(struct json_parser *jp)
{
	struct json *v;
	char *end;

	skip_space(jp);
	if (++jp->depth > 256)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	switch (*jp->p) {
	case '{':
		v->type = JSON_OBJECT;
		if (parse_members(jp, v, '}', true))
			goto fail;
		break;
	case '[':
		v->type = JSON_ARRAY;
		if (parse_members(jp, v, ']', false))
			goto fail;
		break;
	case '"':
		v->type = JSON_STRING;
		v->str = parse_string(jp);
		if (!v->str)
			goto fail;
		break;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(jp->p, "true", 4)) {
			v->type = JSON_BOOL;
			v->boolean = true;
			jp->p += 4;
		} else if (!strncmp(jp->p, "false", 5)) {
			v->type = JSON_BOOL;
			jp->p += 5;
		} else if (!strncmp(jp->p, "null", 4)) {
			v->type = JSON_NULL;
			jp->p += 4;
		} else {
			goto fail;
		}
		break;
	default:
		v->type = JSON_NUMBER;
		v->number = strtod(jp->p, &end);
		if (end == jp->p)
			goto fail;
		jp->p = end;
	}
	jp->depth--;
	return v;
fail:
	json_free(v);
	return NULL;
}

struct json *json_parse(const char *text)
{
	struct json_parser jp = { .p = text };
	struct json *v = parse_value(&jp);

	if (v) {
		skip_space(&jp);
		if (*jp.p) {
			json_free(v);
			v = NULL;
		}
	}
	return v;
}

void json_free(struct json *v)
{
	struct json *c, *next;

	if (!v)
		return;
	for (c = v->child; c; c = next) {
		next = c->next;
		json_free(c);
	}
	free(v->key);
	free(v->str);
	free(v);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *c = obj->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}

bool json_bool(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_BOOL && v->boolean;
}
