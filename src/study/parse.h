/* Parsers for what the study's real programs print, turned into figures:
 * POV-Ray 3.7's statistics (stderr), iperf 2's CSV (-y C, read at the
 * server), iperf3's JSON (-J, client or server) and NetPIPE's results
 * (NPtcp's stderr lines or its np.out file). Pure functions of the text: no
 * I/O, no global state.
 *
 * Each vl_parse_*() takes NUL-terminated text, fills *out and returns 0, or
 * returns -1 with a message in err that says what was expected and on which
 * line (counted from 1, by '\n'). On failure nothing is left to free. They
 * accept what the programs really print, warnings interleaved, "\r\n" and
 * "\r"-separated progress, extra blanks, and reject anything else rather
 * than guess. Each vl_*_json() returns a new JSON object of the figures,
 * for reports (NULL only if jansson runs out of memory). */
#ifndef VL_STUDY_PARSE_H
#define VL_STUDY_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* --- POV-Ray 3.7 --------------------------------------------------------- */

/* From the "Parser Time" and "Render Time" blocks that POV-Ray 3.7 prints
 * on stderr at the end of a frame ("Trace Time: 0 hours 0 minutes 18
 * seconds (18.383 seconds)" then "using 1 thread(s) with 11.625
 * CPU-seconds total"): wall seconds and CPU seconds (user + system, as
 * POV-Ray measures them) per phase. A phase that did not run ("No
 * photons") is 0. The trace phase is required; so is the rest of a
 * finished render. A failed or cancelled render ("Parse Error: ...",
 * "Render cancelled by user") is an error quoting POV-Ray's reason. One
 * frame: an animation's second "Trace Time:" is an error. */
struct vl_povray {
	char version[48]; /* "3.7.0.10.unofficial", "" if not printed */
	double parse_wall_s, parse_cpu_s;
	double bounding_wall_s, bounding_cpu_s;
	double photon_wall_s, photon_cpu_s;
	double radiosity_wall_s, radiosity_cpu_s;
	double trace_wall_s, trace_cpu_s;
	double total_wall_s, total_cpu_s; /* the sum of the five phases */
	int threads;                      /* the trace phase's ("+WT1": 1) */
	unsigned width, height;           /* "Image Resolution W x H", 0 if absent */
	/* "Render Statistics": 0 if absent. pixels counts antialiasing's
	 * extra ones, so it is more than width × height with +a. */
	uint64_t pixels, samples, rays;
	unsigned warnings; /* POV-Ray's warnings ("Parse Warning", "Possible Parse Error") */
};

int vl_parse_povray(const char *text, struct vl_povray *out, struct vl_err *err);
json_t *vl_povray_json(const struct vl_povray *pv);

/* --- iperf 2 (-y C) ------------------------------------------------------ */

/* One CSV line of iperf 2.0.x-2.1.x: timestamp, src_addr, src_port,
 * dst_addr, dst_port, id, interval "start-end", bytes, bits_per_second, and
 * for UDP five more: jitter_ms, lost, datagrams, loss_percent,
 * out_of_order. Addresses as iperf prints them: with 2.1.8 the client's end
 * comes first on both sides; IPv6 and v4-mapped ("::ffff:10.0.0.1") too.
 * Lines with other numbers of fields (newer versions' -e columns) keep
 * their first 9 and ignore the rest. */
struct vl_iperf_row {
	char stamp[40]; /* "20261126011055" or with ".mmm" (-e); 2.1.8 prints
	                   "19700101000000" on a summary when -i is not given */
	char src_addr[64], dst_addr[64];
	unsigned src_port, dst_port;
	int id;                   /* transfer id; negative: a sum over parallel streams */
	double start, end;        /* seconds, as printed (one decimal) */
	uint64_t bytes;           /* in [start, end] */
	uint64_t bits_per_second; /* iperf's: bytes × 8 / the exact duration */
	bool udp;
	double jitter_ms, loss_percent;
	int64_t lost, datagrams, out_of_order;
};

/* A connection: the line that spans its whole run, and how many interval
 * lines (-i) came before it. */
struct vl_iperf_conn {
	struct vl_iperf_row total;
	size_t nintervals;
};

/* A run, read from the server's stdout (or a client's). A connection is
 * (id, both addresses and ports); its whole-run line is the one starting
 * at 0 whose end is the latest of its lines (the last such, when -i equals
 * -t). A connection with interval lines only (the server was stopped
 * early) is an error; so is no CSV line at all. Lines that do not start
 * with a digit (headers, warnings) are skipped; a line that does must be a
 * well-formed record. */
struct vl_iperf {
	struct vl_iperf_conn *conns; /* in order of their first line */
	size_t nconns;
	struct vl_iperf_row sum; /* iperf's whole-run sum line (id < 0, -P) */
	bool has_sum;
	uint64_t bytes; /* Σ conns' whole-run bytes */
	double bps;     /* Σ conns' whole-run bits_per_second */
	size_t nrecords, nskipped;
};

int vl_parse_iperf_csv(const char *text, struct vl_iperf *out, struct vl_err *err);
json_t *vl_iperf_json(const struct vl_iperf *ip);
void vl_iperf_free(struct vl_iperf *ip); /* idempotent; zeroes *ip */

/* --- iperf3 -J ----------------------------------------------------------- */

/* The end of one test as iperf3 3.x -J reports it, from the client or the
 * server (-s -1: one JSON document; a server without -1 writes one per test
 * and that is an error here). A JSON "error" (iperf3 exits 0 with -J even
 * when it could not connect) makes the parse fail with iperf3's text, which
 * is also kept in out->error; the other fields are then best effort. */
struct vl_iperf3 {
	char error[256];  /* iperf3's "error", "" if none */
	char version[32]; /* "iperf 3.12" */
	char protocol[8]; /* "TCP", "UDP", "SCTP" */
	bool server;      /* the server's report (start.accepted_connection) */
	bool reverse;     /* -R: the server sent */
	int streams;      /* -P */
	double duration;  /* -t, seconds */
	/* end.sum_sent: as counted by the sender */
	double sent_seconds, sent_bps;
	uint64_t sent_bytes;
	int64_t retransmits; /* TCP sender's, -1 if not reported */
	/* end.sum_received: as counted by the receiver */
	double received_seconds, received_bps;
	uint64_t received_bytes;
	/* UDP, from end.sum_received */
	double jitter_ms, lost_percent;
	int64_t lost_packets, packets;
	/* end.cpu_utilization_percent: user + system of the process, in % of
	 * one CPU over the test; "remote" is the peer's as the peer sent it
	 * (0 in a server's report) */
	double cpu_host_total, cpu_host_user, cpu_host_system;
	double cpu_remote_total, cpu_remote_user, cpu_remote_system;
};

int vl_parse_iperf3(const char *text, struct vl_iperf3 *out, struct vl_err *err);
json_t *vl_iperf3_json(const struct vl_iperf3 *ip);

/* --- NetPIPE (NPtcp) ----------------------------------------------------- */

/* One data point: a message size, NetPIPE's bandwidth and one-way time (half
 * a round trip; the whole exchange with -2 or -s). NetPIPE's "Mbps" are
 * 1048576 bit/s: mbps = bytes × 8 / (usec × 1e-6) / 2^20. */
struct vl_netpipe_point {
	uint64_t bytes;
	uint64_t repeats; /* the log's "N times"; 0 from np.out */
	double mbps, usec;
};

/* Either NPtcp's transmitter log ("  3:   4 bytes  6405 times -->  2.68
 * Mbps in  11.40 usec", on stderr; stdout has "Sending output to ..." and
 * "Client: Cannot Connect!": pass stdout then stderr), or its np.out file
 * (bytes, Mbps, seconds); which one is detected. Other lines of the log
 * are skipped, but a line that says "error", "cannot" or "failed" fails the
 * parse, as does a cut-off data point, a gap in the point numbers or no
 * point at all. */
struct vl_netpipe {
	struct vl_netpipe_point *points; /* in the order printed */
	size_t npoints;
	bool from_log;          /* from the log, not np.out */
	double latency_usec;    /* the smallest message's time */
	uint64_t latency_bytes; /* its size */
	double peak_mbps;       /* the largest bandwidth, NetPIPE's Mbps */
	uint64_t peak_bytes;    /* at this size */
	double peak_bps;        /* peak_mbps × 1048576, bit/s */
};

int vl_parse_netpipe(const char *text, struct vl_netpipe *out, struct vl_err *err);
json_t *vl_netpipe_json(const struct vl_netpipe *np);
void vl_netpipe_free(struct vl_netpipe *np); /* idempotent; zeroes *np */

#endif
