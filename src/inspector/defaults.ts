/** Where the inspector is served unless told otherwise: small, so parsing `--inspect` loads no server. */
export const DEFAULT_INSPECT_HOST = '127.0.0.1';
export const DEFAULT_INSPECT_PORT = 4040;
