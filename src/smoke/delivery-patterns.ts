/**
 * Deliveries in the shapes the platform really produces: a retry racing its original (the same
 * delivery id twice at the same moment) and one product's lifecycle arriving out of order. Small
 * and pure, so smoke's checks and a scenario runner can share them.
 */
import { serialiseEnvelope } from '../core/payload.js';
import type { PlanContext, ProbeRequest } from './smoke-checks.js';

/** Two copies of one signed delivery, same `X-Webhook-Delivery`, for sending together. */
export function sameDeliveryTwice(ctx: PlanContext, event: string): ProbeRequest[] {
  const body = serialiseEnvelope(ctx.envelopeOf(event));
  const deliveryId = ctx.newId();
  return [
    ctx.request('first copy', event, body, 'valid', deliveryId),
    ctx.request('second copy, sent at the same moment', event, body, 'valid', deliveryId),
  ];
}

/**
 * A product deleted before it was created: `catalog.product.deleted` then
 * `catalog.product.created` for one fresh product id the receiver cannot have seen.
 */
export function deletedBeforeCreated(ctx: PlanContext): ProbeRequest[] {
  const productId = `prod_smoke_${ctx.newId().replace(/^dlv_/, '').slice(0, 12)}`;
  return (['catalog.product.deleted', 'catalog.product.created'] as const).map((event) => {
    const envelope = ctx.envelopeOf(event);
    const body = serialiseEnvelope({ ...envelope, data: { ...envelope.data, product_id: productId } });
    return ctx.request(`${event} for ${productId}`, event, body, 'valid');
  });
}
