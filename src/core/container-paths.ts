/** Where flakehunt's own files live inside the container (or the local executor's sandbox). */
export const FLAKEHUNT_ROOT = '/flakehunt';
export const PLUGIN_DIR = `${FLAKEHUNT_ROOT}/plugin`;
export const DEFAULT_ARTIFACTS_DIR = `${FLAKEHUNT_ROOT}/artifacts`;

/** The in-container pytest plugin, loaded with `-p flakehunt_reporter`. */
export const PLUGIN_MODULE = 'flakehunt_reporter';
/** The test-order perturbation, loaded with `-p flakehunt_order` when a sweep reorders tests. */
export const ORDER_PLUGIN_MODULE = 'flakehunt_order';
/** The hang-forensics script, run inside a hung iteration before it is stopped. */
export const FORENSICS_SCRIPT = `${PLUGIN_DIR}/flakehunt_forensics.py`;

/** Where the plugin leaves its per-process report files, relative to the artifacts folder. */
export const PLUGIN_REPORTS_DIR = 'flakehunt';
