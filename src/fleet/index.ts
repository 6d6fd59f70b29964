export * from './build.js';
export * from './commands.js';
export * from './engine.js';
export * from './gantt.js';
export * from './inventory.js';
export * from './planner.js';
export * from './policies.js';
export * from './schedule.js';
