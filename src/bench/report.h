/* The study's report: from the JSON files `vnetlab bench --json` writes
 * (one per workload and N) in a directory, CSV files, plots rendered by
 * gnuplot (PNG and SVG) and report.md, which answers the study's questions
 * from the data. Everything it prints can be recomputed from the JSON. */
#ifndef VL_BENCH_REPORT_H
#define VL_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/util.h"

int vl_report_render(const char *dir, struct vl_err *err);
/* A directory goes into gnuplot scripts: NULL if its name is safe there
 * (letters, digits, _ . / - +), else why not. */
const char *vl_report_dir_invalid(const char *dir);

/* For the report's parts (report.c, report_mpi.c): the *.json files of dir,
 * sorted (caller frees each and the array); run gnuplot on a script. */
size_t vl_report_list_json(const char *dir, char ***out);
int vl_report_gnuplot(const char *script);
/* The MPI section, from the mpi-*.json files of dir. */
void vl_report_mpi(const char *dir, struct vl_buf *md, bool *plotted);
/* The study's question asked of the MPI jobs: their time on virtual
 * machines against ns nodes (bullets for "The study's questions"). */
void vl_report_mpi_answers(const char *dir, struct vl_buf *md);

#endif
