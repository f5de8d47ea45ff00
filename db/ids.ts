/** ObjectIds, the one way the rest of the code meets them: as 24-character hex strings. */
import mongoose from 'mongoose';
import { OBJECT_ID_HEX } from '../domain/ids.js';

export type ObjectId = mongoose.Types.ObjectId;

export const toObjectId = (hex: string): ObjectId => new mongoose.Types.ObjectId(hex);

/** A fresh id, for a document whose id must be known before it is written (a booking). */
export const newObjectIdHex = (): string => new mongoose.Types.ObjectId().toHexString();

/** Whether `text` is an ObjectId as we write them (`isValidObjectId` also takes 12-byte strings). */
export const isObjectIdHex = (text: string): boolean => OBJECT_ID_HEX.test(text);
