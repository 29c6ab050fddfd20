/**
 * The one permission the window is granted: writing text to the clipboard from a click (the
 * Results screen's Copy of a command). Chromium asks for it as `clipboard-sanitized-write`; reading
 * the clipboard (`clipboard-read`), notifications, media and everything else stay refused.
 */
const GRANTED = new Set(['clipboard-sanitized-write']);

export const permissionGranted = (permission: string): boolean => GRANTED.has(permission);
