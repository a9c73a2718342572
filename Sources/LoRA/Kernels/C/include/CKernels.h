// The package's deterministic matrix-product kernels, written in C so that one source can be
// compiled for several instruction sets (AVX2 and the x86-64 baseline, or NEON) and chosen at
// run time. Every instruction set computes the same bits: see GEMMKernels.c.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdbool.h>
#include "CKernelsTanh.h"

/// Elements the packed copy of op(B) needs for a (k, n) product (0 when no copy is needed).
long ckernels_packed_count_f32(bool transB, int k, int n, long ldb);
long ckernels_packed_count_f64(bool transB, int k, int n, long ldb);

/// Copies the parts of op(B) (k, n) that the kernel reads from a packed buffer (zero-padded column
/// panels): all of them when B is transposed or large, else only the last, partial panel.
void ckernels_pack_b_f32(bool transB, int k, int n, const float *b, long ldb, float *packed);
void ckernels_pack_b_f64(bool transB, int k, int n, const double *b, long ldb, double *packed);

/// Rows rowBegin..<rowEnd of C ← α·op(A)·op(B) + β·C, with op(B) prepared by ckernels_pack_b_*.
/// β = 0 never reads C. Distinct row ranges may run on different threads at the same time.
void ckernels_gemm_rows_f32(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k,
                            float alpha, const float *a, long lda, const float *b, long ldb,
                            const float *packed, float beta, float *c, long ldc);
void ckernels_gemm_rows_f64(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k,
                            double alpha, const double *a, long lda, const double *b, long ldb,
                            const double *packed, double beta, double *c, long ldc);

/// Caps the instruction set at 0 (baseline), 1 (AVX2) or 2 (AVX-512), or lifts the cap (−1);
/// returns the previous cap. For tests that compare the paths: they must give the same bits.
int ckernels_limit_instruction_set(int limit);

/// The instruction set the kernels run with on this CPU: "AVX-512", "AVX2", "SSE2", "NEON" or "portable".
const char *ckernels_instruction_set(void);

#endif
