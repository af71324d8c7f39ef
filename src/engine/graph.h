/* A lab's picture: from its state (a running lab's, or vl_state_of_plan of a
 * topology not yet up), Graphviz DOT or a Mermaid
 * flowchart. Nodes drawn by kind (hosts as rounded boxes, routers as
 * ellipses, switches as 3-D boxes) with their backend and addresses; links
 * with each end's interface name and the impairments of each direction.
 * Pure text: rendering DOT to SVG or PNG is the caller's (Graphviz's dot). */
#ifndef VL_ENGINE_GRAPH_H
#define VL_ENGINE_GRAPH_H

#include "base/util.h"

struct vl_state;

enum vl_graph_format {
	VL_GRAPH_DOT,
	VL_GRAPH_MERMAID,
};

/* Append the picture of state (named lab) to out. */
void vl_graph_write(const struct vl_state *st, const char *lab, enum vl_graph_format f,
                    struct vl_buf *out);

#endif
