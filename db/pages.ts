/** One page of a list: what every paginated query takes and answers. */
import type { Model, QueryFilter, SortOrder } from 'mongoose';
import type { ObjectId } from './ids.js';

export interface Page {
  /** From 1. */
  page: number;
  limit: number;
}

/** The documents of `page` in `sort` order, and how many match in all. */
export async function findPage<Doc>(
  model: Model<Doc>,
  filter: QueryFilter<Doc>,
  sort: Record<string, SortOrder>,
  { page, limit }: Page,
): Promise<{ items: (Doc & { _id: ObjectId })[]; total: number }> {
  const [items, total] = await Promise.all([
    model
      .find(filter)
      .sort(sort)
      .skip((page - 1) * limit)
      .limit(limit)
      .lean<(Doc & { _id: ObjectId })[]>(),
    model.countDocuments(filter),
  ]);
  return { items, total };
}
