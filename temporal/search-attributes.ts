import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../workflows/booking-definitions.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

/**
 * Registers the booking search attributes on a namespace. Idempotent: an attribute that is
 * already registered with the same type is fine (the dev server only applies its
 * `--search-attribute` flags when it first creates the namespace, so we always ask).
 */
export async function registerBookingSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<void> {
  for (const key of Object.values(searchAttributes)) {
    const type =
      key.type === SearchAttributeType.DATETIME
        ? IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
        : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [key.name]: type },
      });
    } catch (error) {
      if (!/already exists/i.test((error as Error).message)) throw error;
      if (/different type/i.test((error as Error).message)) throw error;
    }
  }
}
