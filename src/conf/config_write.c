/* SPDX-License-Identifier: MIT */
/*
 * config_write.c - changing one setting and writing the file back.
 *
 * The document keeps where every value sits in the original text, so a change
 * replaces exactly those bytes: comments, blank lines, alignment and the
 * order of keys stay as the user wrote them. The new text is parsed and
 * validated as a whole before it replaces the old one, and the file is
 * replaced atomically, so a failed change never leaves a half-written file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/config_internal.h"

static bool line_is(const struct pg_config_doc *d, const struct pg_config_line *ln,
			const char *section, const char *key)
{
	const char *sec = pg_config_section_name(ln->section);

	return ln->key_len && sec && !strcmp(sec, section) && strlen(key) == ln->key_len &&
	       !memcmp(d->text + ln->key_off, key, ln->key_len);
}

/* Build text[0..at) + ins + text[at+cut..) in a new buffer. */
static char *text_splice(const struct pg_config_doc *d, size_t at, size_t cut, const char *ins,
			 size_t *out_len)
{
	size_t ilen = strlen(ins), len = d->text_len - cut + ilen;
	char *t = malloc(len + 1);

	if (!t)
		return NULL;
	memcpy(t, d->text, at);
	memcpy(t + at, ins, ilen);
	memcpy(t + at + ilen, d->text + at + cut, d->text_len - at - cut);
	t[len] = '\0';
	*out_len = len;
	return t;
}

int pg_config_set(struct pg_config *cfg, const char *section, const char *key, const char *value,
		  char *err, size_t errlen)
{
	const struct pg_config_doc *d = &cfg->doc;
	struct pg_config next;
	char ins[PG_CONFIG_VALUE_MAX + 128];
	char *text = NULL;
	size_t len = 0;
	int last = -1, r;

	if (strpbrk(value, "#\n\r") || strlen(value) > PG_CONFIG_VALUE_MAX || !*value) {
		snprintf(err, errlen,
			 "%s: [%s] %s: a value is 1 to %d bytes without '#' or newlines", d->name,
			 section, key, PG_CONFIG_VALUE_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < d->n_lines; i++) {
		const struct pg_config_line *ln = &d->lines[i];
		const char *sec = pg_config_section_name(ln->section);

		if (line_is(d, ln, section, key)) {
			text = text_splice(d, ln->val_off, ln->val_len, value, &len);
			goto parse;
		}
		/* Remember the last header or setting of the section: insert after it. */
		if (sec && !strcmp(sec, section) && (ln->is_section || ln->key_len))
			last = (int)i;
	}
	if (last >= 0) {
		const struct pg_config_line *ln = &d->lines[last];
		size_t at = ln->off + ln->len;

		/* After the line's newline, or add one if it was the unterminated last line. */
		if (at < d->text_len) {
			snprintf(ins, sizeof(ins), "%s = %s\n", key, value);
			at++;
		} else {
			snprintf(ins, sizeof(ins), "\n%s = %s\n", key, value);
		}
		text = text_splice(d, at, 0, ins, &len);
	} else {
		bool nl = d->text_len && d->text[d->text_len - 1] != '\n';

		snprintf(ins, sizeof(ins), "%s\n[%s]\n%s = %s\n", nl ? "\n" : "", section, key,
			 value);
		text = text_splice(d, d->text_len, 0, ins, &len);
	}
parse:
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	r = pg_config_parse(&next, d->name, text, len, err, errlen);
	free(text);
	if (r)
		return r;
	pg_config_free(cfg);
	*cfg = next;
	return 0;
}

int pg_config_write(const struct pg_config *cfg, const char *path)
{
	char tmp[4096], dir[4096];
	struct stat st;
	size_t off = 0;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	/* Keep the permissions of the file being replaced. */
	if (stat(path, &st) == 0)
		fchmod(fd, st.st_mode & 07777);
	else
		fchmod(fd, 0644);
	while (off < cfg->doc.text_len) {
		ssize_t k = write(fd, cfg->doc.text + off, cfg->doc.text_len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto out_unlink;
		}
		off += (size_t)k;
	}
	if (fsync(fd)) {
		r = -errno;
		goto out_unlink;
	}
	if (close(fd)) {
		fd = -1;
		r = -errno;
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		r = -errno;
		goto out_unlink;
	}
	/* Make the rename itself durable. */
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;

out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
