export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
export const MESH_CLIENTS = Symbol('MESH_CLIENTS');
