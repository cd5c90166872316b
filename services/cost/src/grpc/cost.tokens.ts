export const COST_EVENTS = Symbol('COST_EVENTS');
