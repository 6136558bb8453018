/* SPDX-License-Identifier: MIT */
/*
 * config_internal.h - what config.c shares with config_write.c only.
 */
#ifndef PG_CONFIG_INTERNAL_H
#define PG_CONFIG_INTERNAL_H

/* Name of section index idx as stored in pg_config_line.section, or NULL. */
const char *pg_config_section_name(int section);

#endif /* PG_CONFIG_INTERNAL_H */
