/**
 * How a service's process ends when it cannot start, so whoever runs it can tell a setting that
 * is wrong (restarting cannot help) from a failure that may pass (a restart may help).
 */

/** sysexits.h EX_CONFIG: a configuration error. The message names every bad variable. */
export const EXIT_CONFIG = 78;

/** Any other failure to start (a taken port, a WORKER_ID held by a live worker, a crash). */
export const EXIT_FAILURE = 1;
