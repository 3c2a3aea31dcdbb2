import type { HostingObject } from '../objects/object.js';

/** A task type's `offered`: only while its object is in one of these states. */
export const offeredIn = (...states: string[]) => (o: HostingObject): boolean => states.includes(o.status);
