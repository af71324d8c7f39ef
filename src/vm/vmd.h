/* `vnetlab __vmd`: the host side of one guest, for the guest's whole life.
 * It runs in the vm node's namespaces and cgroup, starts QEMU as its
 * child, holds the host end of the agent's virtio-serial port (the guest
 * must always see it connected), and serves `vnetlab exec` and the rest
 * through a UNIX socket as a multiplexer of the agent protocol: every
 * client frame gets a fresh agent id, the agent's frames go back to their
 * client under its own id, HELLO is answered with the guest's READY, and
 * a client's sessions are killed when it disconnects (their output is
 * credited and dropped, so the agent never waits for a reader).
 *
 * Started by src/node/vm.c with these descriptors:
 *   0      /dev/null;  1, 2  the console log (QEMU's stderr goes there too)
 *   3      the host end of the agent's socket pair
 *   4      the listening UNIX socket
 *   5      the ready pipe: one line, "ready BOOT_MS KERNEL" once the agent
 *          answered, or "failed WHY"; then closed
 *   6      the guest's identity: u32 n, n bytes of settings (the vl.*
 *          settings of vm/proto.h's SETUP), then the lab's /etc/hosts
 *   7      the host end of QMP's socket pair (or /dev/null)
 *   8      the start barrier: QEMU is started once it reads EOF (the lab's
 *          guests all start together, after the last one is launched)
 *   9...   QEMU's: the guest end of the agent's pair, the TAPs (and for a
 *          clone its template's device state)
 * and argv: __vmd NODE [--incoming FD] -- QEMU-ARGV...
 *
 * A guest boots bare (no identity): once its agent says so (READY with
 * READY_BARE), it is sent the lab's /etc/hosts (WRITE_FILE) and SETUP
 * (the settings, the host's clock, a fresh random seed); the agent's
 * READY to that is the guest's. With --incoming the guest is a clone of a
 * template (vm/template.h) started with -incoming defer: the device state
 * on QEMU's fd FD is loaded through QMP, the guest let run, and its agent
 * sent the same at once (it was saved bare).
 *
 * SIGTERM: power the guest off (2 s), then kill QEMU, and exit. If QEMU
 * exits, so does the vmd (the socket then refuses connections). */
#ifndef VL_VM_VMD_H
#define VL_VM_VMD_H

#define VL_VMD_FD_AGENT  3
#define VL_VMD_FD_LISTEN 4
#define VL_VMD_FD_READY  5
#define VL_VMD_FD_SETUP  6
#define VL_VMD_FD_QMP    7
#define VL_VMD_FD_GO     8
#define VL_VMD_FD_QEMU   9 /* the first of QEMU's */

int vl_vmd_main(int argc, char **argv);

#endif
