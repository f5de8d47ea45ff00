/** The `trusted_devices` collection: browsers an account logged in from, `_id` a token hash. */
import { toObjectId } from './ids.js';
import { TrustedDevice } from './models.js';

export async function insertTrustedDevice(device: {
  tokenHash: string;
  userId: string;
  email: string;
  expiresAt: Date;
}): Promise<void> {
  await TrustedDevice.create({
    _id: device.tokenHash,
    userId: toObjectId(device.userId),
    email: device.email,
    expiresAt: device.expiresAt,
  });
}

export function findTrustedDevice(tokenHash: string) {
  return TrustedDevice.findById(tokenHash).lean();
}

export async function deleteExpiredTrustedDevices(now: Date): Promise<number> {
  return (await TrustedDevice.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
