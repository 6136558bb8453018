/* SPDX-License-Identifier: MIT */
/*
 * api_cfgedit.c - the two edits of the configuration text that changing
 * one value (pg_config_set()) does not cover: adding one more line of a
 * list key ([forward] rule) and removing a line (a deleted rule, a setting
 * returned to its default). Like pg_config_set() they splice the document's
 * text, so every other line stays as the user wrote it, and re-parse the
 * whole: cfg changes only when the result is valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "conf/config_internal.h"

/* Parse text into cfg in place of its current contents; takes text. */
static int reparse(struct pg_config *cfg, char *text, size_t len, char *err, size_t errlen)
{
	struct pg_config next;
	int r;

	if (!text) {
		snprintf(err, errlen, "%s: out of memory", cfg->doc.name);
		return -ENOMEM;
	}
	r = pg_config_parse(&next, cfg->doc.name, text, len, err, errlen);
	free(text);
	if (r)
		return r;
	pg_config_free(cfg);
	*cfg = next;
	return 0;
}

/* text[0..at) + ins + text[at+cut..) */
static char *splice(const struct pg_config_doc *d, size_t at, size_t cut, const char *ins,
		    size_t *len)
{
	size_t il = strlen(ins);
	char *t;

	*len = d->text_len - cut + il;
	t = malloc(*len + 1);
	if (!t)
		return NULL;
	memcpy(t, d->text, at);
	memcpy(t + at, ins, il);
	memcpy(t + at + il, d->text + at + cut, d->text_len - at - cut);
	t[*len] = '\0';
	return t;
}

int pg_api_config_remove_line(struct pg_config *cfg, unsigned int line, char *err, size_t errlen)
{
	const struct pg_config_doc *d = &cfg->doc;
	const struct pg_config_line *ln;
	size_t cut, len = 0;
	char *text;

	if (line < 1 || line > d->n_lines) {
		snprintf(err, errlen, "%s: no line %u", d->name, line);
		return -EINVAL;
	}
	ln = &d->lines[line - 1];
	cut = ln->len + (ln->off + ln->len < d->text_len ? 1 : 0);
	text = splice(d, ln->off, cut, "", &len);
	return reparse(cfg, text, len, err, errlen);
}

int pg_api_config_append(struct pg_config *cfg, const char *section, const char *key,
			 const char *value, char *err, size_t errlen)
{
	const struct pg_config_doc *d = &cfg->doc;
	char ins[PG_CONFIG_VALUE_MAX + 128];
	size_t at, len = 0;
	char *text;
	int last = -1;

	if (!*value || strpbrk(value, "#\n\r") || strlen(value) > PG_CONFIG_VALUE_MAX) {
		snprintf(err, errlen, "%s: [%s] %s: a value is 1 to %d bytes without '#' or newlines",
			 d->name, section, key, PG_CONFIG_VALUE_MAX);
		return -EINVAL;
	}
	/* After the last header or setting of the section... */
	for (unsigned int i = 0; i < d->n_lines; i++) {
		const struct pg_config_line *ln = &d->lines[i];
		const char *sec = pg_config_section_name(ln->section);

		if (sec && !strcmp(sec, section) && (ln->is_section || ln->key_len))
			last = (int)i;
	}
	if (last >= 0) {
		const struct pg_config_line *ln = &d->lines[last];

		at = ln->off + ln->len;
		if (at < d->text_len) {
			snprintf(ins, sizeof(ins), "%s = %s\n", key, value);
			at++;
		} else {
			snprintf(ins, sizeof(ins), "\n%s = %s\n", key, value);
		}
	} else {
		/* ...or in a new section at the end. */
		at = d->text_len;
		snprintf(ins, sizeof(ins), "%s\n[%s]\n%s = %s\n",
			 at && d->text[at - 1] != '\n' ? "\n" : "", section, key, value);
	}
	text = splice(d, at, 0, ins, &len);
	return reparse(cfg, text, len, err, errlen);
}

const char *pg_api_config_reason(const char *err)
{
	const char *p = strstr(err, ": [");

	if (p)
		return p + 2;
	/* "FILE:LINE: reason" or "FILE: reason": drop up to the first ": ". */
	p = strstr(err, ": ");
	return p ? p + 2 : err;
}
