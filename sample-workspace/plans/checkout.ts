import type { Plan, PlanContext, Procedure, StepContext } from 'instrument-first';
import { procedure } from 'instrument-first';
import { sleep } from '../cloud/timeScale';
import { fetchMarkUp } from '../shop/pricingService';

interface Order {
  sku: string;
  price: number;
  browsed: boolean;
  inCart: boolean;
  markedUp: boolean;
  paid: boolean;
  shipped: boolean;
}

/** Deliberately uninstrumented: it records nothing on its span. */
class BrowseCatalog implements Procedure {
  readonly id = 'browse';
  constructor(private readonly order: Order) {}
  async do(): Promise<void> {
    await sleep(180);
    this.order.browsed = true;
  }
}

class AddToCart implements Procedure {
  readonly id = 'cart';
  constructor(private readonly order: Order) {}
  async do(ctx: StepContext): Promise<void> {
    await ctx.trace('cart-service AddItem', () => sleep(120), { 'peer.service': 'cart-service' });
    ctx.span.setAttributes({ 'order.sku': this.order.sku, 'order.price': this.order.price });
    this.order.inCart = true;
  }
}

class Pay implements Procedure {
  readonly id = 'pay';
  constructor(private readonly order: Order) {}
  async do(ctx: StepContext): Promise<void> {
    await ctx.trace('payments Charge', () => sleep(250), { 'peer.service': 'payments', 'payment.amount': this.order.price });
    this.order.paid = true;
    ctx.log.info('payment accepted', { amount: this.order.price });
  }
}

class Ship implements Procedure {
  readonly id = 'ship';
  constructor(private readonly order: Order) {}
  async do(ctx: StepContext): Promise<void> {
    await ctx.trace('shipping CreateLabel', () => sleep(140), { 'peer.service': 'shipping' });
    this.order.shipped = true;
  }
}

/** Release 2 adds a mark-up that asks a slow pricing service: the checkout goes from <1 s to >5 s. */
function additionalMarkUp(order: Order): Procedure {
  return procedure('additionalMarkUp', async (ctx) => {
    const rate = await ctx.trace('pricing GetMarkUp', () => fetchMarkUp(order.sku), { 'peer.service': 'pricing' });
    order.price = Math.round(order.price * (1 + rate) * 100) / 100;
    ctx.span.setAttribute('order.markup_rate', rate);
    order.markedUp = true;
  });
}

function checkoutPlan(release: 1 | 2): Plan {
  const order: Order = { sku: 'SKU-1042', price: 49.9, browsed: false, inCart: false, markedUp: false, paid: false, shipped: false };
  return {
    name: 'checkout',
    create(ctx: PlanContext): Procedure[] {
      const steps: Procedure[] = [];
      if (!order.browsed) steps.push(new BrowseCatalog(order));
      if (!order.inCart) steps.push(new AddToCart(order));
      if (release === 2 && !order.markedUp) steps.push(additionalMarkUp(order));
      if (!order.paid) steps.push(new Pay(order));
      if (!order.shipped) steps.push(new Ship(order));
      ctx.log.debug('planned', { release, steps: steps.length });
      return steps;
    },
  };
}

/** Release 1: browse, cart, pay, ship — well under a second. */
const checkout: Plan = checkoutPlan(1);
export default checkout;

/** Release 2: the same transaction with the new additionalMarkUp step. */
export const checkoutRelease2: Plan = checkoutPlan(2);
