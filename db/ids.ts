/** ObjectIds, the one way the rest of the code meets them: as 24-character hex strings. */
import mongoose from 'mongoose';

export type ObjectId = mongoose.Types.ObjectId;

export const toObjectId = (hex: string): ObjectId => new mongoose.Types.ObjectId(hex);

/** A fresh id, for a document whose id must be known before it is written (a booking). */
export const newObjectIdHex = (): string => new mongoose.Types.ObjectId().toHexString();

/** Whether `text` is an ObjectId as we write them (`isValidObjectId` also takes 12-byte strings). */
export const isObjectIdHex = (text: string): boolean => /^[0-9a-f]{24}$/.test(text);
