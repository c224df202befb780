import crypto from 'node:crypto';
import { ConfigError, type Config } from './config';

/**
 * Encryption at rest for secret values (project secrets, service credentials, webhook signing
 * secrets, secret run params): AES-256-GCM, a fresh 96-bit nonce per value, and the id of the
 * key in every sealed value so a rotated key can still open older rows until they are re-sealed.
 *
 * Sealed format: `v1.<keyId>.<nonce>.<tag>.<ciphertext>` (base64url parts), plain ASCII that
 * fits any text column.
 */

const VERSION = 'v1';
const NONCE_BYTES = 12;

export interface SecretKey {
  /** first 8 bytes of sha256(key), hex: names the key without revealing it */
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** new values are sealed with this key */
  current: SecretKey;
  /** every key that can open a value: the current one and CO_SECRETS_KEY_PREVIOUS */
  byId: Map<string, SecretKey>;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** 32 bytes as base64 (44 chars) or hex (64 chars); undefined when the text is neither. */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return undefined;
}

/** A fresh random key, base64, as `npm start` writes it and `openssl rand -base64 32` prints it. */
export function generateKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

export function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function secretKey(text: string, variable: string): SecretKey {
  const key = decodeKey(text);
  if (!key) {
    throw new ConfigError(
      `invalid configuration: ${variable}: must be 32 random bytes as base64 or hex (openssl rand -base64 32)`,
    );
  }
  return { id: keyId(key), key };
}

export function createKeyring(current: string, previous: string[] = []): Keyring {
  const currentKey = secretKey(current, 'CO_SECRETS_KEY');
  const byId = new Map([[currentKey.id, currentKey]]);
  for (const text of previous) {
    const key = secretKey(text, 'CO_SECRETS_KEY_PREVIOUS');
    if (!byId.has(key.id)) byId.set(key.id, key);
  }
  return { current: currentKey, byId };
}

const keyrings = new WeakMap<Config, Keyring>();

/** The keyring of a configuration; ConfigError naming CO_SECRETS_KEY when it is missing or malformed. */
export function keyringOf(config: Config): Keyring {
  let keyring = keyrings.get(config);
  if (!keyring) {
    if (!config.CO_SECRETS_KEY) {
      throw new ConfigError(
        'invalid configuration: CO_SECRETS_KEY: is required (32 random bytes, base64: openssl rand -base64 32)',
      );
    }
    const previous = (config.CO_SECRETS_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim());
    keyring = createKeyring(config.CO_SECRETS_KEY, previous);
    keyrings.set(config, keyring);
  }
  return keyring;
}

const b64 = (b: Buffer) => b.toString('base64url');

/** Seals a value with the current key. */
export function seal(keyring: Keyring, plaintext: string): string {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyring.current.key, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyring.current.id, b64(nonce), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
}

/** The id of the key a sealed value was sealed with. */
export function sealedKeyId(sealed: string): string {
  const [version, id] = sealed.split('.');
  if (version !== VERSION || !id) throw new SecretBoxError('not a sealed value');
  return id;
}

/** Opens a sealed value; SecretBoxError when its key is unknown or it was tampered with. */
export function open(keyring: Keyring, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed value');
  const [, id, nonce, tag, ciphertext] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(id);
  if (!key) {
    throw new SecretBoxError(
      `sealed with key ${id}, which is neither CO_SECRETS_KEY nor in CO_SECRETS_KEY_PREVIOUS`,
    );
  }
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretBoxError(`sealed value does not authenticate under key ${id}`);
  }
}

/** True when the value is sealed with a key other than the current one (rotation re-seals it). */
export function needsReseal(keyring: Keyring, sealed: string): boolean {
  return sealedKeyId(sealed) !== keyring.current.id;
}
