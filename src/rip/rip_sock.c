/* SPDX-License-Identifier: ISC */
/*
 * rip_sock.c — RIP's one UDP socket: bound to port 520 on all addresses, IP_PKTINFO to learn
 * the receiving interface and to choose the outgoing interface and source per packet, TTL 1
 * (RIP only talks to directly connected neighbors), multicast membership of 224.0.0.9 per
 * interface, no multicast loopback, a large receive buffer, and batched reads (recvmmsg) so a
 * burst of thousands of packets is drained quickly.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "rip/rip.h"

#define RX_BATCH 64
#define RX_SLOT 1536     /* bytes per datagram slot; RIP packets are at most ~600 */
#define RX_MAX_BATCHES 8 /* per readable event, to stay fair to the rest of the loop */

static void handle_datagram(struct rip *rip, const struct mmsghdr *mm, const uint8_t *data)
{
	const struct msghdr *h = &mm->msg_hdr;
	const struct sockaddr_in *from = h->msg_name;
	uint32_t ifindex = 0, dst = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)h); c;
	     c = CMSG_NXTHDR((struct msghdr *)h, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = (uint32_t)pi.ipi_ifindex;
			dst = ntohl(pi.ipi_addr.s_addr);
		}
	}
	rip->stats.rx_packets++;
	if (h->msg_flags & MSG_TRUNC) {
		rip->stats.rx_dropped++;
		rip->stats.drops[RIP_DROP_TRUNCATED]++;
		return;
	}
	rip_input_packet(rip, ifindex, ntohl(from->sin_addr.s_addr), ntohs(from->sin_port), dst,
			 data, mm->msg_len);
}

/* One recvmmsg batch; returns the number of datagrams, 0 when none, -1 on error. */
static int read_batch(struct rip *rip)
{
	struct mmsghdr mm[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in from[RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl[RX_BATCH];
	int n;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = rip->rxbuf + i * RX_SLOT, .iov_len = RX_SLOT };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
						 .msg_iov = &iov[i], .msg_iovlen = 1,
						 .msg_control = ctl[i].buf,
						 .msg_controllen = sizeof(ctl[i].buf) };
	}
	n = recvmmsg(rip->sock, mm, RX_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
	for (int i = 0; i < n; i++)
		handle_datagram(rip, &mm[i], rip->rxbuf + i * RX_SLOT);
	return n;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct rip *rip = arg;

	for (int b = 0; b < RX_MAX_BATCHES; b++) {
		int n = read_batch(rip);

		if (n < 0)
			rp_log_rl(&rip->rl_send, RP_LOG_WARNING, COMP, "receive error: %s",
			       strerror(errno));
		if (n < RX_BATCH)
			return;
	}
}

static int set_int(int fd, int level, int opt, int value)
{
	return setsockopt(fd, level, opt, &value, sizeof(value));
}

static int configure_socket(struct rip *rip, char *err, size_t errlen)
{
	int fd = rip->sock;

	if (set_int(fd, IPPROTO_IP, IP_PKTINFO, 1) || set_int(fd, IPPROTO_IP, IP_TTL, 1) ||
	    set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1) ||
	    set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) ||
	    set_int(fd, SOL_SOCKET, SO_BROADCAST, 1) ||
	    set_int(fd, IPPROTO_IP, IP_TOS, IPTOS_PREC_INTERNETCONTROL)) {
		snprintf(err, errlen, "socket options: %s", strerror(errno));
		return -1;
	}
	rip_sock_set_rcvbuf(rip);
	return 0;
}

void rip_sock_set_rcvbuf(struct rip *rip)
{
	int fd = rip->sock;

	if (fd < 0)
		return;
	if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, (int)rip->set.receive_buffer) != 0 &&
	    set_int(fd, SOL_SOCKET, SO_RCVBUF, (int)rip->set.receive_buffer) != 0)
		rp_log_warning(COMP, "cannot size the receive buffer to %u bytes: %s",
			    rip->set.receive_buffer, strerror(errno));
}

int rip_sock_open(struct rip *rip, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(RIP_PORT),
				   .sin_addr.s_addr = htonl(INADDR_ANY) };

	rip->rxbuf = malloc((size_t)RX_BATCH * RX_SLOT);
	rip->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!rip->rxbuf || rip->sock < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (configure_socket(rip, err, errlen) != 0)
		return -1;
	if (bind(rip->sock, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		snprintf(err, errlen, "cannot bind UDP port %d: %s", RIP_PORT, strerror(errno));
		return -1;
	}
	rip->sock_ev = event_new(rip->sup.base, rip->sock, EV_READ | EV_PERSIST, on_readable, rip);
	if (!rip->sock_ev || event_add(rip->sock_ev, NULL) != 0) {
		snprintf(err, errlen, "cannot watch the RIP socket");
		return -1;
	}
	return 0;
}

void rip_sock_close(struct rip *rip)
{
	if (rip->sock_ev)
		event_free(rip->sock_ev);
	rip->sock_ev = NULL;
	if (rip->sock >= 0)
		close(rip->sock);
	rip->sock = -1;
	free(rip->rxbuf);
	rip->rxbuf = NULL;
}

void rip_sock_membership(struct rip *rip, uint32_t ifindex, bool join)
{
	struct ip_mreqn mr = { .imr_multiaddr.s_addr = htonl(RIP_MCAST_GROUP),
			       .imr_ifindex = (int)ifindex };

	if (rip->sock < 0)
		return;
	if (setsockopt(rip->sock, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mr,
		       sizeof(mr)) != 0 &&
	    errno != EADDRINUSE && errno != EADDRNOTAVAIL && errno != ENODEV)
		rp_log_warning(COMP, "%s 224.0.0.9 on ifindex %u: %s", join ? "join" : "leave",
			    ifindex, strerror(errno));
}

int rip_sock_send(struct rip *rip, uint32_t ifindex, uint32_t src, uint32_t dst,
		  uint16_t port, const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(dst) };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct msghdr h = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	struct in_pktinfo pi = { .ipi_ifindex = (int)ifindex, .ipi_spec_dst.s_addr = htonl(src) };

	memset(&ctl, 0, sizeof(ctl)); /* CMSG_SPACE pads past the data: no stack bytes leave */
	c = CMSG_FIRSTHDR(&h);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(rip->sock, &h, 0) < 0) {
		rip->stats.tx_errors++;
		rp_log_rl(&rip->rl_send, RP_LOG_WARNING, COMP, "send to %u.%u.%u.%u failed: %s",
		       dst >> 24, (dst >> 16) & 0xff, (dst >> 8) & 0xff, dst & 0xff,
		       strerror(errno));
		return -1;
	}
	rip->stats.tx_packets++;
	return 0;
}
