export * from './cases.js';
export * from './errors.js';
export * from './numerics.js';
export * from './precopy.js';
export * from './predict.js';
export * from './types.js';
export * from './validate.js';
export * from './distinct.js';
