import { createHash, randomBytes } from 'node:crypto';

/** A new bearer secret (session, reset or device token): 256 random bits, URL-safe. */
export const newBearerSecret = () => randomBytes(32).toString('base64url');

/** SHA-256 of a bearer secret: what we store instead of the secret. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
