/**
 * The piscina worker entry of a KernelPool lane: a session that runs the kernel tasks a
 * functional run sends (lane-session.ts).
 */
export { default } from './lane-session.js';
