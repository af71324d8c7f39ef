/* What a lab's guests boot and who each guest is (see vm_guest.h): the
 * kernel command line they share, their shapes and templates, and each
 * guest's identity, sent by its supervisor once it is up (SETUP).
 * Touches: the template cache, through vm/template.c. */
#include "node/vm_guest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "vm/proto.h"

#define VM_DEFAULT_RAM (128ull << 20)

void vl_vmg_mac(const struct vl_plan *p, size_t node, size_t j, uint8_t mac[6])
{
	const uint8_t *given = vl_plan_if_mac(p, node, j);

	if (given) { /* the file's */
		memcpy(mac, given, 6);
		return;
	}
	unsigned long id = strtoul(p->id, NULL, 16);
	/* the file's node index: the same on every host of a lab over
	 * several, whose parts number their nodes each from 0 */
	size_t k = (size_t)p->nodes[node].topo_node;

	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = (uint8_t)(id >> 8);
	mac[2] = (uint8_t)id;
	mac[3] = (uint8_t)(k >> 8);
	mac[4] = (uint8_t)k;
	mac[5] = (uint8_t)j;
}

uint64_t vl_vmg_ram(const struct vl_plan_node *n, const struct vl_vm_lab *vl)
{
	uint64_t ram = (n->res.memory ? n->res.memory : VM_DEFAULT_RAM) & ~((1ull << 20) - 1);

	return vl && ram < vl->kernel.min_ram ? vl->kernel.min_ram : ram;
}

unsigned vl_vmg_vcpus(const struct vl_plan_node *n)
{
	unsigned v = n->res.cpus > 0 ? (unsigned)(n->res.cpus + 0.999) : 1;

	return v ? v : 1;
}

bool vl_vmg_host_root(void)
{
	const char *v = getenv("VNETLAB_VM_HOST_ROOT");

	return !v || strcmp(v, "0");
}

void vl_vmg_cmdline(struct vl_vm_lab *vl)
{
	struct vl_buf b = {0};
	unsigned long khz;

	/* tsc=reliable: under TCG the guest's TSC is the host's, the one
	 * good clock it has, but the clocksource watchdog (judging it by
	 * timer ticks that an emulated CPU loses under load) would drop it
	 * for jiffies, and the guest's time would then run slow */
	vl_buf_printf(&b, "console=ttyS0 panic=-1 quiet no_timer_check tsc=reliable");
	/* a microvm has no PCI bus (its devices are virtio-mmio); under TCG
	 * it must be told the TSC's rate or it hangs calibrating it (in whole
	 * MHz: the line is part of a template's key) */
	if (vl->machine == VL_VM_MICROVM)
		vl_buf_printf(&b, " pci=off");
	if (vl->machine == VL_VM_MICROVM && !vl->kvm && (khz = vl_vm_tsc_khz() / 1000 * 1000))
		vl_buf_printf(&b, " tsc_early_khz=%lu", khz);
	/* VNETLAB_VM_APPEND: more kernel parameters, for debugging guests */
	if (getenv("VNETLAB_VM_APPEND"))
		vl_buf_printf(&b, " %s", getenv("VNETLAB_VM_APPEND"));
	snprintf(vl->cmdline, sizeof(vl->cmdline), "%s", b.s);
	vl_buf_free(&b);
}

void vl_vmg_spec(const struct vl_vm_lab *vl, const struct vl_plan_node *n, struct vl_vm_spec *s)
{
	*s = (struct vl_vm_spec){.name = n->name,
	                         .kernel = &vl->kernel,
	                         .initrd = vl->image,
	                         .cmdline = vl->cmdline,
	                         .machine = vl->machine,
	                         .kvm = vl->kvm,
	                         .vcpus = vl_vmg_vcpus(n),
	                         .ram = vl_vmg_ram(n, vl),
	                         .host_root = vl_vmg_host_root(),
	                         .root_dir = vl->root,
	                         .share_dir = vl->share,
	                         .n_taps = n->n_ifs};
}

static bool same_shape(const struct vm_shape *sh, const struct vl_vm_lab *vl,
                       const struct vl_plan_node *n)
{
	return sh->ram == vl_vmg_ram(n, vl) && sh->vcpus == vl_vmg_vcpus(n) &&
	       sh->n_ifs == n->n_ifs;
}

static bool clone_on(const struct vl_node_opts *o)
{
	const char *v = getenv("VNETLAB_VM_CLONE");

	if (o->vm_clone)
		return o->vm_clone > 0;
	return !v || (strcmp(v, "0") && strcmp(v, "off"));
}

void vl_vmg_templates(const struct vl_node_lab *l, struct vl_vm_lab *vl)
{
	const struct vl_plan *p = l->plan;
	size_t first[VM_MAX_SHAPES];
	double timeout = l->opts->vm_timeout > 0 ? l->opts->vm_timeout : 120;

	vl->n_shapes = 0;
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];
		size_t k;

		if (!n->res.vm)
			continue;
		for (k = 0; k < vl->n_shapes && !same_shape(&vl->shapes[k], vl, n); k++)
			;
		if (k < vl->n_shapes || k == VM_MAX_SHAPES)
			continue; /* known, or one shape too many: it boots */
		vl->shapes[k] = (struct vm_shape){
		    .ram = vl_vmg_ram(n, vl), .vcpus = vl_vmg_vcpus(n), .n_ifs = n->n_ifs};
		first[k] = i;
		vl->n_shapes++;
	}
	if (!clone_on(l->opts))
		return;
	for (size_t k = 0; k < vl->n_shapes; k++) {
		struct vm_shape *sh = &vl->shapes[k];
		struct vl_err err = {0};
		struct vl_vm_spec s;

		vl_vmg_spec(vl, &p->nodes[first[k]], &s);
		if (vl_vm_template_get(&s, timeout, &sh->t, &err) == 0)
			sh->cloned = true;
		else
			fprintf(stderr,
			        "vnetlab: %s: its guests (%u vCPU, %llu MiB, %zu interfaces) "
			        "boot one by one\n",
			        err.msg, sh->vcpus, (unsigned long long)(sh->ram >> 20), sh->n_ifs);
	}
}

const struct vm_shape *vl_vmg_shape(const struct vl_vm_lab *vl, const struct vl_plan_node *n)
{
	for (size_t k = 0; k < vl->n_shapes; k++)
		if (same_shape(&vl->shapes[k], vl, n))
			return vl->shapes[k].cloned ? &vl->shapes[k] : NULL;
	return NULL;
}

static void put_mac(struct vl_buf *b, const char *key, const uint8_t m[6])
{
	vl_buf_printf(b, ",%s=%02x:%02x:%02x:%02x:%02x:%02x", key, m[0], m[1], m[2], m[3], m[4],
	              m[5]);
}

int vl_vmg_settings(const struct vl_plan *p, size_t i, bool cloned, struct vl_buf *b,
                    struct vl_err *err)
{
	const struct vl_plan_node *n = &p->nodes[i];
	char ip[16], gw[16];

	vl_buf_printf(b, "vl.hostname=%s", n->name);
	if (vl_vmg_host_root()) {
		char share[PATH_MAX];

		vl_lab_path(p->lab, VL_LAB_SHARE, share, sizeof(share));
		vl_buf_printf(b, " vl.root=9p vl.share=%s", share);
	}
	if (n->forward)
		vl_buf_printf(b, " vl.forward=1");
	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_if *f = &n->ifs[j];
		const struct vl_plan_veth *ve = &p->veths[f->veth];
		uint8_t m[6];

		vl_buf_printf(b, " vl.if=%s", f->name);
		if (f->addr) {
			vl_fmt_ip(f->addr, ip);
			vl_buf_printf(b, ",%s/%d", ip, f->prefix);
		}
		if (ve->mtu)
			vl_buf_printf(b, ",%d", ve->mtu);
		vl_vmg_mac(p, i, j, m);
		put_mac(b, "mac", m);
		if (cloned) {
			vl_vm_template_mac(j, m);
			put_mac(b, "from", m);
		}
	}
	for (size_t k = 0; k < n->n_routes; k++) {
		const struct vl_plan_route *rt = &n->routes[k];

		vl_fmt_ip(rt->dst, ip);
		if (rt->prefix)
			vl_buf_printf(b, " vl.route=%s/%d", ip, rt->prefix);
		else
			vl_buf_printf(b, " vl.route=default");
		if (rt->via) {
			vl_fmt_ip(rt->via, gw);
			vl_buf_printf(b, ",via,%s", gw);
		}
		vl_buf_printf(b, ",dev,%s", n->ifs[rt->oif].name);
	}
	/* one SETUP frame, with its clock, seed and header */
	if (b->len > VL_AG_MAX_PAYLOAD - VL_AG_SEED_MAX - 64)
		return vl_err_set(err, E2BIG,
		                  "node %s: its guest's settings (interfaces and routes) are %zu "
		                  "bytes, over the %d one message to its agent holds",
		                  n->name, b->len, VL_AG_MAX_PAYLOAD - VL_AG_SEED_MAX - 64);
	return 0;
}
