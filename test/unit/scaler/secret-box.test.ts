import { loadConfig } from '../../../lib/config';
import {
  createKeyring,
  generateKey,
  keyringOf,
  needsReseal,
  open,
  seal,
  SecretBoxError,
} from '../../../lib/secret-box';

describe('secret box (AES-256-GCM, key id per value)', () => {
  const key = generateKey();
  const keyring = createKeyring(key);

  it('opens what it sealed, and never seals the same value to the same text', () => {
    const a = seal(keyring, 'hunter2-päss');
    const b = seal(keyring, 'hunter2-päss');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(a.split('.')[1]).toBe(keyring.current.id);
    expect(open(keyring, a)).toBe('hunter2-päss');
  });

  it('refuses a tampered value and a value sealed with an unknown key', () => {
    const sealed = seal(keyring, 'value');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0]! ^= 1;
    parts[4] = flipped.toString('base64url');
    expect(() => open(keyring, parts.join('.'))).toThrow(/does not authenticate/);
    expect(() => open(createKeyring(generateKey()), sealed)).toThrow(SecretBoxError);
    expect(() => open(keyring, 'plain text')).toThrow(/not a sealed value/);
  });

  it('opens values of a previous key after rotation and knows they need re-sealing', () => {
    const old = seal(keyring, 'before rotation');
    const rotated = createKeyring(generateKey(), [key]);
    expect(open(rotated, old)).toBe('before rotation');
    expect(needsReseal(rotated, old)).toBe(true);
    expect(needsReseal(rotated, seal(rotated, 'x'))).toBe(false);
  });

  it('accepts 32-byte keys as base64 or hex and names CO_SECRETS_KEY when it is missing or wrong', () => {
    expect(() => createKeyring('00'.repeat(32))).not.toThrow();
    expect(() => loadConfig({ CO_SECRETS_KEY: 'too-short' })).toThrow(
      /CO_SECRETS_KEY: must be 32 random bytes/,
    );
    expect(() => loadConfig({ CO_SECRETS_KEY_PREVIOUS: `${key},nope` })).toThrow(/CO_SECRETS_KEY_PREVIOUS/);
    expect(() => keyringOf(loadConfig({}))).toThrow(/CO_SECRETS_KEY: is required/);
    expect(keyringOf(loadConfig({ CO_SECRETS_KEY: key })).current.id).toBe(keyring.current.id);
  });
});
