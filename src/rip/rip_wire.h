/* SPDX-License-Identifier: ISC */
/*
 * rip_wire.h — RIP on the wire: ports, addresses, commands, sizes and field values of RFC 2453
 * (RIPv1/v2), RFC 2091 (triggered RIP) and RFC 4822 (authentication). Constants only: the codec
 * (rip_codec.c) reads and writes the bytes with cursors.
 *
 *  0               1               2               3
 *  | command (1)  | version (1)  |       must be zero (2)       |   RIP header, 4 bytes
 *  | version (1)  | flush (1)    |       sequence number (2)    |   RFC 2091 header (cmd 9-11)
 *  |  address family id (2)      |       route tag (2)          |
 *  |                     IPv4 address (4)                       |   route entry, 20 bytes
 *  |                     subnet mask (4)                        |   (1..25 per packet)
 *  |                     next hop (4)                           |
 *  |                     metric (4)                             |
 */
#ifndef ROUTPROTD_RIP_WIRE_H
#define ROUTPROTD_RIP_WIRE_H

#define RIP_PORT 520
#define RIP_MCAST_GROUP 0xe0000009u /* 224.0.0.9, host order */

#define RIP_CMD_REQUEST 1
#define RIP_CMD_RESPONSE 2
#define RIP_CMD_UPDATE_REQUEST 9   /* RFC 2091 */
#define RIP_CMD_UPDATE_RESPONSE 10 /* RFC 2091 */
#define RIP_CMD_UPDATE_ACK 11      /* RFC 2091 */

#define RIP_HDR_LEN 4
#define RIP_TRIGGER_HDR_LEN 4 /* RFC 2091 version, flush, sequence */
#define RIP_TRIGGER_VERSION 1
#define RIP_RTE_LEN 20
#define RIP_MAX_RTES 25
#define RIP_MAX_DATAGRAM 512 /* RFC 2453 3.6: RIP payload limit, authentication included */
#define RIP_MAX_PACKET (RIP_HDR_LEN + RIP_TRIGGER_HDR_LEN + RIP_MAX_RTES * RIP_RTE_LEN + 4 + 64)

#define RIP_AFI_INET 2
#define RIP_AFI_AUTH 0xffffu
#define RIP_AUTH_SIMPLE 2   /* RFC 2453 simple password */
#define RIP_AUTH_CRYPTO 3   /* RFC 4822 keyed digest */
#define RIP_AUTH_TRAILER 1  /* RFC 4822 trailer type after the routes */
#define RIP_AUTH_PASSWORD_LEN 16
#define RIP_AUTH_TRAILER_HDR_LEN 4 /* 0xFFFF, 0x0001 before the digest */

#define RIP_METRIC_INFINITY 16

#endif
