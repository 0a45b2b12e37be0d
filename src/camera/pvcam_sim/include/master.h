/* master.h — basic PVCAM types, as the PVCAM SDK's master.h names them.
 *
 * Part of pvcam-sim, the simulated PVCAM SDK of the daq project (written for daq, not copied
 * from the SDK). A driver includes "master.h" then "pvcam.h" and links either the real
 * libpvcam or pvcam_sim without a source change. Only what daq uses is declared. */
#ifndef _MASTER_H
#define _MASTER_H

#if defined(__cplusplus)
#define PV_C_PLUS_PLUS
#endif

#define PV_DECL
#define DEPRECATED __attribute__((deprecated))

enum { PV_FAIL = 0, PV_OK };

typedef unsigned short rs_bool;
typedef signed char int8;
typedef unsigned char uns8;
typedef short int16;
typedef unsigned short uns16;
typedef int int32;
typedef unsigned int uns32;
typedef float flt32;
typedef double flt64;
typedef unsigned long long ulong64;
typedef signed long long long64;

#ifndef FALSE
#define FALSE PV_FAIL
#endif
#ifndef TRUE
#define TRUE PV_OK
#endif

#endif /* _MASTER_H */
