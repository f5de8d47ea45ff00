/** The `users` collection: accounts, their password hashes and profiles. */
import { isDuplicateKeyError } from './connection.js';
import { toObjectId } from './ids.js';
import { User, type UserDoc } from './models.js';

export type { UserDoc };
export type ProfileFields = Partial<Pick<UserDoc, 'name' | 'phone' | 'bio' | 'avatarUrl'>>;

/** The new account, or null when the email already has one (in any role, any case). */
export async function insertUser(account: {
  email: string;
  name: string;
  role: UserDoc['role'];
  passwordHash: string;
}): Promise<UserDoc | null> {
  try {
    return (await User.create(account)).toObject();
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

/** Emails are stored in lower case; `role` narrows the match to accounts of that role. */
export function findUserByEmail(email: string, role?: UserDoc['role']) {
  const lower = email.trim().toLowerCase();
  return User.findOne(role ? { email: lower, role } : { email: lower }).lean<UserDoc>();
}

export function findUserById(userId: string) {
  return User.findById(userId).lean<UserDoc>();
}

/** The account's email address, or null when the account is gone. */
export async function emailOfUser(userId: string): Promise<string | null> {
  const user = await User.findById(userId).select({ email: 1 }).lean();
  return user?.email ?? null;
}

export function updateUserProfile(userId: string, changes: ProfileFields) {
  return User.findByIdAndUpdate(
    userId,
    { $set: changes },
    { returnDocument: 'after', runValidators: true },
  ).lean<UserDoc>();
}

/** True when the account exists and now has this hash. */
export async function setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
  const updated = await User.updateOne({ _id: toObjectId(userId) }, { $set: { passwordHash } });
  return updated.matchedCount === 1;
}
