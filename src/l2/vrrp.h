/* SPDX-License-Identifier: MIT */
/*
 * vrrp.h - telling a VRRP advertisement apart on the wire (RFC 5798 §5.1),
 * so the host path can carry an HA pair's adverts between the LAN link and
 * the host stack in every HA role and never forward them (docs/HA.md
 * "VRRP on the LAN").
 */
#ifndef PG_L2_VRRP_H
#define PG_L2_VRRP_H

#include <stdbool.h>
#include <stdint.h>

#define PG_VRRP_PROTO 112	    /* IPv4 protocol number */
#define PG_VRRP_GROUP 0xe0000012u /* 224.0.0.18, host order */

/*
 * Is this Ethernet frame (len bytes, header included) an IPv4 packet of
 * protocol 112 to the VRRP group 224.0.0.18? Only the headers are read, each
 * within len; the VRRP message itself is the host's keepalived's to check.
 */
bool pg_vrrp_frame(const uint8_t *frame, uint32_t len);

#endif /* PG_L2_VRRP_H */
