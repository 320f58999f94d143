import { formatLocation, InventoryError } from '../../../src/errors.js';

export const FIX = 'test/fixtures/inventory';

/** Runs fn and returns the InventoryError it throws; anything else fails the test. */
export function inventoryError(fn: () => unknown): InventoryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InventoryError) return e;
    throw e;
  }
  throw new Error('expected an InventoryError, but nothing was thrown');
}

/** The error as the CLI prints it: location first, then the message. */
export const rendered = (e: InventoryError): string => `${formatLocation(e.at)}: ${e.message}`;
