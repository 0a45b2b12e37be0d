/* pvcam.h — the subset of the PVCAM C API that daq's PVCAM driver uses.
 *
 * Part of pvcam-sim (see master.h). Names, numeric values, struct layouts and signatures
 * follow the public PVCAM SDK header so that the driver compiles unchanged against either.
 * Behaviour of the simulation: see pvcam_sim.h. */
#ifndef _PVCAM_H
#define _PVCAM_H

#define MAX_CAM 16
#define CAM_NAME_LEN 32
#define ERROR_MSG_LEN 255
#define CCD_NAME_LEN 17

/* Identifies a FRAME_INFO structure. */
typedef struct _TAG_PVCAM_FRAME_INFO_GUID {
  uns32 f1;
  uns16 f2;
  uns16 f3;
  uns8 f4[8];
} PVCAM_FRAME_INFO_GUID;

/* Per-frame information from the driver: FrameNr counts frames from 1 in each acquisition;
 * the timestamps come from the driver's clock (resolution camera dependent). */
typedef struct _TAG_FRAME_INFO {
  PVCAM_FRAME_INFO_GUID FrameInfoGUID;
  int16 hCam;
  int32 FrameNr;
  long64 TimeStamp;    /* end of frame */
  int32 ReadoutTime;
  long64 TimeStampBOF; /* beginning of frame */
} FRAME_INFO;

typedef enum PL_OPEN_MODES { OPEN_EXCLUSIVE } PL_OPEN_MODES;

/* pl_get_param attributes. */
typedef enum PL_PARAM_ATTRIBUTES {
  ATTR_CURRENT,
  ATTR_COUNT,
  ATTR_TYPE,
  ATTR_MIN,
  ATTR_MAX,
  ATTR_DEFAULT,
  ATTR_INCREMENT,
  ATTR_ACCESS,
  ATTR_AVAIL,
  ATTR_LIVE
} PL_PARAM_ATTRIBUTES;

typedef enum PL_PARAM_ACCESS {
  ACC_READ_ONLY = 1,
  ACC_READ_WRITE,
  ACC_EXIST_CHECK_ONLY,
  ACC_WRITE_ONLY
} PL_PARAM_ACCESS;

/* Exposure modes for pl_exp_setup_cont (legacy and extended). */
typedef enum PL_EXPOSURE_MODES {
  TIMED_MODE,
  STROBED_MODE,
  BULB_MODE,
  TRIGGER_FIRST_MODE,
  FLASH_MODE,
  VARIABLE_TIMED_MODE,
  INT_STROBE_MODE,
  MAX_EXPOSE_MODE = 7,
  EXT_TRIG_INTERNAL = (7 + 0) << 8,
  EXT_TRIG_TRIG_FIRST = (7 + 1) << 8,
  EXT_TRIG_EDGE_RISING = (7 + 2) << 8
} PL_EXPOSURE_MODES;

/* Expose-out modes, OR-ed with an extended exposure mode. */
typedef enum PL_EXPOSE_OUT_MODES {
  EXPOSE_OUT_FIRST_ROW = 0,
  EXPOSE_OUT_ALL_ROWS,
  EXPOSE_OUT_ANY_ROW,
  EXPOSE_OUT_ROLLING_SHUTTER
} PL_EXPOSE_OUT_MODES;

/* pl_exp_check_cont_status statuses. */
typedef enum PL_IMAGE_STATUSES {
  READOUT_NOT_ACTIVE,
  EXPOSURE_IN_PROGRESS,
  READOUT_IN_PROGRESS,
  READOUT_COMPLETE,
  FRAME_AVAILABLE = READOUT_COMPLETE,
  READOUT_FAILED,
  ACQUISITION_IN_PROGRESS,
  MAX_CAMERA_STATUS
} PL_IMAGE_STATUSES;

/* pl_exp_stop_cont / pl_exp_abort camera states. */
typedef enum PL_CCS_ABORT_MODES {
  CCS_NO_CHANGE = 0,
  CCS_HALT,
  CCS_HALT_CLOSE_SHTR,
  CCS_CLEAR,
  CCS_CLEAR_CLOSE_SHTR,
  CCS_OPEN_SHTR,
  CCS_CLEAR_OPEN_SHTR
} PL_CCS_ABORT_MODES;

/* Circular buffer modes for pl_exp_setup_cont. With CIRC_NO_OVERWRITE a frame that arrives
 * while every buffer slot holds an unread frame still replaces the oldest one, and the next
 * pl_exp_get_oldest_frame(_ex) call fails with a buffer-overrun error. */
typedef enum PL_CIRC_MODES { CIRC_NONE = 0, CIRC_OVERWRITE, CIRC_NO_OVERWRITE } PL_CIRC_MODES;

typedef enum PL_EXP_RES_MODES {
  EXP_RES_ONE_MILLISEC = 0,
  EXP_RES_ONE_MICROSEC,
  EXP_RES_ONE_SEC
} PL_EXP_RES_MODES;

typedef enum PL_CALLBACK_EVENT {
  PL_CALLBACK_BOF = 0,
  PL_CALLBACK_EOF,
  PL_CALLBACK_CHECK_CAMS,
  PL_CALLBACK_CAM_REMOVED,
  PL_CALLBACK_CAM_RESUMED,
  PL_CALLBACK_MAX
} PL_CALLBACK_EVENT;

/* An acquisition region: columns s1..s2 binned by sbin, rows p1..p2 binned by pbin. */
typedef struct rgn_type {
  uns16 s1;
  uns16 s2;
  uns16 sbin;
  uns16 p1;
  uns16 p2;
  uns16 pbin;
} rgn_type;

/* Parameter data types (ATTR_TYPE). */
#define TYPE_INT16 1
#define TYPE_INT32 2
#define TYPE_FLT64 4
#define TYPE_UNS8 5
#define TYPE_UNS16 6
#define TYPE_UNS32 7
#define TYPE_UNS64 8
#define TYPE_ENUM 9
#define TYPE_BOOLEAN 11
#define TYPE_INT8 12
#define TYPE_CHAR_PTR 13
#define TYPE_VOID_PTR 14
#define TYPE_VOID_PTR_PTR 15
#define TYPE_INT64 16

#define CLASS0 0
#define CLASS2 2
#define CLASS3 3

/* Parameter ids: (class << 16) + (type << 24) + number. */
#define PARAM_CHIP_NAME ((CLASS2 << 16) + (TYPE_CHAR_PTR << 24) + 129)
#define PARAM_PAR_SIZE ((CLASS2 << 16) + (TYPE_UNS16 << 24) + 57)
#define PARAM_SER_SIZE ((CLASS2 << 16) + (TYPE_UNS16 << 24) + 58)
#define PARAM_READOUT_TIME ((CLASS2 << 16) + (TYPE_FLT64 << 24) + 179)
#define PARAM_BIT_DEPTH ((CLASS2 << 16) + (TYPE_INT16 << 24) + 511)
#define PARAM_TEMP ((CLASS2 << 16) + (TYPE_INT16 << 24) + 525)
#define PARAM_TEMP_SETPOINT ((CLASS2 << 16) + (TYPE_INT16 << 24) + 526)
#define PARAM_EXPOSURE_MODE ((CLASS2 << 16) + (TYPE_ENUM << 24) + 535)
#define PARAM_EXPOSE_OUT_MODE ((CLASS2 << 16) + (TYPE_ENUM << 24) + 560)
#define PARAM_EXP_RES ((CLASS3 << 16) + (TYPE_ENUM << 24) + 2)
#define PARAM_EXP_RES_INDEX ((CLASS3 << 16) + (TYPE_UNS16 << 24) + 4)
#define PARAM_CIRC_BUFFER ((CLASS3 << 16) + (TYPE_BOOLEAN << 24) + 299)
#define PARAM_FRAME_BUFFER_SIZE ((CLASS3 << 16) + (TYPE_UNS64 << 24) + 300)

#ifdef PV_C_PLUS_PLUS
extern "C" {
#endif

rs_bool PV_DECL pl_pvcam_get_ver(uns16* pvcam_version);
rs_bool PV_DECL pl_pvcam_init(void);
rs_bool PV_DECL pl_pvcam_uninit(void);

rs_bool PV_DECL pl_cam_close(int16 hcam);
rs_bool PV_DECL pl_cam_get_name(int16 cam_num, char* camera_name);
rs_bool PV_DECL pl_cam_get_total(int16* totl_cams);
rs_bool PV_DECL pl_cam_open(char* camera_name, int16* hcam, int16 o_mode);

/* Callback for the _ex3 registration: void callback(FRAME_INFO* frame_info, void* context),
 * called on the SDK's own thread. */
rs_bool PV_DECL pl_cam_register_callback_ex3(int16 hcam, int32 callback_event, void* callback,
                                             void* context);
rs_bool PV_DECL pl_cam_deregister_callback(int16 hcam, int32 callback_event);

int16 PV_DECL pl_error_code(void);
rs_bool PV_DECL pl_error_message(int16 err_code, char* msg);

rs_bool PV_DECL pl_get_param(int16 hcam, uns32 param_id, int16 param_attribute,
                             void* param_value);
rs_bool PV_DECL pl_set_param(int16 hcam, uns32 param_id, void* param_value);

rs_bool PV_DECL pl_exp_setup_cont(int16 hcam, uns16 rgn_total, const rgn_type* rgn_array,
                                  int16 exp_mode, uns32 exposure_time, uns32* exp_bytes,
                                  int16 buffer_mode);
rs_bool PV_DECL pl_exp_start_cont(int16 hcam, void* pixel_stream, uns32 size);
rs_bool PV_DECL pl_exp_check_cont_status(int16 hcam, int16* status, uns32* bytes_arrived,
                                         uns32* buffer_cnt);
rs_bool PV_DECL pl_exp_get_oldest_frame_ex(int16 hcam, void** frame, FRAME_INFO* pFrameInfo);
rs_bool PV_DECL pl_exp_unlock_oldest_frame(int16 hcam);
rs_bool PV_DECL pl_exp_stop_cont(int16 hcam, int16 cam_state);
rs_bool PV_DECL pl_exp_abort(int16 hcam, int16 cam_state);

#ifdef PV_C_PLUS_PLUS
}
#endif

#endif /* _PVCAM_H */
