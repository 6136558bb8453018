/* SPDX-License-Identifier: MIT */
/*
 * passgatectl.c - the command-line tool: a table of subcommands, each a
 * function taking its own arguments. Later ones (status, flows) talk to the
 * daemon's HTTP API; the first ones work offline.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "version.h"

struct subcommand {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

static int cmd_check_config(int argc, char **argv)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE];

	if (argc != 2) {
		fprintf(stderr, "usage: passgatectl check-config FILE\n");
		return 1;
	}
	if (pg_config_load(&cfg, argv[1], err, sizeof(err))) {
		printf("%s\n", err);
		return 1;
	}
	pg_config_free(&cfg);
	printf("ok\n");
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl version\n");
		return 1;
	}
	printf("passgatectl %s\n", PG_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct subcommand subcommands[] = {
	{"check-config", "FILE", "parse FILE as passgated would; print ok or the error",
	 cmd_check_config},
	{"version", "", "print the version", cmd_version},
	{"help", "", "list the subcommands", cmd_help},
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: passgatectl COMMAND [ARGS]\n\ncommands:\n");
	for (unsigned int i = 0; i < N_SUBCOMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", subcommands[i].name, subcommands[i].args);
		fprintf(f, "  %-24s %s\n", left, subcommands[i].help);
	}
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(0, NULL);
	for (unsigned int i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "passgatectl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
