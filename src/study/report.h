/* The study's report: from the JSON files `vnetlab bench --json` writes
 * (one per workload and N) in a directory, CSV files, plots rendered by
 * gnuplot (PNG and SVG) and report.md, which answers the study's questions
 * from the data. Everything it prints can be recomputed from the JSON. */
#ifndef VL_STUDY_REPORT_H
#define VL_STUDY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "base/err.h"
#include "base/util.h"

int vl_report_render(const char *dir, struct vl_err *err);
/* A directory goes into gnuplot scripts: NULL if its name is safe there
 * (letters, digits, _ . / - +), else why not. */
const char *vl_report_dir_invalid(const char *dir);

/* The report's parts, in one order: report.c renders, calling
 * report_findings.c and report_mpi.c, which read the files through
 * report_data.c; none calls one above it.
 *
 * report_data.c: the *.json files of dir, sorted (caller frees each and
 * the array); run gnuplot on a script. */
size_t vl_report_list_json(const char *dir, char ***out);
int vl_report_gnuplot(const char *script);
/* A bench file's runs: where a run goes in the report's arrays (ns, proc,
 * solo, vm; -1 for a run beside a noisy neighbour, "ns+cpu"); the
 * worst-off instance's share of a fair one (from the shares for files
 * stored before it was recorded); whether a file is judged by throughput
 * (else by completion rate). */
enum { VL_SLOT_NS, VL_SLOT_PROC, VL_SLOT_SOLO, VL_SLOT_VM };
int vl_report_slot(const char *run);
double vl_report_worst_share(json_t *metrics);
bool vl_report_rate_file(json_t *file);
/* The mpi-*.json files of dir, loaded (caller decrefs each, frees the
 * array); a file's run in environment env (ns, vm, proc, solo, one) or
 * NULL; a ping-pong run's points (smallest message first); whether a file
 * is a kernel's (it has a class) rather than a micro-benchmark's. */
size_t vl_report_mpi_load(const char *dir, json_t ***out);
json_t *vl_report_mpi_env(json_t *f, const char *env);
json_t *vl_report_mpi_points(json_t *run);
bool vl_report_mpi_macro(json_t *f);
/* "The study's findings, side by side": a table, a row per finding of the
 * study, its 2007 result beside this host's on proc, ns and vm with each
 * run's verdict; from the bench files (files[0..n)) and the MPI files of
 * dir. */
void vl_report_findings(const char *dir, json_t **files, size_t n, struct vl_buf *md);
/* A cell of the findings' "VM time ≈ N × real time" row: k runs' mean
 * times t at N = ns, each against its reference time ref (real machines'
 * at the same N, or one instance alone's) on C = cpus CPUs: the slope of a
 * line fitted over N against mean(ref)/C (k >= 2), or t(N) against
 * max(1, N/C) × ref. Appended to cell; returns that factor (0: none). */
double vl_report_scale_cell(const double *ns, const double *t, const double *ref, size_t k,
                            double cpus, struct vl_buf *cell);
/* The MPI section, from the mpi-*.json files of dir. */
void vl_report_mpi(const char *dir, struct vl_buf *md, bool *plotted);
/* The study's question asked of the MPI jobs: their time on virtual
 * machines against ns nodes (bullets for "The study's questions"). */
void vl_report_mpi_answers(const char *dir, struct vl_buf *md);

#endif
