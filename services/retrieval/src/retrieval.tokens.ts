export const CHUNK_STORE = Symbol('CHUNK_STORE');
export const RETRIEVAL_LOGGER = Symbol('RETRIEVAL_LOGGER');
