/**
 * The parts of the source the benchmark drives directly (stores, the delivery engine, signing),
 * bundled by bench/run.js into dist-bench/internals.js before any figure loads.
 */
export { newDeliveryId } from '../src/core/delivery-id.js';
export { EVENT_TYPES } from '../src/core/events.js';
export { serialiseEnvelope, webhookTimestamp } from '../src/core/payload.js';
export { sign } from '../src/core/signature.js';
export { summariseLatencies } from '../src/core/stats.js';
export { webhookHeaders } from '../src/core/webhook-request.js';
export { DEFAULT_CONCURRENCY, DeliveryEngine } from '../src/emulator/delivery-engine.js';
export { EmulatorStore } from '../src/emulator/emulator-store.js';
export { WebhookService } from '../src/emulator/webhook-service.js';
export { MAX_ACCEPTED_UNWRITTEN } from '../src/receiver/history-recorder.js';
export { loadSampleEnvelope } from '../src/samples/sample-payloads.js';
export { HistoryStore } from '../src/store/history-store.js';
