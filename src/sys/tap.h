/* TAP devices for linkd: created persistent (they outlive
 * the engine, so a restarted engine reattaches and no link is lost), in
 * the calling thread's network namespace. */
#ifndef VL_SYS_TAP_H
#define VL_SYS_TAP_H

#include "base/err.h"

/* Create TAP `name` (no packet info header) with ifindex (0: any). */
int vl_tap_create(const char *name, int ifindex, struct vl_err *err);
/* Open the existing TAP `name`: an fd (O_CLOEXEC, O_NONBLOCK) that reads
 * and writes one frame per call, each after a virtio-net header
 * (VL_TAP_VNET_HDR bytes: whether, and how, it is a GSO segment and needs
 * a checksum), as a VM's virtio-net device does. */
#define VL_TAP_VNET_HDR 10
int vl_tap_attach(const char *name, struct vl_err *err);
/* Offloads on: the kernel hands over (and takes) 64 KiB TCP segments with
 * checksums left to do, instead of MTU-sized frames. Off: plain frames
 * (what a link that drops or paces frames one by one must see). */
int vl_tap_offload(int fd, int on, struct vl_err *err);

#endif
