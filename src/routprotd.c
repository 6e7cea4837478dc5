/* SPDX-License-Identifier: ISC */
/*
 * routprotd.c — main(): command-line options of the daemon (routprotd(8)); everything else is in
 * daemon.c.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"

#define DEFAULT_CONFIG SYSCONFDIR "/routprotd/routprotd.conf"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: routprotd [-c FILE] [-s SOCKET] [-S STATEDIR] [-M DIR] [-d] [-t] [-V] [-h]\n"
		"  -c, --config FILE       configuration file (default %s)\n"
		"  -s, --socket PATH       control socket (overrides control.socket)\n"
		"  -S, --state-dir DIR     state directory (overrides state-dir)\n"
		"  -M, --module-dir DIR    protocol modules directory (default %s)\n"
		"  -d, --debug             log at debug level\n"
		"  -t, --check-config      validate the configuration and exit (0 valid, 1 invalid)\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n",
		DEFAULT_CONFIG, RP_MODULEDIR);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "module-dir", required_argument, NULL, 'M' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts opts = { .config_file = DEFAULT_CONFIG };
	int check = 0, c;

	while ((c = getopt_long(argc, argv, "c:s:S:M:dtVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opts.config_file = optarg; break;
		case 's': opts.socket_path = optarg; break;
		case 'S': opts.state_dir = optarg; break;
		case 'M': opts.module_dir = optarg; break;
		case 'd': opts.debug = true; break;
		case 't': check = 1; break;
		case 'V': printf("routprotd %s\n", PACKAGE_VERSION); return EXIT_CLEAN;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "routprotd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return check ? daemon_check_config(&opts) : daemon_run(&opts);
}
