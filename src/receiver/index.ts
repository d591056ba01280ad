/** The receiver's public surface: start a listener, feed it requests from any transport. */

export type { WriteProblem } from './batch-writer.js';
export {
  DEFAULTS as LISTENER_DEFAULTS,
  type Listener,
  type ListenerInfo,
  type ListenerOptions,
  type ListenerSummary,
  startListener,
} from './listener.js';
export type { ListenerStats } from './listener-stats.js';
export type { RawRequest, RawResponse, RequestHandler } from './raw-exchange.js';
export { loadRoutesFile, parseForwardTarget, parseRouteFlag, type Route } from './routes.js';
