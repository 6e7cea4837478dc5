/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ctl.c — libFuzzer target for the control socket: a real control server (ctl/ctl_server.c)
 * with the daemon's commands (ctl/ctl_commands.c) over a router manager running the trace
 * protocol on two interfaces. Each input is what one client sends (then it closes its sending
 * side); the target reads whatever comes back. Afterwards a fresh client must still get an
 * answer to `show status`: no input may crash the daemon, leak, hang it or stop it serving.
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/ctl, dictionary tests/fuzz/ctl.dict);
 * FUZZ_CTL_SHOW=1 prints the answers when an input is replayed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "core/rm.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_server.h"
#include "fuzz_util.h"
#include "trace/trace.h"

#define MAX_INPUT (256u * 1024)
#define MAX_PASSES 20000 /* loop passes one exchange may take before it counts as a hang */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rp_protocol *const registry[] = { &trace_protocol };

static struct event_base *base;
static struct rm *rm;
static struct ctl_commands commands;
static struct ctl_server *srv;
static char sock_path[108];

static enum ctl_reload_result refuse_reload(void *arg, json_t **errors)
{
	*errors = json_pack("[s]", "routprotd.conf:1: reload is not part of this test");
	return CTL_RELOAD_REJECTED;
}

static struct conf *config(void)
{
	char text[512];
	const char *file;
	struct rp_conf_diag diag;
	struct conf *c;

	snprintf(text, sizeof(text),
		 "state-dir = \"%s\";\n"
		 "trace = { interfaces = ( { name = \"eth0\"; }, { name = \"eth1\"; } ); };\n",
		 fuzz_dir());
	file = fuzz_write_file("routprotd.conf", (const uint8_t *)text, strlen(text));
	rp_conf_diag_init(&diag, file);
	c = conf_load(file, registry, 1, &diag);
	if (!c)
		fuzz_fail("test configuration refused: %s", diag.count ? diag.messages[0] : "?");
	rp_conf_diag_free(&diag);
	return c;
}

static void add_link(uint32_t ifindex, const char *name, uint32_t addr)
{
	struct rp_local_binding b = { .address = addr, .prefixlen = 24 };
	struct rm_link l = { .ifindex = ifindex, .name = name, .enabled = true,
			     .media_present = true, .mtu = 1500, .naddrs = 1, .addrs = &b };

	rm_link_update(rm, &l);
}

static void start(void)
{
	char err[256];

	rp_log_set_sink(fuzz_quiet_log, NULL);
	base = event_base_new();
	rm = base ? rm_new(base, registry, 1) : NULL;
	if (!rm)
		fuzz_fail("cannot create the router manager");
	add_link(2, "eth0", 0xc6120001u); /* 198.18.0.1 */
	add_link(3, "eth1", 0xc6120101u); /* 198.18.1.1 */
	rm_apply_config(rm, config());
	commands = (struct ctl_commands){ .rm = rm, .reload = refuse_reload };
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", fuzz_dir());
	srv = ctl_server_new(base, sock_path, (gid_t)-1, ctl_commands_dispatch, &commands, err,
			     sizeof(err));
	if (!srv)
		fuzz_fail("control socket: %s", err);
}

static int client_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fuzz_fail("socket: %m");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		fuzz_fail("connect: %m");
	return fd;
}

/* One client: send `data`, close the sending side, read until the server closes or goes quiet.
 * Returns what came back (NUL-terminated, at most `cap` - 1 bytes kept). */
static size_t exchange(const uint8_t *data, size_t size, char *reply, size_t cap)
{
	int fd = client_open();
	size_t sent = 0, got = 0;
	bool eof = false;

	for (unsigned pass = 0; !eof && pass < MAX_PASSES; pass++) {
		char buf[65536];
		ssize_t n;

		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				break; /* the server dropped us (oversized request): fine */
			if (sent == size)
				shutdown(fd, SHUT_WR);
		} else if (size == 0 && pass == 0) {
			shutdown(fd, SHUT_WR);
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
			size_t keep = (size_t)n < cap - 1 - got ? (size_t)n : cap - 1 - got;

			memcpy(reply + got, buf, keep);
			got += keep;
		}
		eof = n == 0 || (n < 0 && errno != EAGAIN);
		if (!eof && sent == size)
			poll(NULL, 0, 0);
	}
	close(fd);
	event_base_loop(base, EVLOOP_NONBLOCK); /* let the server see the hang-up */
	reply[got] = '\0';
	return got;
}

static void check_still_serving(void)
{
	static const char req[] = "{\"command\":\"show status\"}\n";
	char reply[65536];

	exchange((const uint8_t *)req, sizeof(req) - 1, reply, sizeof(reply));
	if (strncmp(reply, "{\"ok\":true", 10) != 0)
		fuzz_fail("the daemon stopped serving: show status answered '%.200s'", reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[1 << 20];

	if (!srv)
		start();
	if (size > MAX_INPUT)
		return 0;
	exchange(data, size, reply, sizeof(reply));
	if (getenv("FUZZ_CTL_SHOW")) /* replaying an input: what the daemon answered */
		fputs(reply, stderr);
	check_still_serving();
	return 0;
}
